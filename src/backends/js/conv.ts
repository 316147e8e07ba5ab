import type { Ptr } from '../kernels.js';
import type { JsHeap } from './arena.js';
import { CONV_RELU, type ConvArgs } from '../conv-geometry.js';
import { sumRows } from './elementwise.js';
import { maxPool } from './pool.js';

// The convolution kernels as direct loops (assembly/conv.ts lowers them to im2col + matmul, or reads the patch matrix
// in place where no window reaches the padding: assembly/lib/conv-direct.ts). Channels-last:
// x [n, inH, inW, inC], w [kh, kw, inC, outC], y and dy [n, outH, outW, outC]. Every sum runs in the order of the
// wasm kernels: y over (ky, kx, ci), dw over the output pixels (b, oy, ox), dx over the output pixels and then
// (ky, kx); positions outside the image are the value 0 (a term 0·w, as im2col's zeros give), and every term is
// rounded to the heap's precision as it is added (storing into the heap does that).

/** y[b,oy,ox,o] = f(Σ_{ky,kx,ci} x[b, oy·sh − padTop + ky, ox·sw − padLeft + kx, ci] · w[ky,kx,ci,o] + bias[o])
 *  (x outside: 0; no bias when `bias` is 0; f relu when `activation` is CONV_RELU, else the identity); with `pooled`
 *  (not 0), also maxPool of y (windows poolH × poolW, the same strides, no padding) into it */
export function conv2d(
  h: JsHeap,
  x: Ptr,
  w: Ptr,
  y: Ptr,
  _scratch: Ptr,
  n: number,
  inH: number,
  inW: number,
  inC: number,
  kh: number,
  kw: number,
  outC: number,
  outH: number,
  outW: number,
  strideH: number,
  strideW: number,
  padTop: number,
  padLeft: number,
  bias: Ptr = 0,
  activation = 0,
  pooled: Ptr = 0,
  poolH = 0,
  poolW = 0,
): void {
  if (pooled) {
    conv2d(
      h,
      x,
      w,
      y,
      _scratch,
      n,
      inH,
      inW,
      inC,
      kh,
      kw,
      outC,
      outH,
      outW,
      strideH,
      strideW,
      padTop,
      padLeft,
      bias,
      activation,
    );
    const ph = Math.floor(outH / poolH),
      pw = Math.floor(outW / poolW);
    maxPool(h, y, pooled, n, outH, outW, outC, poolH, poolW, ph, pw, poolH, poolW, 0, 0);
    return;
  }
  const f = h.f,
    xi = x >>> 2,
    wi = w >>> 2,
    bi = bias >>> 2;
  let yRow = y >>> 2;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let o = 0; o < outC; o++) f[yRow + o] = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * strideH - padTop + ky;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * strideW - padLeft + kx;
            const inside = iy >= 0 && iy < inH && ix >= 0 && ix < inW;
            for (let ci = 0; ci < inC; ci++) {
              const v = inside ? f[xi + ((b * inH + iy) * inW + ix) * inC + ci] : 0;
              const wRow = wi + ((ky * kw + kx) * inC + ci) * outC;
              for (let o = 0; o < outC; o++) f[yRow + o] += v * f[wRow + o];
            }
          }
        }
        // addRowVector's and relu's arithmetic: each result rounded to the heap's precision, as those kernels store it
        if (bias !== 0) for (let o = 0; o < outC; o++) f[yRow + o] += f[bi + o];
        if (activation === CONV_RELU) for (let o = 0; o < outC; o++) f[yRow + o] = Math.max(f[yRow + o], 0);
        yRow += outC;
      }
    }
  }
}

/** dx[b,iy,ix,ci] = Σ over the (b,oy,ox,ky,kx) that read x[b,iy,ix,ci] of Σ_o dy[b,oy,ox,o] · w[ky,kx,ci,o] */
export function conv2dBackwardInput(
  h: JsHeap,
  dy: Ptr,
  w: Ptr,
  dx: Ptr,
  _scratch: Ptr,
  n: number,
  inH: number,
  inW: number,
  inC: number,
  kh: number,
  kw: number,
  outC: number,
  outH: number,
  outW: number,
  strideH: number,
  strideW: number,
  padTop: number,
  padLeft: number,
): void {
  const f = h.f,
    wi = w >>> 2,
    dxi = dx >>> 2;
  for (let q = 0; q < n * inH * inW * inC; q++) f[dxi + q] = 0;
  let dyRow = dy >>> 2;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * strideH - padTop + ky;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * strideW - padLeft + kx;
            if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue; // padding: its gradient is dropped
            for (let ci = 0; ci < inC; ci++) {
              const wRow = wi + ((ky * kw + kx) * inC + ci) * outC;
              let s = 0;
              for (let o = 0; o < outC; o++) s += f[dyRow + o] * f[wRow + o];
              f[dxi + ((b * inH + iy) * inW + ix) * inC + ci] += s;
            }
          }
        }
        dyRow += outC;
      }
    }
  }
}

/** dw[ky,kx,ci,o] = Σ_{b,oy,ox} x[b, oy·sh − padTop + ky, ox·sw − padLeft + kx, ci] · dy[b,oy,ox,o]  (x outside: 0);
 *  with db given (not 0), also the bias's gradient db[o] = Σ_{b,oy,ox} dy[b,oy,ox,o] (sumRows) */
export function conv2dBackwardFilter(
  h: JsHeap,
  x: Ptr,
  dy: Ptr,
  dw: Ptr,
  _scratch: Ptr,
  n: number,
  inH: number,
  inW: number,
  inC: number,
  kh: number,
  kw: number,
  outC: number,
  outH: number,
  outW: number,
  strideH: number,
  strideW: number,
  padTop: number,
  padLeft: number,
  db?: Ptr,
): void {
  const f = h.f,
    xi = x >>> 2,
    dwi = dw >>> 2;
  if (db) sumRows(h, dy, db, n * outH * outW, outC);
  for (let q = 0; q < kh * kw * inC * outC; q++) f[dwi + q] = 0;
  let dyRow = dy >>> 2;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * strideH - padTop + ky;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * strideW - padLeft + kx;
            const inside = iy >= 0 && iy < inH && ix >= 0 && ix < inW;
            for (let ci = 0; ci < inC; ci++) {
              const v = inside ? f[xi + ((b * inH + iy) * inW + ix) * inC + ci] : 0;
              const dwRow = dwi + ((ky * kw + kx) * inC + ci) * outC;
              for (let o = 0; o < outC; o++) f[dwRow + o] += v * f[dyRow + o];
            }
          }
        }
        dyRow += outC;
      }
    }
  }
}

/** both gradients of one convolution: conv2dBackwardInput's dx, then conv2dBackwardFilter's dw (and db when ≠ 0);
 *  `rest` is the geometry (convArgs's 13 numbers) and db */
export function conv2dBackward(
  h: JsHeap,
  x: Ptr,
  dy: Ptr,
  w: Ptr,
  dx: Ptr,
  dw: Ptr,
  scratch: Ptr,
  ...rest: [...ConvArgs, Ptr]
): void {
  const g = rest.slice(0, 13) as ConvArgs;
  conv2dBackwardInput(h, dy, w, dx, scratch, ...g);
  conv2dBackwardFilter(h, x, dy, dw, scratch, ...g, rest[13]);
}
