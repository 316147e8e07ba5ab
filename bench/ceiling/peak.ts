// What this CPU can issue of the default build's arithmetic, compiled by bench/lib/ceiling.ts like sgemm.ts:
// f32x4.mul and f32x4.add (no fused multiply-add) on registers only, no memory traffic. Eight independent
// accumulators, each updated twice per iteration, keep the adds' latency hidden, so the loop runs at the
// throughput of the vector ports that execute them. No matmul can beat this rate with separate multiplies and adds;
// the bench reports it beside the sgemm yardstick, so "N× the JS backend" can be read against what is possible.

/** Runs `iters` iterations of 16 f32x4.mul + 16 f32x4.add (128 FLOPs); returns a lane so nothing is dead code. */
export function peak(iters: i32, y0: f32): f32 {
  const y = f32x4.splat(y0);
  const x0 = f32x4.splat(0.5), x1 = f32x4.splat(0.25);
  let a0 = f32x4.splat(1.0), a1 = f32x4.splat(1.1), a2 = f32x4.splat(1.2), a3 = f32x4.splat(1.3);
  let a4 = f32x4.splat(1.4), a5 = f32x4.splat(1.5), a6 = f32x4.splat(1.6), a7 = f32x4.splat(1.7);
  for (let i = 0; i < iters; i++) {
    a0 = f32x4.add(a0, f32x4.mul(x0, y)); a1 = f32x4.add(a1, f32x4.mul(x1, y));
    a2 = f32x4.add(a2, f32x4.mul(x0, y)); a3 = f32x4.add(a3, f32x4.mul(x1, y));
    a4 = f32x4.add(a4, f32x4.mul(x0, y)); a5 = f32x4.add(a5, f32x4.mul(x1, y));
    a6 = f32x4.add(a6, f32x4.mul(x0, y)); a7 = f32x4.add(a7, f32x4.mul(x1, y));
    a0 = f32x4.add(a0, f32x4.mul(x1, y)); a1 = f32x4.add(a1, f32x4.mul(x0, y));
    a2 = f32x4.add(a2, f32x4.mul(x1, y)); a3 = f32x4.add(a3, f32x4.mul(x0, y));
    a4 = f32x4.add(a4, f32x4.mul(x1, y)); a5 = f32x4.add(a5, f32x4.mul(x0, y));
    a6 = f32x4.add(a6, f32x4.mul(x1, y)); a7 = f32x4.add(a7, f32x4.mul(x0, y));
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(s, 0);
}
