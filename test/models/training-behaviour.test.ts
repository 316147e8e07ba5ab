import { describe, expect, it } from 'vitest';
import {
  ActivationLayer,
  Dense,
  Dropout,
  FCLayer,
  Network,
  Random,
  Sequential,
  memory,
  optimizers,
  toCategorical,
} from '../../src/index.js';
import { loadMnist } from '../../src/node.js';

function data(n: number, seed: number) {
  const rng = new Random(seed);
  const x = new Float32Array(n * 6).map(() => rng.uniform(-1, 1));
  const y = new Uint8Array(n).map((_, i) => (x[i * 6] + x[i * 6 + 1] > 0 ? 1 : 0) + (x[i * 6 + 2] > 0.5 ? 1 : 0));
  return { x: { data: x, shape: [n, 6] as [number, number] }, y };
}

function model(backend: 'wasm' | 'js') {
  return new Sequential(
    [
      new Dense(24, { inputShape: [6], activation: 'tanh' }),
      new Dropout(0.25),
      new Dense(13, { activation: 'relu', kernelInitializer: 'he_normal' }),
      new Dense(3, { activation: 'softmax' }),
    ],
    { seed: 5, backend },
  );
}

describe('wasm and JS agree', () => {
  it('after several Adam steps with dropout and shuffling: weights within 1e-4 + 1e-3·|w|', async () => {
    const { x, y } = data(256, 1);
    const weights = [];
    for (const backend of ['wasm', 'js'] as const) {
      const m = model(backend);
      m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      await m.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0 });
      weights.push(m.getWeights());
      m.dispose();
    }
    const [wasm, js] = weights;
    let worst = 0;
    wasm.forEach((w, i) =>
      w.forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - js[i][j]) - 1e-3 * Math.abs(js[i][j]));
      }),
    );
    expect(worst).toBeLessThan(1e-4);
  });
});

describe('a training step allocates nothing', () => {
  it('arena use stays the same from batch to batch and from epoch to epoch, and returns to its level after fit', async () => {
    const { x, y } = data(200, 2);
    const before = memory('wasm').bytesInUse;
    const m = model('wasm');
    m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const seen = new Set<number>();
    await m.fit(x, y, {
      epochs: 3,
      batchSize: 16,
      verbose: 0,
      validationSplit: 0.2,
      callbacks: {
        onBatchEnd: () => {
          seen.add(memory('wasm').bytesInUse);
        },
      },
    });
    expect(seen.size).toBe(1);
    // What stays after fit: weights, gradients, Adam's two moments and the activation buffers; the staged data is freed.
    expect(memory('wasm').bytesInUse - before).toBeGreaterThanOrEqual(m.countParams() * 4 * 4);
    const after = memory('wasm').bytesInUse;
    await m.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
    expect(memory('wasm').bytesInUse).toBe(after);
    m.dispose();
  });
});

describe('optimizers through a model', () => {
  /** a 1→1 linear model with w = 1, b = 0 trained on x = 1, y = 0 with mse: the gradient is 2·(w + b) each step */
  async function steps(optimizer: ReturnType<typeof optimizers.sgd>, n: number) {
    const m = new Sequential([new Dense(1, { inputShape: [1], kernelInitializer: 'ones' })], { backend: 'js' });
    m.compile({ optimizer, loss: 'mse' });
    await m.fit([[1]], [[0]], { epochs: n, batchSize: 1, verbose: 0, shuffle: false });
    return m.getWeights().map((w) => w[0]);
  }

  it('SGD: w ← w − lr·g', async () => {
    // step 1: g = 2 → w = 1 − 0.1·2 = 0.8, b = −0.2; step 2: g = 2·0.6 = 1.2 → w = 0.68, b = −0.32
    const [w, b] = await steps(optimizers.sgd({ learningRate: 0.1 }), 2);
    expect(w).toBeCloseTo(0.68, 6);
    expect(b).toBeCloseTo(-0.32, 6);
  });

  it('SGD with momentum 0.5: v ← 0.5·v − lr·g; w ← w + v', async () => {
    // step 1: v = −0.2 → w = 0.8, b = −0.2; step 2: g = 1.2, v = −0.1 − 0.12 = −0.22 → w = 0.58, b = −0.42
    const [w, b] = await steps(optimizers.sgd({ learningRate: 0.1, momentum: 0.5 }), 2);
    expect(w).toBeCloseTo(0.58, 6);
    expect(b).toBeCloseTo(-0.42, 6);
  });

  it('Adam: the first step moves every weight by lr (bias-corrected), the second by the corrected ratio', async () => {
    const lr = 0.01,
      b1 = 0.9,
      b2 = 0.999,
      eps = 1e-7;
    // step 1: g = 2 for w and b; m̂/√v̂ = 1 → both move by lr
    let w = 1 - lr,
      b = -lr;
    // step 2: g = 2·(w + b)
    const g1 = 2,
      g2 = 2 * (w + b);
    const m = b1 * (1 - b1) * g1 + (1 - b1) * g2,
      v = b2 * (1 - b2) * g1 * g1 + (1 - b2) * g2 * g2;
    const lrT = (lr * Math.sqrt(1 - b2 ** 2)) / (1 - b1 ** 2);
    w -= (lrT * m) / (Math.sqrt(v) + eps);
    b -= (lrT * m) / (Math.sqrt(v) + eps);
    const [gw, gb] = await steps(optimizers.adam({ learningRate: lr }), 2);
    expect(gw).toBeCloseTo(w, 6);
    expect(gb).toBeCloseTo(b, 6);
  });

  it('RMSprop: ms ← ρ·ms + (1−ρ)·g²; w ← w − lr·g/√(ms + ε)', async () => {
    const lr = 0.01,
      rho = 0.9;
    const ms = (1 - rho) * 4;
    const expected = 1 - (lr * 2) / Math.sqrt(ms + 1e-7);
    const [w] = await steps(optimizers.rmsprop({ learningRate: lr, rho }), 1);
    expect(w).toBeCloseTo(expected, 6);
  });

  it('learning rate 0 changes nothing', async () => {
    const [w, b] = await steps(optimizers.adam({ learningRate: 0 }), 3);
    expect(w).toBe(1);
    expect(b).toBe(0);
  });
});

describe('the tutorial MNIST network', () => {
  it('lowers its error on a small subset of real MNIST', async () => {
    const { trainX, trainY } = await loadMnist({ trainLimit: 200, testLimit: 1 });
    const net = new Network({ seed: 1, backend: 'wasm' });
    net.add(new FCLayer(784, 100));
    net.add(new ActivationLayer('relu'));
    net.add(new FCLayer(100, 50));
    net.add(new ActivationLayer('tanh'));
    net.add(new FCLayer(50, 10));
    net.add(new ActivationLayer('sigmoid'));
    net.use('mse');
    const errors = await net.fit(trainX, toCategorical(trainY, 10), { epochs: 8, learningRate: 0.1, verbose: false });
    expect(errors[7]).toBeLessThan(errors[0] * 0.6);
    net.dispose();
  });
});

describe('training in parts', () => {
  it('fit(2 epochs) then fit(2 epochs) equals fit(4 epochs), with shuffling and dropout', async () => {
    const { x, y } = data(96, 3);
    const run = async (parts: number[]) => {
      const m = model('wasm');
      m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      for (const epochs of parts) await m.fit(x, y, { epochs, batchSize: 16, verbose: 0 });
      const w = m.getWeights();
      m.dispose();
      return w;
    };
    expect(await run([2, 2])).toEqual(await run([4]));
  });
});
