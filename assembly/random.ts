import { check, DEBUG } from './lib/check';

// Initial weights from uniform(seed, i), exactly as `uniformHash` in src/backends/kernels.ts, and the same float64
// steps as the JS backend's src/backends/js/random.ts (normalQuantile and naturalLog in kernels.ts), so that both
// backends give the same bits. Only +, −, ×, ÷ and sqrt are used: IEEE-exact in both, where Math.log is not.

/** uniform(seed, i) = (h >>> 8) / 2²⁴, h the hash of uniformHash */
// @ts-ignore: decorator
@inline
function uniformHash(seed: u32, i: u32): f64 {
  let h: u32 = seed ^ (i * 0x9e3779b9);
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return <f64>(h >>> 8) / 16777216.0;
}

/** y[i] = lo + (hi − lo) · u_i with u_i = uniform(seed, i) (see `uniformHash`), computed in float64 and stored
 *  rounded (seed is a uint32) */
export function randomUniform(y: usize, n: i32, lo: f64, hi: f64, seed: u32): void {
  if (DEBUG) check(y, n, 'randomUniform: y');
  const span = hi - lo;
  for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), <f32>(lo + span * uniformHash(seed, <u32>i)));
}

/** ln x for 0 < x < 1: `naturalLog` in src/backends/kernels.ts, step for step */
function naturalLog(x: f64): f64 {
  let e = 0;
  while (x < 0.7071067811865476) {
    x *= 2;
    e++;
  }
  const s = (x - 1) / (x + 1), s2 = s * s;
  let sum: f64 = 1.0 / 21.0;
  for (let k = 19; k >= 1; k -= 2) sum = sum * s2 + 1.0 / <f64>k;
  return 2 * s * sum - <f64>e * 0.6931471805599453;
}

/** Φ⁻¹(p) for |z| ≤ 2: `normalQuantile` in src/backends/kernels.ts (AS 241), step for step */
function normalQuantile(p: f64): f64 {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
      45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r +
      3.387132872796366608)) /
      (((((((r * 5226.495278852854561 + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1);
  }
  const r = Math.sqrt(-naturalLog(q < 0 ? p : 1 - p)) - 1.6;
  const z = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
    1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r +
    1.42343711074968357734) /
    (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
      0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1);
  return q < 0 ? -z : z;
}

/** y[i] = stddev · z_i, z_i a standard normal truncated to [−2, 2]: z_i = Φ⁻¹(Φ(−2) + v_i·(Φ(2) − Φ(−2))) with
 *  v_i = uniform(seed, i) + 2⁻²⁵ (the middle of its 2⁻²⁴ step), Φ⁻¹ = `normalQuantile`; in float64, stored rounded */
export function truncatedNormal(y: usize, n: i32, stddev: f64, seed: u32): void {
  if (DEBUG) check(y, n, 'truncatedNormal: y');
  for (let i = 0; i < n; i++) {
    const v = uniformHash(seed, <u32>i) + 2.9802322387695312e-8;
    // TRUNCATED_NORMAL_P_LOW and TRUNCATED_NORMAL_P_SPAN of src/backends/kernels.ts (a test compares them)
    store<f32>(y + (<usize>i << 2), <f32>(stddev * normalQuantile(0.02275013194817921 + v * 0.9544997361036416)));
  }
}
