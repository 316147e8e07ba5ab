// Every built-in loss, with and without fromLogits, against TensorFlow.js's own (the layers losses a TF.js model
// compiles with, and tf.losses for logits): the same loss value and the same gradient ∂loss/∂output, on outputs that
// are and are not normalised, including saturated 0s and 1s, on both backends. Where TF.js and Keras differ (TF.js's
// sparse cross-entropy clips a second time after normalising), the Keras formula decides: a float64 oracle.
import type * as TF from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend } from '../../src/backends/index.js';
import { computeLoss, losses, type Loss } from '../../src/losses/index.js';
import { expectClose, expectCloseTo, seededRandom, type Tolerance } from '../kernels/helpers.js';
import * as ref from '../kernels/reference.js';
import { BACKENDS } from '../models/backends.js';
import { tfjs } from '../io/tfjs.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjs();
});

const ROWS = 6,
  COLS = 5;

/** Our loss and gradient, through the same kernel call fit makes. */
function ours(backend: 'wasm' | 'js', loss: Loss, p: number[], t: number[]) {
  const { kernels, arena } = resolveBackend(backend);
  const pp = arena.alloc(p.length),
    tp = arena.alloc(t.length),
    dp = arena.alloc(p.length),
    probs = arena.alloc(p.length);
  try {
    arena.write(pp, p);
    arena.write(tp, t);
    const value = computeLoss(kernels, arena, loss, pp, tp, dp, ROWS, COLS, false, probs);
    return { value, grad: Array.from(arena.read(dp, p.length)) };
  } finally {
    for (const ptr of [pp, tp, dp, probs]) arena.free(ptr);
  }
}

type TfLoss = (t: TF.Tensor, p: TF.Tensor) => TF.Tensor;

/** The loss function a TF.js model compiled with `name` trains with (tf.metrics has no sparse cross-entropy). */
function layersLoss(name: string): TfLoss {
  const input = tf.input({ shape: [1] });
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(input) as TF.SymbolicTensor });
  model.compile({ optimizer: 'sgd', loss: name });
  const fn = (model as unknown as { lossFunctions: TfLoss[] }).lossFunctions[0];
  model.dispose();
  return fn;
}
/** TF.js's loss (mean over the batch) and its gradient by tf.grad, in float32. */
function theirs(fn: TfLoss, p: number[], t: number[], sparse: boolean) {
  return tf.tidy(() => {
    const pt = tf.tensor2d(p, [ROWS, COLS]);
    const tt = sparse ? tf.tensor1d(t) : tf.tensor2d(t, [ROWS, COLS]);
    const f = (x: TF.Tensor) => tf.mean(fn(tt, x));
    return { value: f(pt).dataSync()[0], grad: Array.from(tf.grad(f)(pt).dataSync()) };
  });
}

const rand = seededRandom(1302);
const f32 = (v: number) => Math.fround(v);
const uniform = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => f32(lo + (hi - lo) * rand()));
/** rows summing to 1 (a softmax's output) */
const normalised = () => {
  const z = uniform(ROWS * COLS, -3, 3);
  return ref.softmax(z, COLS).map(f32);
};
/** sigmoid-like outputs in (0, 1) that do not sum to 1 */
const unnormalised = () => uniform(ROWS * COLS, 0.02, 0.98);
/** outputs with exact 0s and 1s: every row has a 1 and a 0, and at least one value strictly inside */
const saturated = () => {
  const p = uniform(ROWS * COLS, 0.05, 0.95);
  for (let i = 0; i < ROWS; i++) {
    p[i * COLS + (i % COLS)] = 1;
    p[i * COLS + ((i + 2) % COLS)] = 0;
  }
  return p;
};
const labels = () => Array.from({ length: ROWS }, (_, i) => (i * 3 + 1) % COLS);
const oneHot = (l: number[]) => ref.oneHot(l, COLS);
const binary = () => Array.from({ length: ROWS * COLS }, () => (rand() < 0.5 ? 0 : 1));

// float32 against float32: the loss is a mean of logs, the gradient a short chain of products
const LOSS_TOL: Tolerance = { atol: 1e-6, rtol: 1e-5 };
const GRAD_TOL: Tolerance = { atol: 1e-7, rtol: 1e-4 };

interface Case {
  name: string;
  loss: () => Loss;
  tf: () => TfLoss;
  p: () => number[];
  t: () => number[];
  sparse?: boolean;
}

const probabilities: [string, () => number[]][] = [
  ['normalised', normalised],
  ['not normalised', unnormalised],
  ['saturated', saturated],
];
const cases: Case[] = [
  {
    name: 'mse',
    loss: () => losses.mse,
    tf: () => tf.metrics.meanSquaredError,
    p: () => uniform(ROWS * COLS, -2, 2),
    t: () => uniform(ROWS * COLS, -2, 2),
  },
  {
    name: 'mae',
    loss: () => losses.mae,
    tf: () => tf.metrics.meanAbsoluteError,
    p: () => uniform(ROWS * COLS, -2, 2),
    t: () => uniform(ROWS * COLS, -2, 2),
  },
  ...probabilities.flatMap(([kind, p]): Case[] => [
    {
      name: `binary_crossentropy, ${kind}`,
      loss: () => losses.binaryCrossentropy,
      tf: () => tf.metrics.binaryCrossentropy,
      p,
      t: binary,
    },
    {
      name: `categorical_crossentropy, ${kind}`,
      loss: () => losses.categoricalCrossentropy,
      tf: () => tf.metrics.categoricalCrossentropy,
      p,
      t: () => oneHot(labels()),
    },
  ]),
  // TF.js's sparse loss clips, normalises and clips again; the second clip acts only where a label's normalised
  // probability falls below eps, which these rows never reach (the saturated case is checked against Keras below)
  ...probabilities.slice(0, 2).map(([kind, p]): Case => ({
    name: `sparse_categorical_crossentropy, ${kind}`,
    loss: () => losses.sparseCategoricalCrossentropy,
    tf: () => layersLoss('sparseCategoricalCrossentropy'),
    p,
    t: labels,
    sparse: true,
  })),
  // logits, as tf.losses takes them (Reduction.MEAN over every element for the sigmoid, over rows for the softmax)
  {
    name: 'binary_crossentropy from logits',
    loss: () => losses.create('binary_crossentropy', { fromLogits: true }),
    tf: () => (t, z) => tf.losses.sigmoidCrossEntropy(t, z, undefined, 0, tf.Reduction.NONE),
    p: () => uniform(ROWS * COLS, -30, 30),
    t: binary,
  },
  {
    name: 'categorical_crossentropy from logits',
    loss: () => losses.create('categorical_crossentropy', { fromLogits: true }),
    tf: () => (t, z) => tf.losses.softmaxCrossEntropy(t, z, undefined, 0, tf.Reduction.NONE),
    p: () => uniform(ROWS * COLS, -30, 30),
    t: () => oneHot(labels()),
  },
  {
    name: 'sparse_categorical_crossentropy from logits',
    loss: () => losses.create('sparse_categorical_crossentropy', { fromLogits: true }),
    tf: () => (t, z) =>
      tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(t, 'int32'), COLS), z, undefined, 0, tf.Reduction.NONE),
    p: () => uniform(ROWS * COLS, -30, 30),
    t: labels,
    sparse: true,
  },
];

describe.each(BACKENDS)('built-in losses against TensorFlow.js (%s backend)', (backend) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: the same loss and gradient', (_name, c) => {
    const p = c.p(),
      t = c.t();
    const got = ours(backend, c.loss(), p, t);
    const want = theirs(c.tf(), p, t, c.sparse === true);
    expectCloseTo(got.value, want.value, LOSS_TOL, `${c.name} loss`);
    expectClose(got.grad, want.grad, GRAD_TOL, `${c.name} gradient`);
  });

  it('sparse_categorical_crossentropy on saturated outputs: the Keras formula (clip, then normalise), where TF.js clips again', () => {
    const p = saturated(),
      t = labels();
    const got = ours(backend, losses.sparseCategoricalCrossentropy, p, t);
    const want = ref.sparseCategoricalCrossentropy(p, t, COLS, 1e-7);
    expectCloseTo(got.value, want.loss, LOSS_TOL, 'loss');
    expectClose(got.grad, want.dy, GRAD_TOL, 'gradient');
  });

  it('a clipped output passes no gradient: Dense(1, linear) at −0.5 with binary_crossentropy stays put under sgd', () => {
    // the case: w = −0.5, x = 1, y = 1; TF.js and Keras leave w at −0.5 (the gradient is 0 outside the clip)
    const got = ours(
      backend,
      losses.binaryCrossentropy,
      [-0.5, ...new Array(ROWS * COLS - 1).fill(0.5)],
      [1, ...new Array(ROWS * COLS - 1).fill(1)],
    );
    expect(got.grad[0]).toBe(0);
    const want = theirs(
      tf.metrics.binaryCrossentropy,
      [-0.5, ...new Array(ROWS * COLS - 1).fill(0.5)],
      [1, ...new Array(ROWS * COLS - 1).fill(1)],
      false,
    );
    expect(want.grad[0]).toBe(0);
  });
});
