/**
 * Whether a training step's calls split, learnt per model and batch size from the steps' own times (fit-loop.ts).
 *
 * Within a step every call large enough splits without learning (split.ts, STEPS_NOT_LEARNT): learnt call by call,
 * a whole call left its arrays on the calling thread and the split calls after it paid for that. But on a machine
 * whose cores are busy with other programs, a split call waits for a worker the OS runs late: with one other busy
 * process on our 2-core VM most of the MNIST MLP's split steps took 0.36–0.6 ms and one in seven 2–6 ms, and it
 * trained 2.3–2.8× slower on two threads than on one (docs/threads.md, fifteenth round). So the choice is made for
 * whole steps, which for one model and batch size are alike and compare fairly. A whole step runs every call on the
 * calling thread (WorkerPool.stepWhole). Bits are the same either way.
 *
 * Steps split by default. Now and then the other way is tried: one step run whole, or while whole steps are taken
 * three split ones (the first finds the workers asleep and the arrays in this thread's cache, and is not counted);
 * after TRY_FIRST steps, then ever further apart while the way taken stays faster. Throughput is a mean: the way
 * taken is judged by the mean of its last steps without the largest (one step slowed by a garbage collection does not
 * decide; steps often slow do), the other by the plain mean of its last tries, so that what the machine does now
 * decides; the way taken changes when the other's mean is below SWITCH of its own. The first WARMUP steps of a model
 * are not counted: in a quiet run they took 0.6–3.4 ms against 0.3 later, and counted they kept the learner on
 * whole steps for hundreds of steps.
 */

/** counted steps kept of the way taken, and of the other (its tries: they stand for it as the machine is now) */
const WINDOW = { taken: 16, other: 4 };
/** the first steps of a model, not counted (compiling, caches filling) */
const WARMUP = 8;
/** steps before the first try of the way not taken, and the most between two tries (split taken, whole taken: a
 *  split try on a busy machine may wait milliseconds for the workers to wake) */
const TRY_FIRST = 16;
const TRY_MAX = { split: 256, whole: 1024 };
/** counted steps of a split try (after one that is not counted) */
const SPLIT_TRY = 2;
/** the way taken changes only when the other's mean is below this share of its own */
const SWITCH = 0.85;

const keepLast = (values: number[], n: number): void => {
  if (values.length > n) values.splice(0, values.length - n);
};

const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

/** the mean without the largest */
const typical = (values: readonly number[]): number => {
  let sum = 0,
    largest = -Infinity;
  for (const v of values) {
    sum += v;
    largest = Math.max(largest, v);
  }
  return values.length > 1 ? (sum - largest) / (values.length - 1) : sum;
};

class StepStats {
  /** ms per row of the latest counted steps of each way */
  readonly split: number[] = [];
  readonly whole: number[] = [];
  splitTaken = true;
  /** steps until the next try of the way not taken, and the gap after it */
  untilTry = TRY_FIRST;
  gap = TRY_FIRST;
  /** counted split steps of a try still to come */
  splitTry = 0;
  /** the last step ran whole (or none has run yet) */
  lastWhole = true;
  steps = 0;
  wholeSteps = 0;
}

export class StepLearner {
  private readonly stats = new Map<string, StepStats>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;
  /** the step running: its stats, its way, whether it counts, its rows */
  private current: { s: StepStats; split: boolean; counts: boolean; rows: number } | undefined;

  /** `learning()`: whether to learn; when not, every step splits (tests that must see every split, benches) */
  constructor(private readonly learning: () => boolean) {}

  /** Whether the next training step of `model` at `rows` rows splits its calls; give its time to `end`. */
  begin(model: object, rows: number): boolean {
    this.current = undefined;
    if (!this.learning()) return true;
    let id = this.ids.get(model);
    if (id === undefined) this.ids.set(model, (id = this.nextId++));
    const key = `step ${id}:${rows}`;
    let s = this.stats.get(key);
    if (!s) this.stats.set(key, (s = new StepStats()));
    s.steps++;
    let split = s.splitTaken;
    if (s.splitTry > 0) {
      split = true;
      s.splitTry--;
    } else if (--s.untilTry <= 0) {
      split = !s.splitTaken;
      s.untilTry = s.gap;
      s.gap = Math.min(2 * s.gap, s.splitTaken ? TRY_MAX.split : TRY_MAX.whole);
      if (split) s.splitTry = SPLIT_TRY;
    }
    if (!split) s.wholeSteps++;
    // a split step right after a whole one pays for waking the workers and fetching the arrays back: not counted
    this.current = { s, split, counts: s.steps > WARMUP && !(split && s.lastWhole), rows };
    s.lastWhole = !split;
    return split;
  }

  /** the step `begin` chose for took `ms` milliseconds (not called for a step that is not typical: a short batch) */
  end(ms: number): void {
    const c = this.current;
    this.current = undefined;
    if (!c || !c.counts) return;
    const { s } = c;
    const mine = c.split ? s.split : s.whole;
    mine.push(ms / c.rows);
    keepLast(mine, c.split === s.splitTaken ? WINDOW.taken : WINDOW.other);
    const taken = s.splitTaken ? s.split : s.whole,
      other = s.splitTaken ? s.whole : s.split;
    // the way taken by its mean without the largest (many steps, one may be slowed); the other by the plain mean of
    // its last tries (a spike among them is what the machine does now: a split try on a busy one waits for a worker)
    if (other.length > 0 && taken.length >= WINDOW.other && mean(other) < SWITCH * typical(taken)) {
      s.splitTaken = !s.splitTaken;
      keepLast(taken, WINDOW.other);
      s.untilTry = s.gap = TRY_FIRST;
    }
  }

  /** steps that chose, of them the steps run whole, and each way's typical ms per row, per model and rows */
  summary(): { key: string; steps: number; wholeSteps: number; split: number; whole: number }[] {
    return [...this.stats].map(([key, s]) => ({
      key,
      steps: s.steps,
      wholeSteps: s.wholeSteps,
      split: s.split.length ? (s.splitTaken ? typical(s.split) : mean(s.split)) : NaN,
      whole: s.whole.length ? (s.splitTaken ? mean(s.whole) : typical(s.whole)) : NaN,
    }));
  }
}
