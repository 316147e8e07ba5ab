// The built package (dist/) in real Chromium, outside the demo: imported by name into a page that esbuild bundles
// with no configuration; `fit` on the main thread keeping the page responsive; `ready()` where synchronous
// WebAssembly compilation is refused; the JS fallback where SIMD is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { serve } from '../../scripts/serve-demo.mjs';
import { collectProblems, launchChromium, MONITOR_SCRIPT, readMonitor } from './chromium.js';
import { Dense, Sequential } from '../../src/index.js';
import { fileHandler } from '../../src/io/node-files.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

let browser: Browser;
let server: { url: string; close: () => Promise<void> };
let site: string;
let hostedPrediction: number;

beforeAll(async () => {
  // a user's project: its own folder, scratchnet in node_modules (here a link to this package), one entry file
  site = await mkdtemp(join(tmpdir(), 'scratchnet-site-'));
  await mkdir(join(site, 'node_modules'));
  await symlink(root, join(site, 'node_modules/scratchnet'), 'dir');
  await copyFile(join(fixtures, 'bundler-app/main.ts'), join(site, 'main.ts'));
  await copyFile(join(fixtures, 'bundler-app/index.html'), join(site, 'index.html'));
  await copyFile(join(fixtures, 'blank.html'), join(site, 'blank.html'));
  await build({
    entryPoints: [join(site, 'main.ts')],
    outfile: join(site, 'app.js'),
    bundle: true,
    format: 'esm',
    minify: true,
    logLevel: 'silent',
  });
  // a model the site serves, for loadModel by path
  const hosted = new Sequential([new Dense(3, { inputShape: [2], activation: 'relu' }), new Dense(1)], {
    seed: 5,
    backend: 'js',
  });
  hostedPrediction = hosted.predict([[0.5, -1]])[0][0];
  await hosted.save(fileHandler(join(site, 'models/small')));
  hosted.dispose();

  server = await serve({ port: 0, mounts: { '/lib/': join(root, 'dist'), '/': site } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (site) await rm(site, { recursive: true, force: true });
});

async function blankPage(init?: string): Promise<{ page: Page; problems: string[]; console: string[] }> {
  const page = await browser.newPage();
  const problems = collectProblems(page);
  const console: string[] = [];
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  if (init) await page.addInitScript(init);
  await page.addInitScript(MONITOR_SCRIPT);
  // page.evaluate cannot hold import() itself: vitest rewrites it in this file's source
  await page.addInitScript("window.importLib = () => import('/lib/index.js');");
  await page.goto(`${server.url}blank.html`);
  return { page, problems, console };
}

describe('scratchnet in Chromium', () => {
  it("works in a page bundled by esbuild from `import … from 'scratchnet'`, fetching nothing but the bundle", async () => {
    const app = await readFile(join(site, 'app.js'));
    console.log(
      `the bundled page: app.js ${(gzipSync(app).length / 1024).toFixed(1)} KiB gzipped, with the wasm inside`,
    );
    const page = await browser.newPage();
    const problems = collectProblems(page);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(server.url);
    await page.waitForSelector('#out[data-done="true"]');
    expect(JSON.parse((await page.textContent('#out'))!)).toEqual({
      backend: 'wasm',
      getBackend: 'wasm',
      xor: [0, 1, 1, 0],
    });
    expect(requests).toEqual(['/', '/app.js']);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('keeps the page responsive while fit trains on the main thread (it yields every 50 ms)', async () => {
    const { page, problems } = await blankPage();
    // 4,000 MNIST-sized samples: 784 → 128 relu → 10 softmax, batch 32, four epochs with validation
    const result = await page.evaluate(async () => {
      const s = await (window as any).importLib();
      await s.ready();
      const n = 4000,
        features = 784;
      const data = new Float32Array(n * features);
      const labels = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        labels[i] = i % 10;
        for (let j = 0; j < features; j++)
          data[i * features + j] = ((j * 7 + labels[i] * 13) % 17 === 0 ? 0.8 : 0) + Math.random() * 0.2;
      }
      const model = new s.Sequential(
        [new s.Dense(128, { inputShape: [features], activation: 'relu' }), new s.Dense(10, { activation: 'softmax' })],
        { seed: 1 },
      );
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
      await new Promise((r) => setTimeout(r, 50));
      (window as any).__monitor.reset();
      // the gaps between frames drawn while fit runs
      const gaps: number[] = [];
      let training = true;
      let last = -1;
      const frame = (now: number) => {
        if (last >= 0) gaps.push(Math.round(now - last));
        last = now;
        if (training) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); // a first frame, then fit
      const started = performance.now();
      const history = await model.fit({ data, shape: [n, features] }, labels, {
        epochs: 4,
        batchSize: 32,
        validationSplit: 0.1,
        verbose: 0,
      });
      const ms = performance.now() - started;
      training = false;
      model.dispose();
      return { ms, gaps, accuracy: history.history.val_accuracy.at(-1) };
    });
    const main = await readMonitor(page);
    console.log(
      `fit on the main thread: ${result.ms.toFixed(0)} ms, ${result.gaps.length} frames drawn meanwhile; ` +
        `frame gaps ≥ 40 ms: ${result.gaps.filter((g) => g >= 40).join(', ')}; long tasks: ${main.tasks.join(', ')}`,
    );
    expect(result.accuracy).toBeGreaterThan(0.9);
    expect(result.gaps.length).toBeGreaterThan(result.ms / 100); // the page kept drawing
    // fit's first turn also checks and copies the whole data set into wasm memory (about 25 ms here) before its
    // first 50 ms of batches, so it gets more room; every later turn stays under 100 ms. (Frames are held to a
    // looser bound: on a loaded machine they can be late for reasons outside the page.)
    expect(main.tasks[0] ?? 0).toBeLessThan(150);
    expect(Math.max(0, ...main.tasks.slice(1)), `long tasks: ${main.tasks}`).toBeLessThan(100);
    expect(Math.max(...result.gaps), `frame gaps: ${result.gaps}`).toBeLessThan(250);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('trainInWorker rejects, rather than hanging, when the worker script cannot load', async () => {
    const { page } = await blankPage();
    const message = await page.evaluate(async () => {
      const s = await (window as any).importLib();
      const worker = new Worker('/no-such-worker.js', { type: 'module' });
      const spec = { layers: [{ type: 'dense', units: 1, inputShape: [1] }], compile: { loss: 'mse' } };
      try {
        await s.trainInWorker(worker, { model: spec, x: [[1]], y: [[1]] });
        return 'resolved';
      } catch (e) {
        return (e as Error).message;
      } finally {
        worker.terminate();
      }
    });
    expect(message).toMatch(
      /^scratchnet: the training worker failed before answering: its script did not load or start/,
    );
    expect(message).not.toContain('[object');
    await page.close();
  });

  it('trainInWorker times out with a message when the worker never calls serveTraining', async () => {
    const { page } = await blankPage();
    const message = await page.evaluate(async () => {
      const s = await (window as any).importLib();
      const worker = new Worker(URL.createObjectURL(new Blob(['// does nothing'], { type: 'text/javascript' })));
      const spec = { layers: [{ type: 'dense', units: 1, inputShape: [1] }], compile: { loss: 'mse' } };
      try {
        await s.trainInWorker(worker, { model: spec, x: [[1]], y: [[1]], startTimeout: 300 });
        return 'resolved';
      } catch (e) {
        return (e as Error).message;
      } finally {
        worker.terminate();
      }
    });
    expect(message).toMatch(
      /^scratchnet: the training worker did not answer within 0\.3 s\. Does its script call serveTraining\(\)/,
    );
    await page.close();
  });

  it('fit prints nothing on a page unless asked (as TF.js); summary() prints its table once', async () => {
    const { page, problems, console: lines } = await blankPage();
    await page.evaluate(async () => {
      const s = await (window as any).importLib();
      const model = new s.Sequential([new s.Dense(2, { inputShape: [2], activation: 'tanh' }), new s.Dense(1)], {
        seed: 1,
      });
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      await model.fit(
        [
          [0, 1],
          [1, 0],
        ],
        [[1], [0]],
        { epochs: 3 },
      );
      const net = new s.Network({ seed: 1 });
      net.add(new s.FCLayer(2, 1));
      net.use('mse');
      await net.fit(
        [
          [0, 1],
          [1, 0],
        ],
        [[1], [0]],
        { epochs: 3, learningRate: 0.1 },
      );
      console.log(model.summary());
    });
    expect(lines.filter((l) => /epoch/i.test(l))).toEqual([]);
    expect(lines.filter((l) => l.includes('Total params'))).toHaveLength(1);
    expect(lines.at(-1)).toBe('log: undefined'); // what console.log(model.summary()) prints after the table
    expect(problems).toEqual([]);
    await page.close();
  });

  it("loadModel('/path/model.json') and relative URLs load over fetch from the page's site", async () => {
    const { page, problems } = await blankPage();
    const result = await page.evaluate(async () => {
      const s = await (window as any).importLib();
      const out: number[] = [];
      for (const source of ['/models/small/model.json', 'models/small/model.json', './models/small/model.json']) {
        const model = await s.loadModel(source);
        out.push(model.predict([[0.5, -1]])[0][0]);
        model.dispose();
      }
      let save = '';
      const other = new s.Sequential([new s.Dense(1, { inputShape: [1] })]);
      other.predict([[1]]);
      try {
        await other.save('/models/new');
      } catch (e) {
        save = (e as Error).message;
      }
      return { out, save };
    });
    for (const p of result.out) expect(Math.abs(p - hostedPrediction)).toBeLessThan(1e-5);
    expect(result.save).toMatch(
      /^scratchnet: cannot save to '\/models\/new': in a browser a path is a URL of the site/,
    );
    expect(problems).toEqual([]);
    await page.close();
  });

  it('where the engine refuses synchronous compilation: a clear error before ready(), models after it', async () => {
    // What Chrome does on the main thread above its size limit (8 MB in Chrome 156, 4 KB before): simulated, since
    // scratchnet's 20-odd KB module is under today's limit.
    const refuse = `WebAssembly.Module = new Proxy(WebAssembly.Module, { construct() {
      throw new RangeError('WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 4KB. Use WebAssembly.compile, or compile on a worker thread.');
    } });`;
    const { page, problems } = await blankPage(refuse);
    const result = await page.evaluate(async () => {
      const s = await (window as any).importLib();
      const make = () => new s.Sequential([new s.Dense(2, { inputShape: [3] })]);
      let before = '';
      try {
        make();
      } catch (e) {
        before = (e as Error).message;
      }
      const backend = await s.ready();
      const model = make();
      return { before, backend, after: model.backend, out: model.predict([[1, 2, 3]])[0].length };
    });
    expect(result.before).toMatch(
      /^scratchnet: this browser will not compile WebAssembly synchronously here \(WebAssembly\.Compile is disallowed on the main thread.*\)\. Call `await ready\(\)` \(exported by scratchnet\) once before creating a model, or choose the JS backend with setBackend\('js'\)$/,
    );
    expect(result).toMatchObject({ backend: 'wasm', after: 'wasm', out: 2 });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('without WebAssembly SIMD: the JS backend takes over, with one notice on the console', async () => {
    const { page, problems, console: lines } = await blankPage('WebAssembly.validate = () => false;');
    const result = await page.evaluate(async () => {
      const s = await (window as any).importLib();
      const backend = await s.ready();
      const model = new s.Sequential([new s.Dense(4, { inputShape: [2], activation: 'tanh' }), new s.Dense(1)], {
        seed: 1,
      });
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      await model.fit(
        [
          [0, 1],
          [1, 0],
        ],
        [[1], [1]],
        { epochs: 3, verbose: 0 },
      );
      new s.Sequential([new s.Dense(1, { inputShape: [1] })]);
      return { backend, model: model.backend, active: s.getBackend() };
    });
    expect(result).toEqual({ backend: 'js', model: 'js', active: 'js' });
    expect(lines.filter((l) => l.includes('scratchnet'))).toEqual([
      'info: scratchnet: WebAssembly SIMD is not available in this engine; using the JS backend (same results, slower)',
    ]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
