/**
 * Whether splitting a call pays, learnt as the program runs, per kernel and size class. A call large enough to split
 * (MIN_WORK) is timed split or whole, alternately at first, then the faster way is taken, and the other is tried
 * again every EXPLORE calls in case the machine's load has changed. On an idle machine splitting large calls wins
 * and stays on; on a machine whose other cores are busy (ours is shared: load 7–10 on 2 cores) a worker the OS runs
 * late can make a split call slower than a whole one, and then the calls of that size stay on the calling thread.
 * Results are the same bits either way, so this only ever changes speed.
 */

/** calls between tries of the way that is currently slower */
const EXPLORE = 16;
/** samples of each way before the faster is chosen */
const FIRST = 3;
/** weight of a new sample in the running average */
const ALPHA = 0.25;

interface Stats {
  /** running averages of milliseconds per unit of work: whole, split */
  whole: number;
  split: number;
  wholeSamples: number;
  splitSamples: number;
  calls: number;
}

const now = (): number => globalThis.performance.now();

export class Adaptive {
  private readonly stats = new Map<string, Stats>();
  /** false: always split what is large enough (tests that must see splits) */
  enabled = true;

  /** Run `whole` or `split` for a call of `work` units of kernel `name`, and learn from how long it took. */
  run(name: string, work: number, whole: () => void, split: () => void): void {
    if (!this.enabled) return split();
    const key = `${name}:${Math.round(Math.log2(work) * 2)}`; // size classes of √2
    let s = this.stats.get(key);
    if (!s) this.stats.set(key, (s = { whole: 0, split: 0, wholeSamples: 0, splitSamples: 0, calls: 0 }));
    s.calls++;
    let splitNow: boolean;
    if (s.splitSamples < FIRST || s.wholeSamples < FIRST) splitNow = s.splitSamples <= s.wholeSamples;
    else {
      const faster = s.split <= s.whole;
      splitNow = s.calls % EXPLORE === 0 ? !faster : faster;
    }
    const t0 = now();
    if (splitNow) split();
    else whole();
    const perUnit = (now() - t0) / work;
    if (splitNow) {
      s.split = s.splitSamples++ === 0 ? perUnit : s.split + ALPHA * (perUnit - s.split);
    } else {
      s.whole = s.wholeSamples++ === 0 ? perUnit : s.whole + ALPHA * (perUnit - s.whole);
    }
  }
}
