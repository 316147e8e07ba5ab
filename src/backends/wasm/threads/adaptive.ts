/**
 * Whether splitting a call pays, learnt as the program runs, per kernel and size class. A call large enough to split
 * (MIN_WORK) is timed split once and whole once, then the faster way is taken, and the other is tried again now and
 * then in case the machine's load has changed (the schedule: EXPLORE_WHOLE and the constants beside it). On an idle
 * machine splitting large calls wins and stays on; on a machine whose other cores are busy (ours is shared: load 7–10
 * on 2 cores) a worker the OS runs late can make a split call slower than a whole one, and then the calls of that
 * size stay on the calling thread.
 * Results are the same bits either way, so this only ever changes speed.
 *
 * Each way is judged by its last WINDOW timings, averaged without the largest. Single timings on our VMs spread by
 * 1.5–2× (the OS, the host), and a running average of all of them flipped the choice so often that a one-image
 * predict on two threads, whose split conv layer takes 55 µs against 93 µs whole, ran at 129 µs against 94 µs always
 * split. A median would hide a way that is slow in one call of three.
 */

/**
 * Calls between tries of the way that is currently slower: at first (and whenever a try came out faster than the way
 * taken) EXPLORE_WHOLE calls when the split is taken, EXPLORE_SPLIT when the whole call is; doubled after each try
 * that confirmed the choice, up to EXPLORE_MAX. Every try of the slower way costs its difference, and for large calls
 * it is large: the wide layer's products on two threads take 26 ms split and 50 ms whole, so a try of the whole call
 * every 16 calls cost a step 1.54× instead of 1.83× one thread (docs/threads.md). A split that looked slower is tried
 * again at once, because one split sample is easily spoilt (a worker the OS ran late) and for a large call a wrong
 * "whole" costs half its time on every call: in the bench's full runs one of the wide layer's products stayed whole
 * after one such sample, and the row read 1.38× where it read 1.87–1.94× alone. Where the whole call is really faster
 * (small calls), these tries are short. A change of load shows within EXPLORE_MAX calls, and at once where the way
 * taken becomes slower (its own timings say so).
 */
const EXPLORE_WHOLE = 16;
const EXPLORE_SPLIT = 1;
const EXPLORE_MAX = 256;
/** Samples of each way before the faster is chosen: one (split, then whole). Every whole call in this phase costs the
 *  split's gain, and a run that makes few calls of a size pays it in full (the bench's wide-layer row makes some 11
 *  calls of each product: with three samples each, three of them ran whole and the row read 1.42×). */
const FIRST = 1;
/** timings kept per way: the choice compares their means without the largest */
const WINDOW = 7;

/** the last WINDOW timings of one way, in milliseconds per unit of work */
class Timings {
  private readonly values: number[] = [];
  private next = 0;

  get count(): number {
    return this.values.length;
  }

  add(v: number): void {
    if (this.values.length < WINDOW) this.values.push(v);
    else this.values[this.next] = v;
    this.next = (this.next + 1) % WINDOW;
  }

  /** the mean without the largest timing: one preemption or garbage collection does not decide, while a way that
   *  is slow in one call of three (a worker the OS runs late, a wake-up on the call's path) still counts as slow */
  typical(): number {
    let sum = 0,
      largest = -Infinity;
    for (const v of this.values) {
      sum += v;
      largest = Math.max(largest, v);
    }
    return this.values.length > 1 ? (sum - largest) / (this.values.length - 1) : sum;
  }
}

interface Stats {
  whole: Timings;
  split: Timings;
  calls: number;
  /** of them, the calls run whole */
  wholeCalls: number;
  /** the call that tries the slower way next (0: not scheduled yet), and the calls from this try to the next */
  nextTry: number;
  interval: number;
  /** the last split woke the workers (not counted): split the next call too */
  retry: boolean;
}

const now = (): number => globalThis.performance.now();

/** calls before the first try of the other way, given whether the split is the way taken */
const firstInterval = (splitTaken: boolean): number => (splitTaken ? EXPLORE_WHOLE : EXPLORE_SPLIT);

export class Adaptive {
  private readonly stats = new Map<string, Stats>();
  /** `clock`: milliseconds, performance.now() unless a test gives a clock it advances itself (timings that cannot
   *  be spoilt by a loaded machine) */
  constructor(private readonly clock: () => number = now) {}
  /** false: always split what is large enough (tests that must see splits) */
  enabled = true;

  /**
   * Run `whole` or `split` for a call of `work` units of kernel `name`, and learn from how long it took. `cold` says
   * that the workers have gone to sleep since their last call: a split now pays for waking them, which the calls after
   * it do not (they find the workers polling), so its time is not counted and the next call splits again to measure.
   * Without this a kernel that the pool has stopped splitting would look slow split every time it is tried again. If
   * that next call finds them asleep too, the kernel's calls are far apart and each pays the wake: it is counted.
   */
  run(name: string, work: number, whole: () => void, split: () => void, cold = false): void {
    if (!this.enabled) return split();
    const key = `${name}:${Math.round(Math.log2(work) * 2)}`; // size classes of √2
    let s = this.stats.get(key);
    if (!s) {
      s = {
        whole: new Timings(),
        split: new Timings(),
        calls: 0,
        wholeCalls: 0,
        nextTry: 0,
        interval: 0,
        retry: false,
      };
      this.stats.set(key, s);
    }
    s.calls++;
    let splitNow: boolean;
    /** the typical time of the way taken, when this call tries the other */
    let taken: number | undefined;
    const retried = s.retry;
    if (retried) splitNow = true;
    else if (s.split.count < FIRST || s.whole.count < FIRST) splitNow = s.split.count <= s.whole.count;
    else {
      const faster = s.split.typical() <= s.whole.typical();
      splitNow = faster;
      if (s.nextTry === 0) s.nextTry = s.calls + (s.interval = firstInterval(faster));
      else if (s.calls >= s.nextTry) {
        splitNow = !faster;
        taken = (faster ? s.split : s.whole).typical();
      }
    }
    s.retry = false;
    if (!splitNow) s.wholeCalls++;
    const t0 = this.clock();
    if (splitNow) split();
    else whole();
    const perUnit = (this.clock() - t0) / work;
    if (splitNow && cold && !retried) s.retry = true;
    else (splitNow ? s.split : s.whole).add(perUnit);
    if (taken !== undefined) {
      s.interval =
        perUnit < taken ? firstInterval(s.split.typical() <= s.whole.typical()) : Math.min(2 * s.interval, EXPLORE_MAX);
      s.nextTry = s.calls + s.interval;
    }
  }

  /**
   * What was learnt, per kernel and size class (`name:class`): the typical ms per unit of each way, the calls that
   * chose, and how many of them ran whole. The bench compares two of these around each N-thread sample, to say
   * which calls a threads row ran whole (bench/lib/learnt.ts).
   */
  summary(): { key: string; whole: number; split: number; calls: number; wholeCalls: number }[] {
    return [...this.stats].map(([key, s]) => ({
      key,
      whole: s.whole.count ? s.whole.typical() : NaN,
      split: s.split.count ? s.split.typical() : NaN,
      calls: s.calls,
      wholeCalls: s.wholeCalls,
    }));
  }
}
