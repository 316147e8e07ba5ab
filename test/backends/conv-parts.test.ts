// The wasm entries the worker pool cuts convolutions with (src/backends/wasm/threads/split.ts) give, part by part,
// the bits of the whole kernel: conv2dRows (rows of y, with the bias and relu), conv2dBackwardFilterCols (filters,
// where every window lies inside the image) and conv2dBackwardFilterRows (kernel rows). Parts of awkward sizes (not
// the pool's aligned blocks), on the conformance suite's shapes, in the release and the debug build (whose checks
// would trap on an argument out of range).
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

    const dw = alloc(size.w),
      byRows = alloc(size.w);
    k.conv2dBackwardFilter(x, dy, dw, scratch, ...args);
    for (const [lo, hi] of cuts(g.kh, [0.5])) k.conv2dBackwardFilterRows(x, dy, byRows, scratch, ...args, lo, hi);
    expectBits(read(byRows, size.w), read(dw, size.w), 'conv2dBackwardFilterRows');

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
      const byCols = alloc(size.w);
      for (const [lo, hi] of cuts(g.outC, [0.2, 0.5, 0.6]))
        k.conv2dBackwardFilterCols(x, dy, byCols, scratch, ...args, lo, hi);
      expectBits(read(byCols, size.w), read(dw, size.w), 'conv2dBackwardFilterCols');
    }
  });
});
