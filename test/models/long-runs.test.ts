// Memory over long runs, on the wasm backend (docs/TESTING.md; TF.js #200, #481, #995, #5034 are leaks through fit and
// dispose): dispose frees everything, 1,000 create/train/dispose cycles end where the first ten did, training does not
// grow memory after the first epoch, and a model too large for wasm fails before allocating.
import { describe, expect, it } from 'vitest';
import {
  ActivationLayer,
  Dense,
  Dropout,
  FCLayer,
  Layer,
  Network,
  Sequential,
  memory,
  optimizers,
} from '../../src/index.js';
import { loadModel } from '../../src/io/load-model.js';
import { memoryHandler } from '../../src/io/memory-handler.js';
import { Random } from '../../src/util/random.js';

const live = () => {
  const m = memory('wasm');
  return { bytesInUse: m.bytesInUse, capacity: m.bytesReserved };
};

function data(n: number, rng: Random) {
  const x = Array.from({ length: n }, () => Array.from({ length: 6 }, () => rng.uniform(-1, 1)));
  return { x, labels: x.map((r) => (r[0] > 0 ? 1 : 0) + (r[1] > r[2] ? 1 : 0)) };
}

describe('dispose', () => {
  it('frees the weights, gradients, activation buffers and optimizer slots of a trained Sequential', async () => {
    const before = live().bytesInUse;
    const { x, labels } = data(40, new Random(1));
    const model = new Sequential(
      [
        new Dense(32, { inputShape: [6], activation: 'relu' }),
        new Dropout(0.2),
        new Dense(3, { activation: 'softmax' }),
      ],
      { seed: 1, backend: 'wasm' },
    );
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    await model.fit(x, labels, { epochs: 2, batchSize: 7, verbose: 0, validationSplit: 0.2 });
    model.compile({ optimizer: optimizers.rmsprop(), loss: 'sparse_categorical_crossentropy' }); // replaces (and frees) Adam's slots
    await model.fit(x, labels, { epochs: 1, verbose: 0 });
    model.predict(x, { batchSize: 3 });
    model.evaluate(x, labels);
    const slots = (6 * 32 + 32 + 32 * 3 + 3) * 4; // one RMSprop slot per weight, at least this many bytes
    expect(live().bytesInUse - before).toBeGreaterThan(3 * slots);
    model.dispose();
    expect(live().bytesInUse).toBe(before);
  });

  it('frees a tutorial Network, with and without a custom layer', async () => {
    const before = live().bytesInUse;
    class Twice extends Layer {
      forwardPropagation(input: Float32Array) {
        return input.map((v) => 2 * v);
      }
      backwardPropagation(e: Float32Array) {
        return e.map((v) => 2 * v);
      }
    }
    for (const custom of [false, true]) {
      const net = new Network({ seed: 2, backend: 'wasm' });
      net.add(new FCLayer(6, 5));
      net.add(new ActivationLayer('tanh'));
      if (custom) net.add(new Twice());
      net.add(new FCLayer(5, 2));
      net.use('mse');
      const { x } = data(10, new Random(2));
      await net.fit(
        x,
        x.map((r) => [r[0], r[1]]),
        { epochs: 2, learningRate: 0.1, verbose: false },
      );
      net.predict(x);
      expect(live().bytesInUse).toBeGreaterThan(before);
      net.dispose();
      expect(live().bytesInUse).toBe(before);
    }
  });
});

it('1,000 create/train/dispose cycles with varying batch sizes end with the live memory of the first ten', async () => {
  const rng = new Random(3);
  const { x, labels } = data(24, rng);
  let afterTen: ReturnType<typeof live> | undefined;
  const start = live().bytesInUse;
  for (let cycle = 1; cycle <= 1000; cycle++) {
    const batchSize = 1 + (cycle % 9);
    if (cycle % 2 === 0) {
      const model = new Sequential(
        [
          new Dense(4 + (cycle % 5), { inputShape: [6], activation: 'relu' }),
          new Dropout(0.1),
          new Dense(3, { activation: 'softmax' }),
        ],
        { seed: cycle, backend: 'wasm' },
      );
      model.compile({
        optimizer: cycle % 4 === 0 ? 'adam' : 'sgd',
        loss: 'sparse_categorical_crossentropy',
        metrics: ['accuracy'],
      });
      await model.fit(x, labels, { epochs: 1, batchSize, verbose: 0, validationSplit: cycle % 3 === 0 ? 0.25 : 0 });
      model.predict(x, { batchSize: 1 + (cycle % 13) });
      model.evaluate(x, labels, { batchSize: 2 + (cycle % 5) });
      if (cycle % 10 === 0) {
        const h = memoryHandler();
        await model.save(h, { includeOptimizer: true });
        const copy = await loadModel(h.artifacts!, { backend: 'wasm' });
        copy.predict(x);
        copy.dispose();
      }
      model.dispose();
    } else {
      const net = new Network({ seed: cycle, backend: 'wasm' });
      net.add(new FCLayer(6, 3 + (cycle % 4)));
      net.add(new ActivationLayer('sigmoid'));
      net.add(new FCLayer(3 + (cycle % 4), 2));
      net.use('mse');
      await net.fit(
        x,
        x.map((r) => [r[0], r[1]]),
        { epochs: 1, learningRate: 0.1, batchSize, verbose: false },
      );
      net.predict(x);
      net.dispose();
    }
    expect(live().bytesInUse, `after cycle ${cycle}`).toBe(start);
    if (cycle === 10) afterTen = live();
  }
  const afterAll = live();
  expect(afterAll).toEqual(afterTen);
  console.log(
    `1,000 cycles on wasm: live ${afterAll.bytesInUse} bytes in use, arena capacity ${afterAll.capacity} bytes (after 10 cycles: ${afterTen!.bytesInUse} and ${afterTen!.capacity})`,
  );
}, 60_000);

it('training 50 epochs does not grow memory after the first epoch', async () => {
  const { x, labels } = data(100, new Random(4));
  const model = new Sequential(
    [new Dense(16, { inputShape: [6], activation: 'tanh' }), new Dropout(0.3), new Dense(3, { activation: 'softmax' })],
    { seed: 4, backend: 'wasm' },
  );
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  const seen: ReturnType<typeof live>[] = [];
  await model.fit(x, labels, {
    epochs: 50,
    batchSize: 16,
    verbose: 0,
    validationSplit: 0.2,
    callbacks: {
      onEpochEnd: () => {
        seen.push(live());
      },
    },
  });
  expect(seen).toHaveLength(50);
  for (const m of seen) expect(m).toEqual(seen[0]);
  console.log(
    `50 epochs on wasm: ${seen[0].bytesInUse} bytes in use and ${seen[0].capacity} reserved at every epoch end`,
  );
  model.dispose();
});

describe('a model too large for wasm’s 4 GiB', () => {
  const GIB = 2 ** 30;

  it('a Network fails before allocating, with the size it needs', async () => {
    const before = live();
    const net = new Network({ backend: 'wasm' });
    const needed = before.bytesInUse + (1000 * 1_000_000 + 1_000_000) * 4 * 2;
    // an FCLayer is built when added: 10⁹ weights, 8 GB with their gradients, are refused there, and again
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(() => net.add(new FCLayer(1000, 1_000_000))).toThrow(
        new RegExp(
          `^scratchnet: the model needs ${needed} bytes \\(${(needed / GIB).toFixed(2)} GiB\\) of arena memory, but WebAssembly memory stops at 4294967296 bytes`,
        ),
      );
    }
    expect(net.layers).toHaveLength(0);
    net.use('mse');
    await expect(
      net.fit([Array(1000).fill(0)], [[0]], { epochs: 1, learningRate: 0.1, verbose: false }),
    ).rejects.toThrow(/fit\(\) needs layers/);
    net.dispose();
    expect(live()).toEqual(before);
  });

  it('a Network with a custom layer (built layer by layer) fails with the size, frees what it built, and fails the same way again', () => {
    const before = live();
    class Identity extends Layer {
      forwardPropagation(input: Float32Array) {
        return input;
      }
      backwardPropagation(e: Float32Array) {
        return e;
      }
    }
    const net = new Network({ backend: 'wasm' });
    net.add(new FCLayer(4, 3));
    net.add(new Identity());
    // its kernel alone is 4.8 GB: refused when added (an FCLayer is built then), and again
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(() => net.add(new FCLayer(3, 400_000_000))).toThrow(
        /^scratchnet: the model needs \d+ bytes \(\d+\.\d\d GiB\) of arena memory/,
      );
    }
    // a layer whose input size is not known until the custom layer has run is built at the first sample
    net.add(new Dense(400_000_000));
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(() => net.predict([[1, 2, 3, 4]])).toThrow(
        /^scratchnet: the model needs \d+ bytes \(\d+\.\d\d GiB\) of arena memory/,
      );
    }
    net.dispose();
    expect(live()).toEqual(before);
  });

  it('a compiled Sequential fails at build, before allocating, counting the optimizer slots', () => {
    const before = live();
    const model = new Sequential([new Dense(100_000)], { backend: 'wasm' });
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const params = 3000 * 100_000 + 100_000;
    const needed = before.bytesInUse + params * 4 * (2 + 2); // weights, gradients, Adam's m and v
    expect(() => model.build([3000])).toThrow(new RegExp(`^scratchnet: the model needs ${needed} bytes`));
    expect(live()).toEqual(before);
    model.dispose();
  });
});
