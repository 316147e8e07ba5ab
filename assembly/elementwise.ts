import { check, DEBUG } from './lib/check';

/** y[i,j] += b[j] for every row i (in place) */
export function addRowVector(y: usize, b: usize, rows: i32, cols: i32): void {
  if (DEBUG) { check(y, <i64>rows * cols, 'addRowVector: y'); check(b, cols, 'addRowVector: b'); }
  const n4 = cols & ~3;
  const row = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const yr = y + <usize>r * row;
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(yr + o, f32x4.add(v128.load(yr + o), v128.load(b + o)));
    }
    for (let j = n4; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, load<f32>(yr + o) + load<f32>(b + o));
    }
  }
}

/** db[j] = Σ_i dy[i,j] */
export function sumRows(dy: usize, db: usize, rows: i32, cols: i32): void {
  if (DEBUG) { check(dy, <i64>rows * cols, 'sumRows: dy'); check(db, cols, 'sumRows: db'); }
  // Rows are added one after another into db (which stays in L1), so each column is summed in row order.
  const n4 = cols & ~3;
  const row = <usize>cols << 2;
  memory.fill(db, 0, row);
  for (let r = 0; r < rows; r++) {
    const dyr = dy + <usize>r * row;
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(db + o, f32x4.add(v128.load(db + o), v128.load(dyr + o)));
    }
    for (let j = n4; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(db + o, load<f32>(db + o) + load<f32>(dyr + o));
    }
  }
}

/** x[i] = value */
export function fill(x: usize, n: i32, value: f32): void {
  if (DEBUG) { check(x, n, 'fill: x'); }
  const v = f32x4.splat(value);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) v128.store(x + (<usize>i << 2), v);
  for (let i = n4; i < n; i++) store<f32>(x + (<usize>i << 2), value);
}

/** dst[i] = src[i] */
export function copy(src: usize, dst: usize, n: i32): void {
  if (DEBUG) { check(src, n, 'copy: src'); check(dst, n, 'copy: dst'); }
  memory.copy(dst, src, <usize>n << 2);
}

/** x[i] *= alpha (in place) */
export function scale(x: usize, n: i32, alpha: f32): void {
  if (DEBUG) { check(x, n, 'scale: x'); }
  const a = f32x4.splat(alpha);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(v128.load(x + o), a));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * alpha);
  }
}

/** out[i] = a[i] * b[i]  (out may be a or b) */
export function mul(a: usize, b: usize, out: usize, n: i32): void {
  if (DEBUG) { check(a, n, 'mul: a'); check(b, n, 'mul: b'); check(out, n, 'mul: out'); }
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) * load<f32>(b + o));
  }
}

/** dst[r,:] = src[idx[r],:] for r < rows; idx is int32; copies rows of `cols` floats */
export function gatherRows(src: usize, idx: usize, dst: usize, rows: i32, cols: i32): void {
  if (DEBUG) { check(idx, rows, 'gatherRows: idx'); check(dst, <i64>rows * cols, 'gatherRows: dst'); }
  const row = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const from = src + <usize>load<i32>(idx + (<usize>r << 2)) * row;
    if (DEBUG) { check(from, cols, 'gatherRows: src row'); }
    memory.copy(dst + <usize>r * row, from, row);
  }
}

/** 1 if every x[i] is finite, else 0 */
export function allFinite(x: usize, n: i32): i32 {
  if (DEBUG) { check(x, n, 'allFinite: x'); }
  // v · 0 is 0 for finite v and NaN for ±Inf and NaN; a sum of such terms is NaN exactly when one of them is.
  const zero = f32x4.splat(0);
  let acc = zero;
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(x + (<usize>i << 2)), zero));
  let s: f32 = 0;
  for (let i = n4; i < n; i++) s += load<f32>(x + (<usize>i << 2)) * 0;
  return i32(i32x4.all_true(f32x4.eq(acc, zero)) && s == 0);
}
