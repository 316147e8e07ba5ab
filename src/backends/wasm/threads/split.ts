/**
 * The kernels on N threads: each call that is large enough is cut into parts by OUTPUT blocks, one part per thread,
 * and every other call runs on the calling thread as before.
 *
 * Why the bits do not change (docs/threads.md): every output element is computed by exactly one thread, with the
 * arithmetic of the single-thread kernel.
 * - matmul, matmulSkipZeros, matmulTransB: blocks of output rows (pointer offsets, no new code). matmul sums every
 *   output over k in order from +0 on every path (kernels.ts), so a block's path does not matter. matmulTransB sums
 *   in that order only on its packed path (16 rows or more); below that it takes dot products with partial sums, so
 *   it is split only into blocks of at least 16 rows, and only when the whole call has them.
 * - matmulTransA and matmulTransASkipZeros (weight gradients): blocks of rows of dw, through the wasm entries
 *   matmulTransARows / matmulTransASkipZerosRows; each dw element still sums over the whole batch in order. The batch
 *   is never cut in halves whose sums are added.
 * - elementwise kernels and optimizer steps: blocks of 16 elements, so that the scalar tail of a kernel (n mod 4)
 *   falls on the same elements as with one thread; softmax and addRowVector: blocks of rows.
 * Kernels left out: reductions (losses, sumRows, metrics: their sums would be reordered), dropout (its random numbers
 * are indexed from the start of the call), the conv and pooling kernels (they run on one thread for now), and the
 * one-sample kernels (sgdOuterStep).
 *
 * Small calls stay on the calling thread: a part must hold at least MIN_WORK of its kernel's unit (measured, see
 * docs/threads.md), so the tutorial's per-sample steps and small batches never pay for a dispatch.
 */
import type { Kernels } from '../../kernels.js';
import type { WorkerPool, Part } from './pool.js';

/** the wasm exports beyond the kernels that the workers call */
export const EXTRA_EXPORTS = ['matmulTransARows', 'matmulTransASkipZerosRows'] as const;

/**
 * Least work per part, in multiply-adds for the matmul family and elements for the elementwise kernels. Measured
 * with bench/threads-threshold.ts on the 2-core machine: below these, one thread is as fast or faster.
 */
export const MIN_WORK = {
  matmul: 1 << 17,
  elementwise: 1 << 15,
};

type Fn = (...args: number[]) => unknown;

/** Boundaries of `parts` blocks of [0, total), each a multiple of `align` except the last, and none shorter than
 *  `align` when total ≥ parts · align (rounding down: block i spans at least ⌊total / parts / align⌋ units). */
export function bounds(total: number, parts: number, align: number): number[] {
  const b = [0];
  for (let i = 1; i < parts; i++) b.push(Math.floor((total * i) / parts / align) * align);
  b.push(total);
  return b;
}

/**
 * Wrap `raw` (the instance's exports) so that large calls use the pool. `threads()` is the count the user asked for
 * (setThreads); a call uses at most that many, and only workers that have finished starting.
 */
export function threadedKernels(
  raw: Kernels,
  exports: Record<string, Fn>,
  pool: WorkerPool,
  threads: () => number,
): Kernels {
  const index = new Map(pool.names.map((name, i) => [name, i]));

  /** how many parts: limited by the threads, the ready workers, the work and the rows */
  const partsFor = (work: number, minWork: number, rows: number, minRows: number): number => {
    const t = threads();
    if (t < 2 || work < 2 * minWork || rows < 2 * minRows) return 1;
    return Math.min(t, 1 + pool.ready(), Math.floor(work / minWork), Math.floor(rows / minRows));
  };

  /** run `name` over the blocks of [0, total) given by `b`, with args(lo, hi) for each block */
  const runBlocks = (name: string, b: number[], args: (lo: number, hi: number) => number[]): void => {
    const kernel = index.get(name)!;
    const f = exports[name];
    const parts: Part[] = [];
    for (let i = 1; i + 1 < b.length; i++) parts.push({ kernel, args: args(b[i], b[i + 1]) });
    const own = args(b[0], b[1]);
    pool.run(() => f(...own), parts, name);
  };

  const k: Kernels = { ...raw };

  // ---- the matmul family --------------------------------------------------------------------------------------
  const rowSplit =
    (name: 'matmul' | 'matmulSkipZeros') =>
    (x: number, w: number, y: number, m: number, kk: number, n: number): void => {
      const parts = partsFor(m * kk * n, MIN_WORK.matmul, m, 4);
      if (parts < 2) return raw[name](x, w, y, m, kk, n);
      runBlocks(name, bounds(m, parts, 4), (lo, hi) => [x + lo * kk * 4, w, y + lo * n * 4, hi - lo, kk, n]);
    };
  k.matmul = rowSplit('matmul');
  k.matmulSkipZeros = rowSplit('matmulSkipZeros');

  const gradientSplit =
    (name: 'matmulTransA' | 'matmulTransASkipZeros', rows: string) =>
    (x: number, dy: number, dw: number, m: number, kk: number, n: number): void => {
      const parts = partsFor(m * kk * n, MIN_WORK.matmul, kk, 4);
      if (parts < 2) return raw[name](x, dy, dw, m, kk, n);
      runBlocks(rows, bounds(kk, parts, 4), (lo, hi) => [x, dy, dw, m, kk, n, lo, hi]);
    };
  k.matmulTransA = gradientSplit('matmulTransA', 'matmulTransARows');
  k.matmulTransASkipZeros = gradientSplit('matmulTransASkipZeros', 'matmulTransASkipZerosRows');

  /** rows below which matmulTransB sums with partial sums (assembly/matmul.ts, TRANS_B_PACK_M) */
  const TRANS_B_PACK_M = 16;
  k.matmulTransB = (dy, w, dx, m, n, kk) => {
    const parts = partsFor(m * kk * n, MIN_WORK.matmul, m, TRANS_B_PACK_M);
    if (parts < 2) return raw.matmulTransB(dy, w, dx, m, n, kk);
    // blocks of at least 16 rows: bounds() rounds to multiples of 4, so ask for whole 16-row units
    runBlocks('matmulTransB', bounds(m, parts, TRANS_B_PACK_M), (lo, hi) => [
      dy + lo * n * 4,
      w,
      dx + lo * kk * 4,
      hi - lo,
      n,
      kk,
    ]);
  };

  // ---- elementwise kernels and optimizer steps: `pointers` arguments are arrays, `count` is n --------------------
  const elementwise = (name: keyof Kernels, pointers: number, count: number): void => {
    const f = raw[name] as unknown as Fn;
    (k as unknown as Record<string, Fn>)[name] = (...a: number[]) => {
      const n = a[count];
      const parts = partsFor(n, MIN_WORK.elementwise, n, 16);
      if (parts < 2) return f(...a);
      runBlocks(name, bounds(n, parts, 16), (lo, hi) => {
        const args = a.slice();
        for (let p = 0; p < pointers; p++) args[p] += lo * 4;
        args[count] = hi - lo;
        return args;
      });
    };
  };
  for (const name of ['relu', 'sigmoid', 'tanh', 'leakyRelu'] as const) elementwise(name, 2, 2);
  for (const name of ['reluBackward', 'sigmoidBackward', 'tanhBackward', 'leakyReluBackward', 'mul'] as const) {
    elementwise(name, 3, 3);
  }
  elementwise('copy', 2, 2);
  elementwise('fill', 1, 1);
  elementwise('scale', 1, 1);
  elementwise('sgdStep', 2, 2);
  elementwise('momentumStep', 3, 3);
  elementwise('rmspropStep', 3, 3);
  elementwise('adamStep', 4, 4);

  // ---- row-wise kernels: blocks of rows --------------------------------------------------------------------------
  const rowwise = (name: 'softmax' | 'softmaxBackward' | 'addRowVector', pointers: number[]): void => {
    const f = raw[name] as unknown as Fn;
    (k as unknown as Record<string, Fn>)[name] = (...a: number[]) => {
      const rows = a[a.length - 2],
        cols = a[a.length - 1];
      const parts = partsFor(rows * cols, MIN_WORK.elementwise, rows, 1);
      if (parts < 2) return f(...a);
      runBlocks(name, bounds(rows, parts, 1), (lo, hi) => {
        const args = a.slice();
        for (const p of pointers) args[p] += lo * cols * 4;
        args[a.length - 2] = hi - lo;
        return args;
      });
    };
  };
  rowwise('softmax', [0, 1]);
  rowwise('softmaxBackward', [0, 1, 2]);
  rowwise('addRowVector', [0]);

  return Object.freeze(k);
}
