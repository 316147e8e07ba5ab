import type { Ptr } from '../kernels.js';
import type { JsHeap } from './arena.js';

// Pooling, channels-last: x and dx [n, inH, inW, c], y and dy [n, outH, outW, c]. A window covers rows
// oy·strideH − padTop + [0, poolH) and columns ox·strideW − padLeft + [0, poolW), clipped to the image: padding is
// never in a window. Every window holds at least one element (pads smaller than the pool).

/** the clipped window [start, end) along one axis */
const clip = (o: number, stride: number, pad: number, pool: number, size: number): [number, number] => [
  Math.max(0, o * stride - pad),
  Math.min(size, o * stride - pad + pool),
];

/** whether v replaces the best so far: larger, or NaN where best is not (the first NaN wins) */
const beats = (v: number, best: number) => v > best || (v !== v && best === best);

/** y[b,oy,ox,ch] = max over the window's elements inside the image (ties: the first in (ky, kx) order; NaN wins) */
export function maxPool(
  h: JsHeap,
  x: Ptr,
  y: Ptr,
  n: number,
  inH: number,
  inW: number,
  c: number,
  poolH: number,
  poolW: number,
  outH: number,
  outW: number,
  strideH: number,
  strideW: number,
  padTop: number,
  padLeft: number,
): void {
  const f = h.f,
    xi = x >>> 2;
  let yi = y >>> 2;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const [y0, y1] = clip(oy, strideH, padTop, poolH, inH);
      for (let ox = 0; ox < outW; ox++) {
        const [x0, x1] = clip(ox, strideW, padLeft, poolW, inW);
        for (let ch = 0; ch < c; ch++) {
          let best = f[xi + ((b * inH + y0) * inW + x0) * c + ch];
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const v = f[xi + ((b * inH + iy) * inW + ix) * c + ch];
              if (beats(v, best)) best = v;
            }
          }
          f[yi + ch] = best;
        }
        yi += c;
      }
    }
  }
}

/** dx = 0, then for every window and channel: dx[the element maxPool chose] += dy[b,oy,ox,ch] (the argmax is
 *  recomputed from x, with maxPool's rule) */
export function maxPoolBackward(
  h: JsHeap,
  x: Ptr,
  dy: Ptr,
  dx: Ptr,
  n: number,
  inH: number,
  inW: number,
  c: number,
  poolH: number,
  poolW: number,
  outH: number,
  outW: number,
  strideH: number,
  strideW: number,
  padTop: number,
  padLeft: number,
  relu = 0,
): void {
  const f = h.f,
    xi = x >>> 2,
    dxi = dx >>> 2;
  for (let q = 0; q < n * inH * inW * c; q++) f[dxi + q] = 0;
  let dyi = dy >>> 2;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const [y0, y1] = clip(oy, strideH, padTop, poolH, inH);
      for (let ox = 0; ox < outW; ox++) {
        const [x0, x1] = clip(ox, strideW, padLeft, poolW, inW);
        for (let ch = 0; ch < c; ch++) {
          let at = ((b * inH + y0) * inW + x0) * c + ch;
          let best = f[xi + at];
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const q = ((b * inH + iy) * inW + ix) * c + ch;
              if (beats(f[xi + q], best)) {
                best = f[xi + q];
                at = q;
              }
            }
          }
          if (!relu || best > 0) f[dxi + at] += f[dyi + ch];
        }
        dyi += c;
      }
    }
  }
}

/** y[b,oy,ox,ch] = (Σ over the window's elements inside the image, in (ky, kx) order) / (their count) */
export function avgPool(
  h: JsHeap,
  x: Ptr,
  y: Ptr,
  n: number,
  inH: number,
  inW: number,
  c: number,
  poolH: number,
  poolW: number,
  outH: number,
  outW: number,
  strideH: number,
  strideW: number,
  padTop: number,
  padLeft: number,
): void {
  const f = h.f,
    round = h.round,
    xi = x >>> 2;
  let yi = y >>> 2;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const [y0, y1] = clip(oy, strideH, padTop, poolH, inH);
      for (let ox = 0; ox < outW; ox++) {
        const [x0, x1] = clip(ox, strideW, padLeft, poolW, inW);
        const count = (y1 - y0) * (x1 - x0);
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) sum = round(sum + f[xi + ((b * inH + iy) * inW + ix) * c + ch]);
          }
          f[yi + ch] = sum / count;
        }
        yi += c;
      }
    }
  }
}

/** dx = 0, then for every window and channel: each element inside the image gets dx += dy[b,oy,ox,ch] / count */
export function avgPoolBackward(
  h: JsHeap,
  dy: Ptr,
  dx: Ptr,
  n: number,
  inH: number,
  inW: number,
  c: number,
  poolH: number,
  poolW: number,
  outH: number,
  outW: number,
  strideH: number,
  strideW: number,
  padTop: number,
  padLeft: number,
): void {
  const f = h.f,
    round = h.round,
    dxi = dx >>> 2;
  for (let q = 0; q < n * inH * inW * c; q++) f[dxi + q] = 0;
  let dyi = dy >>> 2;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const [y0, y1] = clip(oy, strideH, padTop, poolH, inH);
      for (let ox = 0; ox < outW; ox++) {
        const [x0, x1] = clip(ox, strideW, padLeft, poolW, inW);
        const count = (y1 - y0) * (x1 - x0);
        for (let ch = 0; ch < c; ch++) {
          const share = round(f[dyi + ch] / count);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) f[dxi + ((b * inH + iy) * inW + ix) * c + ch] += share;
          }
        }
        dyi += c;
      }
    }
  }
}
