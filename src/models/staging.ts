// Data copied into the arena for the length of a fit or an evaluate: the rows of x and the targets as kernels take them.
import type { Ptr } from '../backends/kernels.js';
import { checkFinite } from '../data/inputs.js';
import type { Matrix } from '../data/matrix.js';
import type { Engine } from './engine.js';
import { Turns } from './turns.js';

/**
 * Targets as the kernels take them: [rows, cols] values, or [rows] class indices (cols = 1) for sparse losses; and
 * the samples' weights in the loss, when given (fit's sampleWeight or classWeight, evaluate's sampleWeight).
 */
export interface Targets {
  data: Float32Array;
  cols: number;
  weights?: Float32Array;
}

/** Rows `from` … `to` − 1 of `y`, its weights with them (no copy). */
export function targetRows(y: Targets, from: number, to: number): Targets {
  const rows: Targets = { data: y.data.subarray(from * y.cols, to * y.cols), cols: y.cols };
  if (y.weights) rows.weights = y.weights.subarray(from, to);
  return rows;
}

/** Fail, naming the first NaN or ±Inf, if the rows of x just copied to `at` hold one (the allFinite kernel looks first). */
export function checkCopied(
  engine: Engine,
  at: Ptr,
  rows: Float32Array,
  cols: number,
  what: string,
  firstRow = 0,
): void {
  if (!engine.backend.kernels.allFinite(at, rows.length)) checkFinite(rows, cols, what, firstRow);
}

/** floats of x copied per slice while staging for fit (4 MB): between slices the page gets its turns */
const STAGE_SLICE = 1 << 20;

/** Data copied into the arena for the length of a fit or an evaluate, freed afterwards. */
export class Staged {
  readonly x: Ptr;
  readonly y: Ptr;
  /** the samples' weights, or 0 without */
  readonly w: Ptr = 0;
  /** Room for the data; `write` or `writeYielding` fills it. */
  constructor(
    private readonly engine: Engine,
    readonly xm: Matrix,
    readonly ym: Targets,
  ) {
    const arena = engine.backend.arena;
    const made: Ptr[] = [];
    // out of memory: the error says what the other live models hold
    const alloc = (floats: number) => {
      const p = engine.guard(() => arena.alloc(floats, false));
      made.push(p);
      return p;
    };
    try {
      this.x = alloc(xm.data.length);
      this.y = alloc(ym.data.length);
      if (ym.weights) this.w = alloc(ym.weights.length);
    } catch (e) {
      for (const p of made) arena.free(p);
      throw e;
    }
  }

  /** Copy the data in at once (evaluation), checking x for NaN and ±Inf with the allFinite kernel when `checkX` names it. */
  write(checkX?: string): void {
    const arena = this.engine.backend.arena;
    arena.write(this.x, this.xm.data);
    if (checkX !== undefined) checkCopied(this.engine, this.x, this.xm.data, this.xm.shape[1], checkX);
    this.writeTargets();
  }

  /**
   * Copy the data in slices of rows, giving the event loop a turn at least every `yieldEvery` ms (all of MNIST is
   * 188 MB), and, when `checkX` names x, check each slice for NaN and ±Inf with the allFinite kernel on the way.
   */
  async writeYielding(yieldEvery: number, checkX?: string): Promise<void> {
    const arena = this.engine.backend.arena;
    const [rows, cols] = this.xm.shape;
    const step = Math.max(1, Math.floor(STAGE_SLICE / cols));
    const turns = new Turns(yieldEvery);
    for (let r = 0; r < rows; r += step) {
      const slice = this.xm.data.subarray(r * cols, Math.min(rows, r + step) * cols);
      const at = this.x + r * cols * 4;
      arena.write(at, slice);
      if (checkX !== undefined) checkCopied(this.engine, at, slice, cols, checkX, r);
      await turns.maybe();
    }
    this.writeTargets();
  }

  private writeTargets(): void {
    const arena = this.engine.backend.arena;
    arena.write(this.y, this.ym.data);
    if (this.ym.weights) arena.write(this.w, this.ym.weights);
  }

  free(): void {
    this.engine.backend.arena.free(this.x);
    this.engine.backend.arena.free(this.y);
    if (this.w) this.engine.backend.arena.free(this.w);
  }
}
