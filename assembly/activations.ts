import { check, DEBUG } from './lib/check';
import { exp1, exp4 } from './lib/exp';
import { hmax, hsum } from './lib/simd';

// Forward y = f(x); backward dx = dy · f'(x) written from the forward OUTPUT y. Every loop runs four lanes at a
// time and finishes the n % 4 tail with the same arithmetic on one lane, so an element's result never depends on
// its position. f32x4.max/min return NaN when either lane is NaN, so NaN inputs come out NaN.

/** y = max(x, 0) */
export function relu(x: usize, y: usize, n: i32): void {
  if (DEBUG) { check(x, n, 'relu: x'); check(y, n, 'relu: y'); }
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.max(v128.load(x + o), zero));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, max<f32>(load<f32>(x + o), 0));
  }
}

/** dx = y > 0 ? dy : 0   (NOTE: the gradient at exactly x = 0 is 0) */
export function reluBackward(y: usize, dy: usize, dx: usize, n: i32): void {
  if (DEBUG) { check(y, n, 'reluBackward: y'); check(dy, n, 'reluBackward: dy'); check(dx, n, 'reluBackward: dx'); }
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, load<f32>(y + o) > 0 ? load<f32>(dy + o) : 0);
  }
}

/** y = x > 0 ? x : alpha·x   (alpha ≥ 0) */
export function leakyRelu(x: usize, y: usize, n: i32, alpha: f32): void {
  if (DEBUG) { check(x, n, 'leakyRelu: x'); check(y, n, 'leakyRelu: y'); }
  const zero = f32x4.splat(0), a = f32x4.splat(alpha);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(y + o, v128.bitselect(v, f32x4.mul(v, a), f32x4.gt(v, zero)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v > 0 ? v : alpha * v);
  }
}

/** dx = y > 0 ? dy : alpha·dy */
export function leakyReluBackward(y: usize, dy: usize, dx: usize, n: i32, alpha: f32): void {
  if (DEBUG) {
    check(y, n, 'leakyReluBackward: y'); check(dy, n, 'leakyReluBackward: dy'); check(dx, n, 'leakyReluBackward: dx');
  }
  const zero = f32x4.splat(0), a = f32x4.splat(alpha);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(dy + o);
    v128.store(dx + o, v128.bitselect(g, f32x4.mul(g, a), f32x4.gt(v128.load(y + o), zero)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(dy + o);
    store<f32>(dx + o, load<f32>(y + o) > 0 ? g : alpha * g);
  }
}

/** 1 / (1 + e^(−x)): exp(100) = +Inf gives exactly 0, exp(−100) = 0 gives exactly 1 */
// @ts-ignore: decorator
@inline
function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

/** y = 1 / (1 + e^(−x)) */
export function sigmoid(x: usize, y: usize, n: i32): void {
  if (DEBUG) { check(x, n, 'sigmoid: x'); check(y, n, 'sigmoid: y'); }
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, sigmoid4(v128.load(x + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(sigmoid4(f32x4.splat(load<f32>(x + o))), 0));
  }
}

/** dx = dy · y · (1 − y) */
export function sigmoidBackward(y: usize, dy: usize, dx: usize, n: i32): void {
  if (DEBUG) {
    check(y, n, 'sigmoidBackward: y'); check(dy, n, 'sigmoidBackward: dy'); check(dx, n, 'sigmoidBackward: dx');
  }
  const one = f32x4.splat(1);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const s = v128.load(y + o);
    v128.store(dx + o, f32x4.mul(f32x4.mul(v128.load(dy + o), s), f32x4.sub(one, s)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const s = load<f32>(y + o);
    store<f32>(dx + o, load<f32>(dy + o) * s * (1 - s));
  }
}

// tanh(x) = sign(x)·(1 − 2 / (e^(2|x|) + 1)) loses relative accuracy near 0 (1 − 2/(e^(2|x|)+1) cancels), so
// |x| < 0.625 uses Cephes tanhf's odd polynomial x + x³·P(x²) instead.
const TANH_SMALL: f32 = 0.625;

/** tanh per lane; ±100 gives exactly ±1, NaN gives NaN */
// @ts-ignore: decorator
@inline
function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const one = f32x4.splat(1);
  const two = f32x4.splat(2);
  // large |x|: e^(2|x|) = +Inf past 44.4, and 1 − 2/Inf = 1
  const big = f32x4.sub(one, f32x4.div(two, f32x4.add(exp4(f32x4.mul(ax, two)), one)));
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), ax), ax);
  const r = v128.bitselect(small, big, f32x4.lt(ax, f32x4.splat(TANH_SMALL)));
  // put back the sign of x (a NaN lane stays NaN either way)
  return v128.or(r, v128.and(x, f32x4.splat(-0.0)));
}

/** y = tanh(x) */
export function tanh(x: usize, y: usize, n: i32): void {
  if (DEBUG) { check(x, n, 'tanh: x'); check(y, n, 'tanh: y'); }
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, tanh4(v128.load(x + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(tanh4(f32x4.splat(load<f32>(x + o))), 0));
  }
}

/** dx = dy · (1 − y²) */
export function tanhBackward(y: usize, dy: usize, dx: usize, n: i32): void {
  if (DEBUG) { check(y, n, 'tanhBackward: y'); check(dy, n, 'tanhBackward: dy'); check(dx, n, 'tanhBackward: dx'); }
  const one = f32x4.splat(1);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const t = v128.load(y + o);
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), f32x4.sub(one, f32x4.mul(t, t))));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const t = load<f32>(y + o);
    store<f32>(dx + o, load<f32>(dy + o) * (1 - t * t));
  }
}

/** max_j x[j] over one row of n floats (NaN if any is NaN) */
// @ts-ignore: decorator
@inline
export function rowMax(x: usize, n: i32): f32 {
  const n4 = n & ~3;
  let m: f32 = -Infinity;
  if (n4 > 0) {
    let mv = v128.load(x);
    for (let i = 4; i < n4; i += 4) mv = f32x4.max(mv, v128.load(x + (<usize>i << 2)));
    m = hmax(mv);
  }
  for (let i = n4; i < n; i++) m = max<f32>(m, load<f32>(x + (<usize>i << 2)));
  return m;
}

/** per row: y[i,j] = e^(x[i,j] − max_j x[i,:]) / Σ_j e^(x[i,j] − max_j x[i,:]) */
export function softmax(x: usize, y: usize, rows: i32, cols: i32): void {
  if (DEBUG) { check(x, <i64>rows * cols, 'softmax: x'); check(y, <i64>rows * cols, 'softmax: y'); }
  const n4 = cols & ~3;
  const row = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * row, yr = y + <usize>r * row;
    const m = rowMax(xr, cols);
    const mv = f32x4.splat(m);
    let sv = f32x4.splat(0);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 2;
      const e = exp4(f32x4.sub(v128.load(xr + o), mv));
      v128.store(yr + o, e);
      sv = f32x4.add(sv, e);
    }
    let s = hsum(sv);
    for (let i = n4; i < cols; i++) {
      const o = <usize>i << 2;
      const e = exp1(load<f32>(xr + o) - m);
      store<f32>(yr + o, e);
      s += e;
    }
    const sum = f32x4.splat(s);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(yr + o, f32x4.div(v128.load(yr + o), sum));
    }
    for (let i = n4; i < cols; i++) {
      const o = <usize>i << 2;
      store<f32>(yr + o, load<f32>(yr + o) / s);
    }
  }
}

/** per row: dx[i,j] = y[i,j] · (dy[i,j] − Σ_l y[i,l]·dy[i,l]) */
export function softmaxBackward(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  const total = <i64>rows * cols;
  if (DEBUG) {
    check(y, total, 'softmaxBackward: y'); check(dy, total, 'softmaxBackward: dy');
    check(dx, total, 'softmaxBackward: dx');
  }
  const n4 = cols & ~3;
  const row = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const yr = y + <usize>r * row, dyr = dy + <usize>r * row, dxr = dx + <usize>r * row;
    let sv = f32x4.splat(0);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 2;
      sv = f32x4.add(sv, f32x4.mul(v128.load(yr + o), v128.load(dyr + o)));
    }
    let s = hsum(sv);
    for (let i = n4; i < cols; i++) {
      const o = <usize>i << 2;
      s += load<f32>(yr + o) * load<f32>(dyr + o);
    }
    const svec = f32x4.splat(s);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(dxr + o, f32x4.mul(v128.load(yr + o), f32x4.sub(v128.load(dyr + o), svec)));
    }
    for (let i = n4; i < cols; i++) {
      const o = <usize>i << 2;
      store<f32>(dxr + o, load<f32>(yr + o) * (load<f32>(dyr + o) - s));
    }
  }
}
