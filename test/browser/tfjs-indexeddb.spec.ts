// IndexedDB interop with TensorFlow.js in a real browser: a model TF.js saved to indexeddb:// loads in scratchnet,
// and a model scratchnet saved there loads in TF.js (tf.loadLayersModel), with the same predictions. TF.js is the
// dev dependency's own browser build (node_modules/@tensorflow/tfjs/dist/tf.min.js), on its cpu backend.
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
  server = await serve({
    port: 0,
    mounts: { '/lib/': `${root}dist`, '/tfjs/': `${root}node_modules/@tensorflow/tfjs/dist`, '/': fixtures },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function page(): Promise<{ page: Page; problems: string[] }> {
  const p = await (await browser.newContext()).newPage();
  const problems = collectProblems(p);
  // page.evaluate cannot hold import() itself: vitest rewrites it in this file's source
  await p.addInitScript("window.importLib = () => import('/lib/index.js');");
  await p.goto(`${server.url}blank.html`);
  await p.addScriptTag({ url: '/tfjs/tf.min.js' });
  await p.evaluate(async () => {
    const tf = (window as any).tf;
    await tf.setBackend('cpu');
    tf.enableProdMode();
  });
  return { page: p, problems };
}

/** 5 inputs of 4 features, the same in both directions */
const INPUT = Array.from({ length: 20 }, (_, i) => Math.sin(i * 0.7));

describe('IndexedDB interop with TensorFlow.js in Chromium', () => {
  it('a model TF.js saved to indexeddb:// loads in scratchnet and predicts the same', async () => {
    const { page: p, problems } = await page();
    const { tfOut, snOut } = await p.evaluate(async (input) => {
      const tf = (window as any).tf;
      const model = tf.sequential();
      model.add(tf.layers.dense({ units: 6, inputShape: [4], activation: 'relu' }));
      model.add(tf.layers.dropout({ rate: 0.3 }));
      model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
      await model.save('indexeddb://from-tfjs');
      const tfOut = Array.from((await model.predict(tf.tensor2d(input, [5, 4])).data()) as Float32Array);
      const lib = await (window as any).importLib();
      await lib.ready();
      const loaded = await lib.loadModel('indexeddb://from-tfjs');
      const snOut = Array.from(loaded.predict({ data: new Float32Array(input), shape: [5, 4] }).data as Float32Array);
      return { tfOut, snOut };
    }, INPUT);
    expect(snOut).toHaveLength(15);
    for (let i = 0; i < 15; i++) expect(Math.abs(snOut[i] - tfOut[i]), `output ${i}`).toBeLessThan(1e-6);
    expect(problems).toEqual([]);
  });

  it('a model scratchnet saved to indexeddb:// loads in TF.js and predicts the same', async () => {
    const { page: p, problems } = await page();
    const { tfOut, snOut, layers } = await p.evaluate(async (input) => {
      const lib = await (window as any).importLib();
      await lib.ready();
      const model = new lib.Sequential(
        [
          new lib.Dense(6, { inputShape: [4], activation: 'tanh' }),
          new lib.Dropout(0.3),
          new lib.Dense(3, { activation: 'softmax' }),
        ],
        { seed: 5 },
      );
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      await model.fit({ data: new Float32Array(input), shape: [5, 4] }, [0, 1, 2, 1, 0], { epochs: 5, verbose: 0 });
      await model.save('indexeddb://from-scratchnet');
      const snOut = Array.from(model.predict({ data: new Float32Array(input), shape: [5, 4] }).data as Float32Array);
      const tf = (window as any).tf;
      const loaded = await tf.loadLayersModel('indexeddb://from-scratchnet');
      const tfOut = Array.from((await loaded.predict(tf.tensor2d(input, [5, 4])).data()) as Float32Array);
      return { tfOut, snOut, layers: loaded.layers.map((l: any) => l.getClassName()) };
    }, INPUT);
    expect(layers).toEqual(['Dense', 'Dropout', 'Dense']);
    expect(tfOut).toHaveLength(15);
    for (let i = 0; i < 15; i++) expect(Math.abs(snOut[i] - tfOut[i]), `output ${i}`).toBeLessThan(1e-6);
    expect(problems).toEqual([]);
  });
});
