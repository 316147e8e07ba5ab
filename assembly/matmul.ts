import { check, DEBUG } from './check';
import { hsum, hsum4 } from './simd';

// matmul and matmulTransA share one register-blocked core, `gemm`:
//   C[i, j] = Σ_p A(i, p) · B[p, j],   A(i, p) at a + i·aRow + p·aStep,   B rows contiguous (stride bStep bytes)
// matmul reads A = x row-major (aRow = k floats, aStep = 1 float); matmulTransA reads A = xᵀ by swapping the two
// strides, so no transpose is ever materialised. The micro-kernel keeps a 4×8 block of C in eight v128
// accumulators: per step p it broadcasts four A values and multiplies them with two vectors of one B row.

/** rows of B (the reduction) per cache block: a 4×KC strip of A and a KC×8 panel of B stay in L1 */
const KC: i32 = 256;

@inline
function splat0(): v128 {
  return f32x4.splat(0);
}

/** the address of float j of the row at p */
@inline
function col(p: usize, j: i32): usize {
  return p + (<usize>j << 2);
}

/** C[4, 8] (+)= A(4, len) · B[len, 8] */
function kernel4x8(
  a: usize, aRow: usize, aStep: usize, b: usize, bStep: usize, c: usize, cRow: usize, len: i32, accumulate: bool,
): void {
  let c00 = splat0(), c01 = splat0(), c10 = splat0(), c11 = splat0();
  let c20 = splat0(), c21 = splat0(), c30 = splat0(), c31 = splat0();
  const c1 = c + cRow, c2 = c1 + cRow, c3 = c2 + cRow;
  if (accumulate) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c1); c11 = v128.load(c1, 16);
    c20 = v128.load(c2); c21 = v128.load(c2, 16);
    c30 = v128.load(c3); c31 = v128.load(c3, 16);
  }
  let a0 = a, a1 = a + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
  for (let p = 0; p < len; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(a0);
    c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(a1);
    c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(a2);
    c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(a3);
    c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    a0 += aStep; a1 += aStep; a2 += aStep; a3 += aStep; b += bStep;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16);
  v128.store(c3, c30); v128.store(c3, c31, 16);
}

/** C[4, 4] (+)= A(4, len) · B[len, 4] */
function kernel4x4(
  a: usize, aRow: usize, aStep: usize, b: usize, bStep: usize, c: usize, cRow: usize, len: i32, accumulate: bool,
): void {
  let c0 = splat0(), c1 = splat0(), c2 = splat0(), c3 = splat0();
  if (accumulate) {
    c0 = v128.load(c); c1 = v128.load(c + cRow); c2 = v128.load(c + 2 * cRow); c3 = v128.load(c + 3 * cRow);
  }
  let a0 = a, a1 = a + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
  for (let p = 0; p < len; p++) {
    const b0 = v128.load(b);
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a0), b0));
    c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(a1), b0));
    c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(a2), b0));
    c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(a3), b0));
    a0 += aStep; a1 += aStep; a2 += aStep; a3 += aStep; b += bStep;
  }
  v128.store(c, c0); v128.store(c + cRow, c1); v128.store(c + 2 * cRow, c2); v128.store(c + 3 * cRow, c3);
}

/** C[4, 1] (+)= A(4, len) · B[len, 1]  (the n % 4 column tail) */
function kernel4x1(
  a: usize, aRow: usize, aStep: usize, b: usize, bStep: usize, c: usize, cRow: usize, len: i32, accumulate: bool,
): void {
  let c0: f32 = 0, c1: f32 = 0, c2: f32 = 0, c3: f32 = 0;
  if (accumulate) {
    c0 = load<f32>(c); c1 = load<f32>(c + cRow); c2 = load<f32>(c + 2 * cRow); c3 = load<f32>(c + 3 * cRow);
  }
  let a0 = a, a1 = a + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
  for (let p = 0; p < len; p++) {
    const bv = load<f32>(b);
    c0 += load<f32>(a0) * bv; c1 += load<f32>(a1) * bv; c2 += load<f32>(a2) * bv; c3 += load<f32>(a3) * bv;
    a0 += aStep; a1 += aStep; a2 += aStep; a3 += aStep; b += bStep;
  }
  store<f32>(c, c0); store<f32>(c + cRow, c1); store<f32>(c + 2 * cRow, c2); store<f32>(c + 3 * cRow, c3);
}

/** C[1, 8] (+)= A(1, len) · B[len, 8]  (the m % 4 row tail) */
function kernel1x8(a: usize, aStep: usize, b: usize, bStep: usize, c: usize, len: i32, accumulate: bool): void {
  let c0 = splat0(), c1 = splat0();
  if (accumulate) { c0 = v128.load(c); c1 = v128.load(c, 16); }
  for (let p = 0; p < len; p++) {
    const s = v128.load32_splat(a);
    c0 = f32x4.add(c0, f32x4.mul(s, v128.load(b)));
    c1 = f32x4.add(c1, f32x4.mul(s, v128.load(b, 16)));
    a += aStep; b += bStep;
  }
  v128.store(c, c0); v128.store(c, c1, 16);
}

/** C[1, 4] (+)= A(1, len) · B[len, 4] */
function kernel1x4(a: usize, aStep: usize, b: usize, bStep: usize, c: usize, len: i32, accumulate: bool): void {
  let c0 = accumulate ? v128.load(c) : splat0();
  for (let p = 0; p < len; p++) {
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a), v128.load(b)));
    a += aStep; b += bStep;
  }
  v128.store(c, c0);
}

/** C[1, 1] (+)= A(1, len) · B[len, 1] */
function kernel1x1(a: usize, aStep: usize, b: usize, bStep: usize, c: usize, len: i32, accumulate: bool): void {
  let c0: f32 = accumulate ? load<f32>(c) : 0;
  for (let p = 0; p < len; p++) {
    c0 += load<f32>(a) * load<f32>(b);
    a += aStep; b += bStep;
  }
  store<f32>(c, c0);
}

/** C[M, N] = A(M, K) · B[K, N] with C row-major and contiguous; strides in bytes. */
function gemm(a: usize, aRow: usize, aStep: usize, b: usize, bStep: usize, c: usize, M: i32, N: i32, K: i32): void {
  if (K == 0) {
    memory.fill(c, 0, <usize>M * N << 2);
    return;
  }
  const cRow = <usize>N << 2;
  for (let p0 = 0; p0 < K; p0 += KC) {
    const len = min(KC, K - p0);
    const accumulate = p0 > 0;
    const ap = a + <usize>p0 * aStep, bp = b + <usize>p0 * bStep;
    let i = 0;
    for (; i + 4 <= M; i += 4) {
      const ai = ap + <usize>i * aRow, ci = c + <usize>i * cRow;
      let j = 0;
      for (; j + 8 <= N; j += 8) kernel4x8(ai, aRow, aStep, col(bp, j), bStep, col(ci, j), cRow, len, accumulate);
      for (; j + 4 <= N; j += 4) kernel4x4(ai, aRow, aStep, col(bp, j), bStep, col(ci, j), cRow, len, accumulate);
      for (; j < N; j++) kernel4x1(ai, aRow, aStep, col(bp, j), bStep, col(ci, j), cRow, len, accumulate);
    }
    for (; i < M; i++) {
      const ai = ap + <usize>i * aRow, ci = c + <usize>i * cRow;
      let j = 0;
      for (; j + 8 <= N; j += 8) kernel1x8(ai, aStep, col(bp, j), bStep, col(ci, j), len, accumulate);
      for (; j + 4 <= N; j += 4) kernel1x4(ai, aStep, col(bp, j), bStep, col(ci, j), len, accumulate);
      for (; j < N; j++) kernel1x1(ai, aStep, col(bp, j), bStep, col(ci, j), len, accumulate);
    }
  }
}

/** y[m,n] = x[m,k] · w[k,n] */
export function matmul(x: usize, w: usize, y: usize, m: i32, k: i32, n: i32): void {
  if (DEBUG) {
    check(x, <i64>m * k, 'matmul: x'); check(w, <i64>k * n, 'matmul: w'); check(y, <i64>m * n, 'matmul: y');
  }
  gemm(x, <usize>k << 2, 4, w, <usize>n << 2, y, m, n, k);
}

/** dw[k,n] = x[m,k]ᵀ · dy[m,n]  (the weight gradient of a dense layer) */
export function matmulTransA(x: usize, dy: usize, dw: usize, m: i32, k: i32, n: i32): void {
  if (DEBUG) {
    check(x, <i64>m * k, 'matmulTransA: x'); check(dy, <i64>m * n, 'matmulTransA: dy');
    check(dw, <i64>k * n, 'matmulTransA: dw');
  }
  // A(p, i) = x[i, p]: rows of A step by one float, the reduction over i steps by a row of x.
  gemm(x, 4, <usize>k << 2, dy, <usize>n << 2, dw, k, n, m);
}

// matmulTransB: dx[i, p] = Σ_j dy[i, j] · w[p, j]. Rows of dy and of w are both contiguous, so each output is a
// dot product of two contiguous rows. A 2×4 block of outputs keeps eight v128 partial sums over j (a 4×4 block
// needs 16 accumulators plus operands, more than the 16 xmm registers, and measured 15% slower); hsum4 folds the
// four partial sums of one dy row into the adjacent outputs dx[i, p..p+3] with a single store.

/** columns of dy/w reduced per block: two dy rows and four w rows of NB floats stay in L1 */
const NB: i32 = 1024;

/** the len % 4 tail of one dy row against four w rows: r += dy[j] · [w0[j], w1[j], w2[j], w3[j]] */
@inline
function tail1x4(r: v128, d: usize, w: usize, w1: usize, w2: usize, w3: usize, len4: i32, len: i32): v128 {
  for (let j = len4; j < len; j++) {
    const o = <usize>j << 2;
    let wv = f32x4.splat(load<f32>(w + o));
    wv = f32x4.replace_lane(wv, 1, load<f32>(w1 + o));
    wv = f32x4.replace_lane(wv, 2, load<f32>(w2 + o));
    wv = f32x4.replace_lane(wv, 3, load<f32>(w3 + o));
    r = f32x4.add(r, f32x4.mul(v128.load32_splat(d + o), wv));
  }
  return r;
}

/** dx[i..i+2, p..p+4] (+)= dy[i..i+2, j0..j0+len] · w[p..p+4, j0..j0+len]ᵀ */
function dot2x4(d: usize, w: usize, dx: usize, row: usize, dxRow: usize, len: i32, accumulate: bool): void {
  let s00 = splat0(), s01 = splat0(), s02 = splat0(), s03 = splat0();
  let s10 = splat0(), s11 = splat0(), s12 = splat0(), s13 = splat0();
  const d1 = d + row;
  const w1 = w + row, w2 = w1 + row, w3 = w2 + row;
  const len4 = len & ~3;
  for (let j = 0; j < len4; j += 4) {
    const o = <usize>j << 2;
    const a0 = v128.load(d + o), a1 = v128.load(d1 + o);
    let b = v128.load(w + o);
    s00 = f32x4.add(s00, f32x4.mul(a0, b)); s10 = f32x4.add(s10, f32x4.mul(a1, b));
    b = v128.load(w1 + o);
    s01 = f32x4.add(s01, f32x4.mul(a0, b)); s11 = f32x4.add(s11, f32x4.mul(a1, b));
    b = v128.load(w2 + o);
    s02 = f32x4.add(s02, f32x4.mul(a0, b)); s12 = f32x4.add(s12, f32x4.mul(a1, b));
    b = v128.load(w3 + o);
    s03 = f32x4.add(s03, f32x4.mul(a0, b)); s13 = f32x4.add(s13, f32x4.mul(a1, b));
  }
  let r0 = tail1x4(hsum4(s00, s01, s02, s03), d, w, w1, w2, w3, len4, len);
  let r1 = tail1x4(hsum4(s10, s11, s12, s13), d1, w, w1, w2, w3, len4, len);
  const dx1 = dx + dxRow;
  if (accumulate) {
    r0 = f32x4.add(v128.load(dx), r0);
    r1 = f32x4.add(v128.load(dx1), r1);
  }
  v128.store(dx, r0);
  v128.store(dx1, r1);
}

/** dx[i, p..p+4] (+)= dy[i, j0..j0+len] · w[p..p+4, j0..j0+len]ᵀ  (the m % 2 row tail) */
function dot1x4(d: usize, w: usize, dx: usize, wRow: usize, len: i32, accumulate: bool): void {
  let s0 = splat0(), s1 = splat0(), s2 = splat0(), s3 = splat0();
  const w1 = w + wRow, w2 = w1 + wRow, w3 = w2 + wRow;
  const len4 = len & ~3;
  for (let j = 0; j < len4; j += 4) {
    const o = <usize>j << 2;
    const a = v128.load(d + o);
    s0 = f32x4.add(s0, f32x4.mul(a, v128.load(w + o))); s1 = f32x4.add(s1, f32x4.mul(a, v128.load(w1 + o)));
    s2 = f32x4.add(s2, f32x4.mul(a, v128.load(w2 + o))); s3 = f32x4.add(s3, f32x4.mul(a, v128.load(w3 + o)));
  }
  let r = tail1x4(hsum4(s0, s1, s2, s3), d, w, w1, w2, w3, len4, len);
  if (accumulate) r = f32x4.add(v128.load(dx), r);
  v128.store(dx, r);
}

/** dx[i, p] (+)= dy[i, j0..j0+len] · w[p, j0..j0+len]  (one dot product: the k % 4 column tail) */
function dot1x1(d: usize, w: usize, dx: usize, len: i32, accumulate: bool): void {
  let s = splat0();
  const len4 = len & ~3;
  for (let j = 0; j < len4; j += 4) {
    const o = <usize>j << 2;
    s = f32x4.add(s, f32x4.mul(v128.load(d + o), v128.load(w + o)));
  }
  let r = hsum(s);
  for (let j = len4; j < len; j++) r += load<f32>(d + (<usize>j << 2)) * load<f32>(w + (<usize>j << 2));
  store<f32>(dx, accumulate ? load<f32>(dx) + r : r);
}

/** dx[m,k] = dy[m,n] · w[k,n]ᵀ  (the input gradient of a dense layer) */
export function matmulTransB(dy: usize, w: usize, dx: usize, m: i32, n: i32, k: i32): void {
  if (DEBUG) {
    check(dy, <i64>m * n, 'matmulTransB: dy'); check(w, <i64>k * n, 'matmulTransB: w');
    check(dx, <i64>m * k, 'matmulTransB: dx');
  }
  if (n == 0) {
    memory.fill(dx, 0, <usize>m * k << 2);
    return;
  }
  const row = <usize>n << 2, dxRow = <usize>k << 2;
  for (let j0 = 0; j0 < n; j0 += NB) {
    const len = min(NB, n - j0);
    const accumulate = j0 > 0;
    const d0 = dy + (<usize>j0 << 2), w0 = w + (<usize>j0 << 2);
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      const di = d0 + <usize>i * row, dxi = dx + <usize>i * dxRow;
      let p = 0;
      for (; p + 4 <= k; p += 4) dot2x4(di, w0 + <usize>p * row, dxi + (<usize>p << 2), row, dxRow, len, accumulate);
      for (; p < k; p++) {
        const wp = w0 + <usize>p * row, dxp = dxi + (<usize>p << 2);
        dot1x1(di, wp, dxp, len, accumulate);
        dot1x1(di + row, wp, dxp + dxRow, len, accumulate);
      }
    }
    if (i < m) {
      const di = d0 + <usize>i * row, dxi = dx + <usize>i * dxRow;
      let p = 0;
      for (; p + 4 <= k; p += 4) dot1x4(di, w0 + <usize>p * row, dxi + (<usize>p << 2), row, len, accumulate);
      for (; p < k; p++) dot1x1(di, w0 + <usize>p * row, dxi + (<usize>p << 2), len, accumulate);
    }
  }
}
