/**
 * Float64 oracles for the convolution and pooling kernels, written from the contract in src/backends/kernels.ts as
 * direct loops over the definition, independently of both backends (no im2col; the input gradient is gathered per
 * input element, where the backends scatter per output). Arrays in, arrays out.
 */
import type { Conv2dGeometry, Pool2dGeometry } from '../../src/backends/conv-geometry.js';

type Vec = ArrayLike<number>;

/** the input row/column read by output o at kernel offset k, or −1 outside the image (padding) */
const at = (o: number, k: number, stride: number, pad: number, size: number) => {
  const i = o * stride - pad + k;
  return i >= 0 && i < size ? i : -1;
};

export function conv2d(x: Vec, w: Vec, g: Conv2dGeometry): number[] {
  const y: number[] = [];
  for (let b = 0; b < g.n; b++)
    for (let oy = 0; oy < g.outH; oy++)
      for (let ox = 0; ox < g.outW; ox++) {
        for (let o = 0; o < g.outC; o++) {
          let s = 0;
          for (let ky = 0; ky < g.kh; ky++)
            for (let kx = 0; kx < g.kw; kx++) {
              const iy = at(oy, ky, g.strideH, g.padTop, g.inH),
                ix = at(ox, kx, g.strideW, g.padLeft, g.inW);
              if (iy < 0 || ix < 0) continue;
              for (let ci = 0; ci < g.inC; ci++) {
                s += x[((b * g.inH + iy) * g.inW + ix) * g.inC + ci] * w[((ky * g.kw + kx) * g.inC + ci) * g.outC + o];
              }
            }
          y.push(s);
        }
      }
  return y;
}

/** ∂(Σ dy·y)/∂x, gathered: for each input element, every (output pixel, kernel offset) that reads it */
export function conv2dBackwardInput(dy: Vec, w: Vec, g: Conv2dGeometry): number[] {
  const dx: number[] = [];
  for (let b = 0; b < g.n; b++)
    for (let iy = 0; iy < g.inH; iy++)
      for (let ix = 0; ix < g.inW; ix++) {
        for (let ci = 0; ci < g.inC; ci++) {
          let s = 0;
          for (let ky = 0; ky < g.kh; ky++) {
            const ty = iy + g.padTop - ky; // = oy·strideH
            if (ty < 0 || ty % g.strideH !== 0 || ty / g.strideH >= g.outH) continue;
            const oy = ty / g.strideH;
            for (let kx = 0; kx < g.kw; kx++) {
              const tx = ix + g.padLeft - kx;
              if (tx < 0 || tx % g.strideW !== 0 || tx / g.strideW >= g.outW) continue;
              const ox = tx / g.strideW;
              for (let o = 0; o < g.outC; o++) {
                s +=
                  dy[((b * g.outH + oy) * g.outW + ox) * g.outC + o] * w[((ky * g.kw + kx) * g.inC + ci) * g.outC + o];
              }
            }
          }
          dx.push(s);
        }
      }
  return dx;
}

export function conv2dBackwardFilter(x: Vec, dy: Vec, g: Conv2dGeometry): number[] {
  const dw: number[] = [];
  for (let ky = 0; ky < g.kh; ky++)
    for (let kx = 0; kx < g.kw; kx++)
      for (let ci = 0; ci < g.inC; ci++) {
        for (let o = 0; o < g.outC; o++) {
          let s = 0;
          for (let b = 0; b < g.n; b++)
            for (let oy = 0; oy < g.outH; oy++)
              for (let ox = 0; ox < g.outW; ox++) {
                const iy = at(oy, ky, g.strideH, g.padTop, g.inH),
                  ix = at(ox, kx, g.strideW, g.padLeft, g.inW);
                if (iy < 0 || ix < 0) continue;
                s +=
                  x[((b * g.inH + iy) * g.inW + ix) * g.inC + ci] * dy[((b * g.outH + oy) * g.outW + ox) * g.outC + o];
              }
          dw.push(s);
        }
      }
  return dw;
}

/** the patch matrix [n·outH·outW, kh·kw·inC] with zeros for padding (to check the kernels against one matmul) */
export function im2col(x: Vec, g: Conv2dGeometry): number[] {
  const cols: number[] = [];
  for (let b = 0; b < g.n; b++)
    for (let oy = 0; oy < g.outH; oy++)
      for (let ox = 0; ox < g.outW; ox++) {
        for (let ky = 0; ky < g.kh; ky++)
          for (let kx = 0; kx < g.kw; kx++) {
            const iy = at(oy, ky, g.strideH, g.padTop, g.inH),
              ix = at(ox, kx, g.strideW, g.padLeft, g.inW);
            for (let ci = 0; ci < g.inC; ci++)
              cols.push(iy < 0 || ix < 0 ? 0 : x[((b * g.inH + iy) * g.inW + ix) * g.inC + ci]);
          }
      }
  return cols;
}

/** the flat indices of x in window (b, oy, ox, ch), in (ky, kx) order, padding left out */
function windowOf(g: Pool2dGeometry, b: number, oy: number, ox: number, ch: number): number[] {
  const idx: number[] = [];
  for (let ky = 0; ky < g.poolH; ky++)
    for (let kx = 0; kx < g.poolW; kx++) {
      const iy = at(oy, ky, g.strideH, g.padTop, g.inH),
        ix = at(ox, kx, g.strideW, g.padLeft, g.inW);
      if (iy >= 0 && ix >= 0) idx.push(((b * g.inH + iy) * g.inW + ix) * g.c + ch);
    }
  return idx;
}

/** every window of the pooling, in output order */
function windows(g: Pool2dGeometry): number[][] {
  const all: number[][] = [];
  for (let b = 0; b < g.n; b++)
    for (let oy = 0; oy < g.outH; oy++)
      for (let ox = 0; ox < g.outW; ox++) {
        for (let ch = 0; ch < g.c; ch++) all.push(windowOf(g, b, oy, ox, ch));
      }
  return all;
}

/** the index maxPool chooses: the first maximum; a NaN beats numbers, and the first NaN stays */
function argmax(x: Vec, idx: number[]): number {
  const nan = idx.find((i) => Number.isNaN(x[i]));
  if (nan !== undefined) return nan;
  return idx.reduce((best, i) => (x[i] > x[best] ? i : best), idx[0]);
}

export const maxPool = (x: Vec, g: Pool2dGeometry) => windows(g).map((idx) => x[argmax(x, idx)]);

export function maxPoolBackward(x: Vec, dy: Vec, g: Pool2dGeometry): number[] {
  const dx = new Array<number>(x.length).fill(0);
  windows(g).forEach((idx, o) => (dx[argmax(x, idx)] += dy[o]));
  return dx;
}

export const avgPool = (x: Vec, g: Pool2dGeometry) =>
  windows(g).map((idx) => idx.reduce((s, i) => s + x[i], 0) / idx.length);

export function avgPoolBackward(dy: Vec, g: Pool2dGeometry): number[] {
  const dx = new Array<number>(g.n * g.inH * g.inW * g.c).fill(0);
  windows(g).forEach((idx, o) => idx.forEach((i) => (dx[i] += dy[o] / idx.length)));
  return dx;
}
