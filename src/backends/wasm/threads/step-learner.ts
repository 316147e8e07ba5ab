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
 * three split ones (the first finds the workers asleep and the arrays in this thread's cache, and is not counted),
 * ever further apart while the way taken stays faster. Throughput is a mean: the way taken is judged by the mean of
 * its last steps without the two largest (a step slowed by a garbage collection does not decide; steps often slow
 * do), the other by the plain mean of its last tries, so that what the machine does now decides; the way taken
 * changes when the other's mean is below SWITCH of its own: to whole steps only when they are much faster, as on a
 * busy machine (where the MNIST MLP's split steps took 2.2–2.8× as long), not for the few percent a host's noise
 * moves split steps (interleaved on a quiet but noisy host, a learner that turned at 0.85 trained the MLP at batch 128
 * and the convnet 2–5% slower than splitting every step); back to split steps sooner. The first WARMUP steps of a
 * model
 * split and are not counted: in quiet runs the first 15 took 0.6–7.9 ms against 0.3–0.65 later, and counted they
 * turned the learner to whole steps for tens of steps.
 */

/** split steps in a row in which no call split, after which a step is known to have nothing to split: the learner
 *  then leaves it alone (the tutorial's per-sample net: timing each of its 9 µs steps cost some 5% of its training) */
const IDLE_SETTLES = 4;
/** counted steps kept of the way taken, and of the other (its tries: they stand for it as the machine is now) */
const WINDOW = { taken: 32, other: 4 };
/** the first steps of a model, split and not counted (compiling, caches filling: in a quiet run of the MNIST MLP at
 *  batch 128 the first 15 split steps took 0.8–7.9 ms against 0.65 later) */
const WARMUP = 24;
/**
 * When the way not taken is tried. Whole steps while split ones are taken: first right after the warm-up and
 * TRY_STEPS steps (so that a machine busy from the start is seen at once), then after TRY_FIRST_MS of training (the
 * steps' own time), the time doubling after each try up to TRY_MAX_MS: time rather than steps, so that a try costs
 * long steps no more than short ones (a whole step of the Keras convnet takes some 10 ms more than a split one, and
 * tries every 16, 32, … steps, or 0.25, 0.5, 1, … s apart, cost its training 1–4% in interleaved rounds of 40
 * steps); a machine that becomes busy later shows in the split steps themselves. Split steps while whole ones are
 * taken: after TRY_STEPS steps, then with the steps doubling up to TRY_MAX_STEPS, so that a machine quiet again is
 * seen soon.
 */
const TRY_STEPS = 16;
const TRY_FIRST_MS = 1000;
const TRY_MAX_MS = 10_000;
const TRY_MAX_STEPS = 1024;
/** counted steps of a split try (after one that is not counted) */
const SPLIT_TRY = 2;
/** the way taken changes only when the other's mean is below this share of its own */
const SWITCH = { toWhole: 0.6, toSplit: 0.85 };

const keepLast = (values: number[], n: number): void => {
  if (values.length > n) values.splice(0, values.length - n);
};

const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

/** the mean without the two largest: a burst of steps slowed by a garbage collection or the OS does not decide, while
 *  a way whose steps are often slow (one in seven, on a busy machine) counts as slow */
const typical = (values: readonly number[]): number => {
  if (values.length < 3) return mean(values);
  let sum = 0,
    first = -Infinity,
    second = -Infinity;
  for (const v of values) {
    sum += v;
    if (v > first) [first, second] = [v, first];
    else if (v > second) second = v;
  }
  return (sum - first - second) / (values.length - 2);
};

class StepStats {
  /** ms per row of the latest counted steps of each way */
  readonly split: number[] = [];
  readonly whole: number[] = [];
  splitTaken = true;
  /** steps until the next try may come, and the steps after it (whole taken); training time (ms) until it may
   *  come, and the time after it (split taken) */
  untilTry = WARMUP + TRY_STEPS;
  gapSteps = TRY_STEPS;
  msUntilTry = 0;
  gapMs = TRY_FIRST_MS / 2;
  /** counted split steps of a try still to come */
  splitTry = 0;
  /** the last step ran whole (or none has run yet) */
  lastWhole = true;
  steps = 0;
  wholeSteps = 0;
  /** split steps in a row that split no call; past IDLE_SETTLES the step is settled: nothing to learn */
  idle = 0;
  settled = false;
}

export class StepLearner {
  private readonly stats = new Map<string, StepStats>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;
  /** the stats the last step used, for its model (not kept alive by this) and rows */
  private last: { model: WeakRef<object>; rows: number; s: StepStats } | undefined;
  /** the step running: its stats, its way, whether it counts, its rows */
  private current: { s: StepStats; split: boolean; counts: boolean; rows: number } | undefined;
  /** the step running, when it is settled (it splits; only a call that does split wakes the learning again) */
  private settledStep: StepStats | undefined;

  /** `learning()`: whether to learn; when not, every step splits (tests that must see every split, benches) */
  constructor(private readonly learning: () => boolean) {}

  /** Whether the next training step of `model` at `rows` rows splits its calls; give its time to `end`. */
  begin(model: object, rows: number): boolean {
    this.current = undefined;
    this.settledStep = undefined;
    if (!this.learning()) return true;
    let s = this.last?.model.deref() === model && this.last.rows === rows ? this.last.s : undefined;
    if (!s) {
      // a model's first step at this size (or after another's): the key is made here, not at every step
      let id = this.ids.get(model);
      if (id === undefined) this.ids.set(model, (id = this.nextId++));
      const key = `step ${id}:${rows}`;
      s = this.stats.get(key);
      if (!s) this.stats.set(key, (s = new StepStats()));
      this.last = { model: new WeakRef(model), rows, s };
    }
    if (s.settled) {
      this.settledStep = s;
      return true;
    }
    s.steps++;
    let split = s.splitTaken;
    if (s.splitTry > 0) {
      split = true;
      s.splitTry--;
    } else if (--s.untilTry <= 0 && (!s.splitTaken || s.msUntilTry <= 0)) {
      split = !s.splitTaken;
      if (s.splitTaken) {
        s.untilTry = TRY_STEPS;
        s.msUntilTry = s.gapMs = Math.min(2 * s.gapMs, TRY_MAX_MS);
      } else {
        s.untilTry = s.gapSteps = Math.min(2 * s.gapSteps, TRY_MAX_STEPS);
      }
      if (split) s.splitTry = SPLIT_TRY;
    }
    if (!split) s.wholeSteps++;
    // a split step right after a whole one pays for waking the workers and fetching the arrays back: not counted
    this.current = { s, split, counts: s.steps > WARMUP && !(split && s.lastWhole), rows };
    s.lastWhole = !split;
    return split;
  }

  /**
   * The step `begin` chose for took `ms` milliseconds and split `splitCalls` calls (not called for a step that is not
   * typical: a short batch). A step whose split runs split no call has nothing to learn (which calls split is fixed by
   * their shapes, but for the zero-skipping products, whose work is their input's non-zeros: one that splits later
   * wakes the learning again).
   */
  end(ms: number, splitCalls: number): void {
    const settled = this.settledStep;
    this.settledStep = undefined;
    if (settled) {
      if (splitCalls > 0) settled.settled = false;
      return;
    }
    const c = this.current;
    this.current = undefined;
    if (!c) return;
    const { s } = c;
    if (c.split) {
      s.idle = splitCalls > 0 ? 0 : s.idle + 1;
      if (s.idle >= IDLE_SETTLES) {
        s.settled = true;
        s.idle = 0;
      }
    }
    s.msUntilTry -= ms;
    if (!c.counts) return;
    const mine = c.split ? s.split : s.whole;
    mine.push(ms / c.rows);
    keepLast(mine, c.split === s.splitTaken ? WINDOW.taken : WINDOW.other);
    const taken = s.splitTaken ? s.split : s.whole,
      other = s.splitTaken ? s.whole : s.split;
    // the way taken by its mean without the largest (many steps, one may be slowed); the other by the plain mean of
    // its last tries (a spike among them is what the machine does now: a split try on a busy one waits for a worker)
    if (
      other.length > 0 &&
      taken.length >= WINDOW.other &&
      mean(other) < (s.splitTaken ? SWITCH.toWhole : SWITCH.toSplit) * typical(taken)
    ) {
      s.splitTaken = !s.splitTaken;
      keepLast(taken, WINDOW.other);
      s.untilTry = s.gapSteps = TRY_STEPS;
      s.msUntilTry = s.gapMs = TRY_FIRST_MS;
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
