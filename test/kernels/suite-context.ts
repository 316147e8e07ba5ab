import type { Backend } from '../../src/backends/backend.js';
import { Mem, type Precision } from './helpers.js';
import { tolerancesFor, type Tolerances } from './tolerances.js';

export interface KernelSuiteOptions {
  /** the precision the backend stores numbers in; 'float64' tightens every tolerance (default 'float32') */
  precision?: Precision;
}

/** What every case file receives: a fresh backend per test, and tolerances chosen for its precision. */
export interface SuiteContext {
  precision: Precision;
  /** a fresh backend wrapped for tests */
  mem(): Mem;
  /** the heap's rounding: what a correct kernel stores for the float64 reference value */
  round(v: number): number;
  /** the one table of tolerances (tolerances.ts), for this precision */
  tol: Tolerances;
}

export function makeContext(makeBackend: () => Backend, options: KernelSuiteOptions = {}): SuiteContext {
  const precision = options.precision ?? 'float32';
  return {
    precision,
    mem: () => new Mem(makeBackend()),
    round: precision === 'float64' ? (v) => v : Math.fround,
    tol: tolerancesFor(precision),
  };
}

export const roundAll = (ctx: SuiteContext, values: ArrayLike<number>) => Array.from(values, ctx.round);

/** Sizes that are 1, not divisible by 4, and large. */
export const SIZES = [1, 3, 5, 7, 17, 33, 1000];
/** [rows, cols] */
export const MATRICES: [number, number][] = [
  [1, 1],
  [1, 5],
  [3, 7],
  [5, 17],
  [7, 33],
  [64, 130],
];
/** [m, k, n]; [5, 1030, 3], [300, 9, 13] and [6, 9, 1030] reach past the wasm kernels' cache blocks (256 along k for
 *  matmul and along m for matmulTransA, 1024 along n for matmulTransB), [66, 37, 203] takes their packed path in all
 *  three forms, with edges in every direction; k = 0 must give zeros */
export const MATMUL_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 3, 5],
  [3, 5, 7],
  [5, 17, 3],
  [7, 33, 17],
  [17, 7, 33],
  [64, 130, 70],
  [2, 0, 3],
  [5, 0, 9],
  [5, 1030, 3],
  [300, 9, 13],
  [6, 9, 1030],
  [66, 37, 203],
];
