// The wasm entries the worker pool cuts convolutions with (src/backends/wasm/threads/split.ts) give, part by part,
// the bits of the whole kernel: conv2dRows (rows of y, with the bias and relu), conv2dBackwardFilterBlock (blocks of
// taps and filters, where every window lies inside the image) and conv2dBackwardFilterRows (kernel rows), each with
// the bias's gradient, which the whole kernel gives with sumRows's bits; and conv2dBackwardStage, the two stages of
// both gradients chained over the images. Parts of awkward sizes (not the pool's aligned
// blocks), on the conformance suite's shapes, in the release and the debug build (whose checks would trap on an
// argument out of range).
import { describe, expect, it } from 'vitest';
import { CONV_RELU, convArgs, convScratchFloats } from '../../src/backends/conv-geometry.js';
import { RELEASE_WASM_BASE64 } from '../../src/backends/wasm/bytes.generated.js';
import { DEBUG_WASM_BASE64 } from '../../src/backends/wasm/debug-bytes.generated.js';
import { CONV_SHAPES, convSizes, geometryOf } from '../kernels/cases/conv.js';
import { cuts, expectBits, instance } from './wasm-parts.js';

describe.each([
  ['release', RELEASE_WASM_BASE64],
  ['debug', DEBUG_WASM_BASE64],
])('%s build: the pool’s conv parts give the whole kernel’s bits', (_build, base64) => {
  it.each(CONV_SHAPES.map((s, i) => [i, s] as const))('shape %i', (_i, shape) => {
    const { exports: k, alloc, read } = instance(base64);
    const g = geometryOf(shape),
      size = convSizes(g),
      args = convArgs(g);
    const x = alloc(size.x, (i) => Math.sin(i * 0.7)),
      w = alloc(size.w, (i) => Math.cos(i * 0.3)),
      b = alloc(g.outC, (i) => 0.1 * i - 0.4),
      dy = alloc(size.y, (i) => Math.sin(i * 0.11)),
      scratch = alloc(convScratchFloats(g), () => 0);
    const M = g.n * g.outH * g.outW;

    const y = alloc(size.y),
      yParts = alloc(size.y);
    k.conv2d(x, w, y, scratch, ...args, b, CONV_RELU);
    for (const [lo, hi] of cuts(M, [0.3, 0.31, 0.77]))
      k.conv2dRows(x, w, yParts, scratch, ...args, b, CONV_RELU, lo, hi);
    expectBits(read(yParts, size.y), read(y, size.y), 'conv2dRows');

    // with the max pooling above: parts cut at bands of poolH output rows (an image's rows below its last band go
    // with that band, as the pool cuts them)
    for (const [poolH, poolW] of [
      [2, 2],
      [3, 2],
    ]) {
      if (poolH > g.outH || poolW > g.outW) continue;
      const pooledSize = g.n * Math.floor(g.outH / poolH) * Math.floor(g.outW / poolW) * g.outC;
      const pooled = alloc(pooledSize),
        pooledParts = alloc(pooledSize),
        yPooled = alloc(size.y);
      k.conv2d(x, w, y, scratch, ...args, b, CONV_RELU, pooled, poolH, poolW);
      const perImage = Math.ceil(g.outH / poolH);
      const bandRow = (u: number) =>
        Math.floor(u / perImage) * g.outH * g.outW + Math.min((u % perImage) * poolH, g.outH) * g.outW;
      for (const [lo, hi] of cuts(g.n * perImage, [0.3, 0.31, 0.77]))
        k.conv2dRows(
          x,
          w,
          yPooled,
          scratch,
          ...args,
          b,
          CONV_RELU,
          bandRow(lo),
          bandRow(hi),
          pooledParts,
          poolH,
          poolW,
        );
      expectBits(read(yPooled, size.y), read(y, size.y), `conv2dRows with a ${poolH}×${poolW} pool: y`);
      expectBits(read(pooledParts, pooledSize), read(pooled, pooledSize), `conv2dRows: the ${poolH}×${poolW} pool`);
    }

    const dw = alloc(size.w),
      withBias = alloc(size.w),
      byRows = alloc(size.w);
    const db = alloc(g.outC),
      bySumRows = alloc(g.outC);
    k.conv2dBackwardFilter(x, dy, dw, scratch, ...args);
    k.sumRows(dy, bySumRows, M, g.outC);
    k.conv2dBackwardFilter(x, dy, withBias, scratch, ...args, db);
    expectBits(read(withBias, size.w), read(dw, size.w), 'conv2dBackwardFilter with the bias');
    expectBits(read(db, g.outC), read(bySumRows, g.outC), 'conv2dBackwardFilter: the bias’s gradient');
    /** a fresh bias gradient, to be written by parts: every element once */
    const freshDb = () => alloc(g.outC);
    let dbParts = freshDb();
    for (const [lo, hi] of cuts(g.kh, [0.5]))
      k.conv2dBackwardFilterRows(x, dy, byRows, scratch, ...args, lo, hi, dbParts);
    expectBits(read(byRows, size.w), read(dw, size.w), 'conv2dBackwardFilterRows');
    expectBits(read(dbParts, g.outC), read(db, g.outC), 'conv2dBackwardFilterRows: the bias’s gradient');

    const inside = k.convWindowsInside(
      g.inH,
      g.inW,
      g.kh,
      g.kw,
      g.outH,
      g.outW,
      g.strideH,
      g.strideW,
      g.padTop,
      g.padLeft,
    );
    // 'valid' windows, and 1×1 kernels ('same' pads nothing then), lie inside the image
    expect(inside === 1, 'convWindowsInside').toBe(shape[9] === 'valid' || (g.kh === 1 && g.kw === 1));
    if (inside) {
      const K = g.kh * g.kw * g.inC;
      const byFilters = alloc(size.w),
        byTaps = alloc(size.w),
        byBoth = alloc(size.w);
      const expectBias = (how: string) =>
        expectBits(read(dbParts, g.outC), read(db, g.outC), `conv2dBackwardFilterBlock by ${how}: the bias’s gradient`);
      dbParts = freshDb();
      for (const [lo, hi] of cuts(g.outC, [0.2, 0.5, 0.6]))
        k.conv2dBackwardFilterBlock(x, dy, byFilters, scratch, ...args, 0, K, lo, hi, dbParts);
      expectBits(read(byFilters, size.w), read(dw, size.w), 'conv2dBackwardFilterBlock by filters');
      expectBias('filters');
      // taps cut anywhere, not only at the pool's multiples of 4: the one-tap kernels take the odd ones
      dbParts = freshDb();
      for (const [lo, hi] of cuts(K, [0.3, 0.5, 0.7]))
        k.conv2dBackwardFilterBlock(x, dy, byTaps, scratch, ...args, lo, hi, 0, g.outC, dbParts);
      expectBits(read(byTaps, size.w), read(dw, size.w), 'conv2dBackwardFilterBlock by taps');
      expectBias('taps');
      dbParts = freshDb();
      for (const [p0, p1] of cuts(K, [0.4]))
        for (const [j0, j1] of cuts(g.outC, [0.3, 0.7]))
          k.conv2dBackwardFilterBlock(x, dy, byBoth, scratch, ...args, p0, p1, j0, j1, dbParts);
      expectBits(read(byBoth, size.w), read(dw, size.w), 'conv2dBackwardFilterBlock by taps and filters');
      expectBias('taps and filters');

      // conv2dBackwardStage: stage 0 then stage 1 (here on one thread, in the order the pool's two threads finish
      // them) give conv2dBackward's dx, dw and db, cut after the first image, in the middle and before the last
      if (g.n >= 2) {
        const dx = alloc(size.x);
        k.conv2dBackwardInput(dy, w, dx, scratch, ...args);
        for (const nCut of [...new Set([1, g.n >> 1, g.n - 1])]) {
          for (const withBias of [true, false]) {
            const dxStages = alloc(size.x),
              dwStages = alloc(size.w),
              dbStages = withBias ? alloc(g.outC) : 0,
              progress = alloc(1, () => 0); // the int32 0 the pool stores before a call
            for (const stage of [0, 1])
              k.conv2dBackwardStage(x, dy, w, dxStages, dwStages, scratch, ...args, dbStages, nCut, stage, progress);
            const what = `conv2dBackwardStage cut after image ${nCut}${withBias ? '' : ', no bias'}`;
            expectBits(read(dxStages, size.x), read(dx, size.x), `${what}: dx`);
            expectBits(read(dwStages, size.w), read(dw, size.w), `${what}: dw`);
            if (withBias) expectBits(read(dbStages, g.outC), read(db, g.outC), `${what}: db`);
          }
        }
      }
    }
  });
});

describe('the debug build checks the pooled forward’s rows', () => {
  it('conv2dRows with a pool traps on rows that cut a band of pool rows', () => {
    const { exports: k, alloc } = instance(DEBUG_WASM_BASE64);
    // 2 images 6×6×1 → 4×4×2, 3×3 'valid', then a 2×2 pool: bands of 2 output rows (8 rows of y)
    const args = [2, 6, 6, 1, 3, 3, 2, 4, 4, 1, 1, 0, 0];
    const x = alloc(2 * 36, Math.sin),
      w = alloc(9 * 2, Math.cos),
      y = alloc(2 * 16 * 2),
      pooled = alloc(2 * 4 * 2),
      scratch = alloc(4096, () => 0);
    const call = (r0: number, r1: number) => k.conv2dRows(x, w, y, scratch, ...args, 0, 0, r0, r1, pooled, 2, 2);
    expect(() => call(0, 8)).not.toThrow();
    expect(() => call(8, 32)).not.toThrow();
    expect(() => call(4, 8)).toThrow(/cut a pool band/);
    expect(() => call(0, 12)).toThrow(/cut a pool band/);
  });
});

describe('the debug build checks the chained gradients’ arguments', () => {
  it('conv2dBackwardStage traps on a padded geometry, a cut outside the batch or a stage other than 0 and 1', () => {
    const { exports: k, alloc } = instance(DEBUG_WASM_BASE64);
    // 2 images 6×6×3 → 4×4×5, 3×3 'valid' (and the same with 'same' pads: 6×6 out)
    const valid = [2, 6, 6, 3, 3, 3, 5, 4, 4, 1, 1, 0, 0],
      padded = [2, 6, 6, 3, 3, 3, 5, 6, 6, 1, 1, 1, 1];
    const x = alloc(2 * 6 * 6 * 3, Math.sin),
      w = alloc(27 * 5, Math.cos),
      dy = alloc(2 * 6 * 6 * 5, Math.cos),
      dx = alloc(2 * 6 * 6 * 3),
      dw = alloc(27 * 5),
      scratch = alloc(4096, () => 0),
      progress = alloc(1, () => 1); // set, so that a stage 1 never waits here
    const call = (args: number[], nCut: number, stage: number) =>
      k.conv2dBackwardStage(x, dy, w, dx, dw, scratch, ...args, 0, nCut, stage, progress);
    expect(() => call(valid, 1, 0)).not.toThrow();
    expect(() => call(valid, 1, 1)).not.toThrow();
    expect(() => call(padded, 1, 0)).toThrow(/padded geometry/);
    expect(() => call(valid, 0, 0)).toThrow(/bad stage/);
    expect(() => call(valid, 2, 1)).toThrow(/bad stage/);
    expect(() => call(valid, 1, 2)).toThrow(/bad stage/);
  });
});

describe('the debug build checks the filter gradient block’s bounds', () => {
  it('conv2dBackwardFilterBlock traps on taps or filters past the end', () => {
    const { exports: k, alloc } = instance(DEBUG_WASM_BASE64);
    // 2 images 6×6×3 → 4×4×5, 3×3 'valid': K = 27 taps, 5 filters
    const g = { n: 2, inH: 6, inW: 6, inC: 3, kh: 3, kw: 3, outC: 5, outH: 4, outW: 4 };
    const args = [g.n, g.inH, g.inW, g.inC, g.kh, g.kw, g.outC, g.outH, g.outW, 1, 1, 0, 0];
    const x = alloc(2 * 6 * 6 * 3, Math.sin),
      dy = alloc(2 * 4 * 4 * 5, Math.cos),
      dw = alloc(27 * 5),
      scratch = alloc(4096, () => 0);
    const call = (p1: number, j1: number) => k.conv2dBackwardFilterBlock(x, dy, dw, scratch, ...args, 0, p1, 0, j1);
    expect(() => call(27, 5)).not.toThrow();
    expect(() => call(28, 5)).toThrow(/taps out of range/);
    expect(() => call(27, 6)).toThrow(/filters out of range/);
  });
});
