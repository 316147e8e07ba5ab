import { setThreads } from '../../src/index.js';
import { setThreadLimit, splitCallCount } from '../../src/backends/wasm/threads/settings.js';
import { addLearntSince, learntNow, type Learnt } from './learnt.js';

/**
 * Measuring several libraries on the same task, side by side in one process.
 *
 * Every subject (scratchnet wasm, scratchnet JS, TF.js wasm, TF.js cpu) is set up once, warmed up, and calibrated to
 * a number of repetitions that makes one timed sample last at least `minSampleSeconds`. Then the samples are taken in
 * rounds, one sample per subject per round, with the order of subjects rotated every round: a burst of load from
 * elsewhere on the machine falls on every subject alike, which keeps the ratios between them honest even where the
 * absolute numbers wobble. The result per subject is the median rate over the rounds.
 */

export type SubjectId = 'snWasm' | 'snWasmN' | 'snJs' | 'ceiling' | 'tfWasm' | 'tfCpu' | 'numpy';

export const SUBJECT_LABELS: Record<SubjectId, string> = {
  snWasm: 'scratchnet wasm',
  snWasmN: 'scratchnet wasm, N threads',
  snJs: 'scratchnet JS',
  ceiling: 'SIMD128 ceiling',
  tfWasm: 'TF.js wasm',
  tfCpu: 'TF.js cpu',
  numpy: 'numpy',
};

/** A subject ready to be timed. */
export interface Trial {
  /** Do `reps` units of the task; return the amount of work done (FLOPs, samples, calls). */
  run(reps: number): number | Promise<number>;
  /** the untimed warm-up when `fixedReps` is set (default: run(warmupReps)) */
  warmup?(): void | Promise<void>;
  /** Called before each of the subject's turns (TF.js: switch to this subject's backend). */
  enter?(): void | Promise<void>;
  /** Called once when warm-up and calibration are over, before the first timed sample. */
  calibrated?(): void;
  dispose?(): void | Promise<void>;
  /** how the subject runs the task, when there was a choice (e.g. "model.fit" or "optimizer.minimize loop") */
  note?: string;
  /** never repeat more than this many units in one sample (e.g. the size of a data set) */
  maxReps?: number;
  /** known seconds per unit from an earlier timing (set by `fastestOf`): calibration is then skipped */
  secondsPerRep?: number;
  /** The last run's time by the clock of the process that did the work, when that is not this one (numpy's child
   *  process): it replaces this process's wall and CPU time of the run. */
  lastRunTime?(): { wall: number; cpu: number };
}

export interface Subject {
  id: SubjectId;
  /** why this subject does not run this task; set it instead of `setup` */
  skip?: string;
  setup?: () => Trial | Promise<Trial>;
  /** this subject's own calibration (e.g. fixedReps for a subject too slow to calibrate); rounds stay shared */
  options?: Partial<Omit<MeasureOptions, 'rounds'>>;
}

export interface MeasureOptions {
  rounds: number;
  /** one timed sample lasts at least this long */
  minSampleSeconds: number;
  /** untimed work before calibration ends, at least this long (calibration runs count towards it) */
  warmupSeconds: number;
  /** use exactly this many reps per sample, after the trial's `warmup` or one untimed run of `warmupReps` (default 1; 0: none) */
  fixedReps?: number;
  warmupReps?: number;
}

export interface Measurement {
  /** median work per second over the rounds, by the chosen clock */
  rate?: number;
  /** each round's rate, by the chosen clock */
  rates?: number[];
  /** the medians by each clock */
  wallRate?: number;
  cpuRate?: number;
  reps?: number;
  seconds?: number;
  note?: string;
  /** kernel calls split over the workers in the timed rounds ('snWasmN' only): 0 means the same code ran as on one
   *  thread, so its ratio to one thread is the machine's drift */
  splitCalls?: number;
  /** what the threads' learner chose in the timed rounds ('snWasmN' only), per kernel (bench/lib/learnt.ts) */
  learnt?: Learnt;
  skipped?: string;
  error?: string;
}

export type Measurements = Partial<Record<SubjectId, Measurement>>;

export const now = (): number => performance.now();

/**
 * Which clock turns work into rates. 'wall' (the default) is what a user waits for. 'cpu' counts this process's
 * CPU time (user + system, all its threads): for single-threaded work on an idle machine the two agree, and on a
 * machine shared with other busy processes the CPU clock leaves out the time the others took (not their effect on
 * caches). Both are always recorded.
 */
export type Timer = 'wall' | 'cpu';
let timer: Timer = 'wall';
export function setTimer(t: Timer): void {
  timer = t;
}
export function getTimer(): Timer {
  return timer;
}

/** Start both clocks; the returned function gives the seconds elapsed on each, and on the chosen one. */
export function stopwatch(): () => { wall: number; cpu: number; seconds: number } {
  const c0 = process.cpuUsage();
  const t0 = now();
  return () => {
    const wall = (now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    return { wall, cpu, seconds: timer === 'cpu' ? cpu : wall };
  };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 300);
}

interface Timing {
  work: number;
  seconds: number;
  wall: number;
  cpu: number;
}

async function timed(trial: Trial, reps: number): Promise<Timing> {
  const elapsed = stopwatch();
  const work = await trial.run(reps);
  const here = elapsed();
  const there = trial.lastRunTime?.();
  return there ? { work, ...there, seconds: timer === 'cpu' ? there.cpu : there.wall } : { work, ...here };
}

/** Warm up and find the reps that make one sample last `minSampleSeconds`. */
async function calibrate(trial: Trial, o: MeasureOptions): Promise<number> {
  const cap = trial.maxReps ?? Infinity;
  if (o.fixedReps !== undefined) {
    if (trial.warmup) await trial.warmup();
    else if ((o.warmupReps ?? 1) > 0) await trial.run(Math.min(o.warmupReps ?? 1, cap));
    return Math.min(o.fixedReps, cap);
  }
  if (trial.secondsPerRep !== undefined) {
    return Math.max(1, Math.min(cap, Math.ceil(o.minSampleSeconds / trial.secondsPerRep)));
  }
  const started = now();
  let reps = 1;
  for (;;) {
    const { seconds } = await timed(trial, reps);
    const warmedUp = (now() - started) / 1000 >= o.warmupSeconds;
    if ((seconds >= o.minSampleSeconds / 4 && warmedUp) || reps >= cap) {
      return Math.max(1, Math.min(cap, Math.ceil((reps * o.minSampleSeconds) / Math.max(seconds, 1e-6))));
    }
    // grow fast while a run is far too short, gently near the target
    const factor = seconds < o.minSampleSeconds / 64 ? 8 : 2;
    if (seconds >= o.minSampleSeconds / 4) continue; // long enough, but not warmed up yet: run again
    reps = Math.min(cap, reps * factor);
  }
}

let benchThreads = 1;

/**
 * From now on every scratchnet wasm subject runs twice, interleaved like the others: on one thread ('snWasm') and
 * on `n` ('snWasmN'), switched before each turn with setThreadLimit, the pool staying up (`npm run bench --threads`).
 */
export async function useThreads(n: number): Promise<void> {
  benchThreads = n;
  SUBJECT_LABELS.snWasmN = `scratchnet wasm, ${n} threads`;
  await setThreads(n);
}

export function threadsInUse(): number {
  return benchThreads;
}

/** The subject with its thread count applied before setup and before every turn. */
function onThreads(s: Subject, id: SubjectId, n: number): Subject {
  if (!s.setup) return { ...s, id };
  const setup = s.setup;
  return {
    ...s,
    id,
    setup: async () => {
      setThreadLimit(n);
      const trial = await setup();
      const enter = trial.enter;
      trial.enter = async () => {
        setThreadLimit(n);
        await enter?.call(trial);
      };
      return trial;
    },
  };
}

/** Measure every subject; a subject that fails reports its error and the others go on. */
export async function measure(
  subjects: Subject[],
  o: MeasureOptions,
  log: (line: string) => void = () => {},
): Promise<Measurements> {
  const wasm = subjects.find((s) => s.id === 'snWasm');
  if (wasm && benchThreads > 1) {
    subjects = subjects.map((s) => (s === wasm ? onThreads(s, 'snWasm', 1) : s));
    subjects.splice(
      subjects.indexOf(subjects.find((s) => s.id === 'snWasm')!) + 1,
      0,
      onThreads(wasm, 'snWasmN', benchThreads),
    );
  }
  const result: Measurements = {};
  const live: {
    id: SubjectId;
    trial: Trial;
    reps: number;
    rates: number[];
    wall: number[];
    cpu: number[];
    seconds: number;
    splitCalls: number;
    learnt: Learnt;
  }[] = [];
  for (const s of subjects) {
    if (s.skip !== undefined || !s.setup) {
      result[s.id] = { skipped: s.skip ?? 'not run' };
      continue;
    }
    let trial: Trial | undefined;
    try {
      trial = await s.setup();
      await trial.enter?.();
      const reps = await calibrate(trial, { ...o, ...s.options });
      trial.calibrated?.();
      live.push({ id: s.id, trial, reps, rates: [], wall: [], cpu: [], seconds: 0, splitCalls: 0, learnt: {} });
    } catch (e) {
      result[s.id] = { error: errorText(e) };
      log(`    ${SUBJECT_LABELS[s.id]}: failed: ${errorText(e)}`);
      try {
        await trial?.dispose?.();
      } catch {
        /* already failing */
      }
    }
  }
  for (let round = 0; round < o.rounds; round++) {
    for (let i = 0; i < live.length; i++) {
      const l = live[(i + round) % live.length];
      if (result[l.id]?.error) continue;
      try {
        await l.trial.enter?.();
        const splitBefore = splitCallCount();
        const learntBefore = learntNow();
        const t = await timed(l.trial, l.reps);
        l.splitCalls += splitCallCount() - splitBefore;
        addLearntSince(l.learnt, learntBefore);
        l.rates.push(t.work / t.seconds);
        l.wall.push(t.work / t.wall);
        l.cpu.push(t.work / t.cpu);
        l.seconds += t.wall;
      } catch (e) {
        result[l.id] = { error: errorText(e) };
        log(`    ${SUBJECT_LABELS[l.id]}: failed: ${errorText(e)}`);
      }
    }
  }
  for (const l of live) {
    if (!result[l.id]?.error) {
      result[l.id] = {
        rate: median(l.rates),
        rates: l.rates,
        wallRate: median(l.wall),
        cpuRate: median(l.cpu),
        reps: l.reps,
        seconds: l.seconds,
        note: l.trial.note,
        ...(l.id === 'snWasmN' ? { splitCalls: l.splitCalls, learnt: l.learnt } : {}),
      };
    }
    try {
      await l.trial.enter?.();
      await l.trial.dispose?.();
    } catch (e) {
      log(`    ${SUBJECT_LABELS[l.id]}: dispose failed: ${errorText(e)}`);
    }
  }
  return result;
}

/**
 * Set up each candidate way of doing the same task, time it briefly, and keep the fastest: "the fastest honest way"
 * a library offers (e.g. TF.js's model.fit against its optimizer.minimize loop). The losers are disposed.
 */
export async function fastestOf(
  candidates: { note: string; setup: () => Trial | Promise<Trial> }[],
  probeSeconds: number,
  describe: (rate: number) => string = (r) => `${fmtRate(r)}/s`,
): Promise<Trial> {
  let best: { trial: Trial; rate: number; note: string } | undefined;
  const tried: string[] = [];
  const errors: string[] = [];
  for (const c of candidates) {
    let trial: Trial | undefined;
    try {
      trial = await c.setup();
      await trial.enter?.();
      const reps = await calibrate(trial, { rounds: 1, minSampleSeconds: probeSeconds, warmupSeconds: 0 });
      const { work, seconds } = await timed(trial, reps);
      const rate = work / seconds;
      trial.secondsPerRep = seconds / reps;
      tried.push(`${c.note} ${describe(rate)}`);
      if (!best || rate > best.rate) {
        if (best) {
          await best.trial.enter?.();
          await best.trial.dispose?.();
        }
        best = { trial, rate, note: c.note };
      } else {
        await trial.dispose?.();
      }
    } catch (e) {
      errors.push(`${c.note}: ${errorText(e)}`);
      try {
        await trial?.dispose?.();
      } catch {
        /* already failing */
      }
    }
  }
  if (!best) throw new Error(errors.join('; '));
  best.trial.note = candidates.length > 1 ? `${best.note} (fastest of: ${tried.join(', ')})` : best.note;
  return best.trial;
}

function fmtRate(r: number): string {
  return r >= 100 ? Math.round(r).toString() : r.toPrecision(3);
}
