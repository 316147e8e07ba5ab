// With a softmax or sigmoid output and a categorical cross-entropy (or a sigmoid output and the binary one), training skips the
// output layer's activation and the loss takes the logits (one fused, stable step). Only the output layer may skip
// it: a softmax inside the stack is part of the network, and metrics that read the output must see probabilities.
import { describe, expect, it } from 'vitest';
import { Activation, Dense, Sequential, checkGradients, optimizers, type LossInput } from '../../src/index.js';
import { BACKENDS } from './backends.js';

const x = { data: new Float32Array([1, 2, 3, -1, 0.5, 2, 0.3, -0.7, 1.1]), shape: [3, 3] };
const oneHot = { data: new Float32Array([1, 0, 0, 1, 1, 0]), shape: [3, 2] };

/** the categorical cross-entropy of predict()'s probabilities, computed here */
function crossEntropyOfPredict(model: Sequential): number {
  const p = model.predict(x).data;
  let sum = 0;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) sum -= oneHot.data[i * 2 + j] * Math.log(p[i * 2 + j]);
  return sum / 3;
}

describe.each(BACKENDS)('a softmax inside the network (%s)', (backend) => {
  const hidden: [string, () => Sequential][] = [
    [
      'Dense with activation softmax',
      () =>
        new Sequential(
          [new Dense(4, { inputShape: [3], activation: 'softmax' }), new Dense(2, { activation: 'softmax' })],
          { seed: 3, backend },
        ),
    ],
    [
      'an Activation softmax layer',
      () =>
        new Sequential(
          [new Dense(4, { inputShape: [3] }), new Activation('softmax'), new Dense(2), new Activation('softmax')],
          { seed: 3, backend },
        ),
    ],
  ];

  it.each(hidden)("%s: evaluate's loss is the cross-entropy of what predict returns", (_name, build) => {
    const model = build();
    model.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    expect(model.evaluate(x, oneHot).loss).toBeCloseTo(crossEntropyOfPredict(model), 5);
    model.dispose();
  });

  it.each(hidden)('%s: backpropagation agrees with finite differences', (_name, build) => {
    const model = build();
    model.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    const report = checkGradients(model, x, oneHot);
    expect(report.ok, JSON.stringify(report.layers.map((l) => [l.layer, l.maxRelativeError]))).toBe(true);
    model.dispose();
  });
});

describe.each(BACKENDS)('binary accuracy on a softmax output (%s)', (backend) => {
  it('thresholds the probabilities at 0.5, not the logits at 0', () => {
    const model = new Sequential([new Dense(2, { inputShape: [1], activation: 'softmax' })], { backend });
    model.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy', metrics: ['binary_accuracy'] });
    // logits (−1, −2): probabilities (0.73, 0.27), both sides of 0.5 and both below 0
    model.setWeights([new Float32Array([0, 0]), new Float32Array([-1, -2])]);
    expect(model.evaluate([[0]], [[1, 0]]).binary_accuracy).toBe(1);
    expect(model.evaluate([[0]], [[0, 1]]).binary_accuracy).toBe(0);
    model.dispose();
  });
});

describe.each(BACKENDS)("fit's gradient with a softmax inside (%s)", (backend) => {
  it("one SGD step moves the first kernel by minus the finite-difference gradient of evaluate's loss", async () => {
    const build = () => {
      const m = new Sequential(
        [new Dense(4, { inputShape: [3], activation: 'softmax' }), new Dense(2, { activation: 'softmax' })],
        { seed: 3, backend },
      );
      m.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss: 'categorical_crossentropy' });
      return m;
    };
    const probe = build();
    const start = probe.getWeights();
    const lossWith = (kernel: Float32Array) => {
      probe.setWeights([kernel, ...start.slice(1)]);
      return probe.evaluate(x, oneHot).loss;
    };
    const eps = 1e-2;
    const numeric = Array.from(start[0], (_, i) => {
      const plus = Float32Array.from(start[0]),
        minus = Float32Array.from(start[0]);
      plus[i] += eps;
      minus[i] -= eps;
      return (lossWith(plus) - lossWith(minus)) / (2 * eps);
    });
    const trained = build();
    await trained.fit(x, oneHot, { epochs: 1, batchSize: 3, shuffle: false, verbose: 0 });
    const step = Array.from(trained.getWeights()[0], (w, i) => start[0][i] - w);
    step.forEach((g, i) => expect(Math.abs(g - numeric[i])).toBeLessThan(1e-3 + 2e-2 * Math.abs(numeric[i])));
    expect(Math.max(...numeric.map(Math.abs))).toBeGreaterThan(1e-3); // the check has something to compare
    probe.dispose();
    trained.dispose();
  });
});

describe.each(BACKENDS)('a sigmoid output with binary cross-entropy (%s)', (backend) => {
  it('is fused: a saturated sigmoid (z = −30 for a target of 1) still gets the gradient p − t', async () => {
    const model = new Sequential([new Dense(1, { inputShape: [1], activation: 'sigmoid' })], { backend });
    model.compile({
      optimizer: optimizers.sgd({ learningRate: 1 }),
      loss: 'binary_crossentropy',
      metrics: ['accuracy'],
    });
    model.setWeights([new Float32Array([0]), new Float32Array([-30])]);
    // the loss of the logit, exactly: log(1 + e^30) ≈ 30, where the clipped probability would say −log(1e−7) ≈ 16.1
    expect(model.evaluate([[0]], [[1]]).loss).toBeCloseTo(30, 4);
    expect(model.evaluate([[0]], [[1]]).accuracy).toBe(0);
    await model.fit([[0]], [[1]], { epochs: 1, batchSize: 1, verbose: 0 });
    expect(model.getWeights()[1][0]).toBeCloseTo(-29, 5); // b −= 1 · (σ(−30) − 1)
    model.dispose();
  });
});

describe.each(BACKENDS)('a sigmoid output with a categorical cross-entropy (%s)', (backend) => {
  // Keras on TensorFlow: the sigmoid caches its logits and the categorical cross-entropies take them, so the model
  // trains a softmax over the logits; TF.js normalises the sigmoid's outputs instead, and those saturate at 1
  it('is trained as a softmax over the logits, even where every sigmoid saturates; predict returns the sigmoid', async () => {
    const model = new Sequential([new Dense(3, { inputShape: [1], activation: 'sigmoid', useBias: false })], {
      backend,
    });
    quietCompile(model, 'sparse_categorical_crossentropy');
    model.setWeights([new Float32Array([40, 30, 20])]); // logits 40, 30, 20 for x = 1: every sigmoid is 1 in float32
    const z = [40, 30, 20],
      lse = 40 + Math.log(1 + Math.exp(-10) + Math.exp(-20));
    expect(model.predict([[1]])).toEqual([[1, 1, 1]]);
    expect(model.evaluate([[1]], [2]).loss).toBeCloseTo(lse - 20, 4); // ≈ 20: −log softmax(z)[2]
    await model.fit([[1]], [2], { epochs: 1, batchSize: 1, verbose: 0 });
    // one SGD step at rate 1: w −= softmax(z) − onehot(2), with x = 1
    const p = z.map((v) => Math.exp(v - lse));
    const w = model.getWeights()[0];
    [40 - p[0], 30 - p[1], 20 - (p[2] - 1)].forEach((want, i) => expect(w[i]).toBeCloseTo(want, 4));
    model.dispose();
  });
});

function quietCompile(model: Sequential, loss: LossInput): void {
  const warn = console.warn;
  console.warn = () => {}; // the compile-time warning for this pair is pinned in sequential.test.ts
  try {
    model.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss });
  } finally {
    console.warn = warn;
  }
}

describe.each(BACKENDS)('only built-in activations are fused (%s)', (backend) => {
  it("a user's own function named sigmoid is trained as written, not replaced by the built-in one", () => {
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-2 * z)); // steeper than σ
    const sigmoidPrime = (z: number) => 2 * sigmoid(z) * (1 - sigmoid(z));
    const model = new Sequential([new Dense(1, { inputShape: [1] }), new Activation(sigmoid, sigmoidPrime)], {
      backend,
    });
    model.compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
    model.setWeights([new Float32Array([1]), new Float32Array([0])]);
    const p = model.predict([[1]])[0][0];
    expect(p).toBeCloseTo(sigmoid(1), 6);
    expect(model.evaluate([[1]], [[1]]).loss).toBeCloseTo(-Math.log(p), 5);
    model.dispose();
  });

  it('binary accuracy thresholds σ(z) as float32 computes it: a tiny positive logit gives 0.5, which is class 0', () => {
    const model = new Sequential([new Dense(1, { inputShape: [1], activation: 'sigmoid' })], { backend });
    model.compile({ optimizer: 'sgd', loss: 'binary_crossentropy', metrics: ['accuracy'] });
    model.setWeights([new Float32Array([0]), new Float32Array([1e-8])]);
    expect(model.predict([[0]])).toEqual([[0.5]]);
    expect(model.evaluate([[0]], [[0]]).accuracy).toBe(1);
    model.dispose();
  });
});
