/**
 * What the threads' learner chose while a row's N-thread side was measured: of the kernel calls large enough to
 * split, how many ran whole on the calling thread (src/backends/wasm/threads/adaptive.ts). A threads row whose ratio
 * reads low while its large calls split is the machine's doing; one whose calls ran whole is the learner's.
 */
import { adaptive } from '../../src/backends/wasm/threads/split.js';

/** per kernel: the calls that chose a way, and how many of them ran whole */
export type Learnt = Record<string, { calls: number; whole: number }>;

/** the learner's counts now, per kernel (its size classes summed) */
export function learntNow(): Learnt {
  const out: Learnt = {};
  for (const { key, calls, wholeCalls } of adaptive.summary()) {
    const kernel = key.slice(0, key.lastIndexOf(':'));
    const e = (out[kernel] ??= { calls: 0, whole: 0 });
    e.calls += calls;
    e.whole += wholeCalls;
  }
  return out;
}

/** add to `into` what the learner counted since `before` (a learntNow() result) */
export function addLearntSince(into: Learnt, before: Learnt): void {
  for (const [kernel, now] of Object.entries(learntNow())) {
    const calls = now.calls - (before[kernel]?.calls ?? 0);
    const whole = now.whole - (before[kernel]?.whole ?? 0);
    if (calls === 0) continue;
    const e = (into[kernel] ??= { calls: 0, whole: 0 });
    e.calls += calls;
    e.whole += whole;
  }
}

/** Kernels that ran at least this share of their chosen calls whole are named in a threads target's figure. */
const NAMED_SHARE = 0.1;

/**
 * "the learner ran 2% of 9,412 calls whole", and the kernels that ran many whole: "(conv2dBackward 812 of 820)".
 * Undefined when nothing chose (every call was small, or the learning was off).
 */
export function describeLearnt(l: Learnt | undefined): string | undefined {
  const entries = Object.entries(l ?? {});
  const calls = entries.reduce((s, [, e]) => s + e.calls, 0);
  if (calls === 0) return undefined;
  const whole = entries.reduce((s, [, e]) => s + e.whole, 0);
  const share = (100 * whole) / calls;
  const named = entries
    .filter(([, e]) => e.whole >= NAMED_SHARE * e.calls && e.whole > 0)
    .sort((a, b) => b[1].whole - a[1].whole)
    .map(([kernel, e]) => `${kernel} ${e.whole.toLocaleString('en-US')} of ${e.calls.toLocaleString('en-US')}`);
  return (
    `the learner ran ${share < 1 && whole > 0 ? '<1' : share.toFixed(0)}% of ${calls.toLocaleString('en-US')} ` +
    `large calls whole${named.length ? ` (${named.join(', ')})` : ''}`
  );
}
