import { column4, gather4, madd, storeColumn4, storeRows4 } from './simd';

// The forward pass and the filter gradient of assembly/conv.ts without building the patch matrix, for geometries in
// which every window lies wholly inside the image (no pad is ever read: 'valid', or a 1×1 kernel). Row r = (b, oy, ox)
// of the patch matrix is then the window whose top-left input is x at
//   corner(r) = ((b·inH + oy·strideH)·inW + ox·strideW)·inC  floats,
// and its entry p = (ky, kx, ci) lies at corner(r) + tap(p), tap(p) = ⌊p / run⌋·inW·inC + p mod run, run = kw·inC
// (a window is kh runs of kw·inC contiguous floats). A table of corners (int32 byte offsets, in the conv scratch) lets
// the micro-kernels read the patch matrix in place: they compute what matmul and matmulTransAAdd compute on the built
// matrix, term for term in the same order (every sum over p, or over r, in order from +0, each term rounded, `madd`):
// the same bits, without the copy. Both functions work on rows [r0, r0 + rows) of the patch matrix, so a caller can
// split a call by rows.
//
// Measured on the MNIST convnet's layers (see conv.ts): the copy was about 40% of the first layer's time (K = 9).

/** pixels per chunk: one chunk's corners in the table, and (filter gradient) its rows of dy in L1 */
const CHUNK_FLOATS: i32 = 8192;

/** Whether every window lies inside the image (then the direct path applies). */
export function windowsInside(
  inH: i32, inW: i32, kh: i32, kw: i32, outH: i32, outW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
): bool {
  return padTop == 0 && padLeft == 0 && (outH - 1) * strideH + kh <= inH && (outW - 1) * strideW + kw <= inW;
}

/** pixels per chunk for `outC` outputs and a table of at most `capacity` entries: a multiple of 4, at least 4 */
// @ts-ignore: decorator
@inline
function chunkPixels(outC: i32, capacity: i32): i32 {
  return max(4, min(capacity, CHUNK_FLOATS / max(outC, 1)) & ~3);
}

/** table[0..count) = the byte offsets from x of the corners of rows r0 … r0 + count − 1 */
function corners(
  table: usize, r0: i32, count: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, strideH: i32, strideW: i32,
): void {
  const pixel = inC << 2, step = strideW * pixel, rowStep = strideH * inW * pixel, image = inH * inW * pixel;
  let b = r0 / (outH * outW), rest = r0 % (outH * outW);
  let oy = rest / outW, ox = rest % outW;
  let rowCorner = b * image + oy * rowStep;
  for (let k = 0; k < count; k++) {
    store<i32>(table + (<usize>k << 2), rowCorner + ox * step);
    if (++ox == outW) {
      ox = 0;
      if (++oy == outH) {
        oy = 0;
        b++;
        rowCorner = b * image;
      } else rowCorner += rowStep;
    }
  }
}

// ---- forward: y[r, j] = Σ_p A(r, p) · w[p, j], p in order --------------------------------------------------------

/** y[4 rows, 8] = A(4 rows at the corners t[0..4]) · w[K, 8]; taps in kh runs of `run` floats, `line` bytes apart */
function forward4x8(x: usize, t: usize, w: usize, c: usize, cRow: usize, kh: i32, run: i32, line: usize, wRow: usize): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const a0 = x + <usize>load<i32>(t), a1 = x + <usize>load<i32>(t, 4);
  const a2 = x + <usize>load<i32>(t, 8), a3 = x + <usize>load<i32>(t, 12);
  let b = w;
  for (let ky = 0; ky < kh; ky++) {
    const o = <usize>ky * line;
    let p0 = a0 + o, p1 = a1 + o, p2 = a2 + o, p3 = a3 + o;
    for (let q = 0; q < run; q++) {
      const b0 = v128.load(b), b1 = v128.load(b, 16);
      let s = v128.load32_splat(p0);
      c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
      s = v128.load32_splat(p1);
      c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
      s = v128.load32_splat(p2);
      c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
      s = v128.load32_splat(p3);
      c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
      p0 += 4; p1 += 4; p2 += 4; p3 += 4; b += wRow;
    }
  }
  const r1 = c + cRow, r2 = r1 + cRow, r3 = r2 + cRow;
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}

/** y[4 rows, 4] = A(4 rows at the corners t[0..4]) · w[K, 4]; with `cols` < 4 only the last `cols` columns are
 *  stored (the last columns of a y at least 4 wide, computed again over its last four: the others are dropped) */
function forward4x4(
  x: usize, t: usize, w: usize, c: usize, cRow: usize, kh: i32, run: i32, line: usize, wRow: usize, cols: i32 = 4,
): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  const a0 = x + <usize>load<i32>(t), a1 = x + <usize>load<i32>(t, 4);
  const a2 = x + <usize>load<i32>(t, 8), a3 = x + <usize>load<i32>(t, 12);
  let b = w;
  for (let ky = 0; ky < kh; ky++) {
    const o = <usize>ky * line;
    let p0 = a0 + o, p1 = a1 + o, p2 = a2 + o, p3 = a3 + o;
    for (let q = 0; q < run; q++) {
      const b0 = v128.load(b);
      c0 = madd(v128.load32_splat(p0), b0, c0);
      c1 = madd(v128.load32_splat(p1), b0, c1);
      c2 = madd(v128.load32_splat(p2), b0, c2);
      c3 = madd(v128.load32_splat(p3), b0, c3);
      p0 += 4; p1 += 4; p2 += 4; p3 += 4; b += wRow;
    }
  }
  storeRows4(c, cRow, c0, c1, c2, c3, cols);
}

/** y[4 rows, cols ≤ 3] for a layer of fewer than 4 filters: a vector per column whose lanes are the four rows, so a
 *  step reads the four rows' input once for every column (forward1x1's arithmetic in each lane) */
function forward4xTail(
  x: usize, t: usize, w: usize, c: usize, cRow: usize, kh: i32, run: i32, line: usize, wRow: usize, cols: i32,
): void {
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0;
  const a0 = x + <usize>load<i32>(t), a1 = x + <usize>load<i32>(t, 4);
  const a2 = x + <usize>load<i32>(t, 8), a3 = x + <usize>load<i32>(t, 12);
  let b = w;
  for (let ky = 0; ky < kh; ky++) {
    const o = <usize>ky * line;
    let p0 = a0 + o, p1 = a1 + o, p2 = a2 + o, p3 = a3 + o;
    for (let q = 0; q < run; q++) {
      const av = gather4(p0, p1, p2, p3);
      s0 = madd(av, v128.load32_splat(b), s0);
      if (cols > 1) s1 = madd(av, v128.load32_splat(b, 4), s1);
      if (cols > 2) s2 = madd(av, v128.load32_splat(b, 8), s2);
      p0 += 4; p1 += 4; p2 += 4; p3 += 4; b += wRow;
    }
  }
  storeColumn4(c, cRow, s0);
  if (cols > 1) storeColumn4(c + 4, cRow, s1);
  if (cols > 2) storeColumn4(c + 8, cRow, s2);
}

/** y[1 row, 4] = A(the row at corner t[0]) · w[K, 4] */
function forward1x4(x: usize, t: usize, w: usize, c: usize, kh: i32, run: i32, line: usize, wRow: usize): void {
  let c0 = f32x4.splat(0);
  const a = x + <usize>load<i32>(t);
  let b = w;
  for (let ky = 0; ky < kh; ky++) {
    let p = a + <usize>ky * line;
    for (let q = 0; q < run; q++) {
      c0 = madd(v128.load32_splat(p), v128.load(b), c0);
      p += 4; b += wRow;
    }
  }
  v128.store(c, c0);
}

/** y[1 row, 1] = A(the row at corner t[0]) · w[K, 1]: one lane of forward1x4's arithmetic */
function forward1x1(x: usize, t: usize, w: usize, c: usize, kh: i32, run: i32, line: usize, wRow: usize): void {
  let c0 = f32x4.splat(0);
  const a = x + <usize>load<i32>(t);
  let b = w;
  for (let ky = 0; ky < kh; ky++) {
    let p = a + <usize>ky * line;
    for (let q = 0; q < run; q++) {
      c0 = madd(v128.load32_splat(p), v128.load32_zero(b), c0);
      p += 4; b += wRow;
    }
  }
  store<f32>(c, f32x4.extract_lane(c0, 0));
}

/** rows [r0, r0 + rows) of y = patches(x) · w, read in place (every window inside the image); table: ≥ 4 int32 */
export function forwardDirect(
  x: usize, w: usize, y: usize, table: usize, capacity: i32, r0: i32, rows: i32,
  inH: i32, inW: i32, inC: i32, kh: i32, kw: i32, outC: i32, outH: i32, outW: i32, strideH: i32, strideW: i32,
): void {
  const run = kw * inC, line = <usize>inW * inC << 2, wRow = <usize>outC << 2, cRow = wRow;
  const P = chunkPixels(outC, capacity);
  for (let c0 = 0; c0 < rows; c0 += P) {
    const count = min(P, rows - c0), count4 = count & ~3;
    corners(table, r0 + c0, count, inH, inW, inC, outH, outW, strideH, strideW);
    const yc = y + <usize>(r0 + c0) * cRow;
    // a column block of w at a time over the chunk, so that it stays in L1 while the chunk's rows sweep it
    let j = 0;
    for (; j + 8 <= outC; j += 8) {
      const wj = w + (<usize>j << 2);
      for (let i = 0; i < count4; i += 4) {
        forward4x8(x, table + (<usize>i << 2), wj, yc + <usize>i * cRow + (<usize>j << 2), cRow, kh, run, line, wRow);
      }
    }
    for (; j + 4 <= outC; j += 4) {
      const wj = w + (<usize>j << 2);
      for (let i = 0; i < count4; i += 4) {
        forward4x4(x, table + (<usize>i << 2), wj, yc + <usize>i * cRow + (<usize>j << 2), cRow, kh, run, line, wRow);
      }
    }
    if (j < outC) {
      // the last outC % 4 columns of the 4-row blocks
      const cols = outC - j, last = outC >= 4 ? outC - 4 : j, wl = w + (<usize>last << 2);
      for (let i = 0; i < count4; i += 4) {
        const t = table + (<usize>i << 2), yl = yc + <usize>i * cRow + (<usize>last << 2);
        if (outC >= 4) forward4x4(x, t, wl, yl, cRow, kh, run, line, wRow, cols);
        else forward4xTail(x, t, wl, yl, cRow, kh, run, line, wRow, cols);
      }
    }
    for (let i = count4; i < count; i++) {
      const t = table + (<usize>i << 2), yi = yc + <usize>i * cRow;
      let jj = 0;
      for (; jj + 4 <= outC; jj += 4) forward1x4(x, t, w + (<usize>jj << 2), yi + (<usize>jj << 2), kh, run, line, wRow);
      for (; jj < outC; jj++) forward1x1(x, t, w + (<usize>jj << 2), yi + (<usize>jj << 2), kh, run, line, wRow);
    }
  }
}

// ---- filter gradient: dw[p, j] += Σ_r A(r, p) · dy[r, j], r in order ---------------------------------------------

/** dw[4 taps, 8] += Σ over `count` rows (corners t[k]) of A(r, taps at o0…o3) · dy[r, 8] */
function filter4x8(
  x: usize, t: usize, count: i32, o0: usize, o1: usize, o2: usize, o3: usize, dy: usize, dyRow: usize, c: usize, cRow: usize,
): void {
  const r1 = c + cRow, r2 = r1 + cRow, r3 = r2 + cRow;
  let c00 = v128.load(c), c01 = v128.load(c, 16), c10 = v128.load(r1), c11 = v128.load(r1, 16);
  let c20 = v128.load(r2), c21 = v128.load(r2, 16), c30 = v128.load(r3), c31 = v128.load(r3, 16);
  let d = dy;
  for (let k = 0; k < count; k++) {
    const a = x + <usize>load<i32>(t + (<usize>k << 2));
    const b0 = v128.load(d), b1 = v128.load(d, 16);
    let s = v128.load32_splat(a + o0);
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    s = v128.load32_splat(a + o1);
    c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
    s = v128.load32_splat(a + o2);
    c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
    s = v128.load32_splat(a + o3);
    c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
    d += dyRow;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}

/** dw[4 taps, 4] += Σ over `count` rows of A(r, taps at o0…o3) · dy[r, 4]; with `cols` < 4 only the last `cols`
 *  columns are stored (the last columns of a block at least 4 wide: the dropped lanes start from values this pass has
 *  already updated, which does not matter since they are dropped) */
function filter4x4(
  x: usize, t: usize, count: i32, o0: usize, o1: usize, o2: usize, o3: usize, dy: usize, dyRow: usize, c: usize, cRow: usize,
  cols: i32 = 4,
): void {
  let c0 = v128.load(c), c1 = v128.load(c + cRow), c2 = v128.load(c + 2 * cRow), c3 = v128.load(c + 3 * cRow);
  let d = dy;
  for (let k = 0; k < count; k++) {
    const a = x + <usize>load<i32>(t + (<usize>k << 2));
    const b0 = v128.load(d);
    c0 = madd(v128.load32_splat(a + o0), b0, c0);
    c1 = madd(v128.load32_splat(a + o1), b0, c1);
    c2 = madd(v128.load32_splat(a + o2), b0, c2);
    c3 = madd(v128.load32_splat(a + o3), b0, c3);
    d += dyRow;
  }
  storeRows4(c, cRow, c0, c1, c2, c3, cols);
}

/** dw[4 taps, cols ≤ 3] += … for a block of fewer than 4 columns: a vector per column whose lanes are the four taps,
 *  so a row's four input values are read once for every column (filter1x1's arithmetic in each lane) */
function filter4xTail(
  x: usize, t: usize, count: i32, o0: usize, o1: usize, o2: usize, o3: usize, dy: usize, dyRow: usize, c: usize, cRow: usize,
  cols: i32,
): void {
  let s0 = column4(c, cRow), s1 = s0, s2 = s0;
  if (cols > 1) s1 = column4(c + 4, cRow);
  if (cols > 2) s2 = column4(c + 8, cRow);
  let d = dy;
  for (let k = 0; k < count; k++) {
    const a = x + <usize>load<i32>(t + (<usize>k << 2));
    const av = gather4(a + o0, a + o1, a + o2, a + o3);
    s0 = madd(av, v128.load32_splat(d), s0);
    if (cols > 1) s1 = madd(av, v128.load32_splat(d, 4), s1);
    if (cols > 2) s2 = madd(av, v128.load32_splat(d, 8), s2);
    d += dyRow;
  }
  storeColumn4(c, cRow, s0);
  if (cols > 1) storeColumn4(c + 4, cRow, s1);
  if (cols > 2) storeColumn4(c + 8, cRow, s2);
}

/** dw[1 tap, 8] += Σ over `count` rows of A(r, the tap at o) · dy[r, 8] */
function filter1x8(x: usize, t: usize, count: i32, o: usize, dy: usize, dyRow: usize, c: usize): void {
  let c0 = v128.load(c), c1 = v128.load(c, 16);
  let d = dy;
  for (let k = 0; k < count; k++) {
    const s = v128.load32_splat(x + <usize>load<i32>(t + (<usize>k << 2)) + o);
    c0 = madd(s, v128.load(d), c0); c1 = madd(s, v128.load(d, 16), c1);
    d += dyRow;
  }
  v128.store(c, c0); v128.store(c, c1, 16);
}

/** dw[1 tap, 4] += Σ over `count` rows of A(r, the tap at o) · dy[r, 4] */
function filter1x4(x: usize, t: usize, count: i32, o: usize, dy: usize, dyRow: usize, c: usize): void {
  let c0 = v128.load(c);
  let d = dy;
  for (let k = 0; k < count; k++) {
    c0 = madd(v128.load32_splat(x + <usize>load<i32>(t + (<usize>k << 2)) + o), v128.load(d), c0);
    d += dyRow;
  }
  v128.store(c, c0);
}

/** dw[1 tap, 1] += Σ over `count` rows of A(r, the tap at o) · dy[r, 1]: one lane of filter1x4's arithmetic */
function filter1x1(x: usize, t: usize, count: i32, o: usize, dy: usize, dyRow: usize, c: usize): void {
  let c0 = v128.load32_zero(c);
  let d = dy;
  for (let k = 0; k < count; k++) {
    c0 = madd(v128.load32_splat(x + <usize>load<i32>(t + (<usize>k << 2)) + o), v128.load32_zero(d), c0);
    d += dyRow;
  }
  store<f32>(c, f32x4.extract_lane(c0, 0));
}

/** the byte offset of tap p from a window's corner */
// @ts-ignore: decorator
@inline
function tap(p: i32, run: i32, line: usize): usize {
  return <usize>(p / run) * line + (<usize>(p % run) << 2);
}

/**
 * db[j0 .. j1) += Σ over `count` rows of dy[r, j0 .. j1), each column continuing its sum over r in order from the
 * stored value: sumRows's arithmetic (assembly/elementwise.ts), on a block of dy a gradient kernel has just read.
 */
export function addRowsInto(dy: usize, dyRow: usize, count: i32, db: usize, j0: i32, j1: i32): void {
  let j = j0;
  // 16 columns at a time: four independent chains of adds hide the adds' latency
  for (; j + 16 <= j1; j += 16) {
    const o = <usize>j << 2;
    let s0 = v128.load(db + o), s1 = v128.load(db + o + 16), s2 = v128.load(db + o + 32), s3 = v128.load(db + o + 48);
    let d = dy + o;
    for (let r = 0; r < count; r++) {
      s0 = f32x4.add(s0, v128.load(d));
      s1 = f32x4.add(s1, v128.load(d + 16));
      s2 = f32x4.add(s2, v128.load(d + 32));
      s3 = f32x4.add(s3, v128.load(d + 48));
      d += dyRow;
    }
    v128.store(db + o, s0);
    v128.store(db + o + 16, s1);
    v128.store(db + o + 32, s2);
    v128.store(db + o + 48, s3);
  }
  for (; j + 4 <= j1; j += 4) {
    const o = <usize>j << 2;
    let s = v128.load(db + o);
    for (let r = 0; r < count; r++) s = f32x4.add(s, v128.load(dy + <usize>r * dyRow + o));
    v128.store(db + o, s);
  }
  for (; j < j1; j++) {
    const o = <usize>j << 2;
    let s = load<f32>(db + o);
    for (let r = 0; r < count; r++) s += load<f32>(dy + <usize>r * dyRow + o);
    store<f32>(db + o, s);
  }
}

/**
 * dw[p0 .. p1, j0 .. j1) += patches(x)[r0 .. r0 + rows, p0 .. p1)ᵀ · dy[r0 .. r0 + rows, j0 .. j1), every dw[p, j]
 * continuing its sum over r in order from the stored value (every window inside the image); table: ≥ 4 int32. Each
 * dw[p, j] is the same sum whichever taps and columns are computed with it (the micro-kernels' lanes and tap rows are
 * independent, and the one-tap kernels do one lane's arithmetic), so the worker pool can cut a call by taps or columns.
 * With db ≠ 0, also db[j0 .. j1) += the rows of dy (addRowsInto), each chunk of rows while it is in cache.
 */
export function filterDirect(
  x: usize, dy: usize, dw: usize, table: usize, capacity: i32, r0: i32, rows: i32,
  inH: i32, inW: i32, inC: i32, kh: i32, kw: i32, outC: i32, outH: i32, outW: i32, strideH: i32, strideW: i32,
  p0: i32, p1: i32, j0: i32, j1: i32, db: usize,
): void {
  const run = kw * inC, line = <usize>inW * inC << 2, dyRow = <usize>outC << 2, cRow = dyRow;
  const P = chunkPixels(outC, capacity), K4 = p0 + ((p1 - p0) & ~3);
  for (let c0 = 0; c0 < rows; c0 += P) {
    const count = min(P, rows - c0);
    corners(table, r0 + c0, count, inH, inW, inC, outH, outW, strideH, strideW);
    const d0 = dy + <usize>(r0 + c0) * dyRow;
    if (db != 0) addRowsInto(d0, dyRow, count, db, j0, j1);
    let p = p0;
    for (; p < K4; p += 4) {
      const o0 = tap(p, run, line), o1 = tap(p + 1, run, line), o2 = tap(p + 2, run, line), o3 = tap(p + 3, run, line);
      const cp = dw + <usize>p * cRow;
      let j = j0;
      for (; j + 8 <= j1; j += 8) filter4x8(x, table, count, o0, o1, o2, o3, d0 + (<usize>j << 2), dyRow, cp + (<usize>j << 2), cRow);
      for (; j + 4 <= j1; j += 4) filter4x4(x, table, count, o0, o1, o2, o3, d0 + (<usize>j << 2), dyRow, cp + (<usize>j << 2), cRow);
      if (j < j1) {
        // the last (j1 − j0) % 4 columns: again over the block's last four, or as taps in lanes in a narrower block
        const cols = j1 - j;
        if (j1 - j0 >= 4) {
          const o = <usize>(j1 - 4) << 2;
          filter4x4(x, table, count, o0, o1, o2, o3, d0 + o, dyRow, cp + o, cRow, cols);
        } else filter4xTail(x, table, count, o0, o1, o2, o3, d0 + (<usize>j << 2), dyRow, cp + (<usize>j << 2), cRow, cols);
      }
    }
    for (; p < p1; p++) {
      const o = tap(p, run, line), cp = dw + <usize>p * cRow;
      let j = j0;
      for (; j + 8 <= j1; j += 8) filter1x8(x, table, count, o, d0 + (<usize>j << 2), dyRow, cp + (<usize>j << 2));
      for (; j + 4 <= j1; j += 4) filter1x4(x, table, count, o, d0 + (<usize>j << 2), dyRow, cp + (<usize>j << 2));
      for (; j < j1; j++) filter1x1(x, table, count, o, d0 + (<usize>j << 2), dyRow, cp + (<usize>j << 2));
    }
  }
}
