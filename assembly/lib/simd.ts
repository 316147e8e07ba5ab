// Small SIMD helpers shared by the kernels.

/**
 * c + a·b, the step of every matmul kernel. The default build rounds twice (f32x4.mul, then f32x4.add): the same
 * bits on every engine. The relaxed-SIMD build (asconfig target 'relaxed', ASC_FEATURE_RELAXED_SIMD) uses
 * f32x4.relaxed_madd, which an engine may compute fused (one rounding: FMA) or not, so its results can differ from
 * machine to machine; it is used only when the user asks for it.
 */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** the sum of the four lanes of v */
// @ts-ignore: decorator
@inline
export function hsum(v: v128): f32 {
  const s = f32x4.add(v, f32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.add(s, f32x4.shuffle(s, s, 1, 0, 3, 2)), 0);
}

/** [Σ a, Σ b, Σ c, Σ d]: the four horizontal sums at once (a 4×4 transpose folded into the adds) */
// @ts-ignore: decorator
@inline
export function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(f32x4.shuffle(a, b, 0, 4, 1, 5), f32x4.shuffle(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(f32x4.shuffle(c, d, 0, 4, 1, 5), f32x4.shuffle(c, d, 2, 6, 3, 7));
  return f32x4.add(f32x4.shuffle(ab, cd, 0, 1, 4, 5), f32x4.shuffle(ab, cd, 2, 3, 6, 7));
}

/** the largest of the four lanes (NaN if any lane is NaN) */
// @ts-ignore: decorator
@inline
export function hmax(v: v128): f32 {
  const s = f32x4.max(v, f32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.max(s, f32x4.shuffle(s, s, 1, 0, 3, 2)), 0);
}

// ---- the lanes of a vector as four rows or a column: the tail kernels of matmul.ts and conv-direct.ts ----------

/** store the last `cols` (1–3) lanes of `v` at c + (4 − cols)·4 … c + 12 */
// @ts-ignore: decorator
@inline
export function storeLast(c: usize, v: v128, cols: i32): void {
  if (cols == 3) store<f32>(c, f32x4.extract_lane(v, 1), 4);
  if (cols >= 2) store<f32>(c, f32x4.extract_lane(v, 2), 8);
  store<f32>(c, f32x4.extract_lane(v, 3), 12);
}

/** four rows of a 4×4 block, `cRow` bytes apart: all four columns, or (cols < 4) only the last `cols` */
// @ts-ignore: decorator
@inline
export function storeRows4(c: usize, cRow: usize, c0: v128, c1: v128, c2: v128, c3: v128, cols: i32): void {
  if (cols == 4) {
    v128.store(c, c0); v128.store(c + cRow, c1); v128.store(c + 2 * cRow, c2); v128.store(c + 3 * cRow, c3);
  } else {
    storeLast(c, c0, cols); storeLast(c + cRow, c1, cols); storeLast(c + 2 * cRow, c2, cols); storeLast(c + 3 * cRow, c3, cols);
  }
}

/** store the lanes of `v` down a column, `cRow` bytes apart */
// @ts-ignore: decorator
@inline
export function storeColumn4(c: usize, cRow: usize, v: v128): void {
  store<f32>(c, f32x4.extract_lane(v, 0)); store<f32>(c + cRow, f32x4.extract_lane(v, 1));
  store<f32>(c + 2 * cRow, f32x4.extract_lane(v, 2)); store<f32>(c + 3 * cRow, f32x4.extract_lane(v, 3));
}

/** the column c, c + cRow, c + 2·cRow, c + 3·cRow as the lanes of a vector */
// @ts-ignore: decorator
@inline
export function column4(c: usize, cRow: usize): v128 {
  return gather4(c, c + cRow, c + 2 * cRow, c + 3 * cRow);
}

/** the floats at four addresses as the lanes of a vector */
// @ts-ignore: decorator
@inline
export function gather4(p0: usize, p1: usize, p2: usize, p3: usize): v128 {
  let v = v128.load32_splat(p0);
  v = f32x4.replace_lane(v, 1, load<f32>(p1));
  v = f32x4.replace_lane(v, 2, load<f32>(p2));
  return f32x4.replace_lane(v, 3, load<f32>(p3));
}
