import type { Ptr } from '../kernels.js';
import type { JsHeap } from './arena.js';

/** The smallest normal float32. Optimizer state below it is stored as 0, exactly as the wasm kernels do (there it
 *  avoids subnormal arithmetic, ~100× slower on x86); NaN is kept. */
const FLT_MIN = 2 ** -126;

/** x rounded to the heap's precision, then 0 if its magnitude is below FLT_MIN */
function flush(h: JsHeap, x: number): number {
  const r = h.round(x);
  return Math.abs(r) < FLT_MIN ? 0 : r;
}

/** param −= lr · grad */
export function sgdStep(h: JsHeap, param: Ptr, grad: Ptr, n: number, lr: number): void {
  const f = h.f,
    pi = param >>> 2,
    gi = grad >>> 2;
  for (let i = 0; i < n; i++) f[pi + i] -= lr * f[gi + i];
}

/** Keras SGD with momentum: v = momentum·v − lr·grad; param += nesterov ? momentum·v − lr·grad : v */
export function momentumStep(
  h: JsHeap,
  param: Ptr,
  grad: Ptr,
  velocity: Ptr,
  n: number,
  lr: number,
  momentum: number,
  nesterov: number,
): void {
  const f = h.f,
    pi = param >>> 2,
    gi = grad >>> 2,
    vi = velocity >>> 2;
  for (let i = 0; i < n; i++) {
    const g = f[gi + i];
    const v = flush(h, momentum * f[vi + i] - lr * g);
    f[vi + i] = v;
    f[pi + i] += nesterov !== 0 ? momentum * v - lr * g : v;
  }
}

/** Keras Adam with the bias correction folded into lrT = lr·√(1−β2^t)/(1−β1^t):
 *  m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; param −= lrT · m / (√v + eps) */
export function adamStep(
  h: JsHeap,
  param: Ptr,
  grad: Ptr,
  m: Ptr,
  v: Ptr,
  n: number,
  lrT: number,
  beta1: number,
  beta2: number,
  eps: number,
): void {
  const f = h.f,
    pi = param >>> 2,
    gi = grad >>> 2,
    mi = m >>> 2,
    vi = v >>> 2;
  for (let i = 0; i < n; i++) {
    const g = f[gi + i];
    const mNew = flush(h, beta1 * f[mi + i] + (1 - beta1) * g);
    const vNew = flush(h, beta2 * f[vi + i] + (1 - beta2) * g * g);
    f[mi + i] = mNew;
    f[vi + i] = vNew;
    f[pi + i] -= (lrT * mNew) / (Math.sqrt(vNew) + eps);
  }
}

/** RMSprop as Keras 3 and TF.js step it: ms = rho·ms + (1−rho)·g²; param −= lr · g / √(ms + eps) */
export function rmspropStep(
  h: JsHeap,
  param: Ptr,
  grad: Ptr,
  ms: Ptr,
  n: number,
  lr: number,
  rho: number,
  eps: number,
): void {
  const f = h.f,
    pi = param >>> 2,
    gi = grad >>> 2,
    si = ms >>> 2;
  for (let i = 0; i < n; i++) {
    const g = f[gi + i];
    const s = flush(h, rho * f[si + i] + (1 - rho) * g * g);
    f[si + i] = s;
    f[pi + i] -= (lr * g) / Math.sqrt(s + eps);
  }
}
