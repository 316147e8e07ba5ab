/**
 * The kernels on N threads: each call that is large enough is cut into parts by OUTPUT blocks, one part per thread,
 * and every other call runs on the calling thread as before.
 *
 * A call is cut into chunks (CHUNKS_PER_THREAD per thread; one per thread for large products, ONE_CHUNK_WORK) that
 * the threads claim as they come free (pool.ts).
 * Why the bits do not change (docs/threads.md): every output element is computed by exactly one chunk, with the
 * arithmetic of the single-thread kernel, and a chunk's bounds depend on the shape and the thread count only.
 * - matmul, matmulSkipZeros, matmulTransB: blocks of output rows (pointer offsets, no new code). matmul sums every
 *   output over k in order from +0 on every path (kernels.ts), so a block's path does not matter. matmulTransB sums
 *   in that order only on its packed path (16 rows or more); below that it takes dot products with partial sums, so
 *   it is split only into blocks of at least 16 rows, and only when the whole call has them. Products with at least
 *   two slabs of output columns (MATMUL_SLAB_COLUMNS) are cut by columns instead, in whole slabs (matmulCols,
 *   matmulSkipZerosCols, matmulTransBCols): each output is computed by the same code on every path, and the dot
 *   products of matmulTransB's few-row path by blocks of 4 columns, which a slab's bounds keep.
 * - matmulTransA and matmulTransASkipZeros (weight gradients): blocks of rows of dw, through the wasm entries
 *   matmulTransARows / matmulTransASkipZerosRows; each dw element still sums over the whole batch in order. The batch
 *   is never cut in halves whose sums are added.
 * - elementwise kernels and optimizer steps: blocks of 16 elements, so that the scalar tail of a kernel (n mod 4)
 *   falls on the same elements as with one thread; softmax and addRowVector: blocks of rows.
 * - conv2d: blocks of output rows (b, oy, ox) through conv2dRows, so one image splits too (with the max pooling above,
 *   blocks of whole bands of pool rows, so that each window lies in one block); conv2dBackwardInput:
 *   blocks of images (the input gradient of an image comes from its own outputs only);
 *   conv2dBackwardFilter: where every window lies inside the image, blocks of taps or of filters, whichever side is
 *   larger (conv2dBackwardFilterBlock, the patch matrix read in place, each thread over the whole batch), else blocks
 *   of kernel rows ky (conv2dBackwardFilterRows builds only those taps of the patch matrix and sums over the whole
 *   batch). The
 *   blocking inside conv.ts does not change bits (see there). Each thread builds its patches (or its table of window
 *   corners) in a block of its own (the pool's extra blocks, CONV_BLOCK_FLOATS floats), so a layer with
 *   K = kh·kw·inC above CONV_BLOCK_FLOATS / 4 runs on one thread.
 * - pooling, forward and backward: blocks of images.
 * - On exactly two threads, two chains in which a sum starts on the calling thread and the worker continues it from
 *   the stored value, in the single-thread order (so these too keep the bits; nothing is added up from halves):
 *   matmulSkipZeros over weights two threads own by halves, pipelined over k (matmulSkipZerosStage), and both
 *   gradients of a convolution (conv2dBackward) chained over the two halves of the batch (conv2dBackwardStage).
 *   Also on two threads, a dense layer's two gradients (denseBackward), each too small to split well, run side by
 *   side, each whole on its own thread (denseBackwardPart).
 * Kernels left out: reductions (losses, sumRows, metrics: their sums would be reordered; sumRows cut by blocks of 16
 * columns keeps the order, but measured 0.79–1.12× one thread: docs/threads.md, fourth and seventh rounds), dropout
 * (its random numbers are indexed from the start of the call), and the one-sample kernels (sgdOuterStep).
 *
 * Small calls stay on the calling thread: a part must hold at least MIN_WORK of its kernel's unit (measured, see
 * docs/threads.md), so the tutorial's per-sample steps and small batches never pay for a dispatch.
 */
import { SPARSE_SHARE, type Kernels } from '../../kernels.js';
import { MAX_CHUNKS } from './layout.js';
import type { WorkerPool } from './pool.js';
import { Adaptive } from './adaptive.js';
import { StepLearner } from './step-learner.js';
import type { ConvArgs } from '../../conv-geometry.js';

/** what the split kernels learnt about whether splitting pays (one per process: the machine is the same) */
export const adaptive = new Adaptive();
/** Whether a training step's calls split is learnt from the steps' own times (step-learner.ts; off with `adaptive`,
 *  and here for benches to compare): off, every step splits. */
export const STEPS_LEARNT = { enabled: true };
export const steps = new StepLearner(() => adaptive.enabled && STEPS_LEARNT.enabled);

/** the wasm exports beyond the kernels that the workers call */
export const EXTRA_EXPORTS = [
  'matmulTransARows',
  'matmulTransASkipZerosRows',
  'matmulCols',
  'matmulSkipZerosCols',
  'matmulTransBCols',
  'conv2dRows',
  'conv2dBackwardFilterRows',
  'conv2dBackwardFilterBlock',
  'matmulSkipZerosStage',
  'conv2dBackwardStage',
  'denseBackwardPart',
] as const;

/**
 * Least work per chunk: multiply-adds for the matmul family, elements for the optimizer steps (about 10 flops per
 * element) and for the other elementwise kernels (one or two). bench/threads-threshold.ts times each kernel on one
 * and two threads: on the shared 2-core machine (load 8–10) a dispatch costs 5–15 µs when the worker is awake and
 * up to milliseconds when the OS runs it late, so a chunk should hold some 25 µs of work or more: matmul 64×128·128×64
 * (0.5 M multiply-adds, 45 µs on one thread) is at the edge, Adam on 32 K parameters (30 µs) too.
 */
export const MIN_WORK = {
  matmul: 1 << 19,
  /**
   * The zero-skipping products (matmulSkipZeros, matmulTransASkipZeros), in multiply-adds counted as if dense: they
   * skip only where at most SPARSE_SHARE of x is non-zero, so a chunk may do as little as that share of its count.
   * Counted as dense work under MIN_WORK.matmul, the MNIST MLP's first layer split at batch 32 (3.2 M, some 0.6 M
   * done) and its training row in the bench read 0.93–0.94× one thread; kept whole, 1.00–1.03× (docs/threads.md,
   * sixth round, which also records a setting where the split paid). A call over x that is not sparse enough to skip
   * runs the dense product and counts as dense (minWork in threadedKernels, SPARSE_SEEN).
   */
  sparse: Math.ceil(2 ** 19 / SPARSE_SHARE),
  optimizer: 1 << 15,
  elementwise: 1 << 17,
  /** floats of the batch's gather per chunk: the MNIST MLP's batch of 64 images (50 K) splits, one of 32 stays whole
   *  (as every other call of that step does, so that the workers are not woken for it) */
  gather: 1 << 14,
};

type Fn = (...args: number[]) => unknown;

/** chunks per thread: more than one, so that a thread the OS runs late leaves its share to the others */
const CHUNKS_PER_THREAD = 2;
/**
 * Products cut by rows take one chunk per thread from this many multiply-adds on: every chunk of a packed product
 * packs all of B for itself (assembly/matmul.ts), so each chunk more is one more pass over B. On two threads, 1024³
 * products cut by rows ran 1.96–2.00× one thread in two chunks against 1.91–1.97× in four, 256³ 1.89× against 1.82×
 * (bench/threads-cuts.ts, docs/threads.md, fifth round). The MNIST MLP's calls (13 M at batch 128) keep two chunks a
 * thread: they read B in place, and one chunk each measured no better there.
 */
export const ONE_CHUNK_WORK = { matmul: 1 << 24 };

/**
 * Rows of x per block of a pipelined product (matmulSkipZerosStage): the second stage starts one block after the
 * first and ends one block after it. On the MNIST MLP's first layer a block of 4 images is some 3–5 µs of work.
 */
export const PIPELINE_ROWS = 4;
/** Whether a product whose weights two threads own by halves is pipelined (forwardSplit below); benches turn it off
 *  to compare. */
export const PIPELINE = { enabled: true };

/** Whether both gradients of a convolution run as a chain over the images on two threads (conv2dBackward below);
 *  benches turn it off to compare. */
export const CONV_CHAIN = { enabled: true };

/** The learnt choices whose other way is not one whole call but split calls of their own, by their learner name (the
 *  bench's notes say so: bench/lib/learnt.ts). */
export const LEARNT_AGAINST_SPLIT_CALLS = { conv2dBackward: 'conv2dBackward', denseBackward: 'denseBackward' } as const;

/**
 * Whether both gradients of a dense layer run side by side on two threads (denseBackward below), and up to how many
 * multiply-adds per product (each has m·k·n): the MNIST MLP's second layer at batch 64 and 128 (0.5 M and 1 M) pairs,
 * at batch 256 (2 M) its two products split each, which measured faster there (docs/threads.md, fourteenth round).
 * Benches turn it off to compare.
 */
export const DENSE_PAIR = { enabled: true, maxWork: 1 << 21 };

/** Columns of B in one packed slab (NC in assembly/lib/scratch.ts; test/backends/wasm-constants.test.ts compares). */
export const MATMUL_SLAB_COLUMNS = 512;
/** Whether products at least two slabs wide are cut by columns (columnBounds below); benches turn it off to compare. */
export const COLUMN_CUTS = { enabled: true };
/** Whether an optimizer step splits only over a gradient written split (splitGradients below); benches turn it off to
 *  compare. */
export const OPTIMIZER_FOLLOWS_GRADIENT = { enabled: true };
/** Whether a weight gradient whose last optimizer step was split over it splits again without learning (steppedSplit
 *  below); benches turn it off to compare. */
export const GRADIENT_FOLLOWS_STEP = { enabled: true };
/** Whether the batch's gather splits by rows (gatherRows below); benches turn it off to compare. */
export const GATHER_SPLITS = { enabled: true };
/** Whether fit's gather of the next batch runs on the workers during a step (WorkerPool.defer); benches compare. */
export const GATHER_AHEAD = { enabled: true, rows: 8 };
/** Whether a zero-skipping product whose x is not sparse enough to skip counts its work as dense (minWork below);
 *  benches turn it off to compare. */
export const SPARSE_SEEN = { enabled: true };
/**
 * Whether the calls of a training step split without learning (decide below); benches turn it off to compare. A
 * call's own timing leaves out what its way costs the calls after it: a whole call takes its arrays to the calling
 * thread, and the split calls after it fetch them back (the eleventh and twelfth rounds' rules for the first layer's
 * gradient and the batch's gather). In a training step the calls come back every batch, so the learner, timing each
 * alone, chose whole for some: on the MNIST MLP at batch 128 it ran the second layer's three products (1 M
 * multiply-adds each) whole in 30–66% of their calls in some full runs, which read 1.16–1.23× one thread. With every
 * large call split the MLP at batch 128 trained faster in 11 of 13 interleaved pairs (docs/threads.md, thirteenth
 * round). Elsewhere (predict, evaluate, the kernels called directly) calls are learnt as before.
 */
export const STEPS_NOT_LEARNT = { enabled: true };
/** calls of a zero-skipping product between two looks at whether its x is sparse enough to skip */
const SKIP_RECHECK = 64;

/** Boundaries of `parts` blocks of [0, total), each a multiple of `align` except the last, and none shorter than
 *  `align` when total ≥ parts · align (rounding down: block i spans at least ⌊total / parts / align⌋ units). */
export function bounds(total: number, parts: number, align: number): number[] {
  const b = [0];
  for (let i = 1; i < parts; i++) b.push(Math.floor((total * i) / parts / align) * align);
  b.push(total);
  return b;
}

/**
 * Wrap `raw` (the instance's exports) so that large calls use the pool. `asked()` is the count the user asked for
 * (setThreads); a call uses at most that many, and only workers that have finished starting; in a training step that
 * the step learner runs whole (WorkerPool.stepWhole), one.
 */
export function threadedKernels(
  raw: Kernels,
  exports: Record<string, Fn>,
  pool: WorkerPool,
  asked: () => number,
): Kernels {
  const index = new Map(pool.names.map((name, i) => [name, i]));
  const threads = (): number => (pool.training && pool.stepWhole ? 1 : asked());

  /** how many chunks: CHUNKS_PER_THREAD per thread that can run, fewer when the work or the rows are short */
  const partsFor = (
    work: number,
    minWork: number,
    rows: number,
    minRows: number,
    perThread = CHUNKS_PER_THREAD,
  ): number => {
    if (work < 2 * minWork || rows < 2 * minRows || threads() < 2) return 1;
    const running = Math.min(threads(), 1 + pool.ready());
    if (running < 2) return 1;
    const parts = Math.min(running * perThread, MAX_CHUNKS, Math.floor(work / minWork), Math.floor(rows / minRows));
    // as many chunks for every thread: 3 chunks on 2 threads take the time of 2 (Adam on the MNIST MLP's first
    // layer, alone: 1.36× one thread in 3 chunks, 1.69× in 2)
    return parts > running ? parts - (parts % running) : parts;
  };

  /** chunks per thread for a product of `work` multiply-adds */
  const perThread = (work: number): number => (work >= ONE_CHUNK_WORK.matmul ? 1 : CHUNKS_PER_THREAD);

  /** run `name` over the blocks of [0, total) given by `b`, with args(lo, hi) for each block; with `ahead`, hand the
   *  call to the pool to run later on the workers (WorkerPool.defer) */
  const runBlocks = (
    name: string,
    b: number[],
    args: (lo: number, hi: number) => number[],
    scratchArg = -1,
    ahead = false,
  ): void => {
    const f = exports[name];
    const chunks: number[][] = [];
    for (let i = 0; i + 1 < b.length; i++) chunks.push(args(b[i], b[i + 1]));
    if (ahead) pool.defer(index.get(name)!, chunks, (a) => f(...a));
    else pool.run(index.get(name)!, chunks, (a) => f(...a), scratchArg);
  };

  /** adaptive.run, told whether this call finds the workers asleep; in a training step, the split (STEPS_NOT_LEARNT) */
  const decide = (name: string, work: number, whole: () => void, split: () => void): void =>
    pool.training && STEPS_NOT_LEARNT.enabled ? split() : adaptive.run(name, work, whole, split, pool.asleep());

  // A call that stays on the calling thread makes no closure: every wrapper below decides first and builds its
  // `whole` and `split` functions only for a call that may split. Under tsx (npm start, the examples, the bench, the
  // tests), whose transform names every function as it is made, a closure per call cost some 700 ns: a one-sample
  // product took 768 ns through its wrapper against 60 ns now, and the tutorial's per-sample training 11.4–12.2 µs a
  // sample against 8.6–10.4 µs (a bundle without that transform, as dist/ is, paid some 40–60 ns).
  const k: Kernels = { ...raw };

  // ---- the matmul family --------------------------------------------------------------------------------------
  /**
   * Column bounds for a product `cols` outputs wide, in whole slabs of B, or undefined below two slabs. The packed
   * product packs A again for every slab of B, so a thread given whole slabs does exactly their share of one
   * thread's work; cut by rows, every chunk packs all of B (the seed model's 64 MB weight matrices, once per chunk),
   * and a product of fewer than 8 rows (one sample) cannot be cut at all.
   */
  const columnBounds = (work: number, cols: number, minWork = MIN_WORK.matmul): number[] | undefined => {
    const slabs = Math.ceil(cols / MATMUL_SLAB_COLUMNS);
    const parts = slabs < 2 || !COLUMN_CUTS.enabled ? 1 : partsFor(work, minWork, slabs, 1);
    if (parts < 2) return undefined;
    return bounds(slabs, parts, 1).map((s) => Math.min(s * MATMUL_SLAB_COLUMNS, cols));
  };

  /**
   * Whether a zero-skipping product over this x skips (assembly/sparse.ts, skipsZeros), as last seen for its pointer
   * and shape, looked at again every SKIP_RECHECK calls (an activation's share of zeros drifts slowly as it trains).
   * A product over x that is not sparse enough runs the dense kernel, and its work counts as dense.
   */
  const skipSeen = new Map<number, { m: number; kk: number; n: number; skips: boolean; calls: number }>();
  const skips = (x: number, m: number, kk: number, n: number): boolean => {
    const seen = skipSeen.get(x);
    if (seen !== undefined && seen.calls < SKIP_RECHECK && seen.m === m && seen.kk === kk && seen.n === n) {
      seen.calls++;
      return seen.skips;
    }
    const skipsNow = (exports.skipsZeros as (...a: number[]) => number)(x, m, kk, n) !== 0;
    if (seen === undefined) {
      if (skipSeen.size >= 256) skipSeen.clear(); // pointers freed and reused: forget them all now and then
      skipSeen.set(x, { m, kk, n, skips: skipsNow, calls: 1 });
    } else {
      // in place: a training step allocates nothing here
      seen.m = m;
      seen.kk = kk;
      seen.n = n;
      seen.skips = skipsNow;
      seen.calls = 1;
    }
    return skipsNow;
  };
  /**
   * Least work per chunk of a product, counted as dense multiply-adds. A zero-skipping product's is MIN_WORK.sparse
   * where its x is sparse enough to skip; where it is not (the MNIST MLP's second layer, over the relu of the first),
   * it runs the dense product, and MIN_WORK.matmul. Only a call between the two thresholds is looked at: above and
   * below, both give the same answer.
   */
  const minWork = (name: string, x: number, m: number, kk: number, n: number): number => {
    if (!name.endsWith('SkipZeros')) return MIN_WORK.matmul;
    const work = m * kk * n;
    if (!SPARSE_SEEN.enabled || work < 2 * MIN_WORK.matmul || work >= 2 * MIN_WORK.sparse) return MIN_WORK.sparse;
    return skips(x, m, kk, n) ? MIN_WORK.sparse : MIN_WORK.matmul;
  };

  /**
   * Weights whose last optimizer step was split over two threads, by the halves pipelined() cuts: each thread holds
   * its half of W in its cache (with its gradient and the optimizer's moments). The next forward product over W is
   * pipelined so that each thread reads only its own half; cut by rows of x, both threads would read all of W and
   * the half the other core wrote would cross between the cores every step (docs/threads.md, ninth round). A
   * pipelined product takes the mark: a second product over the same W (predict after training) reads the lines
   * both cores now share, and is cut by rows.
   */
  const ownedByHalves = new Set<number>();
  const stageIndex = index.get('matmulSkipZerosStage')!,
    stage = exports.matmulSkipZerosStage;

  /** exactly two threads, one of them a worker: the caller always claims the first of two chunks (layout.ts) */
  const twoThreads = (): boolean => pool.size === 1 && pool.ready() === 1 && threads() >= 2;
  /** where the pipeline cuts k: the gradient's and the optimizer's halves, to 4 rows */
  const halfCut = (total: number): number => bounds(total, 2, 4)[1];

  /**
   * Run the two stages of a chained call (`argsOf(0)` on this thread, `argsOf(1)` on the worker): the progress word
   * starts at 0, and if stage 0 throws it is set to `release` before the error goes on, so that the worker waiting
   * on it ends instead of waiting for ever.
   */
  const runStages = (
    kernel: number,
    f: Fn,
    argsOf: (stage: number) => number[],
    release: number,
    scratchArg = -1,
  ): void => {
    pool.setProgress(0);
    pool.run(
      kernel,
      [argsOf(0), argsOf(1)],
      (a) => {
        try {
          f(...a);
        } catch (e) {
          pool.setProgress(release);
          throw e;
        }
      },
      scratchArg,
    );
  };

  /** matmulSkipZeros as a two-stage pipeline (matmulSkipZerosStage): the caller sums each row over the first half
   *  of k, the worker goes on over the second, a block of rows behind; released past the last row */
  const pipelined = (x: number, w: number, y: number, m: number, kk: number, n: number): void => {
    const kCut = halfCut(kk);
    runStages(stageIndex, stage, (s) => [x, w, y, m, kk, n, kCut, s, PIPELINE_ROWS, pool.progress], m);
  };
  /** whether matmulSkipZeros over `w` is pipelined: W owned by halves, exactly two threads (one worker, so that the
   *  caller always runs the first stage and never waits on a worker inside a kernel), two blocks of rows or more */
  const pipelines = (w: number, m: number, kk: number): boolean =>
    PIPELINE.enabled && ownedByHalves.has(w) && m >= 2 * PIPELINE_ROWS && kk >= 8 && twoThreads();

  const forwardSplit =
    (name: 'matmul' | 'matmulSkipZeros', byColumns: string) =>
    (x: number, w: number, y: number, m: number, kk: number, n: number): void => {
      const work = m * kk * n;
      const least = minWork(name, x, m, kk, n);
      const cols = columnBounds(work, n, least);
      if (cols)
        return decide(
          byColumns,
          work,
          () => raw[name](x, w, y, m, kk, n),
          () => runBlocks(byColumns, cols, (lo, hi) => [x, w, y, m, kk, n, lo, hi]),
        );
      const parts = partsFor(work, least, m, 4, perThread(work));
      if (parts < 2) return raw[name](x, w, y, m, kk, n);
      if (name === 'matmulSkipZeros' && pipelines(w, m, kk)) {
        ownedByHalves.delete(w);
        // not learnt: what the pipeline saves falls mostly on the gradient and the optimizer step after it, which
        // find their halves of W where they left them; timed alone, it would be judged on its fill and drain
        return pipelined(x, w, y, m, kk, n);
      }
      decide(
        name,
        work,
        () => raw[name](x, w, y, m, kk, n),
        () => runBlocks(name, bounds(m, parts, 4), (lo, hi) => [x + lo * kk * 4, w, y + lo * n * 4, hi - lo, kk, n]),
      );
    };
  k.matmul = forwardSplit('matmul', 'matmulCols');
  k.matmulSkipZeros = forwardSplit('matmulSkipZeros', 'matmulSkipZerosCols');

  /**
   * Weight gradients whose last write was split over the threads. An optimizer step splits only over one of these
   * (elementwise below): cut in the same blocks from the front (the caller) and the back (the workers), it finds each
   * block in the cache of the core that wrote it. Over a gradient written on one thread, a split step would leave
   * half of the weights in the other core's cache for the next product, on one thread too, to fetch back: the MNIST
   * MLP at batch 1 trained at 0.93–0.96× one thread with Adam split, 1.00–1.04× with it whole; at batch 64 and 128,
   * whose gradients are split, Adam always whole read 0.93–0.95× and 0.97–1.03× in three runs of four (the fourth
   * 1.29× and 1.35×) (docs/threads.md, sixth round).
   */
  const splitGradients = new Set<number>();
  /** note which way the weight gradient at `dw` was just written: split by rows of dw (as an optimizer step cuts it),
   *  or not (on one thread, or split by columns) */
  const wrote = (dw: number, splitByRows: boolean) => {
    if (splitByRows) splitGradients.add(dw);
    else splitGradients.delete(dw);
  };
  /** gradients whose last optimizer step was split over them (elementwise below): their next write splits too */
  const steppedSplit = new Set<number>();

  const gradientSplit = (name: 'matmulTransA' | 'matmulTransASkipZeros', rows: string) => {
    const onThisThread = (x: number, dy: number, dw: number, m: number, kk: number, n: number): void => {
      wrote(dw, false);
      raw[name](x, dy, dw, m, kk, n);
    };
    return (x: number, dy: number, dw: number, m: number, kk: number, n: number): void => {
      const parts = partsFor(m * kk * n, minWork(name, x, m, kk, n), kk, 4, perThread(m * kk * n));
      if (parts < 2) return onThisThread(x, dy, dw, m, kk, n);
      const whole = () => onThisThread(x, dy, dw, m, kk, n);
      const split = () => {
        wrote(dw, true);
        runBlocks(rows, bounds(kk, parts, 4), (lo, hi) => [x, dy, dw, m, kk, n, lo, hi]);
      };
      // Over weights whose last optimizer step split over this gradient, the gradient splits without learning: the
      // split gradient, the split step and the pipelined product keep each half of W on its core, and a whole call
      // taken alone brings all of it to the caller, so that the split calls after it find their arrays on the other
      // core and read slow; timed alone, the MNIST MLP's first-layer gradient ran whole in 1–31% of its calls
      // (docs/threads.md, eleventh round)
      if (GRADIENT_FOLLOWS_STEP.enabled && steppedSplit.has(dw)) return split();
      decide(name, m * kk * n, whole, split);
    };
  };
  k.matmulTransA = gradientSplit('matmulTransA', 'matmulTransARows');
  k.matmulTransASkipZeros = gradientSplit('matmulTransASkipZeros', 'matmulTransASkipZerosRows');

  /** rows below which matmulTransB sums with partial sums (assembly/matmul.ts, TRANS_B_PACK_M) */
  const TRANS_B_PACK_M = 16;
  k.matmulTransB = (dy, w, dx, m, n, kk) => {
    const work = m * kk * n;
    const cols = columnBounds(work, kk);
    if (cols) {
      return decide(
        'matmulTransBCols',
        work,
        () => raw.matmulTransB(dy, w, dx, m, n, kk),
        () => runBlocks('matmulTransBCols', cols, (lo, hi) => [dy, w, dx, m, n, kk, lo, hi]),
      );
    }
    const parts = partsFor(work, MIN_WORK.matmul, m, TRANS_B_PACK_M, perThread(work));
    if (parts < 2) return raw.matmulTransB(dy, w, dx, m, n, kk);
    const whole = () => raw.matmulTransB(dy, w, dx, m, n, kk);
    // blocks of at least 16 rows: whole 16-row units
    decide('matmulTransB', work, whole, () =>
      runBlocks('matmulTransB', bounds(m, parts, TRANS_B_PACK_M), (lo, hi) => [
        dy + lo * n * 4,
        w,
        dx + lo * kk * 4,
        hi - lo,
        n,
        kk,
      ]),
    );
  };

  // Both gradients of a dense layer. On exactly two threads, where each product holds a chunk's work (MIN_WORK.matmul,
  // over an x too dense to skip zeros) and is below DENSE_PAIR.maxWork, the two run side by side, each whole: the
  // input gradient on the calling thread (the layer below reads it next, and W is where the layer's optimizer step,
  // whole at these sizes, left it), the weight gradient on the worker. At batch 64 the MNIST MLP's second layer ran
  // its two 0.5 M products one after the other on the calling thread, as every call of that size does, while the
  // worker polled. Not after a step split over the gradient (GRADIENT_FOLLOWS_STEP: the gradient keeps its halves).
  // Elsewhere the two split kernels.
  const denseIndex = index.get('denseBackwardPart')!,
    densePart = exports.denseBackwardPart;
  const oneByOne = (x: number, dz: number, w: number, dw: number, dx: number, m: number, kk: number, n: number) => {
    k.matmulTransASkipZeros(x, dz, dw, m, kk, n);
    k.matmulTransB(dz, w, dx, m, n, kk);
  };
  k.denseBackward = (x, dz, w, dw, dx, m, kk, n) => {
    const work = m * kk * n;
    const pair =
      DENSE_PAIR.enabled &&
      twoThreads() &&
      work >= MIN_WORK.matmul &&
      work < DENSE_PAIR.maxWork &&
      !skips(x, m, kk, n) &&
      !(GRADIENT_FOLLOWS_STEP.enabled && steppedSplit.has(dw));
    if (!pair) return oneByOne(x, dz, w, dw, dx, m, kk, n);
    const twoCalls = () => oneByOne(x, dz, w, dw, dx, m, kk, n);
    decide(LEARNT_AGAINST_SPLIT_CALLS.denseBackward, work, twoCalls, () => {
      wrote(dw, false);
      pool.run(
        denseIndex,
        [
          [x, dz, w, dw, dx, m, kk, n, 0],
          [x, dz, w, dw, dx, m, kk, n, 1],
        ],
        (a) => densePart(...a),
      );
    });
  };

  // ---- elementwise kernels and optimizer steps: `pointers` arguments are arrays, `count` is n --------------------
  /** `optimizer`: an optimizer step, whose second pointer is the gradient (see splitGradients) */
  const elementwise = (name: keyof Kernels, pointers: number, count: number, optimizer = false): void => {
    const f = raw[name] as unknown as Fn;
    (k as unknown as Record<string, Fn>)[name] = (...a: number[]) => {
      const n = a[count];
      if (optimizer) {
        ownedByHalves.delete(a[0]);
        steppedSplit.delete(a[1]);
      }
      if (optimizer && OPTIMIZER_FOLLOWS_GRADIENT.enabled && !splitGradients.has(a[1])) return f(...a);
      const parts = partsFor(n, optimizer ? MIN_WORK.optimizer : MIN_WORK.elementwise, n, 16);
      if (parts < 2) return f(...a);
      const split = () => {
        if (optimizer) steppedSplit.add(a[1]);
        // an even count of blocks, claimed from both ends: the caller steps the first half of the weights
        if (optimizer && parts % 2 === 0) ownedByHalves.add(a[0]);
        runBlocks(name, bounds(n, parts, 16), (lo, hi) => {
          const args = a.slice();
          for (let p = 0; p < pointers; p++) args[p] += lo * 4;
          args[count] = hi - lo;
          return args;
        });
      };
      // An optimizer step over a gradient written split follows it without learning (the choice was the gradient's):
      // learnt on its own, a step now and then ran whole on the caller and took all of W there, so the next forward
      // product found its halves apart and was not pipelined (docs/threads.md, ninth round)
      if (optimizer && OPTIMIZER_FOLLOWS_GRADIENT.enabled) return split();
      decide(name, n, () => f(...a), split);
    };
  };
  for (const name of ['relu', 'sigmoid', 'tanh', 'leakyRelu'] as const) elementwise(name, 2, 2);
  for (const name of ['reluBackward', 'sigmoidBackward', 'tanhBackward', 'leakyReluBackward', 'mul'] as const) {
    elementwise(name, 3, 3);
  }
  elementwise('copy', 2, 2);
  elementwise('fill', 1, 1);
  elementwise('scale', 1, 1);
  elementwise('sgdStep', 2, 2, true);
  elementwise('momentumStep', 3, 3, true);
  elementwise('rmspropStep', 3, 3, true);
  elementwise('adamStep', 4, 4, true);

  // ---- the batch's gather (fit's shuffled rows, copied from the staged data): blocks of rows. Its rows come from all
  // over the staged set, most of them from memory, so that two threads waiting on their own rows take about half the
  // time of one (docs/threads.md, eleventh round). It splits without learning, as the first layer's gradient does
  // after a split step: timed alone, a whole gather now and then read faster, but it leaves the batch in the caller's
  // cache for the split calls after it; in the full bench runs whose MNIST MLP missed 1.3× the learner had run it
  // whole in 13–19% of its calls, and in the one that held, in none (docs/threads.md, twelfth round). -------------
  const aheadParts = (rows: number, cols: number): number =>
    rows * cols < 2 * MIN_WORK.gather || threads() < 2 || pool.ready() < 1
      ? 1
      : Math.min(MAX_CHUNKS, Math.floor(rows / GATHER_AHEAD.rows));
  k.gatherRows = (src, idx, dst, rows, cols) => {
    const ahead = pool.ahead && GATHER_AHEAD.enabled;
    const parts = !GATHER_SPLITS.enabled
      ? 1
      : ahead
        ? aheadParts(rows, cols)
        : partsFor(rows * cols, MIN_WORK.gather, rows, 16, 1);
    if (parts < 2) return raw.gatherRows(src, idx, dst, rows, cols);
    runBlocks(
      'gatherRows',
      bounds(rows, parts, ahead ? GATHER_AHEAD.rows : 16),
      (lo, hi) => [src, idx + lo * 4, dst + lo * cols * 4, hi - lo, cols],
      -1,
      ahead,
    );
  };

  // ---- row-wise kernels: blocks of rows --------------------------------------------------------------------------
  const rowwise = (name: 'softmax' | 'softmaxBackward' | 'addRowVector', pointers: number[]): void => {
    const f = raw[name] as unknown as Fn;
    (k as unknown as Record<string, Fn>)[name] = (...a: number[]) => {
      const rows = a[a.length - 2],
        cols = a[a.length - 1];
      const parts = partsFor(rows * cols, MIN_WORK.elementwise, rows, 1);
      if (parts < 2) return f(...a);
      decide(
        name,
        rows * cols,
        () => f(...a),
        () =>
          runBlocks(name, bounds(rows, parts, 1), (lo, hi) => {
            const args = a.slice();
            for (const p of pointers) args[p] += lo * cols * 4;
            args[a.length - 2] = hi - lo;
            return args;
          }),
      );
    };
  };
  rowwise('softmax', [0, 1]);
  rowwise('softmaxBackward', [0, 1, 2]);
  rowwise('addRowVector', [0]);

  // ---- convolution: 17 arguments (x or dy, w or dy, y or dx or dw, scratch, n, inH, inW, inC, kh, kw, outC, outH,
  // outW, strides, pads); each thread passes its own patch block as scratch (argument 3) ------------------------------
  const SCRATCH = 3;
  const convWork = (a: number[]) => {
    const [n, inH, inW, inC, kh, kw, outC, outH, outW] = a.slice(4, 13);
    const K = kh * kw * inC;
    return { n, K, work: n * outH * outW * K * outC, inImage: inH * inW * inC, outImage: outH * outW * outC, kh };
  };
  // the input gradient by blocks of images (dy in, dx out)
  k.conv2dBackwardInput = (...a: number[]) => {
    const { n, K, work, inImage, outImage } = convWork(a);
    const parts = 4 * K <= pool.extraFloats ? partsFor(work, MIN_WORK.matmul, n, 1) : 1;
    const whole = () => (raw.conv2dBackwardInput as unknown as Fn)(...a);
    if (parts < 2) return whole();
    decide('conv2dBackwardInput', work, whole, () =>
      runBlocks(
        'conv2dBackwardInput',
        bounds(n, parts, 1),
        (lo, hi) => {
          const args = a.slice();
          args[0] += lo * outImage * 4;
          args[2] += lo * inImage * 4;
          args[4] = hi - lo;
          return args;
        },
        SCRATCH,
      ),
    );
  };
  // the forward pass by blocks of output rows (b, oy, ox), through conv2dRows: this cuts one image too (predict).
  // With pooling, by bands of poolH output rows (an image's rows below its last band go with that band), so that
  // every window lies in one block.
  k.conv2d = (...a: number[]) => {
    const { K, work, outImage, n } = convWork(a);
    const outC = a[10],
      outH = a[11],
      outW = a[12],
      rows = (n * outImage) / outC;
    const [pooled, poolH, poolW] = [a[19] ?? 0, a[20] ?? 0, a[21] ?? 0];
    const bandsPerImage = pooled ? Math.ceil(outH / poolH) : 0,
      units = pooled ? n * bandsPerImage : rows;
    // Few bands (one image's): one chunk per thread, as even as whole bands allow. The convnet's one-image predict
    // cuts its second conv's 6 bands 3 + 3 rather than 1 + 2 + 1 + 2: 104 against 126 µs and 154 against 184 µs on two
    // threads, in two interleaved runs (docs/threads.md, eighth round).
    const perThreadChunks = pooled && units < 16 ? 1 : CHUNKS_PER_THREAD;
    const parts =
      4 * K <= pool.extraFloats ? partsFor(work, MIN_WORK.matmul, units, pooled ? 1 : 4, perThreadChunks) : 1;
    const whole = () => (raw.conv2d as unknown as Fn)(...a);
    if (parts < 2) return whole();
    const args = a.slice(0, 17);
    args.push(a[17] ?? 0, a[18] ?? 0); // the bias and activation, given or not
    /** the first output row of band u */
    const bandRow = (u: number) =>
      Math.floor(u / bandsPerImage) * outH * outW + Math.min((u % bandsPerImage) * poolH, outH) * outW;
    const cuts = pooled ? bounds(units, parts, 1).map(bandRow) : bounds(rows, parts, 4);
    decide('conv2d', work, whole, () =>
      runBlocks('conv2dRows', cuts, (lo, hi) => [...args, lo, hi, pooled, poolH, poolW], SCRATCH),
    );
  };
  // The filter gradient, where the kernel reads the patch matrix in place, by blocks of its larger side: taps (rows of
  // dw) when K ≥ outC, else filters. A thread then reads the whole of the smaller operand (dy when cut by taps, every
  // window's patch when cut by filters) and its share of the larger. Elsewhere by kernel rows (each thread builds only
  // its rows' taps); the wasm module says which path applies.
  // - Blocks of 16 filters: one 64-byte line of each row of dy, so that no two threads stream the same lines of dy
  //   (5.5 MB in the convnet's first layer, K = 9, at batch 64). In blocks of 8 that layer's gradient ran 1.08–1.3×
  //   faster on two threads than on one, in blocks of 16 1.65×.
  // - Blocks of 4 taps: the micro-kernels' group. The convnet's second layer (K = 288, outC = 64) cut by taps took
  //   415–434 ms where cut by filters it took 431–454 (docs/threads.md, sixth round).
  const FILTER_BLOCK = 16,
    TAP_BLOCK = 4;
  const inPlace = exports.convWindowsInside as (...a: number[]) => number;
  k.conv2dBackwardFilter = (...a: number[]) => {
    const { K, work, kh } = convWork(a);
    const outC = a[10];
    const byBlocks = inPlace(a[5], a[6], a[8], a[9], a[11], a[12], a[13], a[14], a[15], a[16]) !== 0;
    const byTaps = K >= outC;
    const units = !byBlocks ? kh : byTaps ? Math.ceil(K / TAP_BLOCK) : Math.ceil(outC / FILTER_BLOCK);
    const parts = 4 * K <= pool.extraFloats ? partsFor(work, MIN_WORK.matmul, units, 1) : 1;
    const blocks = (size: number, total: number) => bounds(units, parts, 1).map((u) => Math.min(u * size, total));
    const whole = () => {
      wrote(a[2], false);
      (raw.conv2dBackwardFilter as unknown as Fn)(...a);
    };
    if (parts < 2) return whole();
    // the 17 arguments of the geometry, then the bias gradient's pointer (or 0): the block holding the first tap (or
    // kernel row) sums it for its filters
    const args = a.slice(0, 17),
      db = a[17] ?? 0;
    decide('conv2dBackwardFilter', work, whole, () => {
      wrote(a[2], !byBlocks || byTaps); // cut by filters, each thread writes columns of dw
      if (!byBlocks)
        runBlocks('conv2dBackwardFilterRows', bounds(kh, parts, 1), (lo, hi) => [...args, lo, hi, db], SCRATCH);
      else if (byTaps)
        runBlocks(
          'conv2dBackwardFilterBlock',
          blocks(TAP_BLOCK, K),
          (lo, hi) => [...args, lo, hi, 0, outC, db],
          SCRATCH,
        );
      else
        runBlocks(
          'conv2dBackwardFilterBlock',
          blocks(FILTER_BLOCK, outC),
          (lo, hi) => [...args, 0, K, lo, hi, db],
          SCRATCH,
        );
    });
  };

  // Both gradients of a convolution. On exactly two threads, where the filter gradient reads the patch matrix in
  // place, a chain over the two halves of the batch (conv2dBackwardStage): the caller sums dw over the first half and
  // then computes dx for it, the worker computes dx for the second half and then sums dw on over it. Each thread reads
  // x and dy of its own images only, and only dw (kh·kw·inC·outC floats) crosses between the cores, where the two
  // kernels cut on their own (dx by images, dw by taps or filters over the whole batch) each read the other half of
  // the batch from the other core (docs/threads.md, tenth round). Elsewhere, the two split kernels.
  const convStageIndex = index.get('conv2dBackwardStage')!,
    convStage = exports.conv2dBackwardStage;
  k.conv2dBackward = (...a: number[]) => {
    const [x, dy, w, dx, dw, scratch] = a;
    const geometry = a.slice(6, 19),
      db = a[19];
    const { n, K, work } = convWork([0, 0, 0, 0, ...geometry]);
    const chain =
      CONV_CHAIN.enabled &&
      twoThreads() &&
      n >= 2 &&
      4 * K <= pool.extraFloats &&
      partsFor(work, MIN_WORK.matmul, n, 1) >= 2 &&
      inPlace(a[7], a[8], a[10], a[11], a[13], a[14], a[15], a[16], a[17], a[18]) !== 0;
    const twoCalls = () => {
      k.conv2dBackwardInput(dy, w, dx, scratch, ...(geometry as ConvArgs));
      k.conv2dBackwardFilter(x, dy, dw, scratch, ...(geometry as ConvArgs), db);
    };
    if (!chain) return twoCalls();
    const chained = () => {
      wrote(dw, false);
      // stage 1 waits for a progress word of 1 (the first half of dw); each stage's scratch is its thread's own
      const argsOf = (stage: number) => [x, dy, w, dx, dw, 0, ...geometry, db, n >> 1, stage, pool.progress];
      runStages(convStageIndex, convStage, argsOf, 1, 5);
    };
    // learnt against the two calls: what the chain saves is in its own call, so its timings judge it
    decide(LEARNT_AGAINST_SPLIT_CALLS.conv2dBackward, work, twoCalls, chained);
  };

  // ---- pooling: blocks of images (an image's outputs, and its input gradient, come from that image only). The
  // pointers are of the input side (image inH·inW·c floats) or the output side (outH·outW·c); n follows them. ------
  const poolSplit = (name: 'maxPool' | 'maxPoolBackward' | 'avgPool' | 'avgPoolBackward', sides: ('in' | 'out')[]) => {
    const f = raw[name] as unknown as Fn;
    const at = sides.length; // n's position
    (k as unknown as Record<string, Fn>)[name] = (...a: number[]) => {
      // n, inH, inW, c, poolH, poolW, outH, outW from `at` on (read in place: no array per call)
      const n = a[at],
        c = a[at + 3];
      const inImage = a[at + 1] * a[at + 2] * c,
        outImage = a[at + 6] * a[at + 7] * c;
      const parts = partsFor(n * inImage, MIN_WORK.elementwise, n, 1);
      if (parts < 2) return f(...a);
      decide(
        name,
        n * inImage,
        () => f(...a),
        () =>
          runBlocks(name, bounds(n, parts, 1), (lo, hi) => {
            const args = a.slice();
            sides.forEach((side, p) => (args[p] += lo * (side === 'in' ? inImage : outImage) * 4));
            args[at] = hi - lo;
            return args;
          }),
      );
    };
  };
  poolSplit('maxPool', ['in', 'out']);
  poolSplit('maxPoolBackward', ['in', 'out', 'in']);
  poolSplit('avgPool', ['in', 'out']);
  poolSplit('avgPoolBackward', ['out', 'in']);

  return Object.freeze(k);
}
