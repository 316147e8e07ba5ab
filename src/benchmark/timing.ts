/**
 * How `benchmark()` times its work: every timed sample lasts at least a minimum time (so that coarse browser timers
 * and single slow calls do not decide the result), and the samples of the two backends alternate (wasm, JS, wasm,
 * JS, …) so that a moment when the machine is busy elsewhere slows both rather than one.
 */

/** Does `reps` units of work and returns how much work that was (FLOPs, samples). */
export type Work = (reps: number) => number | Promise<number>;

/** Milliseconds from some origin: performance.now, or a fake one in tests. */
export type Clock = () => number;

export interface Timed {
  /** work per second of each timed sample, in the order they ran */
  rates: number[];
  median: number;
  min: number;
  max: number;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** (max − min) / median: how far the samples spread, relative to the result. */
export function spread(t: Timed): number {
  return (t.max - t.min) / t.median;
}

/** After one untimed call (compiling the hot paths, sizing buffers): how many reps make a sample last ≥ minMs. */
export async function calibrate(work: Work, minMs: number, clock: Clock): Promise<number> {
  await work(1);
  let reps = 1;
  for (;;) {
    const t0 = clock();
    await work(reps);
    const ms = clock() - t0;
    if (ms >= minMs || reps >= 1 << 20) return Math.max(1, Math.ceil((reps * minMs) / Math.max(ms, 1e-3)));
    reps *= ms < minMs / 8 ? 8 : 2;
  }
}

function summarize(rates: number[]): Timed {
  return { rates, median: median(rates), min: Math.min(...rates), max: Math.max(...rates) };
}

/**
 * `samples` timed samples of each of `a` and `b` (null: not measured), each at least `minMs` long, alternating.
 * Also the ratio a / b of each pair of samples taken back to back.
 */
export async function timePair(
  a: Work | null,
  b: Work,
  options: { minMs: number; samples: number; clock: Clock },
): Promise<{ a: Timed | null; b: Timed; ratios: number[] }> {
  const { minMs, samples, clock } = options;
  const repsA = a ? await calibrate(a, minMs, clock) : 0;
  const repsB = await calibrate(b, minMs, clock);
  const time = async (work: Work, reps: number) => {
    const t0 = clock();
    const done = await work(reps);
    return done / ((clock() - t0) / 1000);
  };
  const ratesA: number[] = [];
  const ratesB: number[] = [];
  for (let s = 0; s < samples; s++) {
    if (a) ratesA.push(await time(a, repsA));
    ratesB.push(await time(b, repsB));
  }
  return { a: a ? summarize(ratesA) : null, b: summarize(ratesB), ratios: ratesA.map((r, i) => r / ratesB[i]) };
}
