// The training loop over epochs and batches — forward, loss, metrics, backward and the optimizer step as kernel calls
// on batches in the arena, with progress, callbacks, validation and turns for the event loop — and fit's feed of
// batches from data staged in the arena. fitDataset feeds the same loop from a batch source (stream-feed.ts).
import type { Ptr } from '../backends/kernels.js';
import type { Matrix } from '../data/matrix.js';
import type { Loss } from '../losses/index.js';
import type { Optimizer } from '../optimizers/index.js';
import { fail } from '../util/errors.js';
import type { Random } from '../util/random.js';
import { BatchBuffers } from './batch-buffers.js';
import { BatchMeasure, type Means } from './batch-measure.js';
import type { Engine } from './engine.js';
import { evaluateYielding } from './evaluate-loop.js';
import type { Metric } from './metrics.js';
import { Staged, type Targets } from './staging.js';
import { Turns } from './turns.js';

/**
 * Numbers reported after a batch or an epoch (Keras's `logs`). Each metric is reported under the name compile was
 * given (`accuracy`, `acc`, `mae`, …), and on validation data under `val_` and that name.
 */
export interface Logs {
  loss: number;
  accuracy?: number;
  val_loss?: number;
  val_accuracy?: number;
  /** the optimizer's rate during the epoch, as float32 (added at each epoch's end by the two learning-rate callbacks,
   *  as Keras 3's are) */
  learning_rate?: number;
  [metric: string]: number | undefined;
}

/** What fit reports as it goes; the two model APIs print differently. */
export interface Reporter {
  /** `batches`: the batches the epoch will run, when known before it runs (a batch source may not say) */
  epochStart(epoch: number, epochs: number, batches: number | undefined): void;
  batchEnd(batch: number, logs: Logs): void;
  epochEnd(epoch: number, epochs: number, logs: Logs, seconds: number): void;
}

/** A reporter that prints nothing (callbacks still run). */
export const silentReporter: Reporter = { epochStart() {}, batchEnd() {}, epochEnd() {} };

/** What the training loop needs besides its batches: the same for fit and fitDataset. */
export interface TrainConfig {
  engine: Engine;
  loss: Loss;
  optimizer: Optimizer;
  epochs: number;
  /** the metrics to report, in the order compile was given them */
  metrics: readonly Metric[];
  /** the epoch to start at (Keras's initial_epoch, for resuming a run): epochs initialEpoch … epochs − 1 run, numbered
   *  so in the history, the callbacks and the progress; the feed counts its own epochs from 0 */
  initialEpoch?: number;
  reporter: Reporter;
  /** fit's verbose, for History.params (the reporter prints) */
  verbose?: 0 | 1 | 2;
  /** before each epoch's first batch (after a batch source says the epoch has batches) */
  onEpochBegin?: (epoch: number) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  /** before each batch's forward pass, once the batch is staged (outside the training step's flag) */
  onBatchBegin?: (batch: number) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: Logs) => void | Promise<void>;
  /** give the event loop a turn at least this often (ms), so pages and progress stay live */
  yieldEvery: number;
  /** polled between batches; true stops training after the current batch */
  shouldStop: () => boolean;
  /** called once the data is staged and checked, before the first epoch */
  onTrainBegin?: () => void | Promise<void>;
  /**
   * The optimizer is plain SGD (no momentum) and nothing reads its state: one-row batches then fold the update into
   * the backward pass (Dense: sgdOuterStep, no weight gradient written), with the same bits, and skip `step()`.
   */
  fuseSgd?: boolean;
}

/** fit's configuration: the loop's, and the data as matrices. */
export interface FitConfig extends TrainConfig {
  x: Matrix;
  y: Targets;
  batchSize: number;
  shuffle: boolean;
  rng: Random;
  validation?: { x: Matrix; y: Targets };
  /** x was not checked for NaN and ±Inf (toMatrix with `finite: false`): check it while staging, naming it so */
  checkX?: string;
}

/** What `fit` returns, as Keras's History: the epochs run and one value per epoch for the loss and each metric. */
export interface History {
  epoch: number[];
  /** Keras 3's `history.params`: the epochs asked for, the batches per epoch (null when a batch source does not say
   *  before it runs), and fit's verbose */
  params: { epochs: number; steps: number | null; verbose: 0 | 1 | 2 };
  /** one value per epoch; a metric only when compiled with it, val_* only with validation data (as in Keras) */
  history: {
    loss: number[];
    accuracy?: number[];
    val_loss?: number[];
    val_accuracy?: number[];
    /** with callbacks.learningRateScheduler or callbacks.reduceLROnPlateau, the rate of each epoch */
    learning_rate?: number[];
    [metric: string]: number[] | undefined;
  };
}

/**
 * Where the training loop takes its batches from. `next` puts the next batch in the arena (its rows at `x`, its
 * targets at `y` and its sample weights at `w`, copied into `buffers` when they must be) and returns its rows, or 0
 * when the epoch is over.
 */
export interface BatchFeed {
  /** values per row of the inputs and of the targets */
  readonly inCols: number;
  readonly tCols: number;
  /** the batches have sample weights: the loop's buffers hold room for them */
  readonly weighted: boolean;
  /** rows of the largest batch known before training: the buffers are planned for it */
  readonly rows: number;
  x: Ptr;
  y: Ptr;
  /** the batch's sample weights, 0 for none */
  w: Ptr;
  /** true once the feed can give no more batches (training then ends after the epoch) */
  readonly ended: boolean;
  /** the batches of epoch `epoch`, when known before it runs */
  batchesIn(epoch: number): number | undefined;
  beginEpoch(epoch: number): void | Promise<void>;
  next(buffers: BatchBuffers): number | Promise<number>;
  free(): void;
}

/** Train `engine` on staged data; returns the Keras-style history. */
export async function fitLoop(c: FitConfig): Promise<History> {
  const feed = new StagedFeed(c);
  try {
    await feed.stage(c.yieldEvery, c.checkX);
    const v = c.validation;
    const kinds = c.metrics.map((m) => m.kind);
    const validate = v
      ? (b: BatchBuffers) => evaluateYielding(c.engine, c.loss, v.x, v.y, kinds, feed.rows, c.yieldEvery, b)
      : undefined;
    return await trainLoop(c, feed, validate);
  } finally {
    feed.free();
  }
}

/**
 * The training loop, over any feed of batches; `validate` gives the validation means after each epoch (it may use the
 * loop's buffers, which are free between epochs). Returns the Keras-style history.
 */
export async function trainLoop(
  c: TrainConfig,
  feed: BatchFeed,
  validate?: (buffers: BatchBuffers) => Promise<Means>,
): Promise<History> {
  const { engine, optimizer } = c;
  const pool = engine.backend.pool;
  const history: History = {
    epoch: [],
    history: { loss: [] },
    params: { epochs: c.epochs, steps: feed.batchesIn(0) ?? null, verbose: c.verbose ?? 0 },
  };
  const buffers = new BatchBuffers(engine, feed.rows, feed.inCols, feed.tCols, feed.weighted);
  try {
    const measure = new BatchMeasure(
      engine,
      c.loss,
      c.metrics.map((m) => m.kind),
      true,
    );
    const { mode } = measure;
    if (c.onTrainBegin) await c.onTrainBegin();
    const turns = new Turns(c.yieldEvery);
    const first = c.initialEpoch ?? 0;
    for (let epoch = first; epoch < c.epochs; epoch++) {
      const started = performance.now();
      const fed = epoch - first; // the feed's own count: a batch source's first pass is its epoch 0
      await feed.beginEpoch(fed);
      if (feed.batchesIn(fed) === 0) break; // a batch source read on across epochs ended at this one's start
      if (c.onEpochBegin) await c.onEpochBegin(epoch);
      c.reporter.epochStart(epoch, c.epochs, feed.batchesIn(fed));
      measure.reset();
      for (let b = 0; ; b++) {
        // a training step: its large kernel calls split without learning (ThreadPool.training), or all run on this
        // thread, as the step learner finds faster from the steps' own times (ThreadPool.beginStep)
        if (pool) {
          pool.training = true;
          pool.beginStep?.(engine, feed.rows);
        }
        let started = performance.now();
        const next = feed.next(buffers);
        // the step's own time: a batch source's wait for its data (a promise) is not part of it, nor the user's code
        let spent = typeof next === 'number' ? performance.now() - started : 0;
        const rows = typeof next === 'number' ? next : await next;
        if (rows === 0) {
          if (pool) pool.training = false; // validation after the epoch is not a training step
          pool?.endStep?.(undefined);
          break;
        }
        if (c.onBatchBegin) {
          // the user's code is not part of the step: what it runs is learnt as elsewhere
          if (pool) pool.training = false;
          await c.onBatchBegin(b);
          if (pool) pool.training = true;
        }
        started = performance.now();
        const value = measure.measure(buffers, feed.x, feed.y, rows, feed.w);
        if (!Number.isFinite(value)) {
          const weights = engine.firstNonFiniteLayer();
          const output = weights ? undefined : engine.firstNonFiniteOutput(feed.x, rows);
          const where = weights
            ? ` (first non-finite values in layer ${weights})`
            : output
              ? ` (every weight is finite; the first non-finite output is layer ${output}'s)`
              : ' (every weight and every layer output is finite: the loss of these outputs and targets overflowed)';
          fail(
            `training diverged: the loss became ${value} at epoch ${epoch + 1}, batch ${b + 1}${where}. ` +
              'Lower the learning rate or check the data.',
            'diverged',
          );
        }
        const sgdRate = c.fuseSgd && rows === 1 ? optimizer.learningRate : undefined;
        engine.backward(buffers.dOut, rows, mode, sgdRate);
        if (sgdRate === undefined) optimizer.step();
        spent += performance.now() - started;
        if (pool) {
          pool.training = false;
          pool.endStep?.(rows === feed.rows ? spent : undefined); // a short last batch is not counted
        }
        const batchLogs = logsOf(measure.means(), c.metrics);
        c.reporter.batchEnd(b, batchLogs);
        if (c.onBatchEnd) await c.onBatchEnd(b, batchLogs);
        if (c.shouldStop()) break;
        await turns.maybe();
      }
      pool?.settle?.(); // a stop part way through an epoch may leave the next batch's gather running into the buffers
      const logs = logsOf(measure.means(), c.metrics);
      if (validate) {
        const v = await validate(buffers);
        logs.val_loss = v.loss;
        c.metrics.forEach((m, i) => {
          logs[`val_${m.name}`] = v.metrics[i];
        });
      }
      c.reporter.epochEnd(epoch, c.epochs, logs, (performance.now() - started) / 1000);
      if (c.onEpochEnd) await c.onEpochEnd(epoch, logs);
      // after the callbacks, as Keras's History (the last of its callbacks): what they add to the logs is recorded
      // too (the learning-rate callbacks' learning_rate). The progress line is printed before them, so that what a
      // callback prints comes below it and never inside a live bar.
      history.epoch.push(epoch);
      for (const key of Object.keys(logs)) (history.history[key] ??= []).push(logs[key]!);
      if (c.shouldStop() || feed.ended) break;
      await turns.maybe();
    }
  } finally {
    if (pool) pool.training = false;
    pool?.endStep?.(undefined);
    pool?.settle?.();
    buffers.free();
  }
  return history;
}

/** Keras's logs from running means: the loss, and each metric under the name compile was given. */
function logsOf(means: Means, metrics: readonly Metric[]): Logs {
  const logs: Logs = { loss: means.loss };
  metrics.forEach((m, i) => {
    logs[m.name] = means.metrics[i];
  });
  return logs;
}

/** Where a batch's rows are gathered to: x, y, and the weights (0 without) */
interface Gathered {
  x: Ptr;
  y: Ptr;
  w: Ptr;
}

/**
 * fit's batches: the whole data set staged in the arena once, each epoch's batches gathered from it in a shuffled
 * order (or, in order, slices of it: no copy). On a threaded backend each batch's rows are gathered ahead, into a
 * second pair of buffers, while the step before runs: the workers copy them while the calling thread runs the layers
 * too small to split (ThreadPool.ahead; docs/threads.md, fifteenth round).
 */
class StagedFeed implements BatchFeed {
  readonly inCols: number;
  readonly tCols: number;
  readonly rows: number;
  readonly ended = false;
  readonly weighted: boolean;
  x: Ptr = 0;
  y: Ptr = 0;
  w: Ptr = 0;
  private readonly staged: Staged;
  private readonly order: Ptr;
  private readonly indices: Int32Array;
  private readonly n: number;
  private start = 0;
  /** the second set of batch buffers, when batches are gathered ahead */
  private readonly spare: Gathered | undefined;
  /** the batch starting at `aheadAt` is being gathered into the spare pair (when `inSpare`) or the loop's */
  private aheadAt = -1;
  private inSpare = false;

  constructor(private readonly c: FitConfig) {
    const { engine, x, y } = c;
    this.n = x.shape[0];
    this.inCols = x.shape[1];
    this.tCols = y.cols;
    this.weighted = y.weights !== undefined;
    this.rows = Math.min(c.batchSize, this.n);
    this.staged = new Staged(engine, x, y);
    const arena = engine.backend.arena;
    const allocated: Ptr[] = [];
    try {
      this.order = engine.guard(() => arena.alloc(this.n));
      allocated.push(this.order);
      if (c.shuffle && engine.backend.pool?.settle && this.n > this.rows) {
        const alloc = (floats: number) => {
          const p = engine.guard(() => arena.alloc(floats));
          allocated.push(p);
          return p;
        };
        this.spare = {
          x: alloc(this.rows * this.inCols),
          y: alloc(this.rows * this.tCols),
          w: this.weighted ? alloc(this.rows) : 0,
        };
      }
    } catch (e) {
      for (const p of allocated) arena.free(p);
      this.staged.free();
      throw e;
    }
    this.indices = new Int32Array(this.n).map((_, i) => i);
  }

  stage(yieldEvery: number, checkX?: string): Promise<void> {
    return this.staged.writeYielding(yieldEvery, checkX);
  }

  batchesIn(): number {
    return Math.ceil(this.n / this.rows);
  }

  beginEpoch(): void {
    this.settle(); // a gather ahead reads the order this rewrites
    this.aheadAt = -1;
    const { n, indices } = this;
    // Shuffle from the identity every epoch, so that fit(2) then fit(2) orders samples exactly as fit(4) does.
    if (this.c.shuffle) {
      for (let i = 0; i < n; i++) indices[i] = i;
      this.c.rng.shuffle(indices);
    }
    this.c.engine.backend.arena.i32(this.order, n).set(indices);
    this.start = 0;
  }

  next(buffers: BatchBuffers): number {
    const { start, staged } = this;
    if (start >= this.n) return 0;
    const rows = Math.min(this.rows, this.n - start);
    if (this.c.shuffle) {
      let inSpare = false;
      if (this.aheadAt === start) {
        this.settle();
        inSpare = this.inSpare;
      } else {
        this.gather(start, rows, buffers);
      }
      const into = inSpare ? this.spare! : buffers;
      this.x = into.x;
      this.y = into.y;
      this.w = into.w;
      const after = start + rows;
      if (this.spare && after < this.n) {
        // the next batch into the other pair, on the workers while this step runs
        const pool = this.c.engine.backend.pool!;
        pool.ahead = true;
        try {
          this.gather(after, Math.min(this.rows, this.n - after), inSpare ? buffers : this.spare);
        } finally {
          pool.ahead = false;
        }
        this.aheadAt = after;
        this.inSpare = !inSpare;
      }
    } else {
      // In order, a batch is a slice of the staged data: no copy.
      this.x = staged.x + start * this.inCols * 4;
      this.y = staged.y + start * this.tCols * 4;
      this.w = staged.w && staged.w + start * 4;
    }
    this.start += rows;
    return rows;
  }

  /** rows `from`… of this epoch's order, gathered into `into`'s x, y and (when weighted) w */
  private gather(from: number, rows: number, into: Gathered): void {
    const k = this.c.engine.backend.kernels;
    k.gatherRows(this.staged.x, this.order + from * 4, into.x, rows, this.inCols);
    k.gatherRows(this.staged.y, this.order + from * 4, into.y, rows, this.tCols);
    if (this.weighted) k.gatherRows(this.staged.w, this.order + from * 4, into.w, rows, 1);
  }

  /** wait for the gather ahead, if any (it writes a batch's buffers and reads the order) */
  settle(): void {
    this.c.engine.backend.pool?.settle?.();
  }

  free(): void {
    this.settle();
    const arena = this.c.engine.backend.arena;
    arena.free(this.order);
    if (this.spare) {
      arena.free(this.spare.x);
      arena.free(this.spare.y);
      if (this.spare.w) arena.free(this.spare.w);
    }
    this.staged.free();
  }
}
