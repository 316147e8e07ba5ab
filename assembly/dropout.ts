import { check, DEBUG } from './check';

// uniform(seed, i), exactly as `uniformHash` in src/backends/kernels.ts, four counters at a time in i32 lanes
// (i32x4.mul wraps mod 2³² like Math.imul, shr_u is >>>):
//   h = seed ^ (i · 0x9E3779B9); h ^= h >>> 16; h ·= 0x85EBCA6B; h ^= h >>> 13; h ·= 0xC2B2AE35; h ^= h >>> 16
//   u = (h >>> 8) / 2²⁴

@inline
function uniform4(seed: v128, i: v128): v128 {
  let h = v128.xor(seed, i32x4.mul(i, i32x4.splat(0x9e3779b9)));
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(0x85ebca6b));
  h = v128.xor(h, i32x4.shr_u(h, 13));
  h = i32x4.mul(h, i32x4.splat(0xc2b2ae35));
  h = v128.xor(h, i32x4.shr_u(h, 16));
  // h >>> 8 < 2²⁴ converts to f32 exactly, and the scale by 2⁻²⁴ is exact too
  return f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(h, 8)), f32x4.splat(5.9604644775390625e-8));
}

/** inverted dropout: u_i = uniform(seed, i) (see `uniformHash`); mask[i] = u_i >= rate ? 1/(1 − rate) : 0;
 *  y[i] = x[i] · mask[i]   (0 ≤ rate < 1; seed is a uint32) */
export function dropout(x: usize, y: usize, mask: usize, n: i32, rate: f32, seed: u32): void {
  if (DEBUG) { check(x, n, 'dropout: x'); check(y, n, 'dropout: y'); check(mask, n, 'dropout: mask'); }
  // 1/(1 − rate) in f64, rounded once to f32, as a JS `1 / (1 - rate)` stored into a Float32Array
  const keep = <f32>(1.0 / (1.0 - <f64>rate));
  const keepv = f32x4.splat(keep), ratev = f32x4.splat(rate), seedv = i32x4.splat(seed);
  let iv = i32x4(0, 1, 2, 3);
  const four = i32x4.splat(4);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const m = v128.and(keepv, f32x4.ge(uniform4(seedv, iv), ratev));
    v128.store(mask + o, m);
    v128.store(y + o, f32x4.mul(v128.load(x + o), m));
    iv = i32x4.add(iv, four);
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const u = f32x4.extract_lane(uniform4(seedv, i32x4.splat(i)), 0);
    const m: f32 = u >= rate ? keep : 0;
    store<f32>(mask + o, m);
    store<f32>(y + o, load<f32>(x + o) * m);
  }
}
