import { describe, expect, it } from 'vitest';
import {
  CONV_RELU,
  conv2dGeometry,
  convArgs,
  convScratchFloats,
  type Conv2dGeometry,
  type Padding,
} from '../../../src/backends/conv-geometry.js';
import { expectClose, seededRandom, uniform, type Mem } from '../helpers.js';
import * as ref from '../reference-conv.js';
import type { SuiteContext } from '../suite-context.js';

type Shape = [
  n: number,
  inH: number,
  inW: number,
  inC: number,
  kh: number,
  kw: number,
  outC: number,
  strideH: number,
  strideW: number,
  padding: Padding,
];

/**
 * Awkward convolutions: channels and filters not multiples of 4 or 8, non-square kernels, stride 2, 'same' with the
 * extra pad at the bottom/right, 1×1 images, batch 1. The wasm kernels take two paths: with padding, blocks of a patch
 * matrix (CONV_BLOCK_FLOATS; several of them, short last blocks); with every window inside the image ('valid', or a
 * 1×1 kernel), the patch matrix read in place in chunks of rows (assembly/lib/conv-direct.ts), with tails of rows
 * (not a multiple of 4), taps (K not a multiple of 4) and filters (not a multiple of 8, or of 4).
 */
export const CONV_SHAPES: Shape[] = [
  [1, 5, 5, 3, 3, 3, 5, 1, 1, 'valid'],
  [2, 7, 6, 5, 3, 2, 11, 2, 1, 'same'],
  [1, 6, 7, 2, 4, 3, 9, 1, 2, 'same'], // pads: rows 1 top + 2 bottom, columns 1 + 1
  [3, 1, 1, 6, 1, 1, 7, 1, 1, 'valid'], // 1×1 images
  [2, 1, 1, 3, 3, 3, 4, 1, 1, 'same'], // a 1×1 image, all but the centre of the kernel on padding
  [1, 9, 8, 1, 2, 3, 1, 2, 2, 'same'], // one input channel, one filter
  [2, 8, 9, 1, 3, 3, 32, 1, 1, 'valid'], // the MNIST first layer's shape
  [2, 26, 26, 13, 3, 3, 6, 2, 2, 'same'], // stride 2 on an even size: 'same' pads only the bottom/right
  [5, 12, 12, 17, 3, 3, 13, 1, 1, 'valid'], // K = 153: 500 rows in blocks of 428 + 72
  [5, 9, 15, 16, 3, 3, 10, 1, 1, 'valid'], // K = 144: 455 rows in blocks of 452 + 3 (a block of fewer than 4 rows)
  [7, 11, 11, 19, 3, 3, 5, 1, 1, 'valid'], // K = 171: 567 rows in blocks of 380 + 187
  [4, 12, 12, 17, 3, 3, 13, 1, 1, 'same'], // padded, K = 153: 576 rows in blocks of 428 + 148
  [3, 20, 19, 3, 3, 2, 35, 1, 2, 'valid'], // read in place: 486 rows in chunks of 232, 232, 22; K = 18; 35 filters
  [2, 10, 11, 2, 2, 3, 12, 2, 1, 'valid'], // read in place: 90 rows, stride 2×1, K = 12, 12 filters (8 + 4)
  [2, 7, 7, 5, 1, 1, 3, 2, 2, 'same'], // a 1×1 kernel with 'same' pads nothing: read in place, 3 filters
];

/** shapes whose conv2d and conv2dBackwardFilter are checked bit for bit against matmul on the whole patch matrix */
const BIT_SHAPES = CONV_SHAPES.slice(-7);

const label = (s: Shape) =>
  `n=${s[0]} ${s[1]}×${s[2]}×${s[3]} * ${s[4]}×${s[5]}→${s[6]} stride ${s[7]}×${s[8]} ${s[9]}`;

export const geometryOf = ([n, inH, inW, inC, kh, kw, outC, strideH, strideW, padding]: Shape): Conv2dGeometry =>
  conv2dGeometry({ n, inH, inW, inC, kh, kw, outC, strideH, strideW, padding });

/** sizes of x, w, y for a geometry */
export const convSizes = (g: Conv2dGeometry) => ({
  x: g.n * g.inH * g.inW * g.inC,
  w: g.kh * g.kw * g.inC * g.outC,
  y: g.n * g.outH * g.outW * g.outC,
});

/** Same numbers, bit for bit (+0 and −0 told apart). */
function expectBits(actual: number[], expected: number[], what: string): void {
  const first = actual.findIndex((v, i) => !Object.is(v, expected[i]));
  if (first >= 0) expect.fail(`${what}: first difference at [${first}]: ${actual[first]} ≠ ${expected[first]}`);
}

/** fills an output with garbage first: the kernels must overwrite, not add */
function garbage(mem: Mem, n: number): number {
  const p = mem.out(n);
  mem.set(
    p,
    Array.from({ length: n }, (_, i) => 7 + i),
  );
  return p;
}

export function convCases(ctx: SuiteContext): void {
  describe('convolution (NHWC, filters [kh, kw, inC, outC])', () => {
    it.each(CONV_SHAPES.map((s) => [label(s), s] as const))('%s: forward, input and filter gradients', (_l, shape) => {
      const g = geometryOf(shape),
        size = convSizes(g),
        mem = ctx.mem();
      const rand = seededRandom(shape.reduce<number>((a, v) => a * 31 + (typeof v === 'number' ? v : v.length), 7));
      const x = uniform(rand, size.x),
        w = uniform(rand, size.w),
        dy = uniform(rand, size.y);
      const px = mem.put(x),
        pw = mem.put(w),
        pdy = mem.put(dy);
      const y = garbage(mem, size.y),
        dx = garbage(mem, size.x),
        dw = garbage(mem, size.w);
      // the scratch is followed by sentinels: no kernel may use more than convScratchFloats says
      const floats = convScratchFloats(g),
        scratch = mem.out(floats);
      mem.k.conv2d(px, pw, y, scratch, ...convArgs(g));
      mem.k.conv2dBackwardInput(pdy, pw, dx, scratch, ...convArgs(g));
      mem.k.conv2dBackwardFilter(px, pdy, dw, scratch, ...convArgs(g));
      expectClose(mem.get(y, size.y), ref.conv2d(x, w, g), ctx.tol.reduction, 'conv2d');
      expectClose(mem.get(dx, size.x), ref.conv2dBackwardInput(dy, w, g), ctx.tol.reduction, 'conv2dBackwardInput');
      expectClose(mem.get(dw, size.w), ref.conv2dBackwardFilter(x, dy, g), ctx.tol.reduction, 'conv2dBackwardFilter');
      mem.expectUntouchedAfter(y, size.y, 'conv2d');
      mem.expectUntouchedAfter(dx, size.x, 'conv2dBackwardInput');
      mem.expectUntouchedAfter(dw, size.w, 'conv2dBackwardFilter');
      mem.expectUntouchedAfter(scratch, floats, 'the conv scratch');
    });

    // conv2d's optional bias and relu: the reference's sums plus the bias, clipped at 0, and the bits of addRowVector and
    // relu run after a plain conv2d (the same arithmetic on rows still in cache). Inputs in [−1, 1] give negative sums,
    // so relu's clipping is exercised, and the bias alone (activation 0) is checked too.
    it.each(CONV_SHAPES.map((s) => [label(s), s] as const))('%s: conv2d with a bias, then relu', (_l, shape) => {
      const g = geometryOf(shape),
        size = convSizes(g),
        mem = ctx.mem(),
        rand = seededRandom(23);
      const x = uniform(rand, size.x),
        w = uniform(rand, size.w),
        b = uniform(rand, g.outC);
      const px = mem.put(x),
        pw = mem.put(w),
        pb = mem.put(b),
        scratch = mem.zeros(convScratchFloats(g));
      const pixels = g.n * g.outH * g.outW;
      const plain = garbage(mem, size.y),
        biased = garbage(mem, size.y),
        fused = garbage(mem, size.y);
      mem.k.conv2d(px, pw, plain, scratch, ...convArgs(g));
      mem.k.addRowVector(plain, pb, pixels, g.outC);
      mem.k.conv2d(px, pw, biased, scratch, ...convArgs(g), pb, 0);
      expectBits(mem.get(biased, size.y), mem.get(plain, size.y), 'conv2d with a bias against conv2d + addRowVector');
      mem.k.relu(plain, plain, size.y);
      mem.k.conv2d(px, pw, fused, scratch, ...convArgs(g), pb, CONV_RELU);
      expectBits(mem.get(fused, size.y), mem.get(plain, size.y), 'conv2d with a bias and relu against three kernels');
      const expected = ref.conv2d(x, w, g).map((v, i) => Math.max(v + b[i % g.outC], 0));
      expect(expected.some((v) => v === 0) && expected.some((v) => v > 0), 'relu clips some outputs').toBe(true);
      expectClose(mem.get(fused, size.y), expected, ctx.tol.reduction, 'conv2d with a bias and relu');
      mem.expectUntouchedAfter(fused, size.y, 'conv2d with a bias and relu');
    });

    // conv2d's optional max pooling (windows = strides, no padding): the bits of maxPool run on conv2d's output, and
    // that output unchanged, with windows of 2×2 and of 3×2 (3 rows, 2 columns) where they fit, so that some images
    // end in rows and columns that belong to no window.
    it.each(CONV_SHAPES.map((s) => [label(s), s] as const))('%s: conv2d with the max pooling above', (_l, shape) => {
      const g = geometryOf(shape),
        size = convSizes(g),
        mem = ctx.mem(),
        rand = seededRandom(31);
      const px = mem.put(uniform(rand, size.x)),
        pw = mem.put(uniform(rand, size.w)),
        pb = mem.put(uniform(rand, g.outC)),
        scratch = mem.zeros(convScratchFloats(g));
      for (const [poolH, poolW] of [
        [2, 2],
        [3, 2],
      ]) {
        if (poolH > g.outH || poolW > g.outW) continue;
        const ph = Math.floor(g.outH / poolH),
          pw2 = Math.floor(g.outW / poolW),
          pooledSize = g.n * ph * pw2 * g.outC;
        const plain = garbage(mem, size.y),
          byPool = garbage(mem, pooledSize),
          y = garbage(mem, size.y),
          pooled = garbage(mem, pooledSize);
        mem.k.conv2d(px, pw, plain, scratch, ...convArgs(g), pb, CONV_RELU);
        mem.k.maxPool(plain, byPool, g.n, g.outH, g.outW, g.outC, poolH, poolW, ph, pw2, poolH, poolW, 0, 0);
        mem.k.conv2d(px, pw, y, scratch, ...convArgs(g), pb, CONV_RELU, pooled, poolH, poolW);
        const what = `${poolH}×${poolW} pool`;
        expectBits(mem.get(y, size.y), mem.get(plain, size.y), `${what}: y`);
        expectBits(mem.get(pooled, pooledSize), mem.get(byPool, pooledSize), `${what}: the pooled output`);
        mem.expectUntouchedAfter(pooled, pooledSize, `${what}: the pooled output`);
      }
    });

    // conv2dBackwardFilter's optional bias gradient: the bits of sumRows over dy (as a matrix [n·outH·outW, outC]),
    // the same dw as without it, and nothing written past either.
    it.each(CONV_SHAPES.map((s) => [label(s), s] as const))('%s: the filter gradient with the bias’s', (_l, shape) => {
      const g = geometryOf(shape),
        size = convSizes(g),
        mem = ctx.mem(),
        rand = seededRandom(29);
      const px = mem.put(uniform(rand, size.x)),
        dy = uniform(rand, size.y),
        pdy = mem.put(dy),
        scratch = mem.zeros(convScratchFloats(g));
      const pixels = g.n * g.outH * g.outW;
      const dw = garbage(mem, size.w),
        dwWithBias = garbage(mem, size.w),
        db = garbage(mem, g.outC),
        bySumRows = garbage(mem, g.outC);
      mem.k.conv2dBackwardFilter(px, pdy, dw, scratch, ...convArgs(g));
      mem.k.conv2dBackwardFilter(px, pdy, dwWithBias, scratch, ...convArgs(g), db);
      mem.k.sumRows(pdy, bySumRows, pixels, g.outC);
      expectBits(mem.get(dwWithBias, size.w), mem.get(dw, size.w), 'dw with the bias’s gradient against without');
      expectBits(mem.get(db, g.outC), mem.get(bySumRows, g.outC), 'the bias’s gradient against sumRows');
      const sums = Array.from({ length: g.outC }, (_, o) => {
        let s = 0;
        for (let r = 0; r < pixels; r++) s += dy[r * g.outC + o];
        return s;
      });
      expectClose(mem.get(db, g.outC), sums, ctx.tol.reduction, 'the bias’s gradient');
      mem.expectUntouchedAfter(db, g.outC, 'the bias’s gradient');
      mem.expectUntouchedAfter(dwWithBias, size.w, 'dw with the bias’s gradient');
    });

    // conv2dBackward: both gradients in one call, the bits of conv2dBackwardInput and conv2dBackwardFilter (with the
    // bias's gradient, and without: db 0), and nothing written past dx, dw or db.
    it.each(CONV_SHAPES.map((s) => [label(s), s] as const))('%s: both gradients in one call', (_l, shape) => {
      const g = geometryOf(shape),
        size = convSizes(g),
        mem = ctx.mem(),
        rand = seededRandom(31);
      const px = mem.put(uniform(rand, size.x)),
        pw = mem.put(uniform(rand, size.w)),
        pdy = mem.put(uniform(rand, size.y)),
        scratch = mem.zeros(convScratchFloats(g));
      const dx = garbage(mem, size.x),
        dw = garbage(mem, size.w),
        db = garbage(mem, g.outC),
        dxAlone = garbage(mem, size.x),
        dwAlone = garbage(mem, size.w),
        dbAlone = garbage(mem, g.outC),
        dwNoBias = garbage(mem, size.w);
      mem.k.conv2dBackward(px, pdy, pw, dx, dw, scratch, ...convArgs(g), db);
      mem.k.conv2dBackwardInput(pdy, pw, dxAlone, scratch, ...convArgs(g));
      mem.k.conv2dBackwardFilter(px, pdy, dwAlone, scratch, ...convArgs(g), dbAlone);
      expectBits(mem.get(dx, size.x), mem.get(dxAlone, size.x), 'dx against conv2dBackwardInput');
      expectBits(mem.get(dw, size.w), mem.get(dwAlone, size.w), 'dw against conv2dBackwardFilter');
      expectBits(mem.get(db, g.outC), mem.get(dbAlone, g.outC), 'db against conv2dBackwardFilter');
      const dxNoBias = garbage(mem, size.x);
      mem.k.conv2dBackward(px, pdy, pw, dxNoBias, dwNoBias, scratch, ...convArgs(g), 0);
      expectBits(mem.get(dwNoBias, size.w), mem.get(dwAlone, size.w), 'dw without the bias’s gradient');
      mem.expectUntouchedAfter(dx, size.x, 'dx');
      mem.expectUntouchedAfter(dw, size.w, 'dw');
      mem.expectUntouchedAfter(db, g.outC, 'db');
    });

    // The forward pass and the filter gradient are one matmul / matmulTransA on the patch matrix, whatever the blocks
    // or the path: the same bits as those kernels on the whole matrix built here (on both backends: the JS loops sum
    // in that order).
    it.each(BIT_SHAPES.map((s) => [label(s), s] as const))(
      '%s: conv2d and conv2dBackwardFilter give the bits of matmul and matmulTransA on the whole patch matrix',
      (_l, shape) => {
        const g = geometryOf(shape),
          size = convSizes(g),
          mem = ctx.mem(),
          rand = seededRandom(11);
        const x = uniform(rand, size.x),
          w = uniform(rand, size.w),
          dy = uniform(rand, size.y);
        const M = g.n * g.outH * g.outW,
          K = g.kh * g.kw * g.inC;
        const px = mem.put(x),
          pw = mem.put(w),
          pdy = mem.put(dy),
          cols = mem.put(ref.im2col(x, g));
        const scratch = mem.zeros(convScratchFloats(g));
        const y = mem.zeros(size.y),
          y1 = mem.zeros(size.y),
          dw = mem.zeros(size.w),
          dw1 = mem.zeros(size.w);
        mem.k.conv2d(px, pw, y, scratch, ...convArgs(g));
        mem.k.matmul(cols, pw, y1, M, K, g.outC);
        mem.k.conv2dBackwardFilter(px, pdy, dw, scratch, ...convArgs(g));
        mem.k.matmulTransA(cols, pdy, dw1, M, K, g.outC);
        expectBits(mem.get(y, size.y), mem.get(y1, size.y), 'conv2d');
        expectBits(mem.get(dw, size.w), mem.get(dw1, size.w), 'conv2dBackwardFilter');
      },
    );

    // Geometries the Keras paddings never produce but the contract allows: pads as large as the kernel or larger
    // (whole windows on padding, outputs 0), and a stride larger than the kernel (inputs nobody reads: dx 0 there).
    it.each([
      [
        'pads 3 around a 3×3 image, 2×2 kernel',
        {
          n: 2,
          inH: 3,
          inW: 3,
          inC: 3,
          kh: 2,
          kw: 2,
          outC: 5,
          outH: 7,
          outW: 6,
          strideH: 1,
          strideW: 1,
          padTop: 3,
          padLeft: 3,
        },
      ],
      [
        'pads 3 and stride 3 on a 4×4 image, 2×2 kernel',
        {
          n: 2,
          inH: 4,
          inW: 4,
          inC: 2,
          kh: 2,
          kw: 2,
          outC: 3,
          outH: 3,
          outW: 3,
          strideH: 3,
          strideW: 3,
          padTop: 3,
          padLeft: 3,
        },
      ],
      [
        'a 1×1 kernel with stride 3×2',
        {
          n: 1,
          inH: 7,
          inW: 5,
          inC: 6,
          kh: 1,
          kw: 1,
          outC: 9,
          outH: 3,
          outW: 3,
          strideH: 3,
          strideW: 2,
          padTop: 0,
          padLeft: 0,
        },
      ],
    ] as [string, Conv2dGeometry][])('%s', (_l, g) => {
      const size = convSizes(g),
        mem = ctx.mem(),
        rand = seededRandom(21);
      const x = uniform(rand, size.x),
        w = uniform(rand, size.w),
        dy = uniform(rand, size.y);
      const px = mem.put(x),
        pw = mem.put(w),
        pdy = mem.put(dy);
      const y = garbage(mem, size.y),
        dx = garbage(mem, size.x),
        dw = garbage(mem, size.w);
      const floats = convScratchFloats(g),
        scratch = mem.out(floats);
      mem.k.conv2d(px, pw, y, scratch, ...convArgs(g));
      mem.k.conv2dBackwardInput(pdy, pw, dx, scratch, ...convArgs(g));
      mem.k.conv2dBackwardFilter(px, pdy, dw, scratch, ...convArgs(g));
      expectClose(mem.get(y, size.y), ref.conv2d(x, w, g), ctx.tol.reduction, 'conv2d');
      expectClose(mem.get(dx, size.x), ref.conv2dBackwardInput(dy, w, g), ctx.tol.reduction, 'conv2dBackwardInput');
      expectClose(mem.get(dw, size.w), ref.conv2dBackwardFilter(x, dy, g), ctx.tol.reduction, 'conv2dBackwardFilter');
      mem.expectUntouchedAfter(scratch, floats, 'the conv scratch');
    });

    it('convScratchFloats: one block of rows, a multiple of 4 rows, at most the whole patch matrix', () => {
      const g = geometryOf([64, 13, 13, 32, 3, 3, 64, 1, 1, 'valid']); // K = 288: ⌊65536 / 288⌋ = 227 → 224 rows
      expect(convScratchFloats(g)).toBe(224 * 288);
      expect(convScratchFloats({ ...g, n: 1 })).toBe(121 * 288); // fewer rows than a block: all of them
      expect(convScratchFloats(geometryOf([1, 1, 1, 300, 30, 30, 1, 1, 1, 'same']))).toBe(1 * 270000); // K > block: ≥ 1 row
    });
  });
}
