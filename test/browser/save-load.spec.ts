// Saving and loading in a real browser: IndexedDB (the same database layout TensorFlow.js uses) and downloads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { serve } from '../../scripts/serve-demo.mjs';
import { collectProblems, launchChromium } from './chromium.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
let browser: Browser;
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  server = await serve({ port: 0, mounts: { '/lib/': `${root}dist`, '/': fixtures } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function page(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ acceptDownloads: true });
  const p = await context.newPage();
  const problems = collectProblems(p);
  // page.evaluate cannot hold import() itself: vitest rewrites it in this file's source
  await p.addInitScript("window.importLib = () => import('/lib/index.js');");
  await p.goto(`${server.url}blank.html`);
  return { page: p, problems };
}

describe('save and load in Chromium', () => {
  it('indexeddb:// round-trips a trained model, with the optimizer state, across a page reload', async () => {
    const { page: p, problems } = await page();
    const before = await p.evaluate(async () => {
      const lib = await (window as any).importLib();
      await lib.ready();
      const model = new lib.Sequential(
        [
          new lib.Dense(8, { inputShape: [3], activation: 'relu' }),
          new lib.Dropout(0.2),
          new lib.Dense(2, { activation: 'softmax' }),
        ],
        { seed: 3 },
      );
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
      const x = Array.from({ length: 32 }, (_, i) => [Math.sin(i), Math.cos(i), i / 32]);
      await model.fit(
        x,
        x.map((r) => (r[0] > 0 ? 1 : 0)),
        { epochs: 3, verbose: 0 },
      );
      await model.save('indexeddb://my-model', { includeOptimizer: true });
      return Array.from(model.predict({ data: new Float32Array([0.1, 0.2, 0.3]), shape: [1, 3] }).data);
    });
    await p.reload();
    const after = await p.evaluate(async () => {
      const lib = await (window as any).importLib();
      await lib.ready();
      const model = await lib.loadModel('indexeddb://my-model');
      return Array.from(model.predict({ data: new Float32Array([0.1, 0.2, 0.3]), shape: [1, 3] }).data);
    });
    expect(after).toEqual(before);
    expect(problems).toEqual([]);
  });

  it('downloads:// hands the browser a model.json and a weights file', async () => {
    const { page: p, problems } = await page();
    const downloads: string[] = [];
    p.on('download', (d) => downloads.push(d.suggestedFilename()));
    await p.evaluate(async () => {
      const lib = await (window as any).importLib();
      await lib.ready();
      const model = new lib.Sequential([new lib.Dense(2, { inputShape: [2] })], { seed: 1 });
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      await model.save('downloads://tiny');
    });
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(2);
    expect(downloads.sort()).toEqual(['tiny.json', 'tiny.weights.bin']);
    expect(problems).toEqual([]);
  });
});
