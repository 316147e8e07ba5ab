// Data copied into the arena for the length of a fit or an evaluate: the rows of x and the targets as kernels take them.
import type { Ptr } from '../backends/kernels.js';
import { checkFinite } from '../data/inputs.js';
import type { Matrix } from '../data/matrix.js';
import type { Engine } from './engine.js';
import { Turns } from './turns.js';

/** Targets as the kernels take them: [rows, cols] values, or [rows] class indices (cols = 1) for sparse losses. */
export interface Targets {
  data: Float32Array;
  cols: number;
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
  /** Room for the data; `write` or `writeYielding` fills it. */
  constructor(
    private readonly engine: Engine,
    readonly xm: Matrix,
    readonly ym: Targets,
  ) {
    const arena = engine.backend.arena;
    // out of memory: the error says what the other live models hold
    this.x = engine.guard(() => arena.alloc(xm.data.length, false));
    try {
      this.y = engine.guard(() => arena.alloc(ym.data.length, false));
    } catch (e) {
      arena.free(this.x);
      throw e;
    }
  }

  /** Copy the data in at once (evaluation), checking x for NaN and ±Inf with the allFinite kernel when `checkX` names it. */
  write(checkX?: string): void {
    const arena = this.engine.backend.arena;
    arena.write(this.x, this.xm.data);
    if (checkX !== undefined) checkCopied(this.engine, this.x, this.xm.data, this.xm.shape[1], checkX);
    arena.write(this.y, this.ym.data);
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
    arena.write(this.y, this.ym.data);
  }

  free(): void {
    this.engine.backend.arena.free(this.x);
    this.engine.backend.arena.free(this.y);
  }
}
