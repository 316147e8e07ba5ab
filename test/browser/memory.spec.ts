// Memory that frees itself, on a page's main thread in Chromium: an arena left with no model starts over with a fresh
// WebAssembly.Memory (the kernels instantiated anew on it, synchronously), and the next model computes as before. On a
// cross-origin-isolated page the backend is threaded and its memory shared, which the arena keeps (a dropped shared
// memory is not collected in time: src/backends/wasm/instance.ts): it starts over from the bottom of the same memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { serve } from '../../scripts/serve-demo.mjs';
import { collectProblems, launchChromium } from './chromium.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
let browser: Browser;
const servers: Record<string, { url: string; close: () => Promise<void> }> = {};
const mounts = { '/lib/': `${root}dist`, '/': fixtures };

beforeAll(async () => {
  servers.plain = await serve({ port: 0, mounts });
  servers.isolated = await serve({ port: 0, mounts, isolated: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const s of Object.values(servers)) await s.close();
});

describe.each(['plain', 'isolated'])('the arena in Chromium (%s page)', (page) => {
  it('starts over when the last model is disposed (a fresh memory, or the shared one kept), and the next model predicts the same', async () => {
    const server = servers[page];
    const p = await browser.newPage();
    const problems = collectProblems(p);
    // page.evaluate cannot hold import() itself: vitest rewrites it in this file's source
    await p.addInitScript("window.importLib = () => import('/lib/index.js');");
    await p.goto(`${server.url}blank.html`);
    const seen = await p.evaluate(async () => {
      const lib = await (window as any).importLib();
      await lib.ready();
      const make = () =>
        new lib.Sequential([new lib.Dense(4096, { inputShape: [2048], activation: 'tanh' }), new lib.Dense(3)], {
          seed: 9,
        }); // 67 MB of weights and gradients: past the 64 MiB an empty arena keeps
      const input = { data: Float32Array.from({ length: 2048 }, (_, i) => Math.sin(i)), shape: [1, 2048] };
      const first = make();
      const before = Array.from(first.predict(input).data);
      const reservedWhileAlive = lib.memory().bytesReserved;
      first.dispose();
      await new Promise((resolve) => setTimeout(resolve, 10));
      const afterDispose = lib.memory();
      const again = make();
      const after = Array.from(again.predict(input).data);
      again.dispose();
      return { before, after, reservedWhileAlive, afterDispose, backend: lib.getBackend(), threads: lib.getThreads() };
    });
    expect(seen.backend).toBe('wasm');
    if (page === 'isolated') expect(seen.threads).toBeGreaterThan(1);
    else expect(seen.threads).toBe(1);
    expect(seen.reservedWhileAlive).toBeGreaterThan(64 * 2 ** 20);
    const reserved = page === 'isolated' ? seen.reservedWhileAlive : 65536;
    expect(seen.afterDispose).toEqual({ backend: 'wasm', bytesInUse: 0, bytesReserved: reserved });
    expect(seen.after).toEqual(seen.before);
    expect(problems).toEqual([]);
    await p.close();
  });
});
