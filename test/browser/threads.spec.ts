// Threads in Chromium, with the built package (dist/): on a cross-origin-isolated page (COOP + COEP) the wasm kernels
// run on every core through module Web Workers made from the bundle itself, and train to the same bits as one thread;
// on a page that is not isolated they run on one thread, say once on the console which two headers would enable
// threads, and train to the same bits again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { serve } from '../../scripts/serve-demo.mjs';
import { collectProblems, launchChromium } from './chromium.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

let browser: Browser;
const servers: { url: string; close: () => Promise<void> }[] = [];

beforeAll(async () => {
  const mounts = { '/lib/': `${root}dist`, '/': fixtures };
  servers.push(await serve({ port: 0, mounts, isolated: true }));
  servers.push(await serve({ port: 0, mounts, isolated: false }));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
});

interface Trained {
  isolated: boolean;
  cores: number;
  threads: number[];
  weights: number[][][];
}

/** In the page: train the same network with each thread count in `counts` and return the weights.
 *  - 'dense': an MLP on inputs one in seven zeros;
 *  - 'sparse': the MLP on inputs four-fifths zeros, so that the first layer skips them and, on two threads, pipelines
 *    its forward product (as test/backends/threads-bits.test.ts counts in Node);
 *  - 'cnn': two 'valid' convolutions, the second's two gradients large enough that two threads chain them over the
 *    images (conv2dBackwardStage, counted in Node by the same test). */
async function trainIn(page: Page, counts: number[], kind: 'dense' | 'sparse' | 'cnn' = 'dense'): Promise<Trained> {
  return page.evaluate(
    async ([counts, kind]) => {
      const s = await (window as any).importLib();
      await s.ready();
      const n = 192,
        features = 256;
      const data = Float32Array.from({ length: n * features }, (_, i) =>
        (kind === 'sparse' ? i % 5 !== 3 : i % 7 === 0) ? 0 : Math.sin(i * 0.37),
      );
      const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % 10);
      const layers = () =>
        kind === 'cnn'
          ? [
              new s.Conv2D(16, 3, { inputShape: [16, 16, 1], activation: 'relu' }),
              new s.Conv2D(32, 3, { activation: 'relu' }),
              new s.MaxPooling2D(2),
              new s.Flatten(),
              new s.Dense(10, { activation: 'softmax' }),
            ]
          : [
              new s.Dense(256, { inputShape: [features], activation: 'relu' }),
              new s.Dense(128, { activation: 'tanh' }),
              new s.Dense(10, { activation: 'softmax' }),
            ];
      const shape = kind === 'cnn' ? [n, 16, 16, 1] : [n, features];
      const threads: number[] = [];
      const weights: number[][][] = [];
      for (const count of counts) {
        await s.setThreads(count);
        threads.push(s.getThreads());
        const model = new s.Sequential(layers(), { seed: 3 });
        model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
        await model.fit({ data, shape }, labels, { epochs: 2, batchSize: 64, verbose: 0 });
        weights.push(model.getWeights().map((w: Float32Array) => Array.from(w)));
        model.dispose();
      }
      return { isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency, threads, weights };
    },
    [counts, kind] as const,
  );
}

async function open(server: {
  url: string;
}): Promise<{ page: Page; problems: string[]; lines: string[]; workers: string[] }> {
  const page = await browser.newPage();
  const problems = collectProblems(page);
  const lines: string[] = [];
  const workers: string[] = [];
  page.on('console', (m) => lines.push(m.text()));
  page.on('worker', (w) => workers.push(w.url()));
  await page.addInitScript("window.importLib = () => import('/lib/index.js');");
  await page.goto(`${server.url}blank.html`);
  return { page, problems, lines, workers };
}

/** bit for bit (Object.is tells −0 from +0; the arrays came through JSON-like cloning, which keeps −0) */
function sameBits(a: number[][], b: number[][]): boolean {
  return (
    a.length === b.length && a.every((w, t) => w.length === b[t].length && w.every((v, i) => Object.is(v, b[t][i])))
  );
}

describe('threads in Chromium', () => {
  let isolatedWeights: number[][] | undefined;

  it('on a cross-origin-isolated page: every core by default, workers from the bundle, the same bits as one thread', async () => {
    const { page, problems, lines, workers } = await open(servers[0]);
    const defaults = await page.evaluate(async () => {
      const s = await (window as any).importLib();
      await s.ready();
      return s.getThreads();
    });
    const result = await trainIn(page, [1, 2, 3]);
    expect(result.isolated).toBe(true);
    expect(defaults).toBe(result.cores);
    expect(result.threads).toEqual([1, 2, 3]);
    expect(workers.length, 'kernel workers were started').toBeGreaterThan(0);
    expect(
      workers.every((url) => url.startsWith('blob:')),
      'made from the bundle, nothing fetched',
    ).toBe(true);
    expect(sameBits(result.weights[0], result.weights[1]), '2 threads').toBe(true);
    expect(sameBits(result.weights[0], result.weights[2]), '3 threads').toBe(true);
    expect(lines.filter((l) => l.includes('Cross-Origin'))).toEqual([]);
    expect(problems).toEqual([]);
    isolatedWeights = result.weights[0];
    await page.close();
  });

  it('on a cross-origin-isolated page: an MLP on inputs four-fifths zeros, its first product pipelined on two threads, the same bits', async () => {
    const { page, problems } = await open(servers[0]);
    const result = await trainIn(page, [1, 2], 'sparse');
    expect(result.threads).toEqual([1, 2]);
    expect(sameBits(result.weights[0], result.weights[1]), '2 threads').toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('on a cross-origin-isolated page: a CNN whose second convolution chains its two gradients on two threads, the same bits', async () => {
    const { page, problems } = await open(servers[0]);
    const result = await trainIn(page, [1, 2, 3], 'cnn');
    expect(result.threads).toEqual([1, 2, 3]);
    expect(sameBits(result.weights[0], result.weights[1]), '2 threads').toBe(true);
    expect(sameBits(result.weights[0], result.weights[2]), '3 threads').toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('on a page that is not isolated, after setThreads(1): one thread and no notice (one thread was asked for)', async () => {
    const { page, problems, lines } = await open(servers[1]);
    const threads = await page.evaluate(async () => {
      const s = await (window as any).importLib();
      await s.setThreads(1);
      await s.ready();
      const m = new s.Sequential([new s.Dense(4, { inputShape: [3], activation: 'softmax' })], { seed: 1 });
      m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
      await m.fit({ data: new Float32Array(12), shape: [4, 3] }, Int32Array.from([0, 1, 2, 3]), { epochs: 1 });
      return s.getThreads();
    });
    expect(threads).toBe(1);
    expect(lines.filter((l) => l.includes('Cross-Origin-Opener-Policy'))).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('on a page that is not isolated: one thread, one console line naming the two headers, the same bits', async () => {
    const { page, problems, lines, workers } = await open(servers[1]);
    const result = await trainIn(page, [2]);
    expect(result.isolated).toBe(false);
    expect(result.threads).toEqual([1]);
    expect(workers).toEqual([]);
    const notices = lines.filter((l) => l.includes('Cross-Origin-Opener-Policy'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
    if (isolatedWeights) expect(sameBits(result.weights[0], isolatedWeights), 'the isolated page’s weights').toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
