import { check, DEBUG } from './lib/check';

// Optimizer updates, in place, in f32x4 lanes with a scalar tail doing the same arithmetic.

// NOTE: optimizer state (velocity, Adam's moments, RMSprop's mean square) decays geometrically where a gradient
// stays 0 — MNIST's border pixels — and would sink into float32 subnormals, whose arithmetic is ~100× slower on x86
// (wasm has no flush-to-zero mode). Slot values below the smallest normal float32 are stored as 0 instead; NaN is
// kept. Their effect on a step would be below lr·1e-30.
const FLT_MIN: f32 = 1.1754943508222875e-38;

/** x, with lanes of magnitude below FLT_MIN set to +0 (NaN lanes compare false and stay) */
// @ts-ignore: decorator
@inline function flushV(x: v128): v128 {
  return v128.andnot(x, f32x4.lt(f32x4.abs(x), f32x4.splat(FLT_MIN)));
}

// @ts-ignore: decorator
@inline function flush(x: f32): f32 {
  return Mathf.abs(x) < FLT_MIN ? 0 : x;
}

/** param −= lr · grad */
export function sgdStep(param: usize, grad: usize, n: i32, lr: f32): void {
  if (DEBUG) { check(param, n, 'sgdStep: param'); check(grad, n, 'sgdStep: grad'); }
  const lrv = f32x4.splat(lr);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(param + o, f32x4.sub(v128.load(param + o), f32x4.mul(lrv, v128.load(grad + o))));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(param + o, load<f32>(param + o) - lr * load<f32>(grad + o));
  }
}

/** Keras SGD with momentum: v = momentum·v − lr·grad; param += nesterov ? momentum·v − lr·grad : v */
export function momentumStep(
  param: usize, grad: usize, velocity: usize, n: i32, lr: f32, momentum: f32, nesterov: i32,
): void {
  if (DEBUG) {
    check(param, n, 'momentumStep: param'); check(grad, n, 'momentumStep: grad');
    check(velocity, n, 'momentumStep: velocity');
  }
  const lrv = f32x4.splat(lr), mv = f32x4.splat(momentum);
  const n4 = n & ~3;
  if (nesterov) {
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 2;
      const step = f32x4.mul(lrv, v128.load(grad + o));
      const v = flushV(f32x4.sub(f32x4.mul(mv, v128.load(velocity + o)), step));
      v128.store(velocity + o, v);
      v128.store(param + o, f32x4.add(v128.load(param + o), f32x4.sub(f32x4.mul(mv, v), step)));
    }
  } else {
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 2;
      const v = flushV(f32x4.sub(f32x4.mul(mv, v128.load(velocity + o)), f32x4.mul(lrv, v128.load(grad + o))));
      v128.store(velocity + o, v);
      v128.store(param + o, f32x4.add(v128.load(param + o), v));
    }
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const step = lr * load<f32>(grad + o);
    const v = flush(momentum * load<f32>(velocity + o) - step);
    store<f32>(velocity + o, v);
    store<f32>(param + o, load<f32>(param + o) + (nesterov ? momentum * v - step : v));
  }
}

/** Keras Adam with the bias correction folded into lrT = lr·√(1−β2^t)/(1−β1^t):
 *  m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; param −= lrT · m / (√v + eps) */
export function adamStep(
  param: usize, grad: usize, m: usize, v: usize, n: i32, lrT: f32, beta1: f32, beta2: f32, eps: f32,
): void {
  if (DEBUG) {
    check(param, n, 'adamStep: param'); check(grad, n, 'adamStep: grad'); check(m, n, 'adamStep: m');
    check(v, n, 'adamStep: v');
  }
  const c1: f32 = 1.0 - beta1, c2: f32 = 1.0 - beta2;
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2), c1v = f32x4.splat(c1), c2v = f32x4.splat(c2);
  const lrv = f32x4.splat(lrT), epsv = f32x4.splat(eps);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(grad + o);
    const mi = flushV(f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1v, g)));
    const vi = flushV(f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2v, f32x4.mul(g, g))));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const step = f32x4.div(f32x4.mul(lrv, mi), f32x4.add(f32x4.sqrt(vi), epsv));
    v128.store(param + o, f32x4.sub(v128.load(param + o), step));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(grad + o);
    const mi = flush(beta1 * load<f32>(m + o) + c1 * g);
    const vi = flush(beta2 * load<f32>(v + o) + c2 * (g * g));
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(param + o, load<f32>(param + o) - lrT * mi / (Mathf.sqrt(vi) + eps));
  }
}

/** RMSprop as Keras 3 and TF.js step it: ms = rho·ms + (1−rho)·g²; param −= lr · g / √(ms + eps) */
export function rmspropStep(param: usize, grad: usize, ms: usize, n: i32, lr: f32, rho: f32, eps: f32): void {
  if (DEBUG) {
    check(param, n, 'rmspropStep: param'); check(grad, n, 'rmspropStep: grad'); check(ms, n, 'rmspropStep: ms');
  }
  const c: f32 = 1.0 - rho;
  const rhov = f32x4.splat(rho), cv = f32x4.splat(c), lrv = f32x4.splat(lr), epsv = f32x4.splat(eps);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(grad + o);
    const s = flushV(f32x4.add(f32x4.mul(rhov, v128.load(ms + o)), f32x4.mul(cv, f32x4.mul(g, g))));
    v128.store(ms + o, s);
    const step = f32x4.div(f32x4.mul(lrv, g), f32x4.sqrt(f32x4.add(s, epsv)));
    v128.store(param + o, f32x4.sub(v128.load(param + o), step));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(grad + o);
    const s = flush(rho * load<f32>(ms + o) + c * (g * g));
    store<f32>(ms + o, s);
    store<f32>(param + o, load<f32>(param + o) - lr * g / Mathf.sqrt(s + eps));
  }
}
