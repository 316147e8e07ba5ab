import { check, checkRange, DEBUG } from './lib/check';
import { addRowsInto, filterDirect, forwardDirect, windowsInside } from './lib/conv-direct';
import { matmul, matmulTransAAdd, matmulTransBPacked } from './matmul';
import { maxPool } from './pool';

// 2-D convolution, channels-last, lowered to the packed matmul of matmul.ts (im2col / col2im):
//   x [n, inH, inW, inC], w [kh, kw, inC, outC] (Keras/TF.js layout), y [n, outH, outW, outC]
//   y[b, oy, ox, o] = Σ_{ky, kx, ci} x[b, oy·strideH − padTop + ky, ox·strideW − padLeft + kx, ci] · w[ky, kx, ci, o]
// where x outside the image is 0 (padding). Flattened, w is a matrix [K = kh·kw·inC, outC] and y a matrix
// [M = n·outH·outW, outC]; row r = (b, oy, ox) of the patch matrix cols[M, K] holds the K inputs of that window in
// w's row order (ky, kx, ci), which in NHWC is kh runs of kw·inC contiguous floats. Then
//   forward           y  = cols · w                (matmul)
//   filter gradient   dw = colsᵀ · dy              (matmulTransA, continued block by block)
//   input gradient    dx = col2im(dy · wᵀ)         (matmulTransB, then each patch row added back into dx)
// conv2d adds the bias and applies relu to each block of rows as it is computed (biasActivation); the filter gradient
// sums the bias's gradient (sumRows's arithmetic) from each block of dy it reads, so that dy is read once for both.
//
// cols is built CONV_BLOCK_FLOATS at a time (rows [r0, r0 + R), R = blockRows) in the caller's scratch, so the
// scratch stays small and in cache whatever the batch. Results do not depend on the blocking: matmul sums every output
// over p in order from +0, matmulTransAAdd continues each dw sum from the stored value, and the input gradient takes
// matmulTransB's packed path (the same order) for every block, however few its rows. So the worker pool may cut a
// call by images (forward, input gradient) or by filter rows ky (filter gradient, conv2dBackwardFilterRows) and get
// the bits of one thread.
//
// Where every window lies inside the image ('valid' padding, or a 1×1 kernel), the forward pass and the filter
// gradient read the patch matrix in place instead (lib/conv-direct.ts: a table of window corners, micro-kernels that
// compute the same sums in the same order, so the same bits). The input gradient always goes through col2im.
//
// Measured (Node 20, the 2-core machine shared with other jobs, so candidates timed interleaved in one process):
// - Direct loop or im2col for one input channel (the MNIST first layer, 28×28×1 → 26×26×32, 3×3, batch 64)? A direct
//   loop (each output pixel's 32 sums in eight f32x4 accumulators over the 9 taps, read in place) against im2col +
//   matmul: 12.9 against 15.0 GFLOP/s with the machine quiet. Building the patch matrix was then two thirds of that
//   layer's time; copying by image row (`patches` below) brought it to about 40%. The direct path now takes 4 windows ×
//   8 filters per micro-kernel (the matmul's 4×8 tile, its rows read in place through the corner table) and beat
//   im2col in the A/B of bench/ab-conv.ts (11 rounds, load average ≈ 9, ceiling 31.2 GFLOP/s): first layer forward
//   16.5 → 23.8 GFLOP/s and filter gradient 19.4 → 26.9; second layer (13×13×32 → 11×11×64) forward 32.1 → 42.7 and
//   filter gradient 33.9 → 36.8 (its input gradient, unchanged, 32.5).
// - Blocks of 2^13 … 2^24 floats (up to the whole matrix) measured alike within the noise; 2^16 (256 KiB) stays in L2.

/** floats of the patch matrix built at once (src/backends/conv-geometry.ts holds the same number, and sizes the
 *  scratch from it: test/backends/wasm-constants.test.ts compares the two) */
export const CONV_BLOCK_FLOATS: i32 = 1 << 16;

/** rows of the patch matrix per block: a multiple of 4 (the matmul's row blocks), at least 4, at most M */
// @ts-ignore: decorator
@inline
function blockRows(M: i32, K: i32): i32 {
  return min(M, max(4, (CONV_BLOCK_FLOATS / max(K, 1)) & ~3));
}

/** dst[0..len) = src[0..len) */
// @ts-ignore: decorator
@inline
function copyFloats(dst: usize, src: usize, len: i32): void {
  let j = 0;
  for (; j + 4 <= len; j += 4) v128.store(dst + (<usize>j << 2), v128.load(src + (<usize>j << 2)));
  for (; j < len; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
}

/** dst[0..len) = 0 */
// @ts-ignore: decorator
@inline
function zeroFloats(dst: usize, len: i32): void {
  let j = 0;
  const z = f32x4.splat(0);
  for (; j + 4 <= len; j += 4) v128.store(dst + (<usize>j << 2), z);
  for (; j < len; j++) store<f32>(dst + (<usize>j << 2), 0);
}

/** dst[0..len) += src[0..len) */
// @ts-ignore: decorator
@inline
function addFloats(dst: usize, src: usize, len: i32): void {
  let j = 0;
  for (; j + 4 <= len; j += 4) {
    const o = <usize>j << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; j < len; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/**
 * Rows [r0, r0 + rows) of the patch matrix into cols, only the taps of kernel rows ky0 ≤ ky < ky1 (row stride
 * (ky1 − ky0)·kw·inC floats; the whole row is ky0 = 0, ky1 = kh), or with `back` the reverse: each patch
 * row added into dx at the positions it was read from (col2im; padding positions are dropped). Rows come in runs of
 * one image row (b, oy); within a run each ky reads one input row, and the windows that lie wholly inside it
 * (oxIn0 ≤ ox < oxIn1) are one contiguous copy of kw·inC floats each.
 */
function patches(
  x: usize, cols: usize, r0: i32, rows: i32, back: bool,
  inH: i32, inW: i32, inC: i32, kh: i32, kw: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, ky0: i32, ky1: i32,
): void {
  const K = (ky1 - ky0) * kw * inC, run = kw * inC;
  const rowBytes = <usize>K << 2, runBytes = <usize>run << 2, pixel = <usize>inC << 2;
  const lineBytes = <usize>inW * pixel, imageBytes = <usize>inH * lineBytes;
  const oxIn0 = (padLeft + strideW - 1) / strideW;
  const oxIn1 = inW - kw + padLeft >= 0 ? (inW - kw + padLeft) / strideW + 1 : 0;
  let b = r0 / (outH * outW), rest = r0 % (outH * outW);
  let oy = rest / outW, ox = rest % outW;
  let r = 0;
  while (r < rows) {
    const count = min(outW - ox, rows - r);
    const first = cols + <usize>r * rowBytes;
    for (let ky = ky0; ky < ky1; ky++) {
      const iy = oy * strideH - padTop + ky;
      let d = first + <usize>(ky - ky0) * runBytes;
      if (iy < 0 || iy >= inH) {
        if (!back) for (let t = 0; t < count; t++) zeroFloats(d + <usize>t * rowBytes, run);
        continue;
      }
      const line = x + <usize>b * imageBytes + <usize>iy * lineBytes;
      for (let t = 0; t < count; t++) {
        const o = ox + t, ix0 = o * strideW - padLeft;
        if (o >= oxIn0 && o < oxIn1) {
          const src = line + <usize>ix0 * pixel;
          if (back) addFloats(src, d, run);
          else copyFloats(d, src, run);
        } else {
          // the kx whose column lies inside the image: [kx0, kx1)
          const kx0 = min(kw, max(0, -ix0)), kx1 = max(kx0, min(kw, inW - ix0));
          const before = kx0 * inC, inside = (kx1 - kx0) * inC;
          const src = line + <usize>(ix0 + kx0) * pixel;
          if (back) {
            if (inside > 0) addFloats(src, d + (<usize>before << 2), inside);
          } else {
            zeroFloats(d, before);
            if (inside > 0) copyFloats(d + (<usize>before << 2), src, inside);
            zeroFloats(d + (<usize>(before + inside) << 2), run - before - inside);
          }
        }
        d += rowBytes;
      }
    }
    r += count;
    ox += count;
    if (ox == outW) {
      ox = 0;
      if (++oy == outH) { oy = 0; b++; }
    }
  }
}

/** conv2d's `activation` argument: 0 leaves y linear, CONV_RELU applies max(·, 0) after the bias (the same code in
 *  src/backends/conv-geometry.ts: test/backends/wasm-constants.test.ts compares the two) */
export const CONV_RELU: i32 = 1;

/**
 * y[rows of y, outC] += b (when b ≠ 0), then max(·, 0) (activation CONV_RELU): addRowVector's and relu's arithmetic
 * (f32 add, then f32 max against +0), so the same bits as those kernels run after conv2d. It runs on rows just
 * written, still in cache, instead of two more passes over the whole output.
 */
function biasActivation(y: usize, rows: i32, outC: i32, b: usize, activation: i32): void {
  if (b == 0 && activation != CONV_RELU) return;
  const n4 = outC & ~3, row = <usize>outC << 2, zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const yr = y + <usize>r * row;
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      let v = v128.load(yr + o);
      if (b != 0) v = f32x4.add(v, v128.load(b + o));
      if (activation == CONV_RELU) v = f32x4.max(v, zero);
      v128.store(yr + o, v);
    }
    for (; j < outC; j++) {
      const o = <usize>j << 2;
      let v = load<f32>(yr + o);
      if (b != 0) v += load<f32>(b + o);
      if (activation == CONV_RELU) v = max<f32>(v, 0);
      store<f32>(yr + o, v);
    }
  }
}

/**
 * y[b,oy,ox,o] = f(Σ_{ky,kx,ci} x[b, oy·sh − padTop + ky, ox·sw − padLeft + kx, ci] · w[ky,kx,ci,o] + bias[o])
 * (x outside: 0; no bias when `bias` is 0; f the identity, or relu when `activation` is CONV_RELU)
 */
export function conv2d(
  x: usize, w: usize, y: usize, scratch: usize,
  n: i32, inH: i32, inW: i32, inC: i32, kh: i32, kw: i32, outC: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, bias: usize, activation: i32,
  pooled: usize, poolH: i32, poolW: i32,
): void {
  conv2dRows(x, w, y, scratch, n, inH, inW, inC, kh, kw, outC, outH, outW, strideH, strideW, padTop, padLeft, bias, activation, 0, n * outH * outW, pooled, poolH, poolW);
}

/**
 * Rows [r0, r1) of conv2d's output (row r = (b, oy, ox) of y as a matrix [n·outH·outW, outC]), bit for bit: every row
 * is its own sums over p in order. Not a kernel of the contract: the worker pool's split of a forward pass by rows
 * (src/backends/wasm/threads/split.ts), which can cut even one image's output. With `pooled`, r0 and r1 lie where a
 * band of poolH output rows starts (poolBands), and the call pools the bands it computes.
 */
export function conv2dRows(
  x: usize, w: usize, y: usize, scratch: usize,
  n: i32, inH: i32, inW: i32, inC: i32, kh: i32, kw: i32, outC: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, bias: usize, activation: i32, r0: i32, r1: i32,
  pooled: usize, poolH: i32, poolW: i32,
): void {
  const M = n * outH * outW, K = kh * kw * inC, R = blockRows(M, K);
  if (DEBUG) {
    check(x, <i64>n * inH * inW * inC, 'conv2d: x'); check(w, <i64>K * outC, 'conv2d: w');
    check(y, <i64>M * outC, 'conv2d: y'); check(scratch, <i64>R * K, 'conv2d: scratch');
    if (bias != 0) check(bias, outC, 'conv2d: bias');
    checkRange(r0, r1, M, 'conv2dRows: rows out of range');
    if (pooled != 0) {
      if (poolH < 1 || poolW < 1 || poolH > outH || poolW > outW) abort('conv2d: pool larger than the output');
      check(pooled, <i64>n * (outH / poolH) * (outW / poolW) * outC, 'conv2d: pooled');
      const image = outH * outW, band = poolH * outW;
      if ((r0 % image) % band != 0 || (r1 < M && (r1 % image) % band != 0)) abort('conv2dRows: rows cut a pool band');
    }
  }
  let unpooled = r0; // the first row whose band is not pooled yet
  const direct = windowsInside(inH, inW, kh, kw, outH, outW, strideH, strideW, padTop, padLeft);
  // a block of rows at a time, built (im2col: R rows) or read in place (rows of about 32 KiB of y), then its bias
  // and activation while that block of y is in cache
  const step = direct ? min(R, max(4, (8192 / max(outC, 1)) & ~3)) : R;
  for (let b0 = r0; b0 < r1; b0 += step) {
    const rows = min(step, r1 - b0), yb = y + (<usize>b0 * outC << 2);
    if (direct) {
      forwardDirect(x, w, y, scratch, R * K, b0, rows, inH, inW, inC, kh, kw, outC, outH, outW, strideH, strideW);
    } else {
      patches(x, scratch, b0, rows, false, inH, inW, inC, kh, kw, outH, outW, strideH, strideW, padTop, padLeft, 0, kh);
      matmul(scratch, w, yb, rows, K, outC);
    }
    biasActivation(yb, rows, outC, bias, activation);
    if (pooled != 0) unpooled = poolBands(y, pooled, unpooled, b0 + rows, outH, outW, outC, poolH, poolW);
  }
}

/**
 * Max pooling (windows poolH × poolW, strides the same, no padding: Keras's default) of the finished rows
 * [from, to) of y, by bands of poolH output rows of one image, while they are in cache; returns the first row of the
 * first band not yet complete. An image's last outH mod poolH rows belong to no window and are skipped. Each band
 * goes through maxPool itself (one image poolH rows high), so `pooled` has the bits of maxPool on the whole of y.
 */
function poolBands(
  y: usize, pooled: usize, from: i32, to: i32, outH: i32, outW: i32, outC: i32, poolH: i32, poolW: i32,
): i32 {
  const image = outH * outW, band = poolH * outW, bands = outH / poolH, pw = outW / poolW;
  let r = from;
  while (r < to) {
    const b = r / image, k = (r - b * image) / band;
    if (k >= bands) {
      r = (b + 1) * image; // the rows left below the last band: no window
      continue;
    }
    if (r + band > to) break;
    const out = pooled + (<usize>((b * bands + k) * pw) * outC << 2);
    maxPool(y + (<usize>r * outC << 2), out, 1, poolH, outW, outC, poolH, poolW, 1, pw, poolH, poolW, 0, 0);
    r += band;
  }
  return r;
}

/** dx[b,iy,ix,ci] = Σ over the (b,oy,ox,ky,kx) that read x[b,iy,ix,ci] of Σ_o dy[b,oy,ox,o] · w[ky,kx,ci,o] */
export function conv2dBackwardInput(
  dy: usize, w: usize, dx: usize, scratch: usize,
  n: i32, inH: i32, inW: i32, inC: i32, kh: i32, kw: i32, outC: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
): void {
  const M = n * outH * outW, K = kh * kw * inC, R = blockRows(M, K);
  if (DEBUG) {
    check(dy, <i64>M * outC, 'conv2dBackwardInput: dy'); check(w, <i64>K * outC, 'conv2dBackwardInput: w');
    check(dx, <i64>n * inH * inW * inC, 'conv2dBackwardInput: dx'); check(scratch, <i64>R * K, 'conv2dBackwardInput: scratch');
  }
  zeroFloats(dx, n * inH * inW * inC);
  for (let r0 = 0; r0 < M; r0 += R) {
    const rows = min(R, M - r0);
    matmulTransBPacked(dy + (<usize>r0 * outC << 2), w, scratch, rows, outC, K);
    patches(dx, scratch, r0, rows, true, inH, inW, inC, kh, kw, outH, outW, strideH, strideW, padTop, padLeft, 0, kh);
  }
}

/** dw[ky,kx,ci,o] = Σ_{b,oy,ox} x[b, oy·sh − padTop + ky, ox·sw − padLeft + kx, ci] · dy[b,oy,ox,o]  (x outside: 0);
 *  with db ≠ 0 also the bias's gradient db[o] = Σ_{b,oy,ox} dy[b,oy,ox,o], the bits of sumRows */
export function conv2dBackwardFilter(
  x: usize, dy: usize, dw: usize, scratch: usize,
  n: i32, inH: i32, inW: i32, inC: i32, kh: i32, kw: i32, outC: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, db: usize,
): void {
  const M = n * outH * outW, K = kh * kw * inC, R = blockRows(M, K);
  if (DEBUG) {
    check(x, <i64>n * inH * inW * inC, 'conv2dBackwardFilter: x'); check(dy, <i64>M * outC, 'conv2dBackwardFilter: dy');
    check(dw, <i64>K * outC, 'conv2dBackwardFilter: dw'); check(scratch, <i64>R * K, 'conv2dBackwardFilter: scratch');
    if (db != 0) check(db, outC, 'conv2dBackwardFilter: db');
  }
  if (windowsInside(inH, inW, kh, kw, outH, outW, strideH, strideW, padTop, padLeft)) {
    zeroFloats(dw, K * outC);
    if (db != 0) zeroFloats(db, outC);
    filterDirect(x, dy, dw, scratch, R * K, 0, M, inH, inW, inC, kh, kw, outC, outH, outW, strideH, strideW, 0, K, 0, outC, db);
    return;
  }
  conv2dBackwardFilterRows(x, dy, dw, scratch, n, inH, inW, inC, kh, kw, outC, outH, outW, strideH, strideW, padTop, padLeft, 0, kh, db);
}

/** Both gradients of a convolution, conv2dBackwardInput's dx and conv2dBackwardFilter's dw (and db when db ≠ 0), with
 *  their bits: the two kernels one after the other. On two threads the worker pool runs it as a chain over the images
 *  instead (conv2dBackwardStage), so that each thread reads only its half of the batch. */
export function conv2dBackward(
  x: usize, dy: usize, w: usize, dx: usize, dw: usize, scratch: usize,
  n: i32, inH: i32, inW: i32, inC: i32, kh: i32, kw: i32, outC: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, db: usize,
): void {
  conv2dBackwardInput(dy, w, dx, scratch, n, inH, inW, inC, kh, kw, outC, outH, outW, strideH, strideW, padTop, padLeft);
  conv2dBackwardFilter(x, dy, dw, scratch, n, inH, inW, inC, kh, kw, outC, outH, outW, strideH, strideW, padTop, padLeft, db);
}

/**
 * One of the two stages of conv2dBackward on two threads, where every window lies inside the image (the filter
 * gradient read in place): a chain over the images that keeps each thread on its own half of the batch (x, dy, dx).
 * - stage 0 (the calling thread): dw and db summed over the images below nCut from +0, `progress` set to 1, then dx
 *   of those images;
 * - stage 1 (the worker): dx of the images from nCut on, then, once `progress` is set, dw and db summed on over its
 *   images from the values stage 0 stored.
 * filterDirect and addRowsInto continue every sum over the rows in order from the stored value, so dw and db are the
 * whole kernel's sums, bit for bit; dx of an image depends on that image alone. Stage 1's wait is short when the two
 * gradients take about as long (stage 0's filter half runs beside stage 1's input half). The caller resets `progress`
 * to 0 before the call and sets it if stage 0 throws. (Not a kernel of the contract: the worker pool's split of
 * conv2dBackward, src/backends/wasm/threads/split.ts.)
 */
export function conv2dBackwardStage(
  x: usize, dy: usize, w: usize, dx: usize, dw: usize, scratch: usize,
  n: i32, inH: i32, inW: i32, inC: i32, kh: i32, kw: i32, outC: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, db: usize, nCut: i32, stage: i32, progress: usize,
): void {
  const M = n * outH * outW, K = kh * kw * inC, R = blockRows(M, K);
  const M0 = nCut * outH * outW, inImage = inH * inW * inC;
  if (DEBUG) {
    check(x, <i64>n * inImage, 'conv2dBackwardStage: x'); check(dy, <i64>M * outC, 'conv2dBackwardStage: dy');
    check(w, <i64>K * outC, 'conv2dBackwardStage: w'); check(dx, <i64>n * inImage, 'conv2dBackwardStage: dx');
    check(dw, <i64>K * outC, 'conv2dBackwardStage: dw'); check(scratch, <i64>R * K, 'conv2dBackwardStage: scratch');
    if (db != 0) check(db, outC, 'conv2dBackwardStage: db');
    check(progress, 1, 'conv2dBackwardStage: progress');
    if (!windowsInside(inH, inW, kh, kw, outH, outW, strideH, strideW, padTop, padLeft))
      abort('conv2dBackwardStage: padded geometry');
    assert(nCut > 0 && nCut < n && (stage == 0 || stage == 1), 'conv2dBackwardStage: bad stage');
  }
  if (stage == 0) {
    zeroFloats(dw, K * outC);
    if (db != 0) zeroFloats(db, outC);
    filterDirect(x, dy, dw, scratch, R * K, 0, M0, inH, inW, inC, kh, kw, outC, outH, outW, strideH, strideW, 0, K, 0, outC, db);
    atomic.store<i32>(progress, 1);
    conv2dBackwardInput(dy, w, dx, scratch, nCut, inH, inW, inC, kh, kw, outC, outH, outW, strideH, strideW, padTop, padLeft);
    return;
  }
  conv2dBackwardInput(
    dy + (<usize>M0 * outC << 2), w, dx + (<usize>nCut * inImage << 2), scratch,
    n - nCut, inH, inW, inC, kh, kw, outC, outH, outW, strideH, strideW, padTop, padLeft,
  );
  while (atomic.load<i32>(progress) == 0) {} // stage 0's half of the filter gradient, on the other core
  filterDirect(x, dy, dw, scratch, R * K, M0, M - M0, inH, inW, inC, kh, kw, outC, outH, outW, strideH, strideW, 0, K, 0, outC, db);
}

/** Whether conv2dBackwardFilter reads the patch matrix in place for this geometry (every window inside the image):
 *  then the worker pool cuts it by blocks of taps or filters (conv2dBackwardFilterBlock), else by kernel rows
 *  (conv2dBackwardFilterRows). */
export function convWindowsInside(
  inH: i32, inW: i32, kh: i32, kw: i32, outH: i32, outW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
): bool {
  return windowsInside(inH, inW, kh, kw, outH, outW, strideH, strideW, padTop, padLeft);
}

/** the block of taps p0 ≤ p < p1 (rows of dw as a [K, outC] matrix) and filters j0 ≤ j < j1 of conv2dBackwardFilter's
 *  dw, bit for bit, where every window lies inside the image (convWindowsInside): the patch matrix read in place, each
 *  thread over the whole batch for its block. The block holding tap 0 also writes db[j0 .. j1) when db ≠ 0, so a call
 *  cut into blocks writes every bias gradient once. Not a kernel of the contract: the worker pool's split of a filter
 *  gradient, by filters or by taps (src/backends/wasm/threads/split.ts says which). */
export function conv2dBackwardFilterBlock(
  x: usize, dy: usize, dw: usize, scratch: usize,
  n: i32, inH: i32, inW: i32, inC: i32, kh: i32, kw: i32, outC: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, p0: i32, p1: i32, j0: i32, j1: i32, db: usize,
): void {
  const M = n * outH * outW, K = kh * kw * inC, R = blockRows(M, K);
  if (DEBUG) {
    check(x, <i64>n * inH * inW * inC, 'conv2dBackwardFilterBlock: x'); check(dy, <i64>M * outC, 'conv2dBackwardFilterBlock: dy');
    check(dw, <i64>K * outC, 'conv2dBackwardFilterBlock: dw'); check(scratch, <i64>R * K, 'conv2dBackwardFilterBlock: scratch');
    if (!windowsInside(inH, inW, kh, kw, outH, outW, strideH, strideW, padTop, padLeft))
      abort('conv2dBackwardFilterBlock: padded geometry');
    checkRange(p0, p1, K, 'conv2dBackwardFilterBlock: taps out of range');
    checkRange(j0, j1, outC, 'conv2dBackwardFilterBlock: filters out of range');
  }
  for (let p = p0; p < p1; p++) zeroFloats(dw + (<usize>(p * outC + j0) << 2), j1 - j0);
  const bias: usize = p0 == 0 ? db : 0;
  if (bias != 0) zeroFloats(bias + (<usize>j0 << 2), j1 - j0);
  filterDirect(x, dy, dw, scratch, R * K, 0, M, inH, inW, inC, kh, kw, outC, outH, outW, strideH, strideW, p0, p1, j0, j1, bias);
}

/** the rows ky0 ≤ ky < ky1 of conv2dBackwardFilter's dw, bit for bit, building only those taps of the patch matrix
 *  (scratch: blockRows(M, K')·K' floats, K' = (ky1 − ky0)·kw·inC); the block holding ky = 0 also writes db when
 *  db ≠ 0. Not a kernel of the contract: the worker pool's split of a filter gradient, by kernel rows
 *  (src/backends/wasm/threads/split.ts). Always im2col: the direct path (lib/conv-direct.ts) has no ky range, and gives
 *  the same bits. */
export function conv2dBackwardFilterRows(
  x: usize, dy: usize, dw: usize, scratch: usize,
  n: i32, inH: i32, inW: i32, inC: i32, kh: i32, kw: i32, outC: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, ky0: i32, ky1: i32, db: usize,
): void {
  const M = n * outH * outW, K = (ky1 - ky0) * kw * inC, R = blockRows(M, K);
  const dw0 = dw + (<usize>ky0 * kw * inC * outC << 2);
  const bias: usize = ky0 == 0 ? db : 0;
  zeroFloats(dw0, K * outC);
  if (bias != 0) zeroFloats(bias, outC);
  for (let r0 = 0; r0 < M; r0 += R) {
    const rows = min(R, M - r0);
    const dyBlock = dy + (<usize>r0 * outC << 2);
    patches(x, scratch, r0, rows, false, inH, inW, inC, kh, kw, outH, outW, strideH, strideW, padTop, padLeft, ky0, ky1);
    matmulTransAAdd(scratch, dyBlock, dw0, rows, K, outC);
    if (bias != 0) addRowsInto(dyBlock, <usize>outC << 2, rows, bias, 0, outC);
  }
}
