import { describe, expect, it } from 'vitest';
import { values } from './values.js';
import { KERNEL_NAMES } from '../../src/backends/kernels.js';
import { createWasmBackend, wasmSimdSupported } from '../../src/backends/wasm/index.js';

describe('wasm backend: smoke', () => {
  it('loads, with SIMD supported and every kernel of KERNEL_NAMES bound', () => {
    expect(wasmSimdSupported()).toBe(true);
    const backend = createWasmBackend();
    expect(backend.name).toBe('wasm');
    const missing = KERNEL_NAMES.filter((name) => typeof backend.kernels[name] !== 'function');
    expect(missing).toEqual([]);
  });

  it('gives every backend its own memory', () => {
    const a = createWasmBackend(),
      b = createWasmBackend();
    const pa = a.arena.alloc(4),
      pb = b.arena.alloc(4);
    expect(pa).toBe(pb);
    a.arena.write(pa, [1, 2, 3, 4]);
    expect(Array.from(b.arena.read(pb, 4))).toEqual([0, 0, 0, 0]);
  });

  it('matmul 5×7 · 7×9 equals a float64 reference within 1e-5', () => {
    const { kernels, arena } = createWasmBackend();
    const [m, k, n] = [5, 7, 9];
    const x = values(m * k, 1),
      w = values(k * n, 2);
    const px = arena.alloc(m * k),
      pw = arena.alloc(k * n),
      py = arena.alloc(m * n);
    arena.write(px, x);
    arena.write(pw, w);
    kernels.matmul(px, pw, py, m, k, n);
    const y = arena.read(py, m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let ref = 0;
        for (let p = 0; p < k; p++) ref += x[i * k + p] * w[p * n + j];
        expect(Math.abs(y[i * n + j] - ref)).toBeLessThan(1e-5);
      }
    }
  });

  it('keeps data across memory growth, and kernels run on it afterwards', () => {
    const { kernels, arena } = createWasmBackend();
    const data = values(1000, 3);
    const first = arena.alloc(1000);
    arena.write(first, data);
    const before = arena.capacity;
    const big = arena.alloc(16 * 1024 * 1024); // 64 MiB: forces memory.grow, which detaches the old buffer
    expect(arena.capacity).toBeGreaterThan(before + 64 * 1024 * 1024 - 1);
    expect(Array.from(arena.read(first, 1000))).toEqual(Array.from(data));

    kernels.scale(first, 1000, 2);
    const scaled = arena.read(first, 1000);
    for (let i = 0; i < 1000; i++) expect(scaled[i]).toBe(Math.fround(data[i] * 2));
    // the far end of the new block is reachable by kernels too
    const end = big + (16 * 1024 * 1024 - 8) * 4;
    kernels.fill(end, 8, 7);
    expect(Array.from(arena.read(end, 8))).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
  });

  it('doubles while small but reserves at most 64 MiB beyond what large models need', () => {
    const MiB = 2 ** 20;
    const { arena } = createWasmBackend();
    arena.alloc(1000);
    const small = arena.capacity;
    arena.alloc(small / 4); // a block the size of the memory: doubling covers it
    expect(arena.capacity).toBe(2 * small);
    // 300 MiB in three blocks, the way a large model allocates its weights, gradients and moments
    for (let i = 0; i < 3; i++) arena.alloc((100 * MiB) / 4);
    expect(arena.capacity).toBeGreaterThanOrEqual(arena.bytesInUse);
    expect(arena.capacity - arena.bytesInUse).toBeLessThanOrEqual(64 * MiB + small * 2);
  });
});
