// The arena room one batch needs beyond the layers' own, shared by training and evaluation.
import type { Ptr } from '../backends/kernels.js';
import type { Engine } from './engine.js';
import { checkCopied, type Targets } from './staging.js';

/**
 * Room for one batch of up to `rows` rows: its inputs and targets (when they are copied or gathered in), the samples'
 * weights (from the first batch that has them), the output gradient, softmax probabilities and metric scratch.
 * Planned once for the largest batch; `ensure` makes more room only when a larger batch arrives, so a run of batches
 * no larger than the first never allocates.
 */
export class BatchBuffers {
  x: Ptr = 0;
  y: Ptr = 0;
  /** the rows' weights, once a batch with weights was staged or `weighted` was given (0 before) */
  w: Ptr = 0;
  dOut: Ptr = 0;
  probs: Ptr = 0;
  scratch: Ptr = 0;
  /** the rows the buffers (and the layers' activations) hold */
  rows = 0;
  /** the rows the last `stage` copied in */
  rowsStaged = 0;
  private readonly ptrs: Ptr[] = [];

  constructor(
    private readonly engine: Engine,
    rows: number,
    private readonly inCols: number,
    private readonly tCols: number,
    private weighted = false,
  ) {
    this.ensure(rows);
  }

  /** Hold at least `rows` rows: reallocates (and reserves the layers' activations) only when `rows` is more than held. */
  ensure(rows: number): void {
    if (rows <= this.rows) return;
    this.free();
    this.engine.reserve(rows);
    const a = this.engine.backend.arena;
    const outCols = this.engine.outputSize;
    const alloc = (n: number) => {
      const p = this.engine.guard(() => a.alloc(n)); // out of memory: says what the other live models hold
      this.ptrs.push(p);
      return p;
    };
    try {
      this.x = alloc(rows * this.inCols);
      this.y = alloc(rows * this.tCols);
      if (this.weighted) this.w = alloc(rows);
      this.dOut = alloc(rows * outCols);
      this.probs = alloc(rows * outCols);
      this.scratch = alloc(rows * outCols);
    } catch (e) {
      this.free();
      throw e;
    }
    this.rows = rows;
  }

  /**
   * Copy `rows` rows of x and their targets (and weights, on weighted buffers) into `x`, `y` and `w`, making room
   * first if needed; when `checkX` names x, check it for NaN and ±Inf with the allFinite kernel (errors count rows
   * from `firstRow`). Returns the weights' place, or 0 when `y` has none.
   */
  stage(x: Float32Array, y: Targets, rows: number, checkX?: string, firstRow = 0): Ptr {
    this.ensure(rows);
    const arena = this.engine.backend.arena;
    arena.write(this.x, x);
    if (checkX !== undefined) checkCopied(this.engine, this.x, x, this.inCols, checkX, firstRow);
    arena.write(this.y, y.data);
    this.rowsStaged = rows;
    if (!y.weights) return 0;
    if (!this.weighted) {
      // validation with weights after training without: room for them once, for every batch after
      this.w = this.engine.guard(() => arena.alloc(this.rows));
      this.ptrs.push(this.w);
      this.weighted = true;
    }
    arena.write(this.w, y.weights);
    return this.w;
  }

  free(): void {
    for (const p of this.ptrs) this.engine.backend.arena.free(p);
    this.ptrs.length = 0;
    this.rows = 0;
    this.w = 0;
  }
}
