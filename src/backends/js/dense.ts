import type { Ptr } from '../kernels.js';
import type { JsHeap } from './arena.js';
import { matmulTransB } from './matmul.js';
import { matmulTransASkipZeros } from './sparse.js';

/** both gradients of a dense layer: dw = xᵀ·dz as matmulTransASkipZeros, then dx = dz·wᵀ as matmulTransB */
export function denseBackward(
  h: JsHeap,
  x: Ptr,
  dz: Ptr,
  w: Ptr,
  dw: Ptr,
  dx: Ptr,
  m: number,
  k: number,
  n: number,
): void {
  matmulTransASkipZeros(h, x, dz, dw, m, k, n);
  matmulTransB(h, dz, w, dx, m, n, k);
}
