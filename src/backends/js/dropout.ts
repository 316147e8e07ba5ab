import { uniformHash, type Ptr } from '../kernels.js';
import type { JsHeap } from './arena.js';

/** inverted dropout: u_i = uniform(seed, i) (see `uniformHash`); mask[i] = u_i >= rate ? 1/(1 − rate) : 0;
 *  y[i] = x[i] · mask[i]   (0 ≤ rate < 1; seed is a uint32) */
export function dropout(h: JsHeap, x: Ptr, y: Ptr, mask: Ptr, n: number, rate: number, seed: number): void {
  const f = h.f,
    xi = x >>> 2,
    yi = y >>> 2,
    mi = mask >>> 2;
  const keep = 1 / (1 - rate);
  for (let i = 0; i < n; i++) {
    f[mi + i] = uniformHash(seed, i) >= rate ? keep : 0;
    // Multiply by the stored mask, so that y is exactly x · mask[i] in the heap's precision.
    f[yi + i] = f[xi + i] * f[mi + i];
  }
}
