import { describe, expect, it } from 'vitest';
import { values } from './values.js';
import type { Backend } from '../../src/backends/backend.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';

// The three matmul forms against float64 references, on shapes that exercise every edge path of the register
// blocking (m % 4, m % 2, n % 8, n % 4, k % 4), the cache blocks (k > 256 for matmul, m > 256 for matmulTransA,
// n > 1024 for matmulTransB), so that the accumulate-into-output path runs too, and the packed panels.

/** |got − ref| ≤ 1e-6 · Σ|terms| + 1e-7: float32 summation error, whatever the order of the sum */
function expectDot(got: number, terms: number[], what: string): void {
  let ref = 0,
    mag = 0;
  for (const t of terms) {
    ref += t;
    mag += Math.abs(t);
  }
  if (!(Math.abs(got - ref) <= 1e-6 * mag + 1e-7)) expect.fail(`${what}: got ${got}, expected ${ref}`);
}

function checkShape({ kernels, arena }: Backend, m: number, k: number, n: number): void {
  const shape = `${m}×${k}×${n}`;
  const x = values(m * k, m * 31 + k),
    w = values(k * n, k * 17 + n),
    dy = values(m * n, n * 13 + m);
  const px = arena.alloc(m * k),
    pw = arena.alloc(k * n),
    pdy = arena.alloc(m * n);
  const py = arena.alloc(m * n),
    pdx = arena.alloc(m * k),
    pdw = arena.alloc(k * n);
  arena.write(px, x);
  arena.write(pw, w);
  arena.write(pdy, dy);
  // outputs start as NaN: a kernel that skips an element, or accumulates into stale data, is caught
  arena.f32(py, m * n).fill(NaN);
  arena.f32(pdx, m * k).fill(NaN);
  arena.f32(pdw, k * n).fill(NaN);
  kernels.matmul(px, pw, py, m, k, n);
  kernels.matmulTransB(pdy, pw, pdx, m, n, k);
  kernels.matmulTransA(px, pdy, pdw, m, k, n);
  const y = arena.read(py, m * n),
    dx = arena.read(pdx, m * k),
    dw = arena.read(pdw, k * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      expectDot(
        y[i * n + j],
        Array.from({ length: k }, (_, p) => x[i * k + p] * w[p * n + j]),
        `${shape} y[${i},${j}]`,
      );
    }
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      expectDot(
        dx[i * k + p],
        Array.from({ length: n }, (_, j) => dy[i * n + j] * w[p * n + j]),
        `${shape} dx[${i},${p}]`,
      );
    }
  for (let p = 0; p < k; p++)
    for (let j = 0; j < n; j++) {
      expectDot(
        dw[p * n + j],
        Array.from({ length: m }, (_, i) => x[i * k + p] * dy[i * n + j]),
        `${shape} dw[${p},${j}]`,
      );
    }
  for (const ptr of [px, pw, pdy, py, pdx, pdw]) arena.free(ptr);
}

const SMALL: [number, number, number][] = [];
for (const m of [1, 2, 3, 4, 5, 9])
  for (const k of [1, 3, 4, 5, 8, 17]) for (const n of [1, 3, 4, 5, 8, 12, 13, 17]) SMALL.push([m, k, n]);
const EMPTY: [number, number, number][] = [
  [3, 0, 5],
  [0, 3, 5],
  [3, 5, 0],
  [9, 0, 5],
  [0, 9, 5],
  [20, 0, 17],
  [0, 20, 17],
];
const BLOCKED: [number, number, number][] = [
  [33, 300, 41],
  [9, 513, 19],
  [6, 257, 10],
  [300, 5, 9],
  [5, 9, 1030],
  [3, 6, 2051],
  // packed panels (assembly/matmul.ts `packs`), with edges: m % 4, n % 8, k % 4 all non-zero
  [66, 37, 203],
  [37, 66, 203],
  [17, 50, 13],
];

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

// The release kernels sum every output in one order whatever path the shape takes (rows, 4-row blocks in place, or
// packed panels with edges): over the reduction index ascending, each product rounded to float32, then each sum
// (assembly/matmul.ts). So they must equal that sum bit for bit; a packing slip or a wrong edge shows at once.
// (matmulTransB below 16 rows takes dot products with four partial sums instead, and is checked above.)

/** Σ_p a(p)·b(p) as the kernels take it: p ascending, float32 products and sums */
function sequential(K: number, a: (p: number) => number, b: (p: number) => number): number {
  let s = 0;
  for (let p = 0; p < K; p++) s = Math.fround(s + Math.fround(a(p) * b(p)));
  return s;
}

function expectExact(got: Float32Array, want: (index: number) => number, what: string): void {
  for (let q = 0; q < got.length; q++) {
    const w = want(q);
    if (!Object.is(got[q], w)) expect.fail(`${what}[${q}]: got ${got[q]}, expected ${w} (the sequential float32 sum)`);
  }
}

/** [m, k, n]: packed in every form with edges in every direction; several MC, NC and KC blocks; in-place paths */
const ORDERED: [number, number, number][] = [
  [66, 37, 203],
  [70, 300, 530],
  [33, 300, 41],
  [300, 5, 9],
  [5, 9, 1030],
  [1, 784, 100],
  [16, 9, 17],
  // narrow outputs read in place, whose last n % 4 columns take the tail kernels (n < 4: a vector per column;
  // n ≥ 4: matmul's last four columns again, transA's a vector per column), with k or m past KC so they accumulate
  [8, 300, 1],
  [8, 300, 2],
  [12, 300, 3],
  [64, 300, 7],
  [9, 260, 10],
  [300, 20, 6],
  [260, 64, 11],
];

describe('wasm backend: every output is the sequential float32 sum, whatever the path', () => {
  const { kernels, arena } = createWasmBackend();
  for (const [m, k, n] of ORDERED) {
    it(`m=${m} k=${k} n=${n}`, () => {
      const x = values(m * k, m + 3 * k),
        w = values(k * n, k + 5 * n),
        dy = values(m * n, n + 7 * m);
      const px = arena.alloc(m * k),
        pw = arena.alloc(k * n),
        pdy = arena.alloc(m * n);
      const py = arena.alloc(m * n),
        pdx = arena.alloc(m * k),
        pdw = arena.alloc(k * n);
      arena.write(px, x);
      arena.write(pw, w);
      arena.write(pdy, dy);
      kernels.matmul(px, pw, py, m, k, n);
      kernels.matmulTransA(px, pdy, pdw, m, k, n);
      expectExact(
        arena.read(py, m * n),
        (q) =>
          sequential(
            k,
            (p) => x[Math.floor(q / n) * k + p],
            (p) => w[p * n + (q % n)],
          ),
        'matmul y',
      );
      expectExact(
        arena.read(pdw, k * n),
        (q) =>
          sequential(
            m,
            (i) => x[i * k + Math.floor(q / n)],
            (i) => dy[i * n + (q % n)],
          ),
        'matmulTransA dw',
      );
      if (m >= 16) {
        kernels.matmulTransB(pdy, pw, pdx, m, n, k);
        expectExact(
          arena.read(pdx, m * k),
          (q) =>
            sequential(
              n,
              (j) => dy[Math.floor(q / k) * n + j],
              (j) => w[(q % k) * n + j],
            ),
          'matmulTransB dx',
        );
      }
      for (const ptr of [px, pw, pdy, py, pdx, pdw]) arena.free(ptr);
    });
  }
});

// Splitting a product into blocks of rows (how a worker pool shares it out) must not change a bit: each row block
// takes its own path (rows, 4-row blocks in place, or packed panels, by its height) and all sum in one order.
// (matmulTransB below 16 rows sums in another order, so its blocks are 16 rows or more.)
describe('wasm backend: a product computed in blocks of rows equals the whole, bit for bit', () => {
  const { kernels, arena } = createWasmBackend();
  const cases: { m: number; k: number; n: number; blocks: number[]; transBBlocks: number[] }[] = [
    { m: 300, k: 70, n: 530, blocks: [1, 3, 4, 7, 16, 33, 64, 172], transBBlocks: [16, 17, 31, 64, 172] },
    { m: 130, k: 300, n: 203, blocks: [2, 5, 31, 32, 60], transBBlocks: [16, 50, 64] },
  ];
  /** each block of rows, with the row it starts at */
  const starts = (blocks: number[]) => blocks.map((rows, i) => [blocks.slice(0, i).reduce((a, b) => a + b, 0), rows]);
  for (const { m, k, n, blocks, transBBlocks } of cases) {
    it(`matmul and matmulTransB ${m}×${k}×${n} in rows of ${blocks.join(', ')}`, () => {
      const x = values(m * k, m + k),
        w = values(k * n, k + n),
        dy = values(m * n, m * n);
      const [px, pw, pdy, py, pdx, pyB, pdxB] = [m * k, k * n, m * n, m * n, m * k, m * n, m * k].map((s) =>
        arena.alloc(s),
      );
      arena.write(px, x);
      arena.write(pw, w);
      arena.write(pdy, dy);
      kernels.matmul(px, pw, py, m, k, n);
      kernels.matmulTransB(pdy, pw, pdx, m, n, k);
      expect([blocks, transBBlocks].map((b) => b.reduce((a, c) => a + c, 0))).toEqual([m, m]);
      for (const [i, rows] of starts(blocks)) kernels.matmul(px + i * k * 4, pw, pyB + i * n * 4, rows, k, n);
      for (const [i, rows] of starts(transBBlocks))
        kernels.matmulTransB(pdy + i * n * 4, pw, pdxB + i * k * 4, rows, n, k);
      expect(arena.read(pyB, m * n)).toEqual(arena.read(py, m * n));
      expect(arena.read(pdxB, m * k)).toEqual(arena.read(pdx, m * k));
      for (const p of [px, pw, pdy, py, pdx, pyB, pdxB]) arena.free(p);
    });
  }
});
