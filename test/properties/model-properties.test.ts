// The properties of a model (docs/TESTING.md), over random architectures on both backends: a batch predicts as its
// rows do, Dropout at inference is the identity, softmax rows sum to 1, and SGD with learning rate 0 changes nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dense, Dropout, Sequential, optimizers } from '../../src/index.js';
import { seededRandom, uniform } from '../kernels/helpers.js';
import { reportCases, runAsyncProperty, runProperty } from './harness.js';

reportCases('model properties');

const net = fc.record({
  inputs: fc.integer({ min: 1, max: 9 }),
  widths: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }),
  activations: fc.array(fc.constantFrom('relu', 'tanh', 'sigmoid', 'linear', 'leaky_relu', 'softmax'), {
    minLength: 3,
    maxLength: 3,
  }),
  rows: fc.integer({ min: 1, max: 12 }),
  backend: fc.constantFrom('wasm' as const, 'js' as const),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
type Net = typeof net extends fc.Arbitrary<infer T> ? T : never;

function build(s: Net, dropout: number | null, seed = s.seed): Sequential {
  const layers = s.widths.flatMap((w, i) => {
    const dense = new Dense(w, { activation: s.activations[i], ...(i === 0 ? { inputShape: [s.inputs] } : {}) });
    return dropout === null ? [dense] : [dense, new Dropout(dropout)];
  });
  const model = new Sequential(layers, { seed, backend: s.backend });
  model.build();
  return model;
}
const data = (s: Net) => ({
  data: Float32Array.from(uniform(seededRandom(s.seed), s.rows * s.inputs, -2, 2)),
  shape: [s.rows, s.inputs],
});

describe('properties of models', () => {
  it('predicting a batch equals predicting each row alone', () => {
    runProperty(
      'batch = rows',
      fc.property(net, (s) => {
        const model = build(s, null);
        const x = data(s);
        const whole = model.predict(x);
        const cols = whole.shape[1];
        for (let r = 0; r < s.rows; r++) {
          const one = model.predict({ data: x.data.slice(r * s.inputs, (r + 1) * s.inputs), shape: [1, s.inputs] });
          expect(Array.from(one.data)).toEqual(Array.from(whole.data.subarray(r * cols, (r + 1) * cols)));
        }
        model.dispose();
      }),
      100,
    );
  });

  it('Dropout at inference is the identity', () => {
    runProperty(
      'dropout identity',
      fc.property(net, fc.double({ min: 0, max: 0.95, noNaN: true }), (s, rate) => {
        const plain = build(s, null),
          dropped = build(s, rate);
        dropped.setWeights(plain.getWeights());
        const x = data(s);
        expect(dropped.predict(x)).toEqual(plain.predict(x));
        plain.dispose();
        dropped.dispose();
      }),
      100,
    );
  });

  it('softmax rows sum to 1 within 1e-6', () => {
    runProperty(
      'softmax rows',
      fc.property(net, (s) => {
        const model = build(
          { ...s, activations: s.activations.map((a, i) => (i === s.widths.length - 1 ? 'softmax' : a)) },
          null,
        );
        const out = model.predict(data(s));
        const cols = out.shape[1];
        for (let r = 0; r < s.rows; r++) {
          const sum = out.data.subarray(r * cols, (r + 1) * cols).reduce((a, b) => a + b, 0);
          expect(Math.abs(sum - 1)).toBeLessThanOrEqual(1e-6);
        }
        model.dispose();
      }),
      100,
    );
  });

  it('SGD with learning rate 0 changes nothing', async () => {
    await runAsyncProperty(
      'sgd lr 0',
      fc.asyncProperty(net, fc.boolean(), async (s, momentum) => {
        const model = build(s, 0.3);
        model.compile({ optimizer: optimizers.sgd({ learningRate: 0, momentum: momentum ? 0.9 : 0 }), loss: 'mse' });
        const before = model.getWeights();
        const x = data(s);
        const y = model.predict(x);
        await model.fit(
          x,
          { data: y.data.map((v) => v + 0.5), shape: y.shape },
          { epochs: 2, batchSize: 3, verbose: 0 },
        );
        expect(model.getWeights()).toEqual(before);
        model.dispose();
      }),
      60,
    );
  });
});
