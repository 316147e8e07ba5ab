/**
 * What the threads' learner chose while a row's N-thread side was measured: of the kernel calls large enough to
 * split, how many it ran whole on the calling thread (src/backends/wasm/threads/adaptive.ts), per kernel and size
 * class. A small call that runs whole because its split is slower is the learner doing its job; a large one that
 * runs whole while the row reads low says where the time went.
 */
import { LEARNT_AGAINST_SPLIT_CALLS, adaptive, steps } from '../../src/backends/wasm/threads/split.js';

/** the key prefix of the step learner's entries (src/backends/wasm/threads/step-learner.ts: `step <model>:<rows>`) */
const STEP = 'step ';

/** per learner key (`kernel:size class`): the calls that chose a way, and how many of them ran the other way */
export type Learnt = Record<string, { calls: number; whole: number }>;

/** the learner's counts now */
export function learntNow(): Learnt {
  const out: Learnt = {};
  for (const { key, calls, wholeCalls } of adaptive.summary()) out[key] = { calls, whole: wholeCalls };
  for (const { key, steps: calls, wholeSteps } of steps.summary()) out[key] = { calls, whole: wholeSteps };
  return out;
}

/** add to `into` what the learner counted since `before` (a learntNow() result) */
export function addLearntSince(into: Learnt, before: Learnt): void {
  for (const [key, now] of Object.entries(learntNow())) {
    const calls = now.calls - (before[key]?.calls ?? 0);
    if (calls === 0) continue;
    const e = (into[key] ??= { calls: 0, whole: 0 });
    e.calls += calls;
    e.whole += now.whole - (before[key]?.whole ?? 0);
  }
}

/** Size classes at least this share of whose calls ran the other way are named in a threads target's figure. */
const NAMED_SHARE = 0.1;

/** 'matmulSkipZeros:38' → ['matmulSkipZeros', 'matmulSkipZeros at ~0.5 M'] (the class is 2·log2 of the work, rounded) */
function label(key: string): [kernel: string, label: string] {
  const at = key.lastIndexOf(':');
  const kernel = key.slice(0, at);
  const work = 2 ** (Number(key.slice(at + 1)) / 2);
  const size =
    work >= 1e7
      ? `${Math.round(work / 1e6)} M`
      : work >= 1e6
        ? `${(work / 1e6).toFixed(1)} M`
        : `${Math.round(work / 1e3)} K`;
  return [kernel, `${kernel} at ~${size}`];
}

/**
 * "the learner ran 2% of 9,412 large calls whole", naming the size classes of which a tenth or more ran whole
 * ("(matmulSkipZeros at ~0.5 M 981 of 1,212)"), then the choices whose other way is two split calls ("conv2dBackward
 * at ~29 M ran as two split calls 78 of 348 times"), then the training steps the step learner ran whole ("fit ran 3 of
 * 1,280 training steps whole"). Undefined when nothing chose (every call was small, or the learning was off).
 */
export function describeLearnt(l: Learnt | undefined): string | undefined {
  const n = (v: number) => v.toLocaleString('en-US');
  const againstSplit = Object.values(LEARNT_AGAINST_SPLIT_CALLS) as string[];
  const whole: string[] = [];
  const twoCalls: string[] = [];
  let calls = 0,
    wholeCalls = 0,
    stepCount = 0,
    wholeSteps = 0;
  for (const [key, e] of Object.entries(l ?? {}).sort((a, b) => b[1].whole - a[1].whole)) {
    if (key.startsWith(STEP)) {
      stepCount += e.calls;
      wholeSteps += e.whole;
      continue;
    }
    const [kernel, name] = label(key);
    const named = e.whole > 0 && e.whole >= NAMED_SHARE * e.calls;
    if (againstSplit.includes(kernel)) {
      if (named) twoCalls.push(`${name} ran as two split calls ${n(e.whole)} of ${n(e.calls)} times`);
      continue;
    }
    calls += e.calls;
    wholeCalls += e.whole;
    if (named) whole.push(`${name} ${n(e.whole)} of ${n(e.calls)}`);
  }
  const parts: string[] = [];
  if (calls > 0) {
    const share = (100 * wholeCalls) / calls;
    parts.push(
      `the learner ran ${share < 1 && wholeCalls > 0 ? '<1' : share.toFixed(0)}% of ${n(calls)} large calls whole` +
        (whole.length ? ` (${whole.join(', ')})` : ''),
    );
  }
  parts.push(...twoCalls);
  if (wholeSteps > 0) parts.push(`fit ran ${n(wholeSteps)} of ${n(stepCount)} training steps whole (the step learner)`);
  return parts.length ? parts.join('; ') : undefined;
}
