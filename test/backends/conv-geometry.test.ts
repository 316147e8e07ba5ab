import { describe, expect, it } from 'vitest';
import {
  checkPool2dGeometry,
  conv2dGeometry,
  convArgs,
  padAxis,
  pool2dGeometry,
  poolArgs,
} from '../../src/backends/conv-geometry.js';

// Keras's arithmetic (TF's conv_output_length / get_pad): 'valid' ⌊(size − window) / stride⌋ + 1, 'same' ⌈size /
// stride⌉ with the smaller half of the pad first. The kernels' agreement with TF.js on these pads is checked in
// conv-vs-tfjs.test.ts.
describe('conv-geometry', () => {
  it.each([
    // size, window, stride, padding, out, padBefore
    [28, 3, 1, 'valid', 26, 0],
    [26, 2, 2, 'valid', 13, 0],
    [11, 2, 2, 'valid', 5, 0],
    [5, 5, 1, 'valid', 1, 0],
    [28, 3, 1, 'same', 28, 1],
    [6, 4, 1, 'same', 6, 1],
    [7, 3, 2, 'same', 4, 1],
    [8, 2, 2, 'same', 4, 0],
    [9, 3, 2, 'same', 5, 1],
    [1, 3, 1, 'same', 1, 1],
    [6, 3, 2, 'same', 3, 0],
  ] as const)('padAxis(%i, %i, %i, %s) = out %i, pad before %i', (size, window, stride, padding, out, padBefore) => {
    expect(padAxis(size, window, stride, padding)).toEqual({ out, padBefore });
  });

  it("spreads the numbers in the kernels' order, strides defaulting to 1 (conv) and to the pool (pooling)", () => {
    const g = conv2dGeometry({ n: 64, inH: 28, inW: 28, inC: 1, kh: 3, kw: 3, outC: 32 });
    expect(convArgs(g)).toEqual([64, 28, 28, 1, 3, 3, 32, 26, 26, 1, 1, 0, 0]);
    const p = pool2dGeometry({ n: 64, inH: 26, inW: 26, c: 32, poolH: 2, poolW: 2 });
    expect(poolArgs(p)).toEqual([64, 26, 26, 32, 2, 2, 13, 13, 2, 2, 0, 0]);
  });

  it('refuses, naming the problem, a kernel larger than a valid image, a bad size, and a window outside the image', () => {
    expect(() => conv2dGeometry({ n: 1, inH: 2, inW: 5, inC: 1, kh: 3, kw: 3, outC: 4 })).toThrow(
      /conv2d: a 3×3 kernel does not fit a 2×5 image with padding 'valid'.*padding 'same'/,
    );
    expect(() => conv2dGeometry({ n: 1, inH: 5, inW: 5, inC: 1.5, kh: 3, kw: 3, outC: 4 })).toThrow(
      /conv2d: inC must be an integer ≥ 1, got 1.5/,
    );
    expect(() => pool2dGeometry({ n: 1, inH: 5, inW: 5, c: 2, poolH: 2, poolW: 2, strideH: 0 })).toThrow(
      /pool2d: strideH must be an integer ≥ 1, got 0/,
    );
    const p = pool2dGeometry({ n: 1, inH: 4, inW: 4, c: 1, poolH: 2, poolW: 2 });
    expect(() => checkPool2dGeometry({ ...p, padTop: 2 })).toThrow(
      /pool2d: pads 2, 0 .* leave a window outside the image/,
    );
    expect(() => checkPool2dGeometry({ ...p, outW: 3 })).toThrow(/leave a window outside the image/);
  });
});
