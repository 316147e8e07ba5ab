import { fail } from '../util/errors.js';

/** A 2-D float32 matrix stored row-major: element (i, j) is `data[i * cols + j]`. */
export interface Matrix {
  data: Float32Array;
  shape: [rows: number, cols: number];
}

/** Wrap `data` as a `rows × cols` matrix (no copy). Throws if the sizes are not non-negative integers or disagree. */
export function matrix(data: Float32Array, rows: number, cols: number): Matrix {
  if (!(data instanceof Float32Array)) {
    fail(`matrix: data must be a Float32Array, got ${describe(data)}`);
  }
  for (const [name, size] of [
    ['rows', rows],
    ['cols', cols],
  ] as const) {
    if (!Number.isInteger(size) || size < 0) {
      fail(`matrix: ${name} must be a non-negative integer, got ${size}`);
    }
  }
  if (data.length !== rows * cols) {
    fail(`matrix: shape [${rows}, ${cols}] needs ${rows * cols} values (rows × cols), but data has ${data.length}`);
  }
  return { data, shape: [rows, cols] };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}
