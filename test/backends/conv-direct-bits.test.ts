// The convolution read in place (assembly/lib/conv-direct.ts: every window inside the image) sums every output in one
// order, as matmul does: y[r, j] over the taps p ascending and dw[p, j] over the patch rows r ascending, each product
// rounded to float32, then each sum. So its outputs must equal that sequential float32 sum bit for bit — in particular
// the filters right of the blocks of 4 (outC % 4), which take their own kernels: the last four columns again where
// there are four or more, a vector per column whose lanes are four rows (or taps) where there are fewer.
import { describe, expect, it } from 'vitest';
import { conv2dGeometry, convArgs, convScratchFloats } from '../../src/backends/conv-geometry.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';
import { values } from './values.js';

/** Σ_p a(p)·b(p) as the kernels take it: p ascending, float32 products and sums */
function sequential(K: number, a: (p: number) => number, b: (p: number) => number): number {
  let s = 0;
  for (let p = 0; p < K; p++) s = Math.fround(s + Math.fround(a(p) * b(p)));
  return s;
}

/** [n, inH, inW, inC, kh, kw, outC, strideH, strideW]: 'valid', so the windows lie inside the image */
const SHAPES: [number, number, number, number, number, number, number, number, number][] = [
  [2, 6, 7, 2, 3, 3, 1, 1, 1],
  [2, 6, 7, 2, 3, 3, 2, 1, 1],
  [2, 6, 7, 3, 3, 2, 3, 1, 2],
  [1, 9, 8, 1, 3, 3, 5, 2, 1],
  [3, 7, 7, 4, 2, 2, 6, 1, 1],
  [2, 8, 9, 1, 3, 3, 7, 1, 1],
  [2, 10, 10, 3, 3, 3, 11, 1, 1],
  [1, 5, 5, 6, 1, 1, 13, 1, 1],
];

describe('wasm backend: the in-place convolution is the sequential float32 sum, at every filter count', () => {
  const { kernels, arena } = createWasmBackend();
  it.each(SHAPES.map((s) => [s.join('·'), s] as const))('%s', (_label, [n, inH, inW, inC, kh, kw, outC, sh, sw]) => {
    const g = conv2dGeometry({ n, inH, inW, inC, kh, kw, outC, strideH: sh, strideW: sw, padding: 'valid' });
    const K = kh * kw * inC,
      rows = n * g.outH * g.outW;
    const x = values(n * inH * inW * inC, inC + 3 * outC),
      w = values(K * outC, K + outC),
      dy = values(rows * outC, rows + outC);
    /** the patch matrix's entry (r, p) */
    const patch = (r: number, p: number) => {
      const b = Math.floor(r / (g.outH * g.outW)),
        oy = Math.floor(r / g.outW) % g.outH,
        ox = r % g.outW;
      const ky = Math.floor(p / (kw * inC)),
        kx = Math.floor(p / inC) % kw,
        ci = p % inC;
      return x[((b * inH + oy * sh + ky) * inW + ox * sw + kx) * inC + ci];
    };
    const px = arena.alloc(x.length),
      pw = arena.alloc(w.length),
      pdy = arena.alloc(dy.length),
      py = arena.alloc(rows * outC),
      pdw = arena.alloc(K * outC),
      scratch = arena.alloc(convScratchFloats(g));
    arena.write(px, x);
    arena.write(pw, w);
    arena.write(pdy, dy);
    kernels.conv2d(px, pw, py, scratch, ...convArgs(g));
    kernels.conv2dBackwardFilter(px, pdy, pdw, scratch, ...convArgs(g));
    const y = arena.read(py, rows * outC),
      dw = arena.read(pdw, K * outC);
    for (let q = 0; q < y.length; q++) {
      const want = sequential(
        K,
        (p) => patch(Math.floor(q / outC), p),
        (p) => w[p * outC + (q % outC)],
      );
      if (!Object.is(y[q], want)) expect.fail(`y[${q}]: got ${y[q]}, expected ${want}`);
    }
    for (let q = 0; q < dw.length; q++) {
      const want = sequential(
        rows,
        (r) => patch(r, Math.floor(q / outC)),
        (r) => dy[r * outC + (q % outC)],
      );
      if (!Object.is(dw[q], want)) expect.fail(`dw[${q}]: got ${dw[q]}, expected ${want}`);
    }
    for (const p of [px, pw, pdy, py, pdw, scratch]) arena.free(p);
  });
});
