/**
 * Whether splitting a call pays, learnt as the program runs, per kernel and size class. A call large enough to split
 * (MIN_WORK) is timed split or whole, alternately at first, then the faster way is taken, and the other is tried
 * again every EXPLORE calls in case the machine's load has changed. On an idle machine splitting large calls wins
 * and stays on; on a machine whose other cores are busy (ours is shared: load 7–10 on 2 cores) a worker the OS runs
 * late can make a split call slower than a whole one, and then the calls of that size stay on the calling thread.
 * Results are the same bits either way, so this only ever changes speed.
 *
 * Each way is judged by its last WINDOW timings, averaged without the largest. Single timings on our VMs spread by
 * 1.5–2× (the OS, the host), and a running average of all of them flipped the choice so often that a one-image
 * predict on two threads, whose split conv layer takes 55 µs against 93 µs whole, ran at 129 µs against 94 µs always
 * split. A median would hide a way that is slow in one call of three.
 */

/** calls between tries of the way that is currently slower */
const EXPLORE = 16;
/** samples of each way before the faster is chosen */
const FIRST = 3;
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
  /** the last split woke the workers (not counted): split the next call too */
  retry: boolean;
}

const now = (): number => globalThis.performance.now();

export class Adaptive {
  private readonly stats = new Map<string, Stats>();
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
    if (!s) this.stats.set(key, (s = { whole: new Timings(), split: new Timings(), calls: 0, retry: false }));
    s.calls++;
    let splitNow: boolean;
    const retried = s.retry;
    if (retried) splitNow = true;
    else if (s.split.count < FIRST || s.whole.count < FIRST) splitNow = s.split.count <= s.whole.count;
    else {
      const faster = s.split.typical() <= s.whole.typical();
      splitNow = s.calls % EXPLORE === 0 ? !faster : faster;
    }
    s.retry = false;
    const t0 = now();
    if (splitNow) split();
    else whole();
    const perUnit = (now() - t0) / work;
    if (splitNow && cold && !retried) s.retry = true;
    else (splitNow ? s.split : s.whole).add(perUnit);
  }

  /** what was learnt, for the bench's notes: per kernel and size class, the typical ms per unit of each way */
  summary(): { key: string; whole: number; split: number; calls: number }[] {
    return [...this.stats].map(([key, s]) => ({
      key,
      whole: s.whole.count ? s.whole.typical() : NaN,
      split: s.split.count ? s.split.typical() : NaN,
      calls: s.calls,
    }));
  }
}
