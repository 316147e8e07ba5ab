import { check, checkRange, DEBUG } from './lib/check';
import { madd } from './lib/simd';
import { bPack, LIST_CAPACITY } from './lib/scratch';
import { matmulCols, matmulTransARows, zero } from './matmul';

// ---- zero-skipping kernels for one-sample steps -------------------------------------------------------------------
// Inputs such as MNIST pixels are mostly exact zeros. These kernels leave out every term whose x is exactly 0 (±0)
// and otherwise sum in matmul's order (p, or i, ascending, one rounded term at a time from +0): a left-out term
// would have added fl(0·w) = ±0, which changes no sum that is not −0, and these sums never are (they start at +0,
// and +0 + −0 = +0). So for finite w and dy the results are bit-identical to matmul, and to matmulTransA followed
// by sgdStep. NOTE: a NaN or ±Inf in w (or dy) facing an exact zero of x is left out too, where matmul gives NaN.

/** Write the positions p of the non-zero x[p] (0 ≤ p < len) to `list` (int32); returns their count. */
function nonZeros(x: usize, len: i32, list: usize): i32 {
  let count = 0;
  const len4 = len & ~3;
  const z = zero();
  let p = 0;
  for (; p < len4; p += 4) {
    // ne is true for NaN: NaN is not zero and is kept
    const bits = i32x4.bitmask(f32x4.ne(v128.load(x + (<usize>p << 2)), z));
    if (bits == 0) continue; // runs of zeros (an image's background) skip in one predictable branch
    // without branches inside a group: write every position, advance past the non-zero ones
    let at = list + (<usize>count << 2);
    store<i32>(at, p); at += (bits & 1) << 2;
    store<i32>(at, p + 1); at += ((bits >> 1) & 1) << 2;
    store<i32>(at, p + 2); at += ((bits >> 2) & 1) << 2;
    store<i32>(at, p + 3); at += ((bits >> 3) & 1) << 2;
    count = <i32>((at - list) >> 2);
  }
  for (; p < len; p++) {
    if (load<f32>(x + (<usize>p << 2)) != 0) { store<i32>(list + (<usize>count << 2), p); count++; }
  }
  return count;
}

/** y[0, j..j+32] (+)= Σ over the listed p of x[p] · w[p, j..j+32] (8 accumulators) */
function skipRow32(x: usize, w: usize, wRow: usize, y: usize, list: usize, count: i32, accumulate: bool): void {
  let c0 = zero(), c1 = zero(), c2 = zero(), c3 = zero(), c4 = zero(), c5 = zero(), c6 = zero(), c7 = zero();
  if (accumulate) {
    c0 = v128.load(y); c1 = v128.load(y, 16); c2 = v128.load(y, 32); c3 = v128.load(y, 48);
    c4 = v128.load(y, 64); c5 = v128.load(y, 80); c6 = v128.load(y, 96); c7 = v128.load(y, 112);
  }
  for (let t = 0; t < count; t++) {
    const p = <usize>load<i32>(list + (<usize>t << 2));
    const s = v128.load32_splat(x + (p << 2));
    const b = w + p * wRow;
    c0 = madd(s, v128.load(b), c0); c1 = madd(s, v128.load(b, 16), c1);
    c2 = madd(s, v128.load(b, 32), c2); c3 = madd(s, v128.load(b, 48), c3);
    c4 = madd(s, v128.load(b, 64), c4); c5 = madd(s, v128.load(b, 80), c5);
    c6 = madd(s, v128.load(b, 96), c6); c7 = madd(s, v128.load(b, 112), c7);
  }
  v128.store(y, c0); v128.store(y, c1, 16); v128.store(y, c2, 32); v128.store(y, c3, 48);
  v128.store(y, c4, 64); v128.store(y, c5, 80); v128.store(y, c6, 96); v128.store(y, c7, 112);
}

/** y[0, j..j+8] (+)= Σ over the listed p of x[p] · w[p, j..j+8] */
function skipRow8(x: usize, w: usize, wRow: usize, y: usize, list: usize, count: i32, accumulate: bool): void {
  let c0 = zero(), c1 = zero();
  if (accumulate) { c0 = v128.load(y); c1 = v128.load(y, 16); }
  for (let t = 0; t < count; t++) {
    const p = <usize>load<i32>(list + (<usize>t << 2));
    const s = v128.load32_splat(x + (p << 2));
    const b = w + p * wRow;
    c0 = madd(s, v128.load(b), c0); c1 = madd(s, v128.load(b, 16), c1);
  }
  v128.store(y, c0); v128.store(y, c1, 16);
}

/** y[0, j..j+4] (+)= Σ over the listed p of x[p] · w[p, j..j+4] */
function skipRow4(x: usize, w: usize, wRow: usize, y: usize, list: usize, count: i32, accumulate: bool): void {
  let c0 = accumulate ? v128.load(y) : zero();
  for (let t = 0; t < count; t++) {
    const p = <usize>load<i32>(list + (<usize>t << 2));
    c0 = madd(v128.load32_splat(x + (p << 2)), v128.load(w + p * wRow), c0);
  }
  v128.store(y, c0);
}

/** y[0, j] (+)= Σ over the listed p of x[p] · w[p, j]: the same arithmetic as one lane of skipRow4 */
function skipRow1(x: usize, w: usize, wRow: usize, y: usize, list: usize, count: i32, accumulate: bool): void {
  let c0 = accumulate ? v128.load32_zero(y) : zero();
  for (let t = 0; t < count; t++) {
    const p = <usize>load<i32>(list + (<usize>t << 2));
    c0 = madd(v128.load32_splat(x + (p << 2)), v128.load32_zero(w + p * wRow), c0);
  }
  store<f32>(y, f32x4.extract_lane(c0, 0));
}

/**
 * When leaving out the zero terms beats the dense kernels on a batch, measured on 32…128 rows of 128…784 inputs with
 * zeros at random places: at most 30% non-zero (1.2–1.8× faster there, 2.5–5× at 10%; MNIST images have about 19%
 * non-zero pixels, in runs that skip faster still), and at least 32 outputs (with fewer, each kept term costs more
 * than the dense kernels' whole row). Exported (assembly/index.ts) so that a test checks that src/backends/kernels.ts,
 * which the JS backend reads, holds the same two numbers.
 */
export const SPARSE_SHARE: f64 = 0.3;
export const SPARSE_MIN_N: i32 = 32;

// @ts-ignore: decorator
@inline
function skipPays(x: usize, m: i32, k: i32, n: i32): bool {
  return n >= SPARSE_MIN_N && sparseEnough(x, m * k);
}

/** Whether matmulSkipZeros and matmulTransASkipZeros skip the zeros of this batch's x (else they run the dense
 *  product): what their work is, for the worker pool's least work per chunk (src/backends/wasm/threads/split.ts). */
export function skipsZeros(x: usize, m: i32, k: i32, n: i32): bool {
  if (DEBUG) check(x, <i64>m * k, 'skipsZeros: x');
  return skipPays(x, m, k, n);
}

/** Whether at most SPARSE_SHARE of x[0..len) is non-zero (NaN counts as non-zero); stops counting once it is not. */
function sparseEnough(x: usize, len: i32): bool {
  const limit = <i32>(<f64>len * SPARSE_SHARE);
  const len4 = len & ~3, z = zero();
  let count = 0, p = 0;
  while (p < len4) {
    const end = min(len4, p + 256);
    for (; p < end; p += 4) count += popcnt<i32>(i32x4.bitmask(f32x4.ne(v128.load(x + (<usize>p << 2)), z)));
    if (count > limit) return false;
  }
  for (; p < len; p++) if (load<f32>(x + (<usize>p << 2)) != 0) count++;
  return count <= limit;
}

/** y[m,n] = x[m,k] · w[k,n], leaving out the terms where x[i,p] == 0: for finite w, bit-identical to matmul.
 *  A batch (m > 1) that is not sparse enough for that to pay goes to matmul itself. */
export function matmulSkipZeros(x: usize, w: usize, y: usize, m: i32, k: i32, n: i32): void {
  if (DEBUG) {
    check(x, <i64>m * k, 'matmulSkipZeros: x'); check(w, <i64>k * n, 'matmulSkipZeros: w');
    check(y, <i64>m * n, 'matmulSkipZeros: y');
  }
  matmulSkipZerosCols(x, w, y, m, k, n, 0, n);
}

/** columns j0 ≤ j < j1 of matmulSkipZeros, bit for bit; whether skipping pays is judged on the whole call, as there
 *  (not a kernel of the contract: the worker pool's split of a wide product by columns, src/backends/wasm/threads/) */
export function matmulSkipZerosCols(x: usize, w: usize, y: usize, m: i32, k: i32, n: i32, j0: i32, j1: i32): void {
  if (DEBUG) {
    check(x, <i64>m * k, 'matmulSkipZerosCols: x'); check(w, <i64>k * n, 'matmulSkipZerosCols: w');
    check(y, <i64>m * n, 'matmulSkipZerosCols: y');
    checkRange(j0, j1, n, 'matmulSkipZerosCols: columns out of range');
  }
  if (m > 1 && !skipPays(x, m, k, n)) {
    matmulCols(x, w, y, m, k, n, j0, j1);
    return;
  }
  const list = bPack(), wRow = <usize>n << 2;
  for (let i = 0; i < m; i++) skipRowSpan(x + <usize>i * k * 4, w, wRow, y + <usize>i * wRow, 0, k, j0, j1, list);
}

/**
 * y[0, j0..j1) (+)= Σ over k0 ≤ p < k1 of x[p] · w[p, j0..j1), leaving out the zeros of x: from +0 when k0 is 0, else
 * going on from the sums stored in y (the list scratch at `list`)
 */
function skipRowSpan(x: usize, w: usize, wRow: usize, y: usize, k0: i32, k1: i32, j0: i32, j1: i32, list: usize): void {
  // k is cut in blocks that the list can hold; later blocks continue from the stored sums, as in gemm
  for (let p0 = k0; p0 < k1; ) {
    const len = min(LIST_CAPACITY, k1 - p0);
    const count = nonZeros(x + (<usize>p0 << 2), len, list);
    const x0 = x + (<usize>p0 << 2), w0 = w + <usize>p0 * wRow;
    const accumulate = p0 > 0;
    let j = j0;
    for (; j + 32 <= j1; j += 32) skipRow32(x0, w0 + (<usize>j << 2), wRow, y + (<usize>j << 2), list, count, accumulate);
    for (; j + 8 <= j1; j += 8) skipRow8(x0, w0 + (<usize>j << 2), wRow, y + (<usize>j << 2), list, count, accumulate);
    for (; j + 4 <= j1; j += 4) skipRow4(x0, w0 + (<usize>j << 2), wRow, y + (<usize>j << 2), list, count, accumulate);
    for (; j < j1; j++) skipRow1(x0, w0 + (<usize>j << 2), wRow, y + (<usize>j << 2), list, count, accumulate);
    p0 += len;
  }
}

/**
 * One of the two stages of matmulSkipZeros in the worker pool's pipeline (src/backends/wasm/threads/split.ts), bit for
 * bit: stage 0 sums each output over p < kCut from +0, stage 1 goes on from that sum over kCut ≤ p < k, which is
 * the whole kernel's order, one rounded term at a time. So each stage reads only its rows of w: the rows whose
 * weight gradient and optimizer step its thread computes, which then never move between the cores. The stages run
 * at once on two threads, a block of `rows` rows of x apart: stage 0 stores the count of rows it has finished in
 * the int32 at `progress` (zeroed by the caller), and stage 1 waits on that count before each block.
 * Where the whole kernel would not skip (x not sparse enough, judged on the whole x as there), the stages compute
 * the two halves of y's rows instead (the row split's blocks, bounds of 4 rows), and neither waits.
 * (Not a kernel of the contract: the worker pool's split of a product whose weights two threads own by halves.)
 */
export function matmulSkipZerosStage(
  x: usize, w: usize, y: usize, m: i32, k: i32, n: i32, kCut: i32, stage: i32, rows: i32, progress: usize,
): void {
  if (DEBUG) {
    check(x, <i64>m * k, 'matmulSkipZerosStage: x'); check(w, <i64>k * n, 'matmulSkipZerosStage: w');
    check(y, <i64>m * n, 'matmulSkipZerosStage: y'); check(progress, 1, 'matmulSkipZerosStage: progress');
    assert(kCut > 0 && kCut < k && (stage == 0 || stage == 1) && rows > 0, 'matmulSkipZerosStage: bad stage');
  }
  const wRow = <usize>n << 2;
  if (m > 1 && !skipPays(x, m, k, n)) {
    const mid = (m >> 3) << 2; // bounds(m, 2, 4)
    const lo = stage == 0 ? 0 : mid, hi = stage == 0 ? mid : m;
    if (hi > lo) matmulCols(x + <usize>lo * k * 4, w, y + <usize>lo * wRow, hi - lo, k, n, 0, n);
    if (stage == 0) atomic.store<i32>(progress, m);
    return;
  }
  const list = bPack();
  const k0 = stage == 0 ? 0 : kCut, k1 = stage == 0 ? kCut : k;
  for (let b0 = 0; b0 < m; b0 += rows) {
    const b1 = min(m, b0 + rows);
    if (stage == 1) while (atomic.load<i32>(progress) < b1) {} // stage 0 is a block ahead, on the other core
    for (let i = b0; i < b1; i++) skipRowSpan(x + <usize>i * k * 4, w, wRow, y + <usize>i * wRow, k0, k1, 0, n, list);
    if (stage == 0) atomic.store<i32>(progress, b1);
  }
}

/** d[0..n) += s · src[0..n), each element one rounded product and one rounded sum (madd, as gemm adds a term) */
// @ts-ignore: decorator
@inline
function addScaledRow(d: usize, src: usize, s: f32, n: i32): void {
  const sv = f32x4.splat(s), n4 = n & ~3, n16 = n & ~15;
  let j = 0;
  for (; j < n16; j += 16) {
    const o = <usize>j << 2, dj = d + o, sj = src + o;
    v128.store(dj, madd(sv, v128.load(sj), v128.load(dj)));
    v128.store(dj, madd(sv, v128.load(sj, 16), v128.load(dj, 16)), 16);
    v128.store(dj, madd(sv, v128.load(sj, 32), v128.load(dj, 32)), 32);
    v128.store(dj, madd(sv, v128.load(sj, 48), v128.load(dj, 48)), 48);
  }
  for (; j < n4; j += 4) {
    const o = <usize>j << 2;
    v128.store(d + o, madd(sv, v128.load(src + o), v128.load(d + o)));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(d + o, f32x4.extract_lane(madd(f32x4.splat(s), v128.load32_zero(src + o), v128.load32_zero(d + o)), 0));
  }
}

/**
 * dw[k,n] = x[m,k]ᵀ · dy[m,n], leaving out the terms where x[i,p] == 0: for finite dy, bit-identical to matmulTransA
 * (each dw[p, j] still gets its terms in the order of i, from +0). Row by row of x, each non-zero x[i, p] adds
 * x[i, p] · dy[i, :] to row p of dw. x not sparse enough for that to pay goes to matmulTransA itself.
 */
export function matmulTransASkipZeros(x: usize, dy: usize, dw: usize, m: i32, k: i32, n: i32): void {
  if (DEBUG) {
    check(x, <i64>m * k, 'matmulTransASkipZeros: x'); check(dy, <i64>m * n, 'matmulTransASkipZeros: dy');
    check(dw, <i64>k * n, 'matmulTransASkipZeros: dw');
  }
  matmulTransASkipZerosRows(x, dy, dw, m, k, n, 0, k);
}

/** rows k0 ≤ p < k1 of matmulTransASkipZeros, bit for bit; whether skipping pays is judged on the whole x, as there
 *  (not a kernel of the contract: the worker pool's split of a weight gradient, src/backends/wasm/threads/) */
export function matmulTransASkipZerosRows(x: usize, dy: usize, dw: usize, m: i32, k: i32, n: i32, k0: i32, k1: i32): void {
  if (!skipPays(x, m, k, n)) {
    matmulTransARows(x, dy, dw, m, k, n, k0, k1);
    return;
  }
  const row = <usize>n << 2, list = bPack(), xRow = <usize>k << 2;
  memory.fill(dw + <usize>k0 * row, 0, <usize>(k1 - k0) * row);
  for (let i = 0; i < m; i++) {
    const xi = x + <usize>i * xRow, di = dy + <usize>i * row;
    let p0 = k0;
    while (p0 < k1) {
      const len = min(LIST_CAPACITY, k1 - p0);
      const count = nonZeros(xi + (<usize>p0 << 2), len, list);
      for (let t = 0; t < count; t++) {
        const p = <usize>(p0 + load<i32>(list + (<usize>t << 2)));
        addScaledRow(dw + p * row, di, load<f32>(xi + (p << 2)), n);
      }
      p0 += len;
    }
  }
}

/** w[p, j..j+4] −= lr · g, as sgdStep computes it */
// @ts-ignore: decorator
@inline
function step4(w: usize, lrv: v128, g: v128): void {
  v128.store(w, f32x4.sub(v128.load(w), f32x4.mul(lrv, g)));
}

/** sgdOuterStep for one sample: only the rows p of w with x[p] ≠ 0 change, each by lr · (x[p] · dy) */
function sgdOuterStep1(x: usize, dy: usize, w: usize, k: i32, n: i32, lr: f32): void {
  const row = <usize>n << 2, lrv = f32x4.splat(lr);
  const n4 = n & ~3, n16 = n & ~15;
  const list = bPack();
  let p0 = 0;
  do {
    const len = min(LIST_CAPACITY, k - p0);
    const count = nonZeros(x + (<usize>p0 << 2), len, list);
    for (let t = 0; t < count; t++) {
      const p = <usize>(p0 + load<i32>(list + (<usize>t << 2)));
      const s = v128.load32_splat(x + (p << 2)), wp = w + p * row;
      // each gradient element is summed from +0, as matmulTransA sums it (a product of −0 gives +0)
      let j = 0;
      for (; j < n16; j += 16) {
        const o = <usize>j << 2, d = dy + o, wo = wp + o;
        step4(wo, lrv, madd(s, v128.load(d), zero()));
        step4(wo + 16, lrv, madd(s, v128.load(d, 16), zero()));
        step4(wo + 32, lrv, madd(s, v128.load(d, 32), zero()));
        step4(wo + 48, lrv, madd(s, v128.load(d, 48), zero()));
      }
      for (; j < n4; j += 4) step4(wp + (<usize>j << 2), lrv, madd(s, v128.load(dy + (<usize>j << 2)), zero()));
      for (; j < n; j++) {
        const o = <usize>j << 2;
        const g = f32x4.extract_lane(madd(s, v128.load32_zero(dy + o), zero()), 0);
        store<f32>(wp + o, load<f32>(wp + o) - lr * g);
      }
    }
    p0 += len;
  } while (p0 < k);
}

/** w[k,n] −= lr · x[m,k]ᵀ · dy[m,n], leaving out the terms where x[i,p] == 0, without a gradient buffer: for finite
 *  dy, bit-identical to matmulTransA into dw followed by sgdStep(w, dw) (plain SGD fused with the outer product) */
export function sgdOuterStep(x: usize, dy: usize, w: usize, m: i32, k: i32, n: i32, lr: f32): void {
  if (DEBUG) {
    check(x, <i64>m * k, 'sgdOuterStep: x'); check(dy, <i64>m * n, 'sgdOuterStep: dy');
    check(w, <i64>k * n, 'sgdOuterStep: w');
  }
  const xRow = <usize>k << 2, row = <usize>n << 2;
  const lrv = f32x4.splat(lr);
  const n4 = n & ~3, n16 = n & ~15;
  if (m == 1) {
    sgdOuterStep1(x, dy, w, k, n, lr);
    return;
  }
  for (let p = 0; p < k; p++) {
    const xp = x + (<usize>p << 2), wp = w + <usize>p * row;
    // a row of w whose every x[i, p] is zero gets no update (sgdStep would subtract lr·(+0): no change)
    let any = false;
    for (let i = 0; i < m; i++) {
      if (load<f32>(xp + <usize>i * xRow) != 0) { any = true; break; }
    }
    if (!any) continue;
    // The gradient of each element is summed from +0 over i, as matmulTransA sums it (so a product of −0 gives +0).
    let j = 0;
    for (; j < n16; j += 16) {
      const o = <usize>j << 2;
      let g0 = zero(), g1 = zero(), g2 = zero(), g3 = zero();
      for (let i = 0; i < m; i++) {
        const a = load<f32>(xp + <usize>i * xRow);
        if (a == 0) continue;
        const s = f32x4.splat(a), d = dy + <usize>i * row + o;
        g0 = madd(s, v128.load(d), g0); g1 = madd(s, v128.load(d, 16), g1);
        g2 = madd(s, v128.load(d, 32), g2); g3 = madd(s, v128.load(d, 48), g3);
      }
      step4(wp + o, lrv, g0); step4(wp + o + 16, lrv, g1); step4(wp + o + 32, lrv, g2); step4(wp + o + 48, lrv, g3);
    }
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      let g = zero();
      for (let i = 0; i < m; i++) {
        const a = load<f32>(xp + <usize>i * xRow);
        if (a != 0) g = madd(f32x4.splat(a), v128.load(dy + <usize>i * row + o), g);
      }
      step4(wp + o, lrv, g);
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      let g = zero();
      for (let i = 0; i < m; i++) {
        const a = load<f32>(xp + <usize>i * xRow);
        if (a != 0) g = madd(f32x4.splat(a), v128.load32_zero(dy + <usize>i * row + o), g);
      }
      store<f32>(wp + o, load<f32>(wp + o) - lr * f32x4.extract_lane(g, 0));
    }
  }
}
