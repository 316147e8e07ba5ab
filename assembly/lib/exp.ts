// e^x on four lanes: Cephes expf (range reduction by ln 2 and a degree-5 polynomial), in plain f32x4 arithmetic
// (no FMA, so results are the same on every engine). Measured against Math.exp on every 7th float32 bit pattern:
// max relative error 8.2e-8 where e^x is a normal float, and within 0.75 of the spacing where it is subnormal.
// sigmoid and tanh built on it stay within 1.5e-7 (test/backends/wasm-math.test.ts asks for 3e-7).

const LOG2E: f32 = 1.44269504088896341;
// ln 2 split so that n·LN2_HI is exact for |n| < 2¹⁵
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
// e^x underflows to 0 below −103.98 and overflows to +Inf above 88.73; clamping just outside keeps 2ⁿ in range.
const X_MIN: f32 = -104.0;
const X_MAX: f32 = 89.0;

/** e^x per lane; NaN stays NaN (f32x4.min/max propagate NaN), −Inf gives 0, +Inf gives +Inf */
// @ts-ignore: decorator
@inline
export function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(X_MIN)), f32x4.splat(X_MAX));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const e = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  // 2ⁿ as two factors 2^(n>>1)·2^(n−(n>>1)), each a normal float for n in [−150, 129], so that results in the
  // subnormal range are rounded once and results past the float range become +Inf.
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(e, s1), s2);
}

/** e^x for one float, the same arithmetic as exp4 (for scalar tails, so every element gets identical results) */
// @ts-ignore: decorator
@inline
export function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}
