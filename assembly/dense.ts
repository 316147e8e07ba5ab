import { DEBUG } from './lib/check';
import { matmulTransB } from './matmul';
import { matmulTransASkipZeros } from './sparse';

/** Both gradients of a dense layer, dw = xᵀ·dz as matmulTransASkipZeros and dx = dz·wᵀ as matmulTransB, with their
 *  bits: the two kernels one after the other. On two threads the worker pool runs them side by side instead
 *  (denseBackwardPart), one on each thread. */
export function denseBackward(x: usize, dz: usize, w: usize, dw: usize, dx: usize, m: i32, k: i32, n: i32): void {
  matmulTransASkipZeros(x, dz, dw, m, k, n);
  matmulTransB(dz, w, dx, m, n, k);
}

/**
 * One of the two products of denseBackward: part 0 the input gradient dx (the calling thread: the layer below needs
 * it next), part 1 the weight gradient dw (the worker: only the optimizer step reads it). Each is the whole kernel,
 * so the bits are those of one thread. (Not a kernel of the contract: the worker pool's split of denseBackward,
 * src/backends/wasm/threads/split.ts.)
 */
export function denseBackwardPart(
  x: usize, dz: usize, w: usize, dw: usize, dx: usize, m: i32, k: i32, n: i32, part: i32,
): void {
  if (DEBUG) assert(part == 0 || part == 1, 'denseBackwardPart: bad part');
  if (part == 0) matmulTransB(dz, w, dx, m, n, k);
  else matmulTransASkipZeros(x, dz, dw, m, k, n);
}
