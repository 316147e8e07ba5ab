import { describe, expect, it } from 'vitest';
import { pool2dGeometry, poolArgs, type Padding, type Pool2dGeometry } from '../../../src/backends/conv-geometry.js';
import { expectClose, seededRandom, uniform, type Mem } from '../helpers.js';
import * as ref from '../reference-conv.js';
import { roundAll, type SuiteContext } from '../suite-context.js';

type Shape = [
  n: number,
  inH: number,
  inW: number,
  c: number,
  poolH: number,
  poolW: number,
  strideH: number | undefined,
  strideW: number | undefined,
  padding: Padding,
];

/** Awkward poolings: channels not multiples of 4, non-square pools, overlapping windows (stride < pool), stride 2,
 *  'same' with uneven pads, 1×1 images, batch 1, and the global average (the whole image as the window). */
export const POOL_SHAPES: Shape[] = [
  [1, 4, 4, 3, 2, 2, undefined, undefined, 'valid'], // Keras's default: strides = pool size
  [2, 7, 5, 5, 3, 2, 2, 1, 'same'], // overlapping windows, uneven pads
  [1, 5, 6, 9, 3, 3, 1, 1, 'same'], // every element in up to 9 windows; 'same' pads 1 on every side
  [3, 1, 1, 6, 2, 2, 1, 1, 'same'], // 1×1 images: each window holds one element, the rest is padding
  [2, 6, 7, 4, 2, 3, 2, 2, 'same'], // extra pad only at the bottom/right
  [2, 13, 13, 32, 2, 2, undefined, undefined, 'valid'], // the MNIST convnet's pool: the 13th row and column are dropped
  [2, 5, 7, 6, 2, 2, undefined, undefined, 'same'], // windows that tile, the last row and column of them clipped
  [2, 5, 7, 7, 5, 7, undefined, undefined, 'valid'], // global average pooling: one window, the whole image
];

const label = (s: Shape) =>
  `n=${s[0]} ${s[1]}×${s[2]}×${s[3]} pool ${s[4]}×${s[5]} stride ${s[6] ?? s[4]}×${s[7] ?? s[5]} ${s[8]}`;

const geometryOf = ([n, inH, inW, c, poolH, poolW, strideH, strideW, padding]: Shape): Pool2dGeometry =>
  pool2dGeometry({ n, inH, inW, c, poolH, poolW, strideH, strideW, padding });

const sizes = (g: Pool2dGeometry) => ({ x: g.n * g.inH * g.inW * g.c, y: g.n * g.outH * g.outW * g.c });

function garbage(mem: Mem, n: number): number {
  const p = mem.out(n);
  mem.set(
    p,
    Array.from({ length: n }, (_, i) => 7 + i),
  );
  return p;
}

/** maxPool, avgPool and their backward on x and dy; returns every output */
function runAll(mem: Mem, g: Pool2dGeometry, x: number[], dy: number[]) {
  const size = sizes(g),
    px = mem.put(x),
    pdy = mem.put(dy);
  const max = garbage(mem, size.y),
    avg = garbage(mem, size.y),
    dxMax = garbage(mem, size.x),
    dxAvg = garbage(mem, size.x);
  mem.k.maxPool(px, max, ...poolArgs(g));
  mem.k.maxPoolBackward(px, pdy, dxMax, ...poolArgs(g));
  mem.k.avgPool(px, avg, ...poolArgs(g));
  mem.k.avgPoolBackward(pdy, dxAvg, ...poolArgs(g));
  for (const [p, n, what] of [
    [max, size.y, 'maxPool'],
    [avg, size.y, 'avgPool'],
    [dxMax, size.x, 'maxPoolBackward'],
    [dxAvg, size.x, 'avgPoolBackward'],
  ] as const)
    mem.expectUntouchedAfter(p, n, what);
  return {
    max: mem.get(max, size.y),
    avg: mem.get(avg, size.y),
    dxMax: mem.get(dxMax, size.x),
    dxAvg: mem.get(dxAvg, size.x),
  };
}

export function poolCases(ctx: SuiteContext): void {
  describe('pooling (NHWC)', () => {
    it.each(POOL_SHAPES.map((s) => [label(s), s] as const))(
      '%s: max and average, forward and backward',
      (_l, shape) => {
        const g = geometryOf(shape),
          size = sizes(g),
          mem = ctx.mem();
        const rand = seededRandom(shape.slice(0, 6).reduce<number>((a, v) => a * 31 + (v as number), 5));
        const x = uniform(rand, size.x, -3, 3),
          dy = uniform(rand, size.y);
        const out = runAll(mem, g, x, dy);
        // a max is one of the inputs, and its gradient a sum of dy in window order: exact but for that sum's rounding
        expectClose(out.max, ref.maxPool(x, g), ctx.tol.exact, 'maxPool');
        expectClose(out.dxMax, ref.maxPoolBackward(x, dy, g), ctx.tol.reduction, 'maxPoolBackward');
        expectClose(out.avg, ref.avgPool(x, g), ctx.tol.reduction, 'avgPool');
        expectClose(out.dxAvg, ref.avgPoolBackward(dy, g), ctx.tol.reduction, 'avgPoolBackward');
      },
    );

    it.each(POOL_SHAPES.map((s) => [label(s), s] as const))(
      '%s: maxPoolBackward with relu is reluBackward of the plain gradient, bit for bit',
      (_l, shape) => {
        const g = geometryOf(shape),
          size = sizes(g),
          mem = ctx.mem();
        const rand = seededRandom(shape.slice(0, 6).reduce<number>((a, v) => a * 17 + (v as number), 3));
        // a relu's output (many zeros, whole windows of them), with negatives, −0 and NaN among them; −0 in dy
        const x = uniform(rand, size.x, -1, 1).map((v, i) =>
          i % 23 === 0 ? NaN : i % 11 === 0 ? -0 : i % 7 === 0 ? -v * v : Math.max(0, v),
        );
        const dy = uniform(rand, size.y).map((v, i) => (i % 5 === 0 ? -0 : v));
        const px = mem.put(x),
          pdy = mem.put(dy);
        const plain = garbage(mem, size.x),
          masked = garbage(mem, size.x),
          fused = garbage(mem, size.x);
        mem.k.maxPoolBackward(px, pdy, plain, ...poolArgs(g));
        mem.k.reluBackward(px, plain, masked, size.x);
        mem.k.maxPoolBackward(px, pdy, fused, ...poolArgs(g), 1);
        mem.expectUntouchedAfter(fused, size.x, 'maxPoolBackward with relu');
        const bits = (v: number) => (Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v);
        expect(mem.get(fused, size.x).map(bits)).toEqual(mem.get(masked, size.x).map(bits));
      },
    );

    it("padding never wins a max and is not counted in an average (all-negative input, 'same')", () => {
      const g = geometryOf([1, 3, 3, 5, 2, 2, 2, 2, 'same']); // 2×2 outputs; the last row and column are half padding
      const x = Array.from({ length: 45 }, (_, i) => -1 - i),
        mem = ctx.mem();
      const out = runAll(
        mem,
        g,
        x,
        Array.from({ length: 20 }, () => 1),
      );
      expect(Math.max(...out.max)).toBeLessThan(0);
      expect(out.max).toEqual(roundAll(ctx, ref.maxPool(x, g)));
      // the bottom-right window holds x[2,2,:] alone: its average is that element, not a quarter of it
      expect(out.avg.slice(15, 20)).toEqual(x.slice(40, 45));
    });

    it('ties: the first maximum in (ky, kx) order wins and gets the whole gradient; +0 before −0 stays +0', () => {
      // one 2×2 window per channel; channel 0: 5, 5, 1, 5 → the first 5; channel 1: +0, −0, −1, −0 → +0
      const g = geometryOf([1, 2, 2, 2, 2, 2, undefined, undefined, 'valid']),
        mem = ctx.mem();
      const x = [5, 0, 5, -0, 1, -1, 5, -0];
      const out = runAll(mem, g, x, [3, 4]);
      expect(out.max.map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual([5, 0]);
      expect(out.dxMax).toEqual([3, 4, 0, 0, 0, 0, 0, 0]);
      // −0 first, then +0: −0 stays (+0 is not greater)
      const out2 = runAll(mem, g, [-0, -0, 0, 0, 0, 0, 0, 0], [1, 1]);
      expect(Object.is(out2.max[0], -0)).toBe(true);
    });

    it('a NaN in a window wins the max (the first NaN) and takes the gradient', () => {
      const g = geometryOf([1, 2, 2, 1, 2, 2, undefined, undefined, 'valid']),
        mem = ctx.mem();
      const out = runAll(mem, g, [1, NaN, 9, NaN], [2]);
      expect(out.max[0]).toBeNaN();
      expect(out.dxMax).toEqual([0, 2, 0, 0]);
      expect(out.avg[0]).toBeNaN();
    });

    it('NaN in four-channel lanes too: first, middle or last in the window, or none', () => {
      // one 2×2 window, 5 channels (4 in a vector, 1 alone); per channel the four elements in (ky, kx) order
      const g = geometryOf([1, 2, 2, 5, 2, 2, undefined, undefined, 'valid']),
        mem = ctx.mem();
      const byChannel = [
        [1, NaN, 9, NaN],
        [NaN, 3, 9, 2],
        [1, 2, 3, NaN],
        [4, 8, 2, 1],
        [2, NaN, 1, 1],
      ];
      const x = [0, 1, 2, 3].flatMap((e) => byChannel.map((c) => c[e]));
      const out = runAll(mem, g, x, [10, 20, 30, 40, 50]);
      expect(out.max.map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(['NaN', 'NaN', 'NaN', 8, 'NaN']);
      const chosen = [1, 0, 3, 1, 1]; // the element each channel's gradient goes to
      const dx = Array.from({ length: 20 }, (_, i) => (chosen[i % 5] === Math.floor(i / 5) ? (1 + (i % 5)) * 10 : 0));
      expect(out.dxMax).toEqual(dx);
    });
  });
}
