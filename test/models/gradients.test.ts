// Central-difference gradient checks of every built-in layer and loss through the whole engine, in float64
// (the JS backend's double-precision variant), where the relative error must be below 1e-7 (docs/TESTING.md).
import { describe, expect, it } from 'vitest';
import { createJsBackend } from '../../src/backends/js/index.js';
import type { Backend } from '../../src/backends/backend.js';
import { Engine } from '../../src/models/engine.js';
import { Dense } from '../../src/layers/dense.js';
import { FCLayer } from '../../src/layers/fc-layer.js';
import { Activation } from '../../src/layers/activation.js';
import { ActivationLayer } from '../../src/layers/activation-layer.js';
import { Dropout } from '../../src/layers/dropout.js';
import type { KernelLayer } from '../../src/layers/kernel-layer.js';
import { computeLoss, getLoss, losses, type Loss } from '../../src/losses/index.js';
import { fusedActivation } from '../../src/losses/output-activation.js';
import { Random } from '../../src/util/random.js';

interface Case {
  name: string;
  layers: () => KernelLayer[];
  loss: Loss;
  /** targets: 'dense' values in (0,1), 'onehot', or 'sparse' labels */
  targets: 'dense' | 'onehot' | 'sparse';
}

const IN = 5;
const ROWS = 3;

const cases: Case[] = [
  { name: 'Dense linear + mse', layers: () => [new Dense(4, { inputDim: IN })], loss: losses.mse, targets: 'dense' },
  {
    name: 'Dense relu → Dense sigmoid + mse',
    layers: () => [new Dense(6, { inputDim: IN, activation: 'relu' }), new Dense(3, { activation: 'sigmoid' })],
    loss: losses.mse,
    targets: 'dense',
  },
  {
    name: 'Dense leaky_relu → Dense tanh + mae',
    layers: () => [new Dense(6, { inputDim: IN, activation: 'leaky_relu' }), new Dense(3, { activation: 'tanh' })],
    loss: losses.mae,
    targets: 'dense',
  },
  {
    name: 'FCLayer → ActivationLayer(tanh) → FCLayer → ActivationLayer(sigmoid) + binary_crossentropy',
    layers: () => [new FCLayer(IN, 4), new ActivationLayer('tanh'), new FCLayer(4, 3), new ActivationLayer('sigmoid')],
    loss: losses.binaryCrossentropy,
    targets: 'dense',
  },
  {
    name: 'Dense → binary_crossentropy from logits',
    layers: () => [new Dense(3, { inputDim: IN })],
    loss: losses.create('binary_crossentropy', { fromLogits: true }),
    targets: 'dense',
  },
  {
    name: 'Dense softmax + categorical_crossentropy (fused)',
    layers: () => [new Dense(6, { inputDim: IN, activation: 'tanh' }), new Dense(4, { activation: 'softmax' })],
    loss: losses.categoricalCrossentropy,
    targets: 'onehot',
  },
  {
    name: 'Dense softmax + sparse_categorical_crossentropy (fused)',
    layers: () => [new Dense(6, { inputDim: IN, activation: 'sigmoid' }), new Dense(4, { activation: 'softmax' })],
    loss: losses.sparseCategoricalCrossentropy,
    targets: 'sparse',
  },
  {
    name: 'Activation(softmax) layer + sparse_categorical_crossentropy (fused)',
    layers: () => [new Dense(4, { inputDim: IN }), new Activation('softmax')],
    loss: losses.sparseCategoricalCrossentropy,
    targets: 'sparse',
  },
  {
    name: 'softmax → sigmoid-free categorical_crossentropy (not fused: softmax then Activation linear)',
    layers: () => [new Dense(4, { inputDim: IN, activation: 'softmax' }), new Activation('linear')],
    loss: losses.categoricalCrossentropy,
    targets: 'onehot',
  },
  {
    name: 'sigmoid + sparse_categorical_crossentropy (not fused)',
    layers: () => [new Dense(4, { inputDim: IN, activation: 'sigmoid' })],
    loss: losses.sparseCategoricalCrossentropy,
    targets: 'sparse',
  },
  {
    name: 'logits + sparse_categorical_crossentropy fromLogits',
    layers: () => [new Dense(4, { inputDim: IN })],
    loss: losses.create('sparse_categorical_crossentropy', { fromLogits: true }),
    targets: 'sparse',
  },
  {
    name: 'Dense softmax layer output + mse (softmax backward)',
    layers: () => [new Dense(4, { inputDim: IN, activation: 'softmax' })],
    loss: losses.mse,
    targets: 'dense',
  },
  {
    name: 'custom ActivationLayer(fn, fnPrime) + mse',
    layers: () => [
      new FCLayer(IN, 4),
      new ActivationLayer(
        (x) => x * x * x,
        (x) => 3 * x * x,
      ),
      new FCLayer(4, 2),
    ],
    loss: losses.mse,
    targets: 'dense',
  },
  {
    name: 'Dropout (fixed mask) + mse',
    layers: () => [new Dense(8, { inputDim: IN, activation: 'tanh' }), new Dropout(0.5), new Dense(2)],
    loss: losses.mse,
    targets: 'dense',
  },
  {
    name: 'custom loss pair',
    layers: () => [new Dense(3, { inputDim: IN, activation: 'tanh' })],
    loss: getLoss(
      (t: Float32Array, p: Float32Array) => p.reduce((s, v, i) => s + (v - t[i]) ** 4, 0),
      (t: Float32Array, p: Float32Array) => p.map((v, i) => 4 * (v - t[i]) ** 3),
    ),
    targets: 'dense',
  },
];

function setup(c: Case, backend: Backend) {
  const rng = new Random(11);
  const engine = new Engine(backend, rng);
  const layers = c.layers();
  for (const l of layers) engine.add(l);
  engine.build();
  // Freeze dropout masks so that f(w ± ε) sees the same mask as the analytic pass.
  for (const l of layers)
    if (l instanceof Dropout) (l as unknown as { rng: { nextUint32(): number } }).rng = { nextUint32: () => 987654 };
  engine.reserve(ROWS);
  const out = engine.outputSize;
  const a = backend.arena;
  const x = a.alloc(ROWS * IN);
  a.f32(x, ROWS * IN).set(Array.from({ length: ROWS * IN }, () => rng.uniform(-1, 1)));
  const tCols = c.targets === 'sparse' ? 1 : out;
  const t = a.alloc(ROWS * tCols);
  const tv = a.f32(t, ROWS * tCols);
  for (let r = 0; r < ROWS; r++) {
    if (c.targets === 'sparse') tv[r] = r % out;
    else if (c.targets === 'onehot') tv[r * out + ((r + 1) % out)] = 1;
    else for (let j = 0; j < out; j++) tv[r * out + j] = rng.uniform(0.1, 0.9);
  }
  const dOut = a.alloc(ROWS * out);
  const probs = a.alloc(ROWS * out);
  const logits = fusedActivation(c.loss, engine.outputActivation()) !== undefined;
  const mode = { training: true, logits };
  const lossAt = () =>
    computeLoss(backend.kernels, a, c.loss, engine.forward(x, ROWS, mode), t, dOut, ROWS, out, logits, probs);
  return { engine, lossAt, dOut, mode, x, t };
}

function maxRelError(analytic: number[], numeric: number[]): number {
  let diff = 0,
    scale = 1e-12;
  analytic.forEach((a, i) => {
    diff = Math.max(diff, Math.abs(a - numeric[i]));
    scale = Math.max(scale, Math.abs(a), Math.abs(numeric[i]));
  });
  return diff / scale;
}

describe('gradients through the engine match central differences (float64)', () => {
  it.each(cases)('$name', (c) => {
    const backend = createJsBackend({ precision: 'float64' });
    const { engine, lossAt, dOut, mode } = setup(c, backend);
    lossAt();
    engine.backward(dOut, ROWS, mode);
    const eps = 1e-6;
    for (const p of engine.params()) {
      const analytic = Array.from(backend.arena.f32(p.grad, p.size));
      const numeric = analytic.map((_, i) => {
        const w = backend.arena.f32(p.value, p.size);
        const keep = w[i];
        w[i] = keep + eps;
        const up = lossAt();
        w[i] = keep - eps;
        const down = lossAt();
        w[i] = keep;
        return (up - down) / (2 * eps);
      });
      expect(
        maxRelError(analytic, numeric),
        `${p.name} of ${engine.layers.find((l) => l.params().includes(p))?.name}`,
      ).toBeLessThan(1e-7);
    }
  });
});

describe('mini-batch gradients', () => {
  it('the gradient of a batch is the mean of the per-sample gradients', () => {
    const c = cases[1];
    const backend = createJsBackend({ precision: 'float64' });
    const { engine, lossAt, dOut, mode, x, t } = setup(c, backend);
    lossAt();
    engine.backward(dOut, ROWS, mode);
    const batchGrads = engine.params().map((p) => Array.from(backend.arena.f32(p.grad, p.size)));
    // Per sample: run each row alone by pointing at it.
    const sums = batchGrads.map((g) => g.map(() => 0));
    const { kernels: k, arena: a } = backend;
    const out = engine.outputSize;
    const x1 = a.alloc(IN);
    const t1 = a.alloc(out);
    const d1 = a.alloc(out);
    for (let r = 0; r < ROWS; r++) {
      k.copy(x + r * IN * 4, x1, IN);
      k.copy(t + r * out * 4, t1, out);
      const y = engine.forward(x1, 1, mode);
      computeLoss(k, a, c.loss, y, t1, d1, 1, out, false, 0);
      engine.backward(d1, 1, mode);
      engine.params().forEach((p, i) =>
        a.f32(p.grad, p.size).forEach((v, j) => {
          sums[i][j] += v / ROWS;
        }),
      );
    }
    sums.forEach((s, i) => s.forEach((v, j) => expect(batchGrads[i][j]).toBeCloseTo(v, 12)));
  });
});
