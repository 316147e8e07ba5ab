import { describe, expect, it } from 'vitest';
import {
  conv2dGeometry,
  convArgs,
  convScratchFloats,
  pool2dGeometry,
  poolArgs,
} from '../../src/backends/conv-geometry.js';
import { uniformHash } from '../../src/backends/kernels.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';
import '../../src/backends/wasm/debug.js'; // registers the debug build (kept out of the main bundle)

// What is particular to the wasm kernels: the SIMD exp behind sigmoid/tanh/softmax (accuracy over the whole
// range, saturation, NaN), f32x4.max's NaN propagation, the vectorised dropout hash, and the debug build's checks.

describe('wasm backend: SIMD math', () => {
  const { kernels, arena } = createWasmBackend();

  function apply(kernel: 'relu' | 'sigmoid' | 'tanh', xs: ArrayLike<number>): Float32Array {
    const px = arena.alloc(xs.length),
      py = arena.alloc(xs.length);
    arena.write(px, xs);
    kernels[kernel](px, py, xs.length);
    const y = arena.read(py, xs.length);
    arena.free(px);
    arena.free(py);
    return y;
  }

  function maxRelativeError(kernel: 'sigmoid' | 'tanh', ref: (x: number) => number, lo: number, hi: number): number {
    const n = 200_003; // odd, so the scalar tail runs too
    const xs = Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
    const ys = apply(kernel, xs);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const r = ref(xs[i]);
      if (r !== 0) worst = Math.max(worst, Math.abs(ys[i] - r) / Math.abs(r));
    }
    return worst;
  }

  it('sigmoid is within 3e-7 relative of 1/(1+Math.exp(−x)) wherever the result is a normal float', () => {
    const ref = (x: number) => 1 / (1 + Math.exp(-x));
    expect(maxRelativeError('sigmoid', ref, -87, 88)).toBeLessThan(3e-7);
    expect(maxRelativeError('sigmoid', ref, -1e-3, 1e-3)).toBeLessThan(3e-7);
  });

  it('tanh is within 3e-7 relative of Math.tanh, also near 0 where 1 − 2/(e^2x + 1) would cancel', () => {
    expect(maxRelativeError('tanh', Math.tanh, -12, 12)).toBeLessThan(3e-7);
    expect(maxRelativeError('tanh', Math.tanh, -1e-4, 1e-4)).toBeLessThan(3e-7);
  });

  it('saturates exactly: sigmoid(±100) = 1/0, tanh(±100) = ±1, no NaN from Inf arithmetic', () => {
    const xs = [-100, 100, -1e30, 1e30, -Infinity, Infinity, 0];
    expect(Array.from(apply('sigmoid', xs))).toEqual([0, 1, 0, 1, 0, 1, 0.5]);
    expect(Array.from(apply('tanh', xs))).toEqual([-1, 1, -1, 1, -1, 1, 0]);
  });

  it('softmax of huge and tiny logits: exp of large negative differences is exactly 0, no NaN', () => {
    const z = [-1000, -200, -110, 0, -1e30, 80, 88, 88, -90, 3];
    const px = arena.alloc(10),
      py = arena.alloc(10);
    arena.write(px, z);
    kernels.softmax(px, py, 2, 5);
    const y = arena.read(py, 10);
    expect(Array.from(y.subarray(0, 5))).toEqual([0, 0, 0, 1, 0]);
    const e = z.slice(5).map((v) => Math.exp(v - 88));
    const sum = e.reduce((a, b) => a + b);
    expect(y[8]).toBe(0); // e^(−178)
    for (const j of [0, 1, 2, 4]) expect(Math.abs(y[5 + j] - e[j] / sum)).toBeLessThanOrEqual(1e-6 * (e[j] / sum));
  });

  it('NaN in, NaN out: relu (f32x4.max propagates NaN), sigmoid, tanh, softmax (the whole row)', () => {
    const xs = [NaN, 1, -1, NaN, 2, NaN]; // lanes 0 and 3 in the SIMD body, lane 5 in the scalar tail
    for (const kernel of ['relu', 'sigmoid', 'tanh'] as const) {
      const y = apply(kernel, xs);
      expect(
        [0, 3, 5].map((i) => Number.isNaN(y[i])),
        kernel,
      ).toEqual([true, true, true]);
      expect(
        [1, 2, 4].some((i) => Number.isNaN(y[i])),
        kernel,
      ).toBe(false);
    }
    expect(Array.from(apply('relu', [-0, -3, 0.5, -Infinity, Infinity]))).toEqual([0, 0, 0.5, 0, Infinity]);
    const px = arena.alloc(6),
      py = arena.alloc(6);
    arena.write(px, [1, NaN, 2, 1, 2, 3]);
    kernels.softmax(px, py, 2, 3);
    const y = arena.read(py, 6);
    expect(Array.from(y.subarray(0, 3)).every(Number.isNaN)).toBe(true);
    expect(Array.from(y.subarray(3)).some(Number.isNaN)).toBe(false);
  });
});

describe('wasm backend: dropout', () => {
  it('masks are exactly those of uniformHash, for awkward rates, seeds ≥ 2³¹ and n not divisible by 4', () => {
    const { kernels, arena } = createWasmBackend();
    const n = 4099;
    const px = arena.alloc(n),
      py = arena.alloc(n),
      pm = arena.alloc(n);
    arena.write(
      px,
      Float32Array.from({ length: n }, (_, i) => i - 2000.5),
    );
    // uniform(5362, 79) = fround(0.7) = 11744051/2²⁴ < 0.7: dropped by the contract, kept by a float32 rate
    expect(uniformHash(5362, 79)).toBe(Math.fround(0.7));
    for (const [rate, seed] of [
      [0.7, 5362],
      [0.5, 1],
      [0.7, 0xffffffff],
      [0.1, 0x9e3779b9],
      [0.3, 12345],
      [0, 7],
    ]) {
      kernels.dropout(px, py, pm, n, rate, seed);
      const mask = arena.read(pm, n),
        y = arena.read(py, n),
        x = arena.read(px, n);
      const keep = Math.fround(1 / (1 - rate));
      for (let i = 0; i < n; i++) {
        const expected = uniformHash(seed, i) >= rate ? keep : 0;
        if (mask[i] !== expected)
          expect.fail(`rate ${rate} seed ${seed}: mask[${i}] = ${mask[i]}, expected ${expected}`);
        if (y[i] !== Math.fround(x[i] * expected)) expect.fail(`rate ${rate} seed ${seed}: y[${i}] = ${y[i]}`);
      }
    }
  });
});

describe('wasm backend: debug build', () => {
  it('turns an out-of-memory argument into a JS error naming the kernel, argument, file and line', () => {
    const { kernels, arena } = createWasmBackend({ debug: true });
    const p = arena.alloc(8);
    kernels.relu(p, p, 8); // in bounds: fine
    expect(() => kernels.relu(arena.capacity - 8, p, 8)).toThrow(/abort: relu: x at assembly\/lib\/check\.ts:\d+:\d+/);
    expect(() => kernels.matmul(p, p, p, 1, 1 << 20, 1)).toThrow(/matmul: x/);
  });

  it('computes the same results as the release build', () => {
    const release = createWasmBackend(),
      debug = createWasmBackend({ debug: true });
    const xs = Float32Array.from({ length: 37 }, (_, i) => Math.sin(i) * 3);
    const out = [release, debug].map(({ kernels, arena }) => {
      const px = arena.alloc(37),
        py = arena.alloc(37);
      arena.write(px, xs);
      kernels.tanh(px, py, 37);
      return Array.from(arena.read(py, 37));
    });
    expect(out[1]).toEqual(out[0]);
  });

  it("runs the conv and pooling kernels (their argument checks pass on valid shapes) with the release build's results", () => {
    const g = conv2dGeometry({ n: 2, inH: 9, inW: 8, inC: 3, kh: 3, kw: 2, outC: 5, strideH: 2, padding: 'same' });
    const p = pool2dGeometry({ n: 2, inH: 9, inW: 8, c: 3, poolH: 3, poolW: 2, padding: 'same' });
    const xs = Float32Array.from({ length: 2 * 9 * 8 * 3 }, (_, i) => Math.sin(i));
    const ws = Float32Array.from({ length: 3 * 2 * 3 * 5 }, (_, i) => Math.cos(i));
    const out = [createWasmBackend(), createWasmBackend({ debug: true })].map(({ kernels, arena }) => {
      const x = arena.alloc(xs.length),
        w = arena.alloc(ws.length),
        y = arena.alloc(2 * g.outH * g.outW * 5);
      const dx = arena.alloc(xs.length),
        dw = arena.alloc(ws.length),
        s = arena.alloc(convScratchFloats(g));
      const py = arena.alloc(2 * p.outH * p.outW * 3);
      arena.write(x, xs);
      arena.write(w, ws);
      kernels.conv2d(x, w, y, s, ...convArgs(g));
      kernels.conv2dBackwardInput(y, w, dx, s, ...convArgs(g));
      kernels.conv2dBackwardFilter(x, y, dw, s, ...convArgs(g));
      kernels.maxPool(x, py, ...poolArgs(p));
      kernels.avgPoolBackward(py, dx, ...poolArgs(p));
      return [y, dw, dx, py].map((q, i) =>
        Array.from(arena.read(q, [2 * g.outH * g.outW * 5, ws.length, xs.length, 2 * p.outH * p.outW * 3][i])),
      );
    });
    expect(out[1]).toEqual(out[0]);
  });
});
