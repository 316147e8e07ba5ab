import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';

// The three matmul forms against float64 references, on shapes that exercise every edge path of the register
// blocking (m % 4, m % 2, n % 8, n % 4, k % 4) and the cache blocks (k > 256 for matmul, m > 256 for matmulTransA,
// n > 1024 for matmulTransB), so that the accumulate-into-output path runs too.

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** |got − ref| ≤ 1e-6 · Σ|terms| + 1e-7: float32 summation error, whatever the order of the sum */
function expectDot(got: number, terms: number[], what: string): void {
  let ref = 0, mag = 0;
  for (const t of terms) { ref += t; mag += Math.abs(t); }
  if (!(Math.abs(got - ref) <= 1e-6 * mag + 1e-7)) expect.fail(`${what}: got ${got}, expected ${ref}`);
}

function checkShape({ kernels, arena }: Backend, m: number, k: number, n: number): void {
  const shape = `${m}×${k}×${n}`;
  const x = values(m * k, m * 31 + k), w = values(k * n, k * 17 + n), dy = values(m * n, n * 13 + m);
  const px = arena.alloc(m * k), pw = arena.alloc(k * n), pdy = arena.alloc(m * n);
  const py = arena.alloc(m * n), pdx = arena.alloc(m * k), pdw = arena.alloc(k * n);
  arena.write(px, x); arena.write(pw, w); arena.write(pdy, dy);
  // outputs start as NaN: a kernel that skips an element, or accumulates into stale data, is caught
  arena.f32(py, m * n).fill(NaN); arena.f32(pdx, m * k).fill(NaN); arena.f32(pdw, k * n).fill(NaN);
  kernels.matmul(px, pw, py, m, k, n);
  kernels.matmulTransB(pdy, pw, pdx, m, n, k);
  kernels.matmulTransA(px, pdy, pdw, m, k, n);
  const y = arena.read(py, m * n), dx = arena.read(pdx, m * k), dw = arena.read(pdw, k * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    expectDot(y[i * n + j], Array.from({ length: k }, (_, p) => x[i * k + p] * w[p * n + j]), `${shape} y[${i},${j}]`);
  }
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    expectDot(dx[i * k + p], Array.from({ length: n }, (_, j) => dy[i * n + j] * w[p * n + j]), `${shape} dx[${i},${p}]`);
  }
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) {
    expectDot(dw[p * n + j], Array.from({ length: m }, (_, i) => x[i * k + p] * dy[i * n + j]), `${shape} dw[${p},${j}]`);
  }
  for (const ptr of [px, pw, pdy, py, pdx, pdw]) arena.free(ptr);
}

const SMALL: [number, number, number][] = [];
for (const m of [1, 2, 3, 4, 5, 9]) for (const k of [1, 3, 4, 5, 8, 17]) for (const n of [1, 3, 4, 5, 8, 12, 13, 17]) SMALL.push([m, k, n]);
const EMPTY: [number, number, number][] = [[3, 0, 5], [0, 3, 5], [3, 5, 0]];
const BLOCKED: [number, number, number][] = [[33, 300, 41], [9, 513, 19], [6, 257, 10], [300, 5, 9], [5, 9, 1030], [3, 6, 2051]];

describe('wasm backend: matmul forms against float64', () => {
  const backend = createWasmBackend();
  it(`${SMALL.length} small shapes: every edge path of the register blocks`, () => {
    for (const [m, k, n] of SMALL) checkShape(backend, m, k, n);
  });
  it('empty shapes: k = 0 writes zeros, m = 0 or n = 0 writes nothing', () => {
    for (const [m, k, n] of EMPTY) checkShape(backend, m, k, n);
  });
  for (const [m, k, n] of BLOCKED) {
    it(`cache-blocked m=${m} k=${k} n=${n}`, () => checkShape(backend, m, k, n));
  }
});
