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
