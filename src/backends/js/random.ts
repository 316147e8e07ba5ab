import { uniformHash, TRUNCATED_NORMAL_P_LOW, TRUNCATED_NORMAL_P_SPAN, normalQuantile, type Ptr } from '../kernels.js';
import type { JsHeap } from './arena.js';

/** y[i] = lo + (hi − lo) · u_i with u_i = uniform(seed, i) (see `uniformHash`), computed in float64 and stored
 *  rounded (seed is a uint32) */
export function randomUniform(h: JsHeap, y: Ptr, n: number, lo: number, hi: number, seed: number): void {
  const f = h.f,
    yi = y >>> 2,
    span = hi - lo;
  for (let i = 0; i < n; i++) f[yi + i] = lo + span * uniformHash(seed, i);
}

/** y[i] = stddev · z_i, z_i a standard normal truncated to [−2, 2]: z_i = Φ⁻¹(Φ(−2) + v_i·(Φ(2) − Φ(−2))) with
 *  v_i = uniform(seed, i) + 2⁻²⁵ (the middle of its 2⁻²⁴ step), Φ⁻¹ = `normalQuantile`; in float64, stored rounded */
export function truncatedNormal(h: JsHeap, y: Ptr, n: number, stddev: number, seed: number): void {
  const f = h.f,
    yi = y >>> 2;
  for (let i = 0; i < n; i++) {
    const v = uniformHash(seed, i) + 2.9802322387695312e-8;
    f[yi + i] = stddev * normalQuantile(TRUNCATED_NORMAL_P_LOW + v * TRUNCATED_NORMAL_P_SPAN);
  }
}
