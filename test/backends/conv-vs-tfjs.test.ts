// The conv and pooling kernels, with conv-geometry's Keras padding arithmetic, against TensorFlow.js (cpu backend):
// the layouts (NHWC, filters [kh, kw, inC, outC]), 'same' with the extra pad at the bottom/right, averages that leave
// padding out of the count, and the gradients TF.js computes for conv2d, maxPool (alone and through a relu below it)
// and ('valid') avgPool.
import { describe, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import {
  conv2dGeometry,
  convArgs,
  convScratchFloats,
  pool2dGeometry,
  poolArgs,
  type Padding,
} from '../../src/backends/conv-geometry.js';
import { createJsBackend } from '../../src/backends/js/index.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';
import { expectClose, seededRandom, uniform } from '../kernels/helpers.js';
import { tfjs } from '../io/tfjs.js';

const TOL = { atol: 1e-5, rtol: 1e-5 };
const BACKENDS: [string, () => Backend][] = [
  ['js', () => createJsBackend()],
  ['wasm', () => createWasmBackend()],
];

function put(b: Backend, values: number[]): number {
  const p = b.arena.alloc(values.length);
  b.arena.write(p, values);
  return p;
}
const get = (b: Backend, p: number, n: number) => Array.from(b.arena.f32(p, n));

type ConvCase = [
  n: number,
  h: number,
  w: number,
  c: number,
  kh: number,
  kw: number,
  outC: number,
  sh: number,
  sw: number,
  padding: Padding,
];
const CONV: ConvCase[] = [
  [2, 7, 6, 3, 3, 2, 5, 2, 1, 'same'],
  [1, 8, 9, 2, 4, 3, 3, 2, 2, 'same'],
  [2, 9, 8, 3, 3, 3, 4, 2, 2, 'valid'],
];

type PoolCase = [
  n: number,
  h: number,
  w: number,
  c: number,
  ph: number,
  pw: number,
  sh: number,
  sw: number,
  padding: Padding,
];
const POOL: PoolCase[] = [
  [2, 7, 5, 3, 3, 2, 2, 1, 'same'],
  [1, 6, 7, 5, 2, 3, 2, 2, 'same'],
  [2, 5, 5, 2, 2, 2, 2, 2, 'valid'],
];

describe.each(BACKENDS)('conv and pooling kernels match TensorFlow.js (%s backend)', (_name, makeBackend) => {
  it.each(CONV)(
    'conv2d n=%i %i×%i×%i, %i×%i→%i, stride %i×%i %s: y, dx, dw (and conv2dBackward with db)',
    async (n, h, w, c, kh, kw, outC, sh, sw, padding) => {
      const tf = await tfjs();
      const g = conv2dGeometry({ n, inH: h, inW: w, inC: c, kh, kw, outC, strideH: sh, strideW: sw, padding });
      const rand = seededRandom(n * 1000 + h * 10 + kw);
      const x = uniform(rand, n * h * w * c),
        wt = uniform(rand, kh * kw * c * outC);
      const ys = n * g.outH * g.outW * outC,
        dy = uniform(rand, ys);
      const tx = tf.tensor4d(x, [n, h, w, c]),
        tw = tf.tensor4d(wt, [kh, kw, c, outC]);
      const ty = tf.conv2d(tx, tw, [sh, sw], padding);
      const [tdx, tdw] = tf.grads((a: any, b: any) => tf.conv2d(a, b, [sh, sw], padding))(
        [tx, tw],
        tf.tensor(dy, ty.shape),
      );

      const b = makeBackend(),
        k = b.kernels;
      const px = put(b, x),
        pw = put(b, wt),
        pdy = put(b, dy),
        scratch = b.arena.alloc(convScratchFloats(g));
      const y = b.arena.alloc(ys),
        dx = b.arena.alloc(x.length),
        dw = b.arena.alloc(wt.length);
      k.conv2d(px, pw, y, scratch, ...convArgs(g));
      k.conv2dBackwardInput(pdy, pw, dx, scratch, ...convArgs(g));
      k.conv2dBackwardFilter(px, pdy, dw, scratch, ...convArgs(g));
      expectClose(get(b, y, ys), ty.dataSync(), TOL, 'y');
      expectClose(get(b, dx, x.length), tdx.dataSync(), TOL, 'dx');
      expectClose(get(b, dw, wt.length), tdw.dataSync(), TOL, 'dw');
      // both gradients in one call, and the bias's: TF.js's dx, dw and the sums of dy over its pixels
      const dxBoth = b.arena.alloc(x.length),
        dwBoth = b.arena.alloc(wt.length),
        dbBoth = b.arena.alloc(outC);
      k.conv2dBackward(px, pdy, pw, dxBoth, dwBoth, scratch, ...convArgs(g), dbBoth);
      const tdb = tf.sum(tf.tensor(dy, ty.shape), [0, 1, 2]);
      expectClose(get(b, dxBoth, x.length), tdx.dataSync(), TOL, 'conv2dBackward: dx');
      expectClose(get(b, dwBoth, wt.length), tdw.dataSync(), TOL, 'conv2dBackward: dw');
      expectClose(get(b, dbBoth, outC), tdb.dataSync(), TOL, 'conv2dBackward: db');
      tf.dispose([tx, tw, ty, tdx, tdw, tdb]);
    },
  );

  it.each(POOL)(
    'maxPool and avgPool n=%i %i×%i×%i, pool %i×%i, stride %i×%i %s: y and dx',
    async (n, h, w, c, ph, pw, sh, sw, padding) => {
      const tf = await tfjs();
      const g = pool2dGeometry({ n, inH: h, inW: w, c, poolH: ph, poolW: pw, strideH: sh, strideW: sw, padding });
      const rand = seededRandom(n * 1000 + h * 10 + pw);
      const x = uniform(rand, n * h * w * c, -3, 3); // float32 uniforms: ties are all but impossible
      const ys = n * g.outH * g.outW * c,
        dy = uniform(rand, ys);
      const tx = tf.tensor4d(x, [n, h, w, c]),
        tdy = tf.tensor4d(dy, [n, g.outH, g.outW, c]);
      const tmax = tf.maxPool(tx, [ph, pw], [sh, sw], padding),
        tavg = tf.avgPool(tx, [ph, pw], [sh, sw], padding);
      const dmax = tf.grad((a: any) => tf.maxPool(a, [ph, pw], [sh, sw], padding))(tx, tdy);
      const davg = tf.grad((a: any) => tf.avgPool(a, [ph, pw], [sh, sw], padding))(tx, tdy);
      // maxPoolBackward's relu argument: the gradient of maxPool(relu(x)) with respect to x, from the relu's output
      const relued = tf.relu(tx);
      const dmaxRelu = tf.grad((a: any) => tf.maxPool(tf.relu(a), [ph, pw], [sh, sw], padding))(tx, tdy);

      const b = makeBackend(),
        k = b.kernels;
      const px = put(b, x),
        pdy = put(b, dy),
        y = b.arena.alloc(ys),
        dx = b.arena.alloc(x.length);
      k.maxPool(px, y, ...poolArgs(g));
      expectClose(get(b, y, ys), tmax.dataSync(), TOL, 'maxPool');
      k.maxPoolBackward(px, pdy, dx, ...poolArgs(g));
      expectClose(get(b, dx, x.length), dmax.dataSync(), TOL, 'maxPool dx');
      k.maxPoolBackward(put(b, Array.from(relued.dataSync())), pdy, dx, ...poolArgs(g), 1);
      expectClose(get(b, dx, x.length), dmaxRelu.dataSync(), TOL, 'maxPool dx through a relu');
      k.avgPool(px, y, ...poolArgs(g));
      expectClose(get(b, y, ys), tavg.dataSync(), TOL, 'avgPool');
      // NOTE: TF.js's avgPool gradient divides by the whole window (poolH·poolW) even where 'same' padding shortens it,
      // so it is not the gradient of its own forward pass there (tfjs-backend-cpu AvgPoolGrad: avgMultiplier); TF's
      // AvgPoolGrad and ours divide by the count the forward pass used (the finite-difference check in
      // test/kernels/cases/gradients.ts decides). Compared only where no window is cut by padding.
      k.avgPoolBackward(pdy, dx, ...poolArgs(g));
      if (padding === 'valid') expectClose(get(b, dx, x.length), davg.dataSync(), TOL, 'avgPool dx');
      tf.dispose([tx, tdy, tmax, tavg, dmax, davg, relued, dmaxRelu]);
    },
  );
});
