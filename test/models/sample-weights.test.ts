// Keras's sample weights and class weights: fit with classWeight trains as TensorFlow.js's fit with the same
// classWeight (same weights, data and order); sampleWeight is the same thing given per sample; weights of 1 change no
// bit; validation and evaluate weight the loss as Keras does (class weights never reach validation); bad weights fail
// by name.
import type * as TF from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Dense, Sequential, losses, optimizers, type ClassWeightInput, type LossName } from '../../src/index.js';
import { Random } from '../../src/util/random.js';
import { BACKENDS } from './backends.js';
import { tfjs } from '../io/tfjs.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjs();
});

const FEATURES = 4,
  N = 24;

/** `N` samples of `FEATURES` features, labels 0…classes − 1 with class 0 the most common (seeded) */
function data(classes: number, seed = 3) {
  const rng = new Random(seed);
  const x = Array.from({ length: N }, () => Array.from({ length: FEATURES }, () => Math.fround(rng.normal())));
  const labels = x.map((row, i) => (i % 3 === 0 ? 0 : Math.abs(Math.floor(row[0] * 7)) % classes));
  return { x, labels };
}

/** starting weights for Dense(units) on FEATURES inputs (seeded), as [kernel, bias] */
function initial(units: number): Float32Array[] {
  const rng = new Random(11);
  return [
    Float32Array.from({ length: FEATURES * units }, () => rng.normal() * 0.5),
    Float32Array.from({ length: units }, () => rng.normal() * 0.1),
  ];
}

interface Case {
  name: string;
  units: number;
  activation: 'softmax' | 'sigmoid';
  loss: LossName;
  /** the targets as fit takes them, from the labels */
  targets: (labels: number[]) => number[] | number[][];
  classWeight: ClassWeightInput;
}

const oneHot = (units: number) => (labels: number[]) =>
  labels.map((l) => Array.from({ length: units }, (_, j) => (j === l ? 1 : 0)));

const CASES: Case[] = [
  {
    name: 'sparse categorical cross-entropy (fused softmax)',
    units: 3,
    activation: 'softmax',
    loss: 'sparse_categorical_crossentropy',
    targets: (l) => l,
    classWeight: { 0: 0.5, 1: 4, 2: 1.5 },
  },
  {
    name: 'categorical cross-entropy on one-hot rows, a class left out (weight 1)',
    units: 3,
    activation: 'softmax',
    loss: 'categorical_crossentropy',
    targets: oneHot(3),
    classWeight: { 0: 0.25, 2: 3 },
  },
  {
    name: 'binary cross-entropy on one sigmoid output',
    units: 1,
    activation: 'sigmoid',
    loss: 'binary_crossentropy',
    targets: (l) => l.map((v) => [v % 2]),
    classWeight: { 0: 1, 1: 5 },
  },
  {
    name: 'mse on one-hot rows',
    units: 3,
    activation: 'softmax',
    loss: 'mse',
    targets: oneHot(3),
    classWeight: { 0: 2, 1: 0, 2: 0.75 },
  },
];

const FIT = { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 } as const;
const SGD_RATE = 0.5;

function ours(c: Case, backend: 'wasm' | 'js'): Sequential {
  const m = new Sequential([new Dense(c.units, { inputShape: [FEATURES], activation: c.activation })], { backend });
  m.compile({ optimizer: optimizers.sgd({ learningRate: SGD_RATE }), loss: c.loss, metrics: ['accuracy'] });
  m.setWeights(initial(c.units));
  return m;
}

/** TF.js's names of the losses */
const TFJS_LOSS: Partial<Record<LossName, string>> = {
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mse: 'meanSquaredError',
};

async function theirs(c: Case, x: number[][], y: number[] | number[][]) {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: c.units, inputShape: [FEATURES], activation: c.activation }));
  m.setWeights(initial(c.units).map((w, i) => (i === 0 ? tf.tensor2d(w, [FEATURES, c.units]) : tf.tensor1d(w))));
  m.compile({ optimizer: tf.train.sgd(SGD_RATE), loss: TFJS_LOSS[c.loss]! });
  const ys = c.loss === 'sparse_categorical_crossentropy' ? tf.tensor1d(y as number[]) : tf.tensor2d(y as number[][]);
  // TF.js wants every class in classWeight; Keras 3 (and scratchnet) weigh a class left out 1
  const classWeight = Object.fromEntries(
    Array.from({ length: Math.max(2, c.units) }, (_, k) => [k, (c.classWeight as Record<number, number>)[k] ?? 1]),
  );
  const history = await m.fit(tf.tensor2d(x), ys, { ...FIT, classWeight });
  const weights = m.getWeights().flatMap((w) => [...w.dataSync()]);
  m.dispose();
  return { weights, loss: history.history.loss as number[] };
}

describe.each(BACKENDS)('class weights against TensorFlow.js (%s backend)', (backend) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: the same losses and weights after 9 steps', async (_n, c) => {
    const { x, labels } = data(c.units === 1 ? 2 : c.units);
    const y = c.targets(labels);
    const m = ours(c, backend);
    const history = await m.fit(x, y as never, { ...FIT, classWeight: c.classWeight });
    const got = m.getWeights().flatMap((w) => [...w]);
    const want = await theirs(c, x, y);
    const start = initial(c.units).flatMap((w) => [...w]);
    // every weight moved (none of these cases leaves one alone), and where TF.js moved it
    got.forEach((v, i) => {
      expect(Math.abs(want.weights[i] - start[i]), `weight ${i} moved`).toBeGreaterThan(1e-3);
      expect(Math.abs(v - want.weights[i]), `weight ${i}`).toBeLessThan(
        2e-6 + 2e-5 * Math.abs(want.weights[i] - start[i]),
      );
    });
    history.history.loss.forEach((l, e) => expect(l).toBeCloseTo(want.loss[e], 5));
    // and the weights matter: without them the run ends elsewhere
    const plain = ours(c, backend);
    await plain.fit(x, y as never, FIT);
    const unweighted = plain.getWeights().flatMap((w) => [...w]);
    expect(Math.max(...unweighted.map((v, i) => Math.abs(v - got[i])))).toBeGreaterThan(1e-3);
    m.dispose();
    plain.dispose();
  });
});

describe.each(BACKENDS)('sample weights (%s backend)', (backend) => {
  const c = CASES[0];
  const { x, labels } = data(3);
  const classWeight = c.classWeight as Record<number, number>;

  it('sampleWeight equal to the class weights trains bit for bit as classWeight, shuffled on two epochs', async () => {
    const shuffled = { epochs: 2, batchSize: 5, verbose: 0 } as const;
    const a = new Sequential([new Dense(3, { inputShape: [FEATURES], activation: 'softmax' })], { backend, seed: 4 });
    const b = new Sequential([new Dense(3, { inputShape: [FEATURES], activation: 'softmax' })], { backend, seed: 4 });
    for (const m of [a, b]) m.compile({ optimizer: 'adam', loss: c.loss });
    const ha = await a.fit(x, labels, { ...shuffled, classWeight });
    const hb = await b.fit(x, labels, { ...shuffled, sampleWeight: labels.map((l) => classWeight[l]) });
    expect(hb.history.loss).toEqual(ha.history.loss);
    expect(b.getWeights()).toEqual(a.getWeights());
    a.dispose();
    b.dispose();
  });

  it('weights of 1 change no bit of training (shuffled, adam, both APIs of weighting)', async () => {
    const run = async (options: object) => {
      const m = new Sequential([new Dense(3, { inputShape: [FEATURES], activation: 'softmax' })], { backend, seed: 9 });
      m.compile({ optimizer: 'adam', loss: c.loss, metrics: ['accuracy'] });
      const h = await m.fit(x, labels, { epochs: 2, batchSize: 7, verbose: 0, ...options });
      const out = { weights: m.getWeights(), history: h.history };
      m.dispose();
      return out;
    };
    const plain = await run({});
    expect(await run({ sampleWeight: new Float32Array(N).fill(1) })).toEqual(plain);
    expect(await run({ classWeight: { 0: 1, 1: 1, 2: 1 } })).toEqual(plain);
  });

  it("evaluate's weighted loss is Σ w·loss / samples; the metrics are not weighted (Keras)", () => {
    const m = ours(c, backend);
    const w = labels.map((_, i) => (i % 4) * 0.5);
    const each = x.map((row, i) => m.evaluate([row], [labels[i]]).loss);
    const want = each.reduce((s, l, i) => s + w[i] * l, 0) / N;
    const plain = m.evaluate(x, labels);
    const weighted = m.evaluate(x, labels, { sampleWeight: w, batchSize: 5 });
    expect(weighted.loss).toBeCloseTo(want, 6);
    expect(weighted.loss).not.toBeCloseTo(plain.loss, 3);
    expect(weighted.accuracy).toBe(plain.accuracy);
    m.dispose();
  });

  it('validationSplit splits sampleWeight with the samples; classWeight never weights validation', async () => {
    const w = labels.map((_, i) => 1 + (i % 3));
    const keep = 18; // 24 · (1 − 0.25)
    const fitOnce = async (options: object) => {
      const m = ours(c, backend);
      const h = await m.fit(x, labels, { epochs: 1, verbose: 0, validationSplit: 0.25, ...options });
      const held = [x.slice(keep), labels.slice(keep)] as const;
      const out = {
        val: h.history.val_loss![0],
        plain: m.evaluate(...held).loss,
        weighted: m.evaluate(...held, { sampleWeight: w.slice(keep) }).loss,
      };
      m.dispose();
      return out;
    };
    const bySample = await fitOnce({ sampleWeight: w });
    expect(bySample.val).toBeCloseTo(bySample.weighted, 6);
    expect(bySample.weighted).not.toBeCloseTo(bySample.plain, 3);
    const byClass = await fitOnce({ classWeight });
    expect(byClass.val).toBeCloseTo(byClass.plain, 6);
  });

  it('validationData takes a third element, its sample weights', async () => {
    const m = ours(c, backend);
    const vw = labels.map((l) => (l === 0 ? 0 : 2));
    const h = await m.fit(x, labels, { epochs: 1, verbose: 0, validationData: [x, labels, vw] });
    expect(h.history.val_loss![0]).toBeCloseTo(m.evaluate(x, labels, { sampleWeight: vw }).loss, 6);
    m.dispose();
  });

  it('fitDataset with classWeight learns bit for bit what fit with classWeight does, in the same order', async () => {
    const a = ours(c, backend),
      b = ours(c, backend);
    await a.fit(x, labels, { ...FIT, classWeight });
    const batches = () => [0, 8, 16].map((s) => ({ xs: x.slice(s, s + 8), ys: labels.slice(s, s + 8) }));
    await b.fitDataset(batches, { epochs: FIT.epochs, verbose: 0, classWeight });
    expect(b.getWeights()).toEqual(a.getWeights());
    a.dispose();
    b.dispose();
  });

  it('bad weights fail by name before training', async () => {
    const m = ours(c, backend);
    const fit = (options: object) => m.fit(x, labels, { verbose: 0, ...options });
    await expect(fit({ sampleWeight: [1, 2] })).rejects.toThrow('sampleWeight has 2 weights but there are 24 samples');
    await expect(fit({ sampleWeight: labels.map((_, i) => (i === 5 ? -1 : 1)) })).rejects.toThrow(
      'sampleWeight[5] is -1; sample weights must be finite numbers ≥ 0',
    );
    await expect(fit({ sampleWeight: labels.map((_, i) => (i === 2 ? NaN : 1)) })).rejects.toThrow(
      'sampleWeight[2] is NaN',
    );
    await expect(fit({ sampleWeight: 2 })).rejects.toThrow('sampleWeight must be a list or typed array');
    await expect(fit({ classWeight: { 3: 1 } })).rejects.toThrow(
      "classWeight has the key '3', but its keys must be class indices 0 … 2",
    );
    await expect(fit({ classWeight: { 1: '2' } })).rejects.toThrow('classWeight[1] is the string "2"');
    await expect(fit({ classWeight: [1, 2, 3] })).rejects.toThrow('classWeight must be an object from class index');
    await expect(fit({ classWeight, sampleWeight: labels })).rejects.toThrow('sampleWeight or classWeight, not both');
    expect(() => m.evaluate(x, labels, { sampleWeight: [1] })).toThrow('sampleWeight has 1 weights');
    await expect(m.fitDataset([{ xs: x, ys: labels }], { verbose: 0, classWeight: { 7: 1 } })).rejects.toThrow(
      "classWeight has the key '7'",
    );
    // a target that is no class: one output with mse and a target of 3
    const reg = new Sequential([new Dense(1, { inputShape: [FEATURES] })], { backend });
    reg.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(
      reg.fit(
        x,
        labels.map((l) => [l + 2]),
        { verbose: 0, classWeight: { 0: 1 } },
      ),
    ).rejects.toThrow("classWeight: sample 0's target 2 rounds to 2, which is not a class of a model with 2 classes");
    reg.dispose();
    // a custom loss gives one number a batch: it cannot be weighted
    const custom = new Sequential([new Dense(3, { inputShape: [FEATURES] })], { backend });
    custom.compile({
      optimizer: 'sgd',
      loss: losses.custom(
        (t, p) => p.reduce((s, v, i) => s + (v - t[i]) ** 2, 0) / p.length,
        (t, p) => p.map((v, i) => (2 * (v - t[i])) / p.length),
        'sq',
      ),
    });
    await expect(
      custom.fit(
        x,
        labels.map((l) => [l, 0, 0]),
        { verbose: 0, sampleWeight: labels },
      ),
    ).rejects.toThrow("sampleWeight needs a built-in loss: the custom loss 'sq'");
    custom.dispose();
    // nothing trained through all of that
    expect(m.getWeights()).toEqual(initial(3));
    m.dispose();
  });
});
