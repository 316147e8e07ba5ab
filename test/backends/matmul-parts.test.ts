// The wasm entries the worker pool cuts products with (src/backends/wasm/threads/split.ts) give, part by part, the
// bits of the whole kernel: blocks of output columns of a product (matmulCols, matmulSkipZerosCols) and of an input
// gradient (matmulTransBCols), blocks of rows of a weight gradient (matmulTransARows, matmulTransASkipZerosRows),
// the two stages of a pipelined product (matmulSkipZerosStage: the sums over the first rows of w, then over the
// rest; on dense x, the halves of y's rows), and a dense layer's two gradients one by one (denseBackwardPart).
// Parts of awkward sizes (the pool cuts at whole slabs of 512 columns; any cut must do, and matmulTransB's at
// multiples of 4), on inputs sparse enough for the zero-skipping path and on dense ones (which the skipping kernels
// hand to matmul), with few rows (matmulTransB's dot products) and many (its packed path), in the release and debug
// builds (the debug build traps on an argument out of range).
import { describe, expect, it } from 'vitest';
import { RELEASE_WASM_BASE64 } from '../../src/backends/wasm/bytes.generated.js';
import { DEBUG_WASM_BASE64 } from '../../src/backends/wasm/debug-bytes.generated.js';
import { cuts, expectBits, instance } from './wasm-parts.js';

/** [m, k, n]: one sample (the skipping kernel's own path whatever x holds), a few rows, the MNIST MLP's first layer
 *  at batch 48, widths that are not multiples of 4, and a product wider than a slab (576 columns) */
const SHAPES = [
  [1, 50, 37],
  [3, 50, 37],
  [48, 784, 128],
  [7, 300, 70],
  [20, 9, 201],
  [17, 40, 576],
] as const;
/** cuts: parts of 0, 1, 5… columns or rows, none aligned to 4 */
const FRACTIONS = [0.13, 0.5, 0.51, 0.9];

describe.each([
  ['release', RELEASE_WASM_BASE64],
  ['debug', DEBUG_WASM_BASE64],
])('%s build: the pool’s parts of a product give the whole kernel’s bits', (_build, base64) => {
  it.each(SHAPES.flatMap((s) => [[...s, 'sparse'] as const, [...s, 'dense'] as const]))(
    'm %i, k %i, n %i, %s x',
    (m, kk, n, density) => {
      const { exports: k, alloc, read } = instance(base64);
      // sparse: four values in five are exact zeros (±0), below the skipping kernels' 30% share of non-zeros
      const x = alloc(m * kk, (i) => (density === 'dense' || i % 5 === 2 ? Math.sin(i * 0.7) + 0.01 : i % 2 ? 0 : -0));
      const w = alloc(kk * n, (i) => Math.cos(i * 0.3)),
        dy = alloc(m * n, (i) => Math.sin(i * 0.11));
      const byCols = cuts(n, FRACTIONS);
      expect(byCols.length).toBeGreaterThan(2);

      for (const [whole, parts] of [
        ['matmul', 'matmulCols'],
        ['matmulSkipZeros', 'matmulSkipZerosCols'],
      ]) {
        const y = alloc(m * n),
          yParts = alloc(m * n);
        k[whole](x, w, y, m, kk, n);
        for (const [lo, hi] of byCols) k[parts](x, w, yParts, m, kk, n, lo, hi);
        expectBits(read(yParts, m * n), read(y, m * n), parts);
      }

      for (const [whole, rows] of [
        ['matmulTransA', 'matmulTransARows'],
        ['matmulTransASkipZeros', 'matmulTransASkipZerosRows'],
      ]) {
        const dw = alloc(kk * n),
          byRows = alloc(kk * n);
        k[whole](x, dy, dw, m, kk, n);
        for (const [lo, hi] of cuts(kk, FRACTIONS)) k[rows](x, dy, byRows, m, kk, n, lo, hi);
        expectBits(read(byRows, kk * n), read(dw, kk * n), rows);
      }

      // the two stages of the pipeline (matmulSkipZerosStage), run one after the other on this thread: the first
      // sums over k < kCut and counts its rows in the progress word, the second goes on from its sums
      for (const kCut of [1, Math.floor(kk / 2), kk - 1]) {
        for (const rows of [1, 4, 5]) {
          const y = alloc(m * n),
            staged = alloc(m * n),
            progress = alloc(1, () => 0);
          k.matmulSkipZeros(x, w, y, m, kk, n);
          k.matmulSkipZerosStage(x, w, staged, m, kk, n, kCut, 0, rows, progress);
          expect(new Int32Array(Float32Array.from(read(progress, 1)).buffer)[0], 'rows done').toBe(m);
          k.matmulSkipZerosStage(x, w, staged, m, kk, n, kCut, 1, rows, progress);
          expectBits(read(staged, m * n), read(y, m * n), `matmulSkipZerosStage, k cut at ${kCut}, ${rows} rows`);
        }
      }

      // dx[m, k] = dy[m, n] · w[k, n]ᵀ, by blocks of dx's columns (rows of w)
      const dx = alloc(m * kk),
        dxParts = alloc(m * kk);
      k.matmulTransB(dy, w, dx, m, n, kk);
      for (const [lo, hi] of cuts(kk, FRACTIONS, 4)) k.matmulTransBCols(dy, w, dxParts, m, n, kk, lo, hi);
      expectBits(read(dxParts, m * kk), read(dx, m * kk), 'matmulTransBCols');

      // a dense layer's two gradients side by side (denseBackwardPart): part 0 is matmulTransB's dx, part 1
      // matmulTransASkipZeros's dw
      const dw = alloc(kk * n),
        dxPart = alloc(m * kk),
        dwPart = alloc(kk * n);
      k.matmulTransASkipZeros(x, dy, dw, m, kk, n);
      k.denseBackwardPart(x, dy, w, dwPart, dxPart, m, kk, n, 0);
      expectBits(read(dxPart, m * kk), read(dx, m * kk), 'denseBackwardPart 0');
      expect(read(dwPart, kk * n).every(Number.isNaN), 'part 0 leaves dw alone').toBe(true);
      k.denseBackwardPart(x, dy, w, dwPart, dxPart, m, kk, n, 1);
      expectBits(read(dwPart, kk * n), read(dw, kk * n), 'denseBackwardPart 1');
    },
  );
});

describe('the debug build checks the parts’ bounds', () => {
  it('matmulSkipZerosStage traps on a cut outside k or a stage other than 0 and 1', () => {
    const { exports: k, alloc } = instance(DEBUG_WASM_BASE64);
    const [m, kk, n] = [4, 8, 12];
    const x = alloc(m * kk, (i) => (i % 5 === 2 ? 1 : 0)),
      w = alloc(kk * n, Math.cos),
      y = alloc(m * n),
      progress = alloc(1, () => 0);
    const call = (kCut: number, stage: number) => k.matmulSkipZerosStage(x, w, y, m, kk, n, kCut, stage, 2, progress);
    expect(() => call(4, 0)).not.toThrow();
    expect(() => call(4, 1)).not.toThrow();
    expect(() => call(0, 0)).toThrow(/bad stage/);
    expect(() => call(kk, 0)).toThrow(/bad stage/);
    expect(() => call(4, 2)).toThrow(/bad stage/);
  });

  it('denseBackwardPart traps on a part other than 0 and 1', () => {
    const { exports: k, alloc } = instance(DEBUG_WASM_BASE64);
    const [m, kk, n] = [4, 8, 12];
    const [x, dy, w, dw, dx] = [alloc(m * kk, Math.sin), alloc(m * n), alloc(kk * n), alloc(kk * n), alloc(m * kk)];
    const call = (part: number) => k.denseBackwardPart(x, dy, w, dw, dx, m, kk, n, part);
    expect(() => call(1)).not.toThrow();
    expect(() => call(2)).toThrow(/bad part/);
  });

  it.each(['matmulCols', 'matmulSkipZerosCols', 'matmulTransBCols'])('%s traps on columns past the end', (name) => {
    const { exports: k, alloc } = instance(DEBUG_WASM_BASE64);
    const [m, kk, n] = [4, 8, 12];
    const a = alloc(64, Math.sin),
      b = alloc(128, Math.cos),
      c = alloc(64);
    const last = name === 'matmulTransBCols' ? kk : n;
    // matmulTransBCols takes (dy[m, n], w[k, n], dx[m, k], m, n, k, p0, p1); the others (x, w, y, m, k, n, j0, j1)
    const call = (hi: number) =>
      name === 'matmulTransBCols' ? k[name](a, b, c, m, n, kk, 0, hi) : k[name](a, b, c, m, kk, n, 0, hi);
    expect(() => call(last)).not.toThrow();
    expect(() => call(last + 4)).toThrow(/columns out of range/);
  });
});
