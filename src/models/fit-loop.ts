// fit's loop over epochs and batches: forward, loss, metrics, backward and the optimizer step as kernel calls on
// staged data, with progress, callbacks, validation and turns for the event loop.
import type { Ptr } from '../backends/kernels.js';
import type { Matrix } from '../data/matrix.js';
import { computeLoss, type Loss } from '../losses/index.js';
import { fusedActivation } from '../losses/output-activation.js';
import type { Optimizer } from '../optimizers/index.js';
import { fail } from '../util/errors.js';
import type { Random } from '../util/random.js';
import type { Engine } from './engine.js';
import { evaluateYielding } from './evaluate-loop.js';
import { metricSum, type Metric } from './metrics.js';
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
  [metric: string]: number | undefined;
}

/** What fit reports as it goes; the two model APIs print differently. */
export interface Reporter {
  epochStart(epoch: number, epochs: number, batches: number): void;
  batchEnd(batch: number, logs: Logs): void;
  epochEnd(epoch: number, epochs: number, logs: Logs, seconds: number): void;
}

/** A reporter that prints nothing (callbacks still run). */
export const silentReporter: Reporter = { epochStart() {}, batchEnd() {}, epochEnd() {} };

export interface FitConfig {
  engine: Engine;
  loss: Loss;
  optimizer: Optimizer;
  x: Matrix;
  y: Targets;
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  rng: Random;
  /** the metrics to report, in the order compile was given them */
  metrics: readonly Metric[];
  validation?: { x: Matrix; y: Targets };
  reporter: Reporter;
  onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: Logs) => void | Promise<void>;
  /** give the event loop a turn at least this often (ms), so pages and progress stay live */
  yieldEvery: number;
  /** polled between batches; true stops training after the current batch */
  shouldStop: () => boolean;
  /** x was not checked for NaN and ±Inf (toMatrix with `finite: false`): check it while staging, naming it so */
  checkX?: string;
  /** called once the data is staged and checked, before the first epoch */
  onTrainBegin?: () => void | Promise<void>;
  /**
   * The optimizer is plain SGD (no momentum) and nothing reads its state: one-row batches then fold the update into
   * the backward pass (Dense: sgdOuterStep, no weight gradient written), with the same bits, and skip `step()`.
   */
  fuseSgd?: boolean;
}

/** What `fit` returns, as Keras's History: the epochs run and one value per epoch for the loss and each metric. */
export interface History {
  epoch: number[];
  /** one value per epoch; a metric only when compiled with it, val_* only with validation data (as in Keras) */
  history: {
    loss: number[];
    accuracy?: number[];
    val_loss?: number[];
    val_accuracy?: number[];
    [metric: string]: number[] | undefined;
  };
}

/** Buffers one batch needs beyond the layers' own: shuffled rows, the output gradient, softmax probabilities. */
class BatchBuffers {
  readonly ptrs: Ptr[] = [];
  constructor(
    private readonly engine: Engine,
    rows: number,
    inCols: number,
    tCols: number,
    outCols: number,
    total: number,
  ) {
    const a = engine.backend.arena;
    const alloc = (n: number) => {
      const p = a.alloc(n);
      this.ptrs.push(p);
      return p;
    };
    try {
      this.x = alloc(rows * inCols);
      this.y = alloc(rows * tCols);
      this.dOut = alloc(rows * outCols);
      this.probs = alloc(rows * outCols);
      this.scratch = alloc(rows * outCols);
      this.order = alloc(total);
    } catch (e) {
      this.free();
      throw e;
    }
  }
  x!: Ptr;
  y!: Ptr;
  dOut!: Ptr;
  probs!: Ptr;
  scratch!: Ptr;
  order!: Ptr;
  free(): void {
    for (const p of this.ptrs) this.engine.backend.arena.free(p);
    this.ptrs.length = 0;
  }
}

/** Train `engine` on staged data; returns the Keras-style history. */
export async function fitLoop(c: FitConfig): Promise<History> {
  const { engine, loss, optimizer, x, y } = c;
  const { kernels: k, arena } = engine.backend;
  const n = x.shape[0];
  const inCols = x.shape[1];
  const outCols = engine.outputSize;
  const batch = Math.min(c.batchSize, n);
  const fused = fusedActivation(loss, engine.outputActivation());
  const logits = fused !== undefined;
  const mode = { training: true, logits };
  const history: History = { epoch: [], history: { loss: [] } };

  engine.reserve(batch);
  const staged = engine.guard(() => new Staged(engine, x, y));
  let buffers: BatchBuffers | undefined;
  try {
    await staged.writeYielding(c.yieldEvery, c.checkX);
    buffers = engine.guard(() => new BatchBuffers(engine, batch, inCols, y.cols, outCols, n));
    const order = new Int32Array(n).map((_, i) => i);
    const batches = Math.ceil(n / batch);
    if (c.onTrainBegin) await c.onTrainBegin();
    const turns = new Turns(c.yieldEvery);
    for (let epoch = 0; epoch < c.epochs; epoch++) {
      const started = performance.now();
      // Shuffle from the identity every epoch, so that fit(2) then fit(2) orders samples exactly as fit(4) does.
      if (c.shuffle) {
        for (let i = 0; i < n; i++) order[i] = i;
        c.rng.shuffle(order);
      }
      arena.i32(buffers.order, n).set(order);
      c.reporter.epochStart(epoch, c.epochs, batches);
      let lossSum = 0;
      const sums = c.metrics.map(() => 0);
      let seen = 0;
      for (let b = 0; b < batches; b++) {
        const start = b * batch;
        const rows = Math.min(batch, n - start);
        let xb: Ptr, yb: Ptr;
        if (c.shuffle) {
          k.gatherRows(staged.x, buffers.order + start * 4, buffers.x, rows, inCols);
          k.gatherRows(staged.y, buffers.order + start * 4, buffers.y, rows, y.cols);
          xb = buffers.x;
          yb = buffers.y;
        } else {
          // In order, a batch is a slice of the staged data: no copy.
          xb = staged.x + start * inCols * 4;
          yb = staged.y + start * y.cols * 4;
        }
        const out = engine.forward(xb, rows, mode);
        const value = computeLoss(k, arena, loss, out, yb, buffers.dOut, rows, outCols, logits, buffers.probs);
        if (!Number.isFinite(value)) {
          const where = engine.firstNonFiniteLayer();
          fail(
            `training diverged: the loss became ${value} at epoch ${epoch + 1}, batch ${b + 1}` +
              `${where ? ` (first non-finite values in layer ${where})` : ''}. Lower the learning rate or check the data.`,
          );
        }
        c.metrics.forEach((m, i) => {
          sums[i] += metricSum(engine, m.kind, loss, fused, out, buffers!.probs, buffers!.scratch, yb, rows, outCols);
        });
        const sgdRate = c.fuseSgd && rows === 1 ? optimizer.learningRate : undefined;
        engine.backward(buffers.dOut, rows, mode, sgdRate);
        if (sgdRate === undefined) optimizer.step();
        lossSum += value * rows;
        seen += rows;
        const batchLogs: Logs = { loss: lossSum / seen };
        c.metrics.forEach((m, i) => {
          batchLogs[m.name] = sums[i] / seen;
        });
        c.reporter.batchEnd(b, batchLogs);
        if (c.onBatchEnd) await c.onBatchEnd(b, batchLogs);
        if (c.shouldStop()) break;
        await turns.maybe();
      }
      const logs: Logs = { loss: lossSum / seen };
      c.metrics.forEach((m, i) => {
        logs[m.name] = sums[i] / seen;
      });
      if (c.validation) {
        const v = await evaluateYielding(
          engine,
          loss,
          c.validation.x,
          c.validation.y,
          c.metrics.map((m) => m.kind),
          batch,
          c.yieldEvery,
        );
        logs.val_loss = v.loss;
        c.metrics.forEach((m, i) => {
          logs[`val_${m.name}`] = v.metrics[i];
        });
      }
      history.epoch.push(epoch);
      for (const key of Object.keys(logs)) (history.history[key] ??= []).push(logs[key]!);
      c.reporter.epochEnd(epoch, c.epochs, logs, (performance.now() - started) / 1000);
      if (c.onEpochEnd) await c.onEpochEnd(epoch, logs);
      if (c.shouldStop()) break;
      await turns.maybe();
    }
  } finally {
    buffers?.free();
    staged.free();
  }
  return history;
}
