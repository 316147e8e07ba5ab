// One batch forward, its loss and its metrics, summed over the batches of an epoch or an evaluation: the part of a
// step that training and evaluation share.
import type { Ptr } from '../backends/kernels.js';
import type { ForwardMode } from '../layers/kernel-layer.js';
import { computeLoss, type Loss } from '../losses/index.js';
import { fusedActivation } from '../losses/output-activation.js';
import type { BatchBuffers } from './batch-buffers.js';
import type { Engine } from './engine.js';
import { metricSum, type MetricKind } from './metrics.js';

/** Means over the rows seen: the loss, and each metric asked for (in the order asked). */
export interface Means {
  loss: number;
  metrics: number[];
}

/**
 * Runs batches forward (training or inference mode) and sums their loss and metrics, weighted by rows, as Keras's
 * running logs are: `means()` is the mean over every row seen since `reset()`.
 */
export class BatchMeasure {
  /** the output activation folded into the loss, if any: the forward pass then leaves logits */
  readonly fused: 'softmax' | 'sigmoid' | undefined;
  readonly mode: ForwardMode;
  private lossSum = 0;
  private readonly sums: number[];
  private seen = 0;

  constructor(
    private readonly engine: Engine,
    private readonly loss: Loss,
    private readonly kinds: readonly MetricKind[],
    training: boolean,
  ) {
    this.fused = fusedActivation(loss, engine.outputActivation());
    this.mode = { training, logits: this.fused !== undefined };
    this.sums = kinds.map(() => 0);
  }

  reset(): void {
    this.lossSum = 0;
    this.seen = 0;
    this.sums.fill(0);
  }

  /**
   * Forward `rows` rows from `x`, compute the loss against `y` (its gradient to `b.dOut`), weighting the rows by `w`
   * when given (Keras's sample weights: the metrics are not weighted, as Keras's `metrics` are not), and the metrics,
   * and add them to the sums. Returns the batch's mean loss (the caller decides what a non-finite one means).
   */
  measure(b: BatchBuffers, x: Ptr, y: Ptr, rows: number, w: Ptr = 0): number {
    const { engine, loss } = this;
    const { kernels: k, arena } = engine.backend;
    const cols = engine.outputSize;
    const out = engine.forward(x, rows, this.mode);
    const value = computeLoss(k, arena, loss, out, y, b.dOut, rows, cols, this.mode.logits, b.probs, w);
    for (let i = 0; i < this.kinds.length; i++)
      this.sums[i] += metricSum(engine, this.kinds[i], loss, this.fused, out, b.probs, b.scratch, y, rows, cols);
    this.lossSum += value * rows;
    this.seen += rows;
    return value;
  }

  /** the rows measured since the last reset */
  get rows(): number {
    return this.seen;
  }

  means(): Means {
    return { loss: this.lossSum / this.seen, metrics: this.sums.map((s) => s / this.seen) };
  }
}
