// evaluate and predict: the model in inference mode over a data set, a chunk of rows at a time.
import type { Ptr } from '../backends/kernels.js';
import { copyRows, type DataForm, type Outputs } from '../data/inputs.js';
import type { Matrix } from '../data/matrix.js';
import { computeLoss, type Loss } from '../losses/index.js';
import { fusedActivation } from '../losses/output-activation.js';
import type { Engine } from './engine.js';
import { metricSum, type MetricKind } from './metrics.js';
import { checkCopied, Staged, type Targets } from './staging.js';
import { Turns } from './turns.js';
import { checkOutputsFinite } from './checks.js';

const INFERENCE = { training: false, logits: false } as const;

/** the mean loss, and the mean of each metric asked for (in the order asked) */
type EvalResult = { loss: number; metrics: number[] };

/** Mean loss and metrics over a data set, in inference mode, `chunk` rows at a time; `checkX`: see Staged.write. */
export function evaluateLoop(
  engine: Engine,
  loss: Loss,
  x: Matrix,
  y: Targets,
  metrics: readonly MetricKind[],
  chunk: number,
  checkX?: string,
): EvalResult {
  const steps = evaluateSteps(engine, loss, x, y, metrics, chunk, checkX);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The same, giving the event loop a turn between chunks at least every `yieldEvery` ms (validation inside fit). */
export async function evaluateYielding(
  engine: Engine,
  loss: Loss,
  x: Matrix,
  y: Targets,
  metrics: readonly MetricKind[],
  chunk: number,
  yieldEvery: number,
): Promise<EvalResult> {
  const steps = evaluateSteps(engine, loss, x, y, metrics, chunk);
  const turns = new Turns(yieldEvery);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await turns.maybe();
  }
}

/** The evaluation itself, pausing (yield) after every chunk. Always run to the end: the finally frees the staging. */
function* evaluateSteps(
  engine: Engine,
  loss: Loss,
  x: Matrix,
  y: Targets,
  metrics: readonly MetricKind[],
  chunk: number,
  checkX?: string,
): Generator<void, EvalResult> {
  const { kernels: k, arena } = engine.backend;
  const n = x.shape[0];
  const rows = Math.min(chunk, n);
  const outCols = engine.outputSize;
  const fused = fusedActivation(loss, engine.outputActivation());
  const logits = fused !== undefined;
  const mode = { training: false, logits };
  engine.reserve(rows);
  const staged = new Staged(engine, x, y);
  const scratch: Ptr[] = [];
  try {
    staged.write(checkX);
    const dOut = arena.alloc(rows * outCols);
    scratch.push(dOut);
    const probs = arena.alloc(rows * outCols);
    scratch.push(probs);
    const metricScratch = arena.alloc(rows * outCols);
    scratch.push(metricScratch);
    let lossSum = 0;
    const sums = metrics.map(() => 0);
    for (let start = 0; start < n; start += rows) {
      const r = Math.min(rows, n - start);
      const xb = staged.x + start * x.shape[1] * 4;
      const yb = staged.y + start * y.cols * 4;
      const out = engine.forward(xb, r, mode);
      lossSum += computeLoss(k, arena, loss, out, yb, dOut, r, outCols, logits, probs) * r;
      metrics.forEach((kind, i) => {
        sums[i] += metricSum(engine, kind, loss, fused, out, probs, metricScratch, yb, r, outCols);
      });
      yield;
    }
    return { loss: lossSum / n, metrics: sums.map((sum) => sum / n) };
  } finally {
    for (const p of scratch) arena.free(p);
    staged.free();
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
  const input = arena.alloc(rows * cols, false); // every chunk is written before it is read
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
