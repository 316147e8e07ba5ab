import { check, checkRange, DEBUG } from './lib/check';
import { column4, gather4, hsum, hsum4, madd, storeColumn4, storeRows4 } from './lib/simd';
import { aPack, bPack, edgeTile, KC, LIST_CAPACITY, MC, MR, NC, NR } from './lib/scratch';

// The three matmul forms share one packed core, `gemm`:  C[M, N] = A(M, K) · B(K, N), C row-major and contiguous,
//   A(i, p) at a + i·aRow + p·aStep,   B(p, j) at b + p·bRow + j·bCol   (strides in bytes)
//   matmul        A = x   (aRow = k floats, aStep = 1)    B = w   (bRow = n floats, bCol = 1)
//   matmulTransA  A = xᵀ  (aRow = 1, aStep = k floats)    B = dy  (bRow = n floats, bCol = 1)
//   matmulTransB  A = dy  (aRow = n floats, aStep = 1)    B = wᵀ  (bRow = 1, bCol = n floats)
// No transpose is materialised: the packing routines read either layout.
//
// Goto/BLIS structure: a KC×NC slab of B is packed into panels of NR columns, an MC×KC block of A into panels of MR
// rows (both in the scratch region, see lib/scratch.ts); the micro-kernel multiplies one A panel with one B panel,
// keeping an MR×NR block of C in eight v128 accumulators. Packing gives every micro-kernel two contiguous streams
// whatever the operands' strides (unpacked, a row stride of 1024 floats maps a column of B onto a few L1 sets).
//
// Summation order: every C[i, j] is summed over p = 0, 1, …, K−1 in that order, one rounded term at a time from +0
// (a block of KC continues from the value stored in C). It does not depend on the shape, the blocking or the
// position; the zero-skipping kernels (sparse.ts) rely on it to be bit-identical to matmul and matmulTransA.
// (matmulTransB with fewer than 16 rows takes dot products with four partial sums instead.)
//
// Which path a shape takes (rows, 4-row blocks in place, packed) is chosen by `packs` below, from measurements.

// @ts-ignore: decorator
@inline
export function zero(): v128 {
  return f32x4.splat(0);
}

// ---- packing -----------------------------------------------------------------------------------------------------

// A 4×4 transpose in four shuffles and four more: rows r0..r3 in, column q = [r0[q], r1[q], r2[q], r3[q]] out.
// @ts-ignore: decorator
@inline function lo(a: v128, b: v128): v128 { return f32x4.shuffle(a, b, 0, 4, 1, 5); }
// @ts-ignore: decorator
@inline function hi(a: v128, b: v128): v128 { return f32x4.shuffle(a, b, 2, 6, 3, 7); }
// @ts-ignore: decorator
@inline function first2(a: v128, b: v128): v128 { return f32x4.shuffle(a, b, 0, 1, 4, 5); }
// @ts-ignore: decorator
@inline function last2(a: v128, b: v128): v128 { return f32x4.shuffle(a, b, 2, 3, 6, 7); }

/** store the transpose of rows v0..v3 as four vectors `step` bytes apart */
// @ts-ignore: decorator
@inline
function storeTransposed(dst: usize, step: usize, v0: v128, v1: v128, v2: v128, v3: v128): void {
  const t0 = lo(v0, v1), t1 = hi(v0, v1), t2 = lo(v2, v3), t3 = hi(v2, v3);
  v128.store(dst, first2(t0, t2));
  v128.store(dst + step, last2(t0, t2));
  v128.store(dst + 2 * step, first2(t1, t3));
  v128.store(dst + 3 * step, last2(t1, t3));
}

/** Pack A(0..mc, 0..kc) into panels of MR rows: for each p, the MR values A(r..r+MR, p); rows past mc are zeros. */
function packA(a: usize, aRow: usize, aStep: usize, mc: i32, kc: i32, dst: usize): void {
  for (let i = 0; i < mc; i += MR) {
    const src = a + <usize>i * aRow;
    if (i + MR <= mc && aRow == 4) {
      // columns of A are contiguous (matmulTransA): one load per step
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src + <usize>p * aStep));
        dst += 16;
      }
    } else if (i + MR <= mc && aStep == 4) {
      // rows of A are contiguous (matmul, matmulTransB): four steps at a time through a 4×4 transpose
      const r1 = src + aRow, r2 = r1 + aRow, r3 = r2 + aRow;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        storeTransposed(dst, 16, v128.load(src + o), v128.load(r1 + o), v128.load(r2 + o), v128.load(r3 + o));
        dst += 64;
      }
      for (; p < kc; p++) {
        const o = <usize>p << 2;
        store<f32>(dst, load<f32>(src + o)); store<f32>(dst, load<f32>(r1 + o), 4);
        store<f32>(dst, load<f32>(r2 + o), 8); store<f32>(dst, load<f32>(r3 + o), 12);
        dst += 16;
      }
    } else {
      // the last, partial panel: zeros below the matrix
      const rows = min(MR, mc - i);
      for (let p = 0; p < kc; p++) {
        const sp = src + <usize>p * aStep;
        for (let r = 0; r < MR; r++) store<f32>(dst + (<usize>r << 2), r < rows ? load<f32>(sp + <usize>r * aRow) : 0);
        dst += 16;
      }
    }
  }
}

/** Pack B(0..kc, 0..nc) into panels of NR columns: for each p, B(p, j..j+NR); columns past nc are zeros. */
function packB(b: usize, bRow: usize, bCol: usize, kc: i32, nc: i32, dst: usize): void {
  const whole = nc & ~(NR - 1), panel = <usize>kc * (NR << 2);
  if (bCol == 4) {
    // rows of B are contiguous (matmul, matmulTransA): four rows at a time, so that the reads stream through memory
    // (panel by panel they jump a row of B per step, a page or more apart for wide B, and wait on DRAM for every
    // line) and each panel gets 128 bytes, two whole cache lines, per visit (row by row, a line was visited twice,
    // half each time, with the other panels in between evicting it: measured 2–8% of a 128…1024-row matmul on EPYC)
    let p = 0;
    for (; p + 4 <= kc; p += 4) {
      const s0 = b + <usize>p * bRow, s1 = s0 + bRow, s2 = s1 + bRow, s3 = s2 + bRow;
      let d = dst + <usize>p * (NR << 2);
      for (let j = 0; j < whole; j += NR) {
        const o = <usize>j << 2;
        v128.store(d, v128.load(s0 + o)); v128.store(d, v128.load(s0 + o, 16), 16);
        v128.store(d, v128.load(s1 + o), 32); v128.store(d, v128.load(s1 + o, 16), 48);
        v128.store(d, v128.load(s2 + o), 64); v128.store(d, v128.load(s2 + o, 16), 80);
        v128.store(d, v128.load(s3 + o), 96); v128.store(d, v128.load(s3 + o, 16), 112);
        d += panel;
      }
    }
    for (; p < kc; p++) {
      const s0 = b + <usize>p * bRow;
      let d = dst + <usize>p * (NR << 2);
      for (let j = 0; j < whole; j += NR) {
        v128.store(d, v128.load(s0 + (<usize>j << 2)));
        v128.store(d, v128.load(s0 + (<usize>j << 2), 16), 16);
        d += panel;
      }
    }
  } else if (bRow == 4) {
    // columns of B are contiguous (matmulTransB: rows of w): four steps at a time through two 4×4 transposes
    for (let j = 0; j < whole; j += NR) {
      const src = b + <usize>j * bCol, s1 = src + bCol, s2 = s1 + bCol, s3 = s2 + bCol, s4 = s3 + bCol;
      const s5 = s4 + bCol, s6 = s5 + bCol, s7 = s6 + bCol;
      let d = dst + <usize>(j / NR) * panel;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        storeTransposed(d, 32, v128.load(src + o), v128.load(s1 + o), v128.load(s2 + o), v128.load(s3 + o));
        storeTransposed(d + 16, 32, v128.load(s4 + o), v128.load(s5 + o), v128.load(s6 + o), v128.load(s7 + o));
        d += 128;
      }
      for (; p < kc; p++) {
        const sp = src + (<usize>p << 2);
        for (let c = 0; c < NR; c++) store<f32>(d + (<usize>c << 2), load<f32>(sp + <usize>c * bCol));
        d += 32;
      }
    }
  } else {
    packBPartial(b, bRow, bCol, kc, whole, dst);
  }
  // the last, partial panel: zeros right of the matrix
  if (whole < nc) packBPartial(b + <usize>whole * bCol, bRow, bCol, kc, nc - whole, dst + <usize>(whole / NR) * panel);
}

/** Pack `cols` columns of B (any strides) into panels of NR, element by element; a last panel is padded with zeros. */
function packBPartial(b: usize, bRow: usize, bCol: usize, kc: i32, cols: i32, dst: usize): void {
  for (let j = 0; j < cols; j += NR) {
    const src = b + <usize>j * bCol;
    for (let p = 0; p < kc; p++) {
      const sp = src + <usize>p * bRow;
      for (let c = 0; c < NR; c++) store<f32>(dst + (<usize>c << 2), j + c < cols ? load<f32>(sp + <usize>c * bCol) : 0);
      dst += 32;
    }
  }
}

// ---- the packed core ---------------------------------------------------------------------------------------------

/**
 * C[MR, NR] (+)= A panel · B panel over kc steps (the panels hold MR and NR floats per step). Inlined into gemm's
 * loop: as a called function it ran at 0.86–0.89× the bench's SIMD128 yardstick on an AMD EPYC (Zen 5) for 256…1024
 * squares, inlined at 1.00–1.08× (bench/README.md), with the same blocking; the call, not the blocking, was the cost.
 */
// @ts-ignore: decorator
@inline
function micro(ap: usize, bp: usize, c: usize, cRow: usize, kc: i32, accumulate: bool): void {
  let c00 = zero(), c01 = zero(), c10 = zero(), c11 = zero();
  let c20 = zero(), c21 = zero(), c30 = zero(), c31 = zero();
  const c1 = c + cRow, c2 = c1 + cRow, c3 = c2 + cRow;
  if (accumulate) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c1); c11 = v128.load(c1, 16);
    c20 = v128.load(c2); c21 = v128.load(c2, 16);
    c30 = v128.load(c3); c31 = v128.load(c3, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let s = v128.load32_splat(ap);
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    s = v128.load32_splat(ap, 4);
    c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
    s = v128.load32_splat(ap, 8);
    c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
    s = v128.load32_splat(ap, 12);
    c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
    ap += 16; bp += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16);
  v128.store(c3, c30); v128.store(c3, c31, 16);
}

/** the micro-kernel on a block at the edge of C (rows ≤ MR, cols ≤ NR), through the scratch tile */
function microEdge(ap: usize, bp: usize, c: usize, cRow: usize, kc: i32, accumulate: bool, rows: i32, cols: i32): void {
  const t = edgeTile(), tRow: usize = <usize>NR << 2;
  // element by element: memory.copy of a few bytes costs a call into the engine
  if (accumulate) {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) store<f32>(t + <usize>r * tRow + (<usize>j << 2), load<f32>(c + <usize>r * cRow + (<usize>j << 2)));
    }
  }
  micro(ap, bp, t, tRow, kc, accumulate);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) store<f32>(c + <usize>r * cRow + (<usize>j << 2), load<f32>(t + <usize>r * tRow + (<usize>j << 2)));
  }
}

/** C[M, N] = 0, rows cRow bytes apart */
function fillRows(c: usize, cRow: usize, M: i32, N: i32): void {
  for (let i = 0; i < M; i++) memory.fill(c + <usize>i * cRow, 0, <usize>N << 2);
}

/** C[M, N] (+)= A(M, K) · B(K, N) through packed panels; strides in bytes (see the top of this file) */
function gemm(
  a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, bCol: usize, c: usize, cRow: usize, M: i32, N: i32, K: i32,
  add: bool,
): void {
  if (K == 0) {
    if (!add) fillRows(c, cRow, M, N);
    return;
  }
  const ap0 = aPack(), bp0 = bPack();
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const accumulate = add || pc > 0;
      const panelA = <usize>kc * (MR << 2), panelB = <usize>kc * (NR << 2);
      packB(b + <usize>pc * bRow + <usize>jc * bCol, bRow, bCol, kc, nc, bp0);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(a + <usize>ic * aRow + <usize>pc * aStep, aRow, aStep, mc, kc, ap0);
        for (let jr = 0; jr < nc; jr += NR) {
          const bp = bp0 + <usize>(jr / NR) * panelB;
          const cj = c + <usize>ic * cRow + (<usize>(jc + jr) << 2);
          const cols = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const ap = ap0 + <usize>(ir / MR) * panelA, ci = cj + <usize>ir * cRow;
            if (cols == NR && ir + MR <= mc) micro(ap, bp, ci, cRow, kc, accumulate);
            else microEdge(ap, bp, ci, cRow, kc, accumulate, min(MR, mc - ir), cols);
          }
        }
      }
    }
  }
}

// ---- fewer than MR rows: one row at a time, straight from the operands ------------------------------------------

/** C[0, 0..32] (+)= A(0, 0..K) · B[0..K, 0..32]: eight accumulators, B rows contiguous */
function row32(a: usize, aStep: usize, b: usize, bRow: usize, c: usize, K: i32, add: bool): void {
  let c0 = zero(), c1 = zero(), c2 = zero(), c3 = zero(), c4 = zero(), c5 = zero(), c6 = zero(), c7 = zero();
  if (add) {
    c0 = v128.load(c); c1 = v128.load(c, 16); c2 = v128.load(c, 32); c3 = v128.load(c, 48);
    c4 = v128.load(c, 64); c5 = v128.load(c, 80); c6 = v128.load(c, 96); c7 = v128.load(c, 112);
  }
  for (let p = 0; p < K; p++) {
    const s = v128.load32_splat(a);
    c0 = madd(s, v128.load(b), c0); c1 = madd(s, v128.load(b, 16), c1);
    c2 = madd(s, v128.load(b, 32), c2); c3 = madd(s, v128.load(b, 48), c3);
    c4 = madd(s, v128.load(b, 64), c4); c5 = madd(s, v128.load(b, 80), c5);
    c6 = madd(s, v128.load(b, 96), c6); c7 = madd(s, v128.load(b, 112), c7);
    a += aStep; b += bRow;
  }
  v128.store(c, c0); v128.store(c, c1, 16); v128.store(c, c2, 32); v128.store(c, c3, 48);
  v128.store(c, c4, 64); v128.store(c, c5, 80); v128.store(c, c6, 96); v128.store(c, c7, 112);
}

/** C[0, 0..4] (+)= A(0, 0..K) · B[0..K, 0..4] */
function row4(a: usize, aStep: usize, b: usize, bRow: usize, c: usize, K: i32, add: bool): void {
  let c0 = add ? v128.load(c) : zero();
  for (let p = 0; p < K; p++) {
    c0 = madd(v128.load32_splat(a), v128.load(b), c0);
    a += aStep; b += bRow;
  }
  v128.store(c, c0);
}

/** C[0, 0] (+)= A(0, 0..K) · B[0..K, 0]: the same arithmetic as one lane of row4 */
function row1(a: usize, aStep: usize, b: usize, bRow: usize, c: usize, K: i32, add: bool): void {
  let c0 = add ? v128.load32_zero(c) : zero();
  for (let p = 0; p < K; p++) {
    c0 = madd(v128.load32_splat(a), v128.load32_zero(b), c0);
    a += aStep; b += bRow;
  }
  store<f32>(c, f32x4.extract_lane(c0, 0));
}

/** C[M, N] (+)= A(M, K) · B[K, N] row by row (B rows contiguous), for M < MR and the M % 4 rows of gemmDirect */
function gemmRows(
  a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, c: usize, cRow: usize, M: i32, N: i32, K: i32, add: bool,
): void {
  for (let i = 0; i < M; i++) {
    const ai = a + <usize>i * aRow, ci = c + <usize>i * cRow;
    let j = 0;
    for (; j + 32 <= N; j += 32) row32(ai, aStep, b + (<usize>j << 2), bRow, ci + (<usize>j << 2), K, add);
    for (; j + 4 <= N; j += 4) row4(ai, aStep, b + (<usize>j << 2), bRow, ci + (<usize>j << 2), K, add);
    for (; j < N; j++) row1(ai, aStep, b + (<usize>j << 2), bRow, ci + (<usize>j << 2), K, add);
  }
}

// ---- where packing does not pay: 4-row blocks straight from the operands ---------------------------------------

/** C[4, 8] (+)= A(4, len) · B[len, 8] */
function direct4x8(
  a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, c: usize, cRow: usize, len: i32, accumulate: bool,
): void {
  let c00 = zero(), c01 = zero(), c10 = zero(), c11 = zero();
  let c20 = zero(), c21 = zero(), c30 = zero(), c31 = zero();
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
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    s = v128.load32_splat(a1);
    c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
    s = v128.load32_splat(a2);
    c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
    s = v128.load32_splat(a3);
    c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
    a0 += aStep; a1 += aStep; a2 += aStep; a3 += aStep; b += bRow;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16);
  v128.store(c3, c30); v128.store(c3, c31, 16);
}

/**
 * C[4, 4] (+)= A(4, len) · B[len, 4]. With `cols` < 4, only the last `cols` columns are stored: the last columns of a
 * C at least 4 wide, right of its other blocks, computed again over its last four columns (for rows of A that lie
 * apart, as matmul's, where gathering A's four values into one vector, direct4xTail, costs more than the lanes it
 * wastes). With `accumulate`, the dropped lanes start from values this pass has already updated; they are dropped.
 */
function direct4x4(
  a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, c: usize, cRow: usize, len: i32, accumulate: bool,
  cols: i32 = 4,
): void {
  let c0 = zero(), c1 = zero(), c2 = zero(), c3 = zero();
  if (accumulate) {
    c0 = v128.load(c); c1 = v128.load(c + cRow); c2 = v128.load(c + 2 * cRow); c3 = v128.load(c + 3 * cRow);
  }
  let a0 = a, a1 = a + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
  for (let p = 0; p < len; p++) {
    const b0 = v128.load(b);
    c0 = madd(v128.load32_splat(a0), b0, c0);
    c1 = madd(v128.load32_splat(a1), b0, c1);
    c2 = madd(v128.load32_splat(a2), b0, c2);
    c3 = madd(v128.load32_splat(a3), b0, c3);
    a0 += aStep; a1 += aStep; a2 += aStep; a3 += aStep; b += bRow;
  }
  storeRows4(c, cRow, c0, c1, c2, c3, cols);
}

/** the four rows of A at one step as the lanes of a vector: one load where the rows are adjacent floats
 *  (matmulTransA: A(i, p) = x[p, i]), four where they are rows apart */
// @ts-ignore: decorator
@inline
function rows4(a0: usize, aRow: usize): v128 {
  return aRow == 4 ? v128.load(a0) : gather4(a0, a0 + aRow, a0 + 2 * aRow, a0 + 3 * aRow);
}

/**
 * C[4, cols] (+)= A(4, len) · B[len, cols] for the cols < 4 columns right of the 4- and 8-wide blocks: a vector per
 * column whose lanes are the four rows, so each step reads the four values of A once for all the columns (per column
 * they cost four loads, three times over for three columns). Each lane does the arithmetic of direct4x4's lane for
 * that element, so the bits are the same whichever kernel computes it.
 */
function direct4xTail(
  a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, c: usize, cRow: usize, len: i32, accumulate: bool,
  cols: i32,
): void {
  let acc0 = zero(), acc1 = zero(), acc2 = zero();
  if (accumulate) {
    acc0 = column4(c, cRow);
    if (cols > 1) acc1 = column4(c + 4, cRow);
    if (cols > 2) acc2 = column4(c + 8, cRow);
  }
  if (cols == 1) {
    for (let p = 0; p < len; p++) {
      acc0 = madd(rows4(a, aRow), v128.load32_splat(b), acc0);
      a += aStep; b += bRow;
    }
  } else if (cols == 2) {
    for (let p = 0; p < len; p++) {
      const av = rows4(a, aRow);
      acc0 = madd(av, v128.load32_splat(b), acc0);
      acc1 = madd(av, v128.load32_splat(b, 4), acc1);
      a += aStep; b += bRow;
    }
  } else {
    for (let p = 0; p < len; p++) {
      const av = rows4(a, aRow);
      acc0 = madd(av, v128.load32_splat(b), acc0);
      acc1 = madd(av, v128.load32_splat(b, 4), acc1);
      acc2 = madd(av, v128.load32_splat(b, 8), acc2);
      a += aStep; b += bRow;
    }
  }
  storeColumn4(c, cRow, acc0);
  if (cols > 1) storeColumn4(c + 4, cRow, acc1);
  if (cols > 2) storeColumn4(c + 8, cRow, acc2);
}

/** C[M, N] (+)= A(M, K) · B[K, N] in 4-row blocks read in place (B rows contiguous), blocked over K by KC */
function gemmDirect(
  a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, c: usize, cRow: usize, M: i32, N: i32, K: i32, add: bool,
): void {
  const M4 = M & ~3;
  for (let p0 = 0; p0 < K; p0 += KC) {
    const len = min(KC, K - p0);
    const accumulate = add || p0 > 0;
    const ap = a + <usize>p0 * aStep, bp = b + <usize>p0 * bRow;
    for (let i = 0; i < M4; i += 4) {
      const ai = ap + <usize>i * aRow, ci = c + <usize>i * cRow;
      let j = 0;
      for (; j + 8 <= N; j += 8) direct4x8(ai, aRow, aStep, bp + (<usize>j << 2), bRow, ci + (<usize>j << 2), cRow, len, accumulate);
      for (; j + 4 <= N; j += 4) direct4x4(ai, aRow, aStep, bp + (<usize>j << 2), bRow, ci + (<usize>j << 2), cRow, len, accumulate);
      if (j < N) {
        if (aRow != 4 && N >= 4) {
          const o = <usize>(N - 4) << 2;
          direct4x4(ai, aRow, aStep, bp + o, bRow, ci + o, cRow, len, accumulate, N - j);
        } else direct4xTail(ai, aRow, aStep, bp + (<usize>j << 2), bRow, ci + (<usize>j << 2), cRow, len, accumulate, N - j);
      }
    }
  }
  // the M % 4 rows left: whole rows
  if (M4 < M) gemmRows(a + <usize>M4 * aRow, aRow, aStep, b, bRow, c + <usize>M4 * cRow, cRow, M - M4, N, K, add);
}

/**
 * Whether the packed path pays (measured on 256…1024 squares and the MLP shapes): packing costs a pass over B per
 * call, but it cures the cache conflicts of long strides: rows of B (w, dy) 192 floats apart or more, and A read
 * across rows (matmulTransA, a stride of k floats per step). With few rows, a short reduction, or narrow rows of B
 * the operands are read in place.
 */
// @ts-ignore: decorator
@inline
function packs(M: i32, N: i32, K: i32, aAcross: bool): bool {
  if (M < 32 || K < 8) return false;
  return aAcross ? N >= 256 || (K >= 48 && N >= 96) : N >= 512 || (M >= 64 && N >= 192);
}

/**
 * C[M, N] (+)= A(M, K) · B[K, N] with B rows contiguous (matmul, matmulTransA): row by row, in place, or packed.
 * With `add`, every C[i, j] continues its sum from the value stored in C, term by term in the order of p: so a
 * reduction cut into consecutive calls (the conv filter gradient, block by block of rows) gives the same bits as one.
 */
function gemmRowB(
  a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, c: usize, cRow: usize, M: i32, N: i32, K: i32, add: bool,
): void {
  if (K == 0) { if (!add) fillRows(c, cRow, M, N); } // an empty sum: zeros (gemmDirect would not write)
  else if (M < MR) gemmRows(a, aRow, aStep, b, bRow, c, cRow, M, N, K, add);
  else if (packs(M, N, K, aStep != 4)) gemm(a, aRow, aStep, b, bRow, 4, c, cRow, M, N, K, add);
  else gemmDirect(a, aRow, aStep, b, bRow, c, cRow, M, N, K, add);
}

/** y[m,n] = x[m,k] · w[k,n] */
export function matmul(x: usize, w: usize, y: usize, m: i32, k: i32, n: i32): void {
  if (DEBUG) {
    check(x, <i64>m * k, 'matmul: x'); check(w, <i64>k * n, 'matmul: w'); check(y, <i64>m * n, 'matmul: y');
  }
  const row = <usize>k << 2, wRow = <usize>n << 2;
  gemmRowB(x, row, 4, w, wRow, y, wRow, m, n, k, false);
}

/** dw[k,n] = x[m,k]ᵀ · dy[m,n]  (the weight gradient of a dense layer) */
export function matmulTransA(x: usize, dy: usize, dw: usize, m: i32, k: i32, n: i32): void {
  if (DEBUG) {
    check(x, <i64>m * k, 'matmulTransA: x'); check(dy, <i64>m * n, 'matmulTransA: dy');
    check(dw, <i64>k * n, 'matmulTransA: dw');
  }
  // A(p, i) = x[i, p]: rows of A step by one float, the reduction over i steps by a row of x.
  const row = <usize>k << 2, dyRow = <usize>n << 2;
  gemmRowB(x, 4, row, dy, dyRow, dw, dyRow, k, n, m, false);
}

/** dw[k0..k1, n] = (x[m,k]ᵀ · dy[m,n])[k0..k1]: rows k0 ≤ p < k1 of matmulTransA, bit for bit (not a kernel of the
 *  contract: the worker pool splits a weight gradient over its rows, each thread one block, src/backends/wasm/threads/) */
export function matmulTransARows(x: usize, dy: usize, dw: usize, m: i32, k: i32, n: i32, k0: i32, k1: i32): void {
  const row = <usize>n << 2;
  gemmRowB(x + (<usize>k0 << 2), 4, <usize>k << 2, dy, row, dw + <usize>k0 * row, row, k1 - k0, n, m, false);
}

/** y[:, j0..j1) of matmul, bit for bit: every output is summed over k in order from +0 on every path, so the narrower
 *  block's path does not matter (not a kernel of the contract: the worker pool's split of a wide product by columns,
 *  src/backends/wasm/threads/split.ts) */
export function matmulCols(x: usize, w: usize, y: usize, m: i32, k: i32, n: i32, j0: i32, j1: i32): void {
  if (DEBUG) {
    check(x, <i64>m * k, 'matmulCols: x'); check(w, <i64>k * n, 'matmulCols: w'); check(y, <i64>m * n, 'matmulCols: y');
    checkRange(j0, j1, n, 'matmulCols: columns out of range');
  }
  const wRow = <usize>n << 2, o = <usize>j0 << 2;
  gemmRowB(x, <usize>k << 2, 4, w + o, wRow, y + o, wRow, m, j1 - j0, k, false);
}

/** dw[k,n] += x[m,k]ᵀ · dy[m,n], each dw[p, j] continuing its sum over i from the stored value (not a kernel of the
 *  contract: the conv filter gradient calls it block by block of rows, bit-identical to one matmulTransA) */
export function matmulTransAAdd(x: usize, dy: usize, dw: usize, m: i32, k: i32, n: i32): void {
  gemmRowB(x, 4, <usize>k << 2, dy, <usize>n << 2, dw, <usize>n << 2, k, n, m, true);
}

// ---- matmulTransB with few rows: dot products of contiguous rows --------------------------------------------------
// dx[i, p] = Σ_j dy[i, j] · w[p, j]. Rows of dy and of w are both contiguous, so each output is a dot product. A 2×4
// block of outputs keeps eight v128 partial sums over j (a 4×4 block needs 16 accumulators plus operands, more
// than the 16 xmm registers, and measured 15% slower); hsum4 folds the four partial sums of one dy row into the
// adjacent outputs dx[i, p..p+3] with a single store. Below 16 rows this beats packing w (measured).

/** rows of dy from which matmulTransB packs w */
const TRANS_B_PACK_M: i32 = 16;
/** columns of dy/w reduced per block: two dy rows and four w rows of NB floats stay in L1 */
const NB: i32 = 1024;

/** the len % 4 tail of one dy row against four w rows: r += dy[j] · [w0[j], w1[j], w2[j], w3[j]] */
// @ts-ignore: decorator
@inline
function tail1x4(r: v128, d: usize, w: usize, w1: usize, w2: usize, w3: usize, len4: i32, len: i32): v128 {
  for (let j = len4; j < len; j++) {
    const o = <usize>j << 2;
    let wv = f32x4.splat(load<f32>(w + o));
    wv = f32x4.replace_lane(wv, 1, load<f32>(w1 + o));
    wv = f32x4.replace_lane(wv, 2, load<f32>(w2 + o));
    wv = f32x4.replace_lane(wv, 3, load<f32>(w3 + o));
    r = madd(v128.load32_splat(d + o), wv, r);
  }
  return r;
}

/** dx[i..i+2, p..p+4] (+)= dy[i..i+2, j0..j0+len] · w[p..p+4, j0..j0+len]ᵀ */
function dot2x4(d: usize, w: usize, dx: usize, row: usize, dxRow: usize, len: i32, accumulate: bool): void {
  let s00 = zero(), s01 = zero(), s02 = zero(), s03 = zero();
  let s10 = zero(), s11 = zero(), s12 = zero(), s13 = zero();
  const d1 = d + row;
  const w1 = w + row, w2 = w1 + row, w3 = w2 + row;
  const len4 = len & ~3;
  for (let j = 0; j < len4; j += 4) {
    const o = <usize>j << 2;
    const a0 = v128.load(d + o), a1 = v128.load(d1 + o);
    let b = v128.load(w + o);
    s00 = madd(a0, b, s00); s10 = madd(a1, b, s10);
    b = v128.load(w1 + o);
    s01 = madd(a0, b, s01); s11 = madd(a1, b, s11);
    b = v128.load(w2 + o);
    s02 = madd(a0, b, s02); s12 = madd(a1, b, s12);
    b = v128.load(w3 + o);
    s03 = madd(a0, b, s03); s13 = madd(a1, b, s13);
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
  let s0 = zero(), s1 = zero(), s2 = zero(), s3 = zero();
  const w1 = w + wRow, w2 = w1 + wRow, w3 = w2 + wRow;
  const len4 = len & ~3;
  for (let j = 0; j < len4; j += 4) {
    const o = <usize>j << 2;
    const a = v128.load(d + o);
    s0 = madd(a, v128.load(w + o), s0); s1 = madd(a, v128.load(w1 + o), s1);
    s2 = madd(a, v128.load(w2 + o), s2); s3 = madd(a, v128.load(w3 + o), s3);
  }
  let r = tail1x4(hsum4(s0, s1, s2, s3), d, w, w1, w2, w3, len4, len);
  if (accumulate) r = f32x4.add(v128.load(dx), r);
  v128.store(dx, r);
}

/** dx[i, p] (+)= dy[i, j0..j0+len] · w[p, j0..j0+len]  (one dot product: the k % 4 column tail) */
function dot1x1(d: usize, w: usize, dx: usize, len: i32, accumulate: bool): void {
  let s = zero();
  const len4 = len & ~3;
  for (let j = 0; j < len4; j += 4) {
    const o = <usize>j << 2;
    s = madd(v128.load(d + o), v128.load(w + o), s);
  }
  let r = hsum(s);
  for (let j = len4; j < len; j++) r += load<f32>(d + (<usize>j << 2)) * load<f32>(w + (<usize>j << 2));
  store<f32>(dx, accumulate ? load<f32>(dx) + r : r);
}

/** dx[m,k] = dy[m,n] · w[k,n]ᵀ on the packed path whatever m: every dx[i, p] summed over j in order from +0, so its
 *  bits do not depend on how the rows are cut (not a kernel of the contract: the conv input gradient, whose blocks of
 *  rows differ with the thread count) */
export function matmulTransBPacked(dy: usize, w: usize, dx: usize, m: i32, n: i32, k: i32): void {
  const row = <usize>n << 2;
  gemm(dy, row, 4, w, 4, row, dx, <usize>k << 2, m, k, n, false);
}

/** dx[m,k] = dy[m,n] · w[k,n]ᵀ  (the input gradient of a dense layer) */
export function matmulTransB(dy: usize, w: usize, dx: usize, m: i32, n: i32, k: i32): void {
  if (DEBUG) {
    check(dy, <i64>m * n, 'matmulTransB: dy'); check(w, <i64>k * n, 'matmulTransB: w');
    check(dx, <i64>m * k, 'matmulTransB: dx');
  }
  matmulTransBCols(dy, w, dx, m, n, k, 0, k);
}

/** dx[:, p0..p1) of matmulTransB, bit for bit when p0 and p1 are multiples of 4 (or p1 = k): the rows p0 ≤ p < p1 of
 *  w (not a kernel of the contract: the worker pool's split of an input gradient by columns, src/backends/wasm/threads/) */
export function matmulTransBCols(dy: usize, w: usize, dx: usize, m: i32, n: i32, k: i32, p0: i32, p1: i32): void {
  if (DEBUG) {
    check(dy, <i64>m * n, 'matmulTransBCols: dy'); check(w, <i64>k * n, 'matmulTransBCols: w');
    check(dx, <i64>m * k, 'matmulTransBCols: dx');
    checkRange(p0, p1, k, 'matmulTransBCols: columns out of range');
  }
  const row = <usize>n << 2, dxRow = <usize>k << 2;
  if (m >= TRANS_B_PACK_M) {
    // B(j, p) = w[p, j]: the columns of B are the contiguous rows of w
    gemm(dy, row, 4, w + <usize>p0 * row, 4, row, dx + (<usize>p0 << 2), dxRow, m, p1 - p0, n, false);
    return;
  }
  if (n == 0) {
    fillRows(dx + (<usize>p0 << 2), dxRow, m, p1 - p0);
    return;
  }
  for (let j0 = 0; j0 < n; j0 += NB) {
    const len = min(NB, n - j0);
    const accumulate = j0 > 0;
    const d0 = dy + (<usize>j0 << 2), w0 = w + (<usize>j0 << 2);
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      const di = d0 + <usize>i * row, dxi = dx + <usize>i * dxRow;
      let p = p0;
      for (; p + 4 <= p1; p += 4) dot2x4(di, w0 + <usize>p * row, dxi + (<usize>p << 2), row, dxRow, len, accumulate);
      for (; p < p1; p++) {
        const wp = w0 + <usize>p * row, dxp = dxi + (<usize>p << 2);
        dot1x1(di, wp, dxp, len, accumulate);
        dot1x1(di + row, wp, dxp + dxRow, len, accumulate);
      }
    }
    if (i < m) {
      const di = d0 + <usize>i * row, dxi = dx + <usize>i * dxRow;
      let p = p0;
      for (; p + 4 <= p1; p += 4) dot1x4(di, w0 + <usize>p * row, dxi + (<usize>p << 2), row, len, accumulate);
      for (; p < p1; p++) dot1x1(di, w0 + <usize>p * row, dxi + (<usize>p << 2), len, accumulate);
    }
  }
}
