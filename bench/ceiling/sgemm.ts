// The performance issue's yardstick, compiled by bench/lib/ceiling.ts with asc (--enable simd, -O3) at bench time:
// a plain Goto-style sgemm, as the issue describes it. Pack a KC-deep slab of B and MC×KC blocks of A, then a
// 4×8 register-blocked micro-kernel: v128.load32_splat on A, f32x4.mul and f32x4.add on B, eight accumulators.
// No edge handling: M must be a multiple of 4 and N of 8 (the bench uses squares of 128…1024). It is not
// scratchnet's kernel (assembly/matmul.ts) and shares no code with it, so the two can be compared.

const KC: i32 = 256;
const MC: i32 = 64;
const MR: i32 = 4;
const NR: i32 = 8;

/** bytes of scratch `sgemm` needs for an N-wide B */
export function scratchBytes(N: i32): i32 {
  return (KC * N + MC * KC) * 4;
}

/** C[M, N] = A[M, K] · B[K, N], row-major f32; `scratch` holds scratchBytes(N) bytes for the packed panels. */
export function sgemm(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32, scratch: usize): void {
  const bPacked = scratch;
  const aPacked = scratch + ((<usize>KC * N) << 2);
  for (let pc = 0; pc < K; pc += KC) {
    const kc = min(KC, K - pc);
    // B[pc.., 0..N] → panels of NR columns, each kc rows of NR floats
    for (let j = 0; j < N; j += NR) {
      let dst = bPacked + ((<usize>j * kc) << 2);
      let src = b + ((<usize>pc * N + j) << 2);
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += NR << 2;
        src += (<usize>N) << 2;
      }
    }
    for (let ic = 0; ic < M; ic += MC) {
      const mc = min(MC, M - ic);
      // A[ic.., pc..] → panels of MR rows, each kc columns of MR floats
      for (let i = 0; i < mc; i += MR) {
        let dst = aPacked + ((<usize>i * kc) << 2);
        const row = a + ((<usize>(ic + i) * K + pc) << 2);
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) store<f32>(dst + ((<usize>r) << 2), load<f32>(row + ((<usize>r * K + p) << 2)));
          dst += MR << 2;
        }
      }
      for (let j = 0; j < N; j += NR) {
        for (let i = 0; i < mc; i += MR) {
          kernel(
            aPacked + ((<usize>i * kc) << 2),
            bPacked + ((<usize>j * kc) << 2),
            c + ((<usize>(ic + i) * N + j) << 2),
            (<usize>N) << 2,
            kc,
            pc > 0,
          );
        }
      }
    }
  }
}

function kernel(ap: usize, bp: usize, c: usize, cRow: usize, kc: i32, accumulate: bool): void {
  const c1 = c + cRow,
    c2 = c1 + cRow,
    c3 = c2 + cRow;
  let c00 = f32x4.splat(0),
    c01 = f32x4.splat(0),
    c10 = f32x4.splat(0),
    c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0),
    c21 = f32x4.splat(0),
    c30 = f32x4.splat(0),
    c31 = f32x4.splat(0);
  if (accumulate) {
    c00 = v128.load(c);
    c01 = v128.load(c, 16);
    c10 = v128.load(c1);
    c11 = v128.load(c1, 16);
    c20 = v128.load(c2);
    c21 = v128.load(c2, 16);
    c30 = v128.load(c3);
    c31 = v128.load(c3, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp),
      b1 = v128.load(bp, 16);
    let s = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(s, b0));
    c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(s, b0));
    c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(s, b0));
    c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(s, b0));
    c31 = f32x4.add(c31, f32x4.mul(s, b1));
    ap += MR << 2;
    bp += NR << 2;
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c2, c20);
  v128.store(c2, c21, 16);
  v128.store(c3, c30);
  v128.store(c3, c31, 16);
}
