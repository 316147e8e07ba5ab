import { check, DEBUG } from './lib/check';

// 2-D pooling, channels-last: x [n, inH, inW, c] → y [n, outH, outW, c]. The window of output (oy, ox) covers rows
// oy·strideH − padTop + [0, poolH) and columns ox·strideW − padLeft + [0, poolW), clipped to the image: padding is
// never part of a window (it never wins a max, and an average counts only the elements inside, as Keras/TF 'same'
// does). Every window must hold at least one element (pads smaller than the pool, as 'valid' and 'same' give).
// Four channels at a time (f32x4 lanes), each lane with the scalar arithmetic of the JS twin, in the same order:
// the results are bit-identical to src/backends/js/pool.ts in float32.
// Global average pooling is avgPool with the whole image as the window (pool = stride = inH×inW, out 1×1, pads 0).

/** lane-wise "v replaces best": v > best, or v is NaN and best is not (the first NaN wins, then nothing beats it).
 *  In three operations: "not v ≤ best" is v > best or either is NaN, and "best = best" drops the lanes where best is. */
// @ts-ignore: decorator
@inline
function beats(v: v128, best: v128): v128 {
  return v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
}

// @ts-ignore: decorator
@inline
function beats1(v: f32, best: f32): bool {
  return v > best || (v != v && best == best);
}

/** y[b,oy,ox,ch] = max over the window's elements inside the image (ties: the first in (ky, kx) order; NaN wins) */
export function maxPool(
  x: usize, y: usize, n: i32, inH: i32, inW: i32, c: i32, poolH: i32, poolW: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
): void {
  if (DEBUG) { check(x, <i64>n * inH * inW * c, 'maxPool: x'); check(y, <i64>n * outH * outW * c, 'maxPool: y'); }
  const c4 = c & ~3, pixel = <usize>c << 2;
  let out = y;
  for (let b = 0; b < n; b++) {
    const image = x + <usize>b * inH * inW * pixel;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = max(0, oy * strideH - padTop), y1 = min(inH, oy * strideH - padTop + poolH);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = max(0, ox * strideW - padLeft), x1 = min(inW, ox * strideW - padLeft + poolW);
        const first = image + (<usize>y0 * inW + x0) * pixel, line = <usize>inW * pixel;
        const rows = y1 - y0, cols = x1 - x0;
        for (let ch = 0; ch < c4; ch += 4) {
          const o = <usize>ch << 2;
          let best = v128.load(first + o);
          let row = first + o;
          for (let i = 0; i < rows; i++) {
            let p = row;
            for (let j = 0; j < cols; j++) {
              const v = v128.load(p);
              best = v128.bitselect(v, best, beats(v, best));
              p += pixel;
            }
            row += line;
          }
          v128.store(out + o, best);
        }
        for (let ch = c4; ch < c; ch++) {
          const o = <usize>ch << 2;
          let best = load<f32>(first + o);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const v = load<f32>(image + (<usize>iy * inW + ix) * pixel + o);
              if (beats1(v, best)) best = v;
            }
          }
          store<f32>(out + o, best);
        }
        out += pixel;
      }
    }
  }
}

/**
 * dx = 0, then for every window and channel: dx[the element maxPool chose] += dy[b,oy,ox,ch] (the argmax is
 * recomputed from x, with maxPool's rule); with `relu` 1 (a caller that leaves it out passes 0), only where that
 * element is > 0, which is reluBackward(x, ·) of the result without it, in the same pass.
 *
 * Where the windows tile the image (stride = pool, no padding before; the last row and column of windows may be
 * clipped, as 'same' gives), every element of dx lies in at most one window: each window then writes its elements
 * once, 0 + dy at the chosen one and 0 elsewhere, instead of dx being zeroed first and added into. The same bits
 * (0 + dy is what the addition stores: −0 becomes +0), with less memory traffic: on the MNIST convnet's first pooling
 * (64 × 26×26×32) 1.22 → 0.75 ms on one thread (docs/threads.md, sixth round).
 */
export function maxPoolBackward(
  x: usize, dy: usize, dx: usize, n: i32, inH: i32, inW: i32, c: i32, poolH: i32, poolW: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, relu: i32,
): void {
  if (DEBUG) {
    check(x, <i64>n * inH * inW * c, 'maxPoolBackward: x'); check(dy, <i64>n * outH * outW * c, 'maxPoolBackward: dy');
    check(dx, <i64>n * inH * inW * c, 'maxPoolBackward: dx');
  }
  const tiled = strideH == poolH && strideW == poolW && padTop == 0 && padLeft == 0;
  if (!tiled) memory.fill(dx, 0, <usize>n * inH * inW * c << 2);
  const c4 = c & ~3, pixel = <usize>c << 2, line = inW * <i32>pixel;
  // tiled: the rows below the last window and the columns right of it belong to no window (a 'valid' pool of an odd
  // size), and are zeroed apart
  const coveredH = min(inH, outH * poolH), rightBytes = <usize>(inW - min(inW, outW * poolW)) * pixel;
  const zero = f32x4.splat(0);
  let g = dy;
  for (let b = 0; b < n; b++) {
    const offset = <usize>b * inH * inW * pixel;
    const image = x + offset, grad = dx + offset;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = max(0, oy * strideH - padTop), y1 = min(inH, oy * strideH - padTop + poolH);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = max(0, ox * strideW - padLeft), x1 = min(inW, ox * strideW - padLeft + poolW);
        const firstAt = <i32>((<usize>y0 * inW + x0) * pixel);
        const rows = y1 - y0, cols = x1 - x0;
        for (let ch = 0; ch < c4; ch += 4) {
          const o = <usize>ch << 2;
          // best values and, per lane, the byte offset of the pixel they came from
          let best = v128.load(image + <usize>firstAt + o);
          let at = i32x4.splat(firstAt);
          let rowAt = firstAt;
          for (let i = 0; i < rows; i++) {
            let p = rowAt;
            for (let j = 0; j < cols; j++) {
              const v = v128.load(image + <usize>p + o);
              const take = beats(v, best);
              best = v128.bitselect(v, best, take);
              at = v128.bitselect(i32x4.splat(p), at, take);
              p += <i32>pixel;
            }
            rowAt += line;
          }
          // with relu, a lane whose chosen element is not > 0 adds +0 (every window that chooses it does the same)
          let d = v128.load(g + o);
          if (relu) d = v128.and(d, f32x4.gt(best, zero));
          if (tiled) {
            d = f32x4.add(zero, d);
            rowAt = firstAt;
            for (let i = 0; i < rows; i++) {
              let p = rowAt;
              for (let j = 0; j < cols; j++) {
                v128.store(grad + <usize>p + o, v128.and(d, i32x4.eq(at, i32x4.splat(p))));
                p += <i32>pixel;
              }
              rowAt += line;
            }
            continue;
          }
          let e = grad + o + <usize>i32x4.extract_lane(at, 0);
          store<f32>(e, load<f32>(e) + f32x4.extract_lane(d, 0));
          e = grad + o + <usize>i32x4.extract_lane(at, 1);
          store<f32>(e, load<f32>(e, 4) + f32x4.extract_lane(d, 1), 4);
          e = grad + o + <usize>i32x4.extract_lane(at, 2);
          store<f32>(e, load<f32>(e, 8) + f32x4.extract_lane(d, 2), 8);
          e = grad + o + <usize>i32x4.extract_lane(at, 3);
          store<f32>(e, load<f32>(e, 12) + f32x4.extract_lane(d, 3), 12);
        }
        for (let ch = c4; ch < c; ch++) {
          const o = <usize>ch << 2;
          let best = load<f32>(image + <usize>firstAt + o);
          let at = firstAt;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const p = <i32>((<usize>iy * inW + ix) * pixel);
              const v = load<f32>(image + <usize>p + o);
              if (beats1(v, best)) { best = v; at = p; }
            }
          }
          const d: f32 = !relu || best > 0 ? load<f32>(g + o) : 0;
          if (tiled) {
            for (let iy = y0; iy < y1; iy++) {
              for (let ix = x0; ix < x1; ix++) {
                const p = <i32>((<usize>iy * inW + ix) * pixel);
                store<f32>(grad + o + <usize>p, p == at ? <f32>0 + d : 0);
              }
            }
            continue;
          }
          const e = grad + o + <usize>at;
          store<f32>(e, load<f32>(e) + d);
        }
        g += pixel;
      }
      if (tiled && rightBytes) {
        const right = grad + <usize>line - rightBytes;
        for (let iy = y0; iy < y1; iy++) memory.fill(right + <usize>iy * line, 0, rightBytes);
      }
    }
    if (tiled && coveredH < inH) memory.fill(grad + <usize>coveredH * line, 0, <usize>(inH - coveredH) * line);
  }
}

/** y[b,oy,ox,ch] = (Σ over the window's elements inside the image, in (ky, kx) order) / (their count) */
export function avgPool(
  x: usize, y: usize, n: i32, inH: i32, inW: i32, c: i32, poolH: i32, poolW: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
): void {
  if (DEBUG) { check(x, <i64>n * inH * inW * c, 'avgPool: x'); check(y, <i64>n * outH * outW * c, 'avgPool: y'); }
  const c4 = c & ~3, pixel = <usize>c << 2;
  let out = y;
  for (let b = 0; b < n; b++) {
    const image = x + <usize>b * inH * inW * pixel;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = max(0, oy * strideH - padTop), y1 = min(inH, oy * strideH - padTop + poolH);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = max(0, ox * strideW - padLeft), x1 = min(inW, ox * strideW - padLeft + poolW);
        const count = <f32>((y1 - y0) * (x1 - x0));
        for (let ch = 0; ch < c4; ch += 4) {
          const o = <usize>ch << 2;
          let sum = f32x4.splat(0);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) sum = f32x4.add(sum, v128.load(image + (<usize>iy * inW + ix) * pixel + o));
          }
          v128.store(out + o, f32x4.div(sum, f32x4.splat(count)));
        }
        for (let ch = c4; ch < c; ch++) {
          const o = <usize>ch << 2;
          let sum: f32 = 0;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) sum += load<f32>(image + (<usize>iy * inW + ix) * pixel + o);
          }
          store<f32>(out + o, sum / count);
        }
        out += pixel;
      }
    }
  }
}

/** dx = 0, then for every window and channel: each element inside the image gets dx += dy[b,oy,ox,ch] / count */
export function avgPoolBackward(
  dy: usize, dx: usize, n: i32, inH: i32, inW: i32, c: i32, poolH: i32, poolW: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
): void {
  if (DEBUG) {
    check(dy, <i64>n * outH * outW * c, 'avgPoolBackward: dy'); check(dx, <i64>n * inH * inW * c, 'avgPoolBackward: dx');
  }
  memory.fill(dx, 0, <usize>n * inH * inW * c << 2);
  const c4 = c & ~3, pixel = <usize>c << 2;
  let g = dy;
  for (let b = 0; b < n; b++) {
    const grad = dx + <usize>b * inH * inW * pixel;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = max(0, oy * strideH - padTop), y1 = min(inH, oy * strideH - padTop + poolH);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = max(0, ox * strideW - padLeft), x1 = min(inW, ox * strideW - padLeft + poolW);
        const count = <f32>((y1 - y0) * (x1 - x0));
        for (let ch = 0; ch < c4; ch += 4) {
          const o = <usize>ch << 2;
          const share = f32x4.div(v128.load(g + o), f32x4.splat(count));
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const e = grad + (<usize>iy * inW + ix) * pixel + o;
              v128.store(e, f32x4.add(v128.load(e), share));
            }
          }
        }
        for (let ch = c4; ch < c; ch++) {
          const o = <usize>ch << 2;
          const share = load<f32>(g + o) / count;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const e = grad + (<usize>iy * inW + ix) * pixel + o;
              store<f32>(e, load<f32>(e) + share);
            }
          }
        }
        g += pixel;
      }
    }
  }
}
