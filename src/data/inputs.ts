import { fail, notNumber, short, text } from '../util/errors.js';
import type { Matrix } from './matrix.js';

/**
 * Every form of samples the models accept: rows (number[][] or typed arrays), the tutorial's [samples][1][features],
 * images as nested arrays [samples][h][w][c], or flat values with a shape: { data, shape: [samples, ...sampleShape] }.
 */
export type DataInput =
  | number[][]
  | number[][][]
  | number[][][][]
  | Float32Array[]
  | Float64Array[]
  | Matrix
  | { data: ArrayLike<number>; shape: readonly number[] };

/** How the caller gave its data, so that answers come back in the same form ('tensor': nested images; answers as rows). */
export type DataForm = 'rows' | 'nested' | 'matrix' | 'tensor';

export interface ParsedInput {
  /** one row per sample: the sample's values in row-major (channels-last) order */
  matrix: Matrix;
  form: DataForm;
  /** the shape of one sample: [features], or [h, w, c] for images */
  sampleShape: number[];
}

/**
 * Turn any accepted input into a float32 matrix, checking it on the way: not empty, rectangular, all finite.
 * `what` names the argument in errors ("x", "y"). `finite: false` leaves the finiteness of a Float32Array
 * `{ data, shape }` to the caller (fit checks it in wasm while it copies the data into the arena, several times faster
 * than a JavaScript loop over it).
 */
export function toMatrix(input: unknown, what: string, options: { finite?: boolean } = {}): ParsedInput {
  if (input === null || input === undefined)
    fail(`${what} is ${input}; expected samples as number[][], [samples][1][features] or { data, shape }`);
  if (Array.isArray(input)) return fromArrays(input, what);
  if (typeof input === 'object' && 'data' in input && 'shape' in input) {
    const { data, shape } = input as { data: ArrayLike<number>; shape: readonly number[] };
    if (!Array.isArray(shape) || shape.length < 1 || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      fail(`${what}.shape must be [samples, features] of non-negative integers, got ${short(shape)}`);
    }
    const rows = shape[0];
    const cols = shape.slice(1).reduce((a, b) => a * b, 1);
    if (rows === 0 || cols === 0)
      fail(`${what} is empty (shape ${short(shape)}); expected at least one sample with at least one feature`);
    checkSize(rows, cols, what);
    if (!data || typeof data.length !== 'number' || data instanceof BigInt64Array || data instanceof BigUint64Array)
      fail(`${what}.data must be a Float32Array or an array of numbers, got ${describeRow(data)}`);
    if (data.length !== rows * cols) {
      fail(`${what}.data has ${data.length} values but its shape ${short(shape)} needs ${rows * cols}`);
    }
    const f32 = data instanceof Float32Array ? data : toFloat32(data, what);
    if (options.finite !== false) checkFinite(f32, cols, what);
    return {
      matrix: { data: f32, shape: [rows, cols] },
      form: 'matrix',
      sampleShape: shape.length > 1 ? shape.slice(1) : [1],
    };
  }
  fail(
    `${what} must be number[][], [samples][1][features], [samples][h][w][c] or { data, shape }; got ${described(input, what)}`,
  );
}

/**
 * The most values one input may hold: as many float32 as wasm's 4 GiB memory, where it is copied. A larger one fails
 * here, naming its size, rather than as a RangeError from a typed array that cannot be made.
 */
const MAX_INPUT_VALUES = 2 ** 30;

function checkSize(samples: number, cols: number, what: string): void {
  if (samples * cols > MAX_INPUT_VALUES)
    fail(
      `${what} has ${samples} samples of ${cols} values, ${samples * cols} in all: more than the ${MAX_INPUT_VALUES} ` +
        'float32 values that fit in WebAssembly memory (4 GiB); train on it in batches (fitDataset)',
    );
}

/** `data` of `{ data, shape }` as float32: a typed array converts as it is; a list must hold numbers only. */
function toFloat32(data: ArrayLike<unknown>, what: string): Float32Array {
  if (ArrayBuffer.isView(data)) return Float32Array.from(data as ArrayLike<number>);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number') fail(`${what}.data[${i}] is ${notNumber(v)}; expected a number`);
    out[i] = v;
  }
  return out;
}

/** what an input that is none of the accepted forms is, with the form that would take it */
function described(input: unknown, what: string): string {
  if (ArrayBuffer.isView(input) && 'length' in input) {
    const n = (input as unknown as ArrayLike<number>).length;
    return (
      `a ${input.constructor.name} of ${n} values, which says nothing of how many samples it holds: give it with its ` +
      `shape, { data: ${what}, shape: [samples, …] } (one sample of ${n} features: shape [1, ${n}])`
    );
  }
  if (typeof input === 'object' && input !== null && 'data' in input) return 'an object with data but no shape';
  if (typeof input === 'object' && input !== null && 'shape' in input) return 'an object with a shape but no data';
  return typeof input;
}

function fromArrays(samples: unknown[], what: string): ParsedInput {
  if (samples.length === 0) fail(`${what} is empty; expected at least one sample`);
  const first = samples[0];
  // The tutorial nests each sample one level deeper: [samples][1][features]. Deeper, or wider, is a sample shape.
  const nested = Array.isArray(first) && Array.isArray(first[0]);
  if (nested && (first.length !== 1 || Array.isArray(first[0][0]) || ArrayBuffer.isView(first[0][0])))
    return fromNested(samples, what);
  const rowOf = (i: number): ArrayLike<unknown> => {
    const s = samples[i];
    if (!nested && isNumberRow(s)) return s;
    if (!Array.isArray(s))
      fail(`${what}[${i}] is ${describeRow(s)}; expected every sample to be an array of numbers (or a Float32Array)`);
    if (!nested) return s;
    if (s.length !== 1 || !Array.isArray(s[0]))
      fail(`${what}[${i}] should be [[...features]] like the other samples ([samples][1][features])`);
    return s[0] as unknown[];
  };
  const cols = rowOf(0).length;
  if (cols === 0) fail(`${what}[0] has no features; expected at least one`);
  checkSize(samples.length, cols, what);
  const data = new Float32Array(samples.length * cols);
  // One pass: each value is checked as it is copied (a number, finite as float32), no second scan.
  for (let i = 0; i < samples.length; i++) {
    const row = rowOf(i);
    if (row.length !== cols)
      fail(
        `${what}[${i}] has ${row.length} features but ${what}[0] has ${cols}; every sample must have the same width`,
      );
    const at = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (typeof v !== 'number') fail(`${what}[${i}][${j}] is ${notNumber(v)}; expected a number`);
      data[at + j] = v;
      const f = data[at + j];
      if (f - f !== 0) notFinite(v, f, `${what}[${i}][${j}]`, what, at + j, cols);
    }
  }
  return { matrix: { data, shape: [samples.length, cols] }, form: nested ? 'nested' : 'rows', sampleShape: [cols] };
}

/** the most dimensions one sample may have (an image has 3) */
const MAX_SAMPLE_DIMS = 8;

/** Samples as nested arrays, [samples][h][w][c] (or deeper, up to MAX_SAMPLE_DIMS): the shape is the first sample's;
 *  every one must match. */
function fromNested(samples: unknown[], what: string): ParsedInput {
  const sampleShape: number[] = [];
  for (let v: unknown = samples[0]; Array.isArray(v) || isNumberRow(v); v = (v as ArrayLike<unknown>)[0]) {
    // an array that holds itself would nest forever: no sample has more than a few dimensions
    if (sampleShape.length === MAX_SAMPLE_DIMS)
      fail(
        `${what}[0] is nested more than ${MAX_SAMPLE_DIMS} levels deep; a sample is [features] or an image ` +
          '[h][w][c] (does an array contain itself?)',
      );
    sampleShape.push((v as ArrayLike<unknown>).length);
    if (ArrayBuffer.isView(v)) break;
  }
  if (sampleShape.some((d) => d === 0))
    fail(`${what}[0] has shape [${sampleShape.join(', ')}]; every dimension needs at least one value`);
  const cols = sampleShape.reduce((a, b) => a * b, 1);
  checkSize(samples.length, cols, what);
  const data = new Float32Array(samples.length * cols);
  let at = 0;
  // the indices of the value being copied (sample first): its path is spelt out only for an error message
  const index: number[] = [];
  const path = (depth: number): string =>
    index
      .slice(0, depth + 1)
      .map((i) => `[${i}]`)
      .join('');
  const last = sampleShape.length - 1;
  const fill = (v: unknown, depth: number): void => {
    if (!(Array.isArray(v) || isNumberRow(v)))
      fail(
        `${what}${path(depth)} is ${describeRow(v)}; expected ${sampleShape[depth]} entries: every sample must have ` +
          `the shape of ${what}[0], [${sampleShape.join(', ')}]`,
      );
    if (v.length !== sampleShape[depth]) {
      fail(
        `${what}${path(depth)} has ${v.length} entries but should have ${sampleShape[depth]}: every sample must have the shape of ${what}[0], [${sampleShape.join(', ')}]`,
      );
    }
    const items = v as ArrayLike<unknown>;
    if (depth < last) {
      for (let i = 0; i < items.length; i++) {
        index[depth + 1] = i;
        fill(items[i], depth + 1);
      }
      return;
    }
    // the innermost values, checked as they are copied (a number, finite as float32)
    for (let i = 0; i < items.length; i++) {
      const x = items[i];
      if (typeof x !== 'number') {
        index[depth + 1] = i;
        fail(
          `${what}${path(depth + 1)} is ${notNumber(x)}; expected a number (every sample of shape [${sampleShape.join(', ')}])`,
        );
      }
      data[at] = x;
      const f = data[at];
      if (f - f !== 0) {
        index[depth + 1] = i;
        notFinite(x, f, `${what}${path(depth + 1)}`, what, at, cols);
      }
      at++;
    }
  };
  // an indexed loop, not forEach: forEach skips the holes of a sparse array, and every sample after one would move up
  for (let i = 0; i < samples.length; i++) {
    index[0] = i;
    fill(samples[i], 0);
  }
  return { matrix: { data, shape: [samples.length, cols] }, form: 'tensor', sampleShape };
}

/** A row given as an array or a typed array of numbers (Float32Array, Float64Array, Uint8Array, …). */
function isNumberRow(s: unknown): s is ArrayLike<number> {
  return (
    Array.isArray(s) ||
    (ArrayBuffer.isView(s) &&
      !(s instanceof DataView) &&
      !(s instanceof BigInt64Array) &&
      !(s instanceof BigUint64Array))
  );
}

function describeRow(s: unknown): string {
  if (s === null || s === undefined) return String(s);
  if (ArrayBuffer.isView(s)) return `a ${s.constructor.name} (64-bit integers are not taken; convert to numbers)`;
  return `${typeof s === 'object' ? 'an object' : `a ${typeof s}`} (${text(s)})`;
}

/**
 * The value `v` copied into float32 as `f` at flat `index` is NaN or ±Inf (`f - f !== 0`, the finiteness test in one
 * subtraction): a finite `v` overflowed float32 (said at `where`); otherwise it was NaN or ±Inf to begin with.
 */
function notFinite(v: number, f: number, where: string, what: string, index: number, cols: number): never {
  if (Number.isFinite(v))
    fail(`${where} is ${v}, beyond float32's range (magnitudes up to 3.4e38); scale the data down`);
  failNotFinite(f, what, Math.floor(index / cols), index % cols);
}

function failNotFinite(value: number, what: string, sample: number, feature: number): never {
  fail(`${what} has ${value} at sample ${sample}, feature ${feature}; every value must be a finite number`);
}

/** Fail, naming the first NaN or ±Inf of `data` (rows of `cols` values; the first is sample `firstRow` of `what`). */
export function checkFinite(data: Float32Array, cols: number, what: string, firstRow = 0): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) failNotFinite(data[i], what, firstRow + Math.floor(i / cols), i % cols);
  }
}

/** Model outputs in the form the inputs came in: a matrix, rows, or rows each wrapped once more (the tutorial's). */
export type Outputs = number[][] | number[][][] | Matrix;

/**
 * Rows of `cols` values of `data` into `out[first…]`, each a new array, wrapped in one more when `nested`. An indexed
 * loop into sized arrays: Array.from(typed array) takes the iterator path, about 10× slower.
 */
export function copyRows(
  data: Float32Array | Float64Array,
  cols: number,
  nested: boolean,
  out: unknown[],
  first: number,
): void {
  const rows = data.length / cols;
  for (let i = 0; i < rows; i++) {
    const row: number[] = new Array(cols);
    for (let j = 0, at = i * cols; j < cols; j++) row[j] = data[at + j];
    out[first + i] = nested ? [row] : row;
  }
}

/** Render model outputs in the form the inputs came in ('tensor', nested images: one row of outputs per sample). */
export function fromMatrix(m: Matrix, form: DataForm): Outputs {
  if (form === 'matrix') return m;
  const out: unknown[] = new Array(m.shape[0]);
  copyRows(m.data, m.shape[1], form === 'nested', out, 0);
  return out as Outputs;
}
