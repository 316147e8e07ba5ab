// evaluate and predict: the model in inference mode over a data set, a chunk of rows at a time.
import { copyRows, type DataForm, type Outputs } from '../data/inputs.js';
import type { Matrix } from '../data/matrix.js';
import type { Loss } from '../losses/index.js';
import { BatchBuffers } from './batch-buffers.js';
import { BatchMeasure, type Means } from './batch-measure.js';
import type { Engine } from './engine.js';
import type { MetricKind } from './metrics.js';
import { checkCopied, targetRows, type Targets } from './staging.js';
import { Turns } from './turns.js';
import { checkOutputsFinite } from './checks.js';

const INFERENCE = { training: false, logits: false } as const;

/**
 * Mean loss and metrics over a data set, in inference mode, `chunk` rows at a time; when `checkX` names x, each
 * chunk is checked for NaN and ±Inf with the allFinite kernel as it is copied in.
 */
export function evaluateLoop(
  engine: Engine,
  loss: Loss,
  x: Matrix,
  y: Targets,
  metrics: readonly MetricKind[],
  chunk: number,
  checkX?: string,
): Means {
  const steps = evaluateSteps(engine, loss, x, y, metrics, chunk, checkX);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same, giving the event loop a turn between chunks at least every `yieldEvery` ms (validation inside fit), in
 * `buffers` when given (fit's own, free between its epochs).
 */
export async function evaluateYielding(
  engine: Engine,
  loss: Loss,
  x: Matrix,
  y: Targets,
  metrics: readonly MetricKind[],
  chunk: number,
  yieldEvery: number,
  buffers?: BatchBuffers,
): Promise<Means> {
  const steps = evaluateSteps(engine, loss, x, y, metrics, chunk, undefined, buffers);
  const turns = new Turns(yieldEvery);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await turns.maybe();
  }
}

/**
 * The evaluation itself, copying one chunk at a time into the arena (which then holds a chunk, never the data set)
 * and pausing (yield) after every chunk. Always run to the end: the finally frees the buffers it made.
 */
function* evaluateSteps(
  engine: Engine,
  loss: Loss,
  x: Matrix,
  y: Targets,
  metrics: readonly MetricKind[],
  chunk: number,
  checkX?: string,
  shared?: BatchBuffers,
): Generator<void, Means> {
  const [n, cols] = x.shape;
  const rows = Math.min(chunk, n);
  const buffers = shared ?? new BatchBuffers(engine, rows, cols, y.cols, y.weights !== undefined);
  try {
    const measure = new BatchMeasure(engine, loss, metrics, false);
    for (let start = 0; start < n; start += rows) {
      const r = Math.min(rows, n - start);
      const xs = x.data.subarray(start * cols, (start + r) * cols);
      const w = buffers.stage(xs, targetRows(y, start, start + r), r, checkX, start);
      measure.measure(buffers, buffers.x, buffers.y, r, w);
      yield;
    }
    return measure.means();
  } finally {
    if (!shared) buffers.free();
  }
}

/**
 * Run the model on every row of `x` in inference mode, `chunk` rows at a time; returns [rows, outputs] in `form` (see
 * fromMatrix), each chunk's outputs copied once, from the arena into the answer. When `checkX` names x, each chunk is
 * checked for NaN and ±Inf with the allFinite kernel as it is copied in; every chunk's outputs are checked with it
 * before they are copied out (one pass in wasm; JavaScript looks only to name a bad value).
 */
export function predictLoop(
  engine: Engine,
  x: Matrix,
  chunk: number,
  checkX?: string,
  form: DataForm = 'matrix',
): Outputs {
  const { arena, kernels: k } = engine.backend;
  const [n, cols] = x.shape;
  const rows = Math.min(chunk, n);
  const outCols = engine.outputSize;
  engine.reserve(rows);
  const input = engine.guard(() => arena.alloc(rows * cols, false)); // every chunk is written before it is read
  const matrix = form === 'matrix' ? new Float32Array(n * outCols) : undefined;
  const answer: unknown[] = matrix ? [] : new Array(n);
  try {
    for (let start = 0; start < n; start += rows) {
      const r = Math.min(rows, n - start);
      const slice = x.data.subarray(start * cols, (start + r) * cols);
      arena.write(input, slice);
      if (checkX !== undefined) checkCopied(engine, input, slice, cols, checkX, start);
      const out = engine.forward(input, r, INFERENCE);
      const values = arena.f32(out, r * outCols);
      if (!k.allFinite(out, r * outCols)) checkOutputsFinite(values, outCols, start);
      if (matrix) matrix.set(values, start * outCols);
      else copyRows(values, outCols, form === 'nested', answer, start);
    }
  } finally {
    arena.free(input);
  }
  return matrix ? { data: matrix, shape: [n, outCols] } : (answer as Outputs);
}
