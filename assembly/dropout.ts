import { check, DEBUG } from './lib/check';

// uniform(seed, i), exactly as `uniformHash` in src/backends/kernels.ts, four counters at a time in i32 lanes
// (i32x4.mul wraps mod 2³² like Math.imul, shr_u is >>>):
//   h = seed ^ (i · 0x9E3779B9); h ^= h >>> 16; h ·= 0x85EBCA6B; h ^= h >>> 13; h ·= 0xC2B2AE35; h ^= h >>> 16
//   u = (h >>> 8) / 2²⁴

/** the 24-bit integer h >>> 8 of uniformHash for four counters; u = that / 2²⁴ */
// @ts-ignore: decorator
@inline
function hash24x4(seed: v128, i: v128): v128 {
  let h = v128.xor(seed, i32x4.mul(i, i32x4.splat(0x9e3779b9)));
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(0x85ebca6b));
  h = v128.xor(h, i32x4.shr_u(h, 13));
  h = i32x4.mul(h, i32x4.splat(0xc2b2ae35));
  h = v128.xor(h, i32x4.shr_u(h, 16));
  return i32x4.shr_u(h, 8);
}

/** inverted dropout: u_i = uniform(seed, i) (see `uniformHash`); mask[i] = u_i >= rate ? 1/(1 − rate) : 0;
 *  y[i] = x[i] · mask[i]   (0 ≤ rate < 1; seed is a uint32) */
export function dropout(x: usize, y: usize, mask: usize, n: i32, rate: f64, seed: u32): void {
  if (DEBUG) { check(x, n, 'dropout: x'); check(y, n, 'dropout: y'); check(mask, n, 'dropout: mask'); }
  // rate is f64, not f32, so that masks are bit-identical to the JS backend's for every rate (a float32 rate
  // rounds 0.7 down to 11744051/2²⁴, which u can equal). u = k/2²⁴ with integer k, so u >= rate ⟺
  // k >= ⌈rate·2²⁴⌉, exact in f64; and keep rounds 1/(1 − rate) once, as a JS Float32Array store does.
  const threshold = i32x4.splat(<i32>Math.ceil(rate * 16777216.0));
  const keep = <f32>(1.0 / (1.0 - rate));
  const keepv = f32x4.splat(keep), seedv = i32x4.splat(seed);
  let iv = i32x4(0, 1, 2, 3);
  const four = i32x4.splat(4);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const m = v128.and(keepv, i32x4.ge_s(hash24x4(seedv, iv), threshold));
    v128.store(mask + o, m);
    v128.store(y + o, f32x4.mul(v128.load(x + o), m));
    iv = i32x4.add(iv, four);
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const kept = i32x4.extract_lane(i32x4.ge_s(hash24x4(seedv, i32x4.splat(i)), threshold), 0);
    const m: f32 = kept ? keep : 0;
    store<f32>(mask + o, m);
    store<f32>(y + o, load<f32>(x + o) * m);
  }
}
