// Pages under a Content-Security-Policy, with the built package (dist/): a policy that refuses workers from blob:
// URLs leaves scratchnet on one thread (setThreads resolves, getThreads says 1, the console says why once, training
// works and gives the bits of one thread); a policy without 'wasm-unsafe-eval' leaves it on the JS backend, said once
// on the console, and training works there too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { serve } from '../../scripts/serve-demo.mjs';
import { collectProblems, launchChromium } from './chromium.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const mounts = { '/lib/': `${root}dist`, '/': fixtures };

let browser: Browser;
const servers: Record<'noBlobWorkers' | 'noWasm', { url: string; close: () => Promise<void> }> = {} as never;

beforeAll(async () => {
  // a common hardening: scripts and workers from the site only; WebAssembly allowed in the first, not in the second
  servers.noBlobWorkers = await serve({
    port: 0,
    mounts,
    isolated: true,
    csp: "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'",
  });
  servers.noWasm = await serve({ port: 0, mounts, isolated: true, csp: "script-src 'self'; worker-src 'self'" });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const s of Object.values(servers)) await s?.close();
});

async function open(server: { url: string }): Promise<{ page: Page; problems: string[]; lines: string[] }> {
  const page = await browser.newPage();
  const problems = collectProblems(page);
  const lines: string[] = [];
  page.on('console', (m) => lines.push(m.text()));
  await page.addInitScript("window.importLib = () => import('/lib/index.js');");
  await page.goto(`${server.url}blank.html`);
  return { page, problems, lines };
}

/** in the page: set the threads, train a small MLP (large enough to split on two threads) and return what it saw */
function train(page: Page, threads: number) {
  return page.evaluate(async (threads) => {
    const s = await (window as any).importLib();
    const backend = await s.ready();
    await s.setThreads(threads);
    const n = 128,
      features = 512;
    const data = Float32Array.from({ length: n * features }, (_, i) => (i % 7 === 0 ? 0 : Math.sin(i * 0.37)));
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % 10);
    const model = new s.Sequential(
      [new s.Dense(512, { inputShape: [features], activation: 'relu' }), new s.Dense(10, { activation: 'softmax' })],
      { seed: 3 },
    );
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const history = await model.fit({ data, shape: [n, features] }, labels, { epochs: 2, batchSize: 64, verbose: 0 });
    const weights = model.getWeights().map((w: Float32Array) => Array.from(w));
    model.dispose();
    return { backend, isolated: crossOriginIsolated, threads: s.getThreads(), loss: history.history.loss, weights };
  }, threads);
}

/** the console errors the browser itself prints for what the policy refused (not scratchnet's) */
const isViolation = (problem: string) => /Content Security Policy/.test(problem);

describe('pages under a Content-Security-Policy', () => {
  it('one that refuses workers from blob: URLs: one thread, one console warning naming worker-src, the bits of one thread', async () => {
    const { page, problems, lines } = await open(servers.noBlobWorkers);
    const two = await train(page, 2);
    expect(two.isolated).toBe(true);
    expect(two.backend).toBe('wasm');
    expect(two.threads).toBe(1);
    expect(two.loss).toHaveLength(2);
    const warnings = lines.filter((l) => l.startsWith('scratchnet:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/running on one thread: its worker threads could not start .*blob:.*worker-src/);
    const one = await train(page, 1);
    expect(two.weights).toEqual(one.weights);
    expect(problems.filter((p) => !isViolation(p))).toEqual([]);
    await page.close();
  });

  it("one without 'wasm-unsafe-eval': the JS backend, said once on the console, and training works", async () => {
    const { page, problems, lines } = await open(servers.noWasm);
    const result = await train(page, 1);
    expect(result.backend).toBe('js');
    expect(result.loss).toHaveLength(2);
    expect(result.loss[1]).toBeLessThan(result.loss[0]);
    const notices = lines.filter((l) => l.startsWith('scratchnet:'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/Content-Security-Policy does not allow WebAssembly.*'wasm-unsafe-eval'/);
    expect(problems.filter((p) => !isViolation(p))).toEqual([]);
    await page.close();
  });
});
