// Outputs that are not probabilities (linear, leaky_relu) with a cross-entropy: Keras clips them to [ε, 1 − ε] and
// passes no gradient where it clips, so training stays finite. scratchnet used to take the gradient at the clipped
// value (about 1/ε): one SGD step moved w from −0.5 to 99,999.5, and 64-row models reached NaN within 20 steps.
import { expect, it, vi } from 'vitest';
import { Dense, Random, Sequential, optimizers } from '../../src/index.js';
import { BACKENDS } from './backends.js';

const quietly = async <T>(f: () => Promise<T> | T): Promise<T> => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}); // the compile-time warning, pinned elsewhere
  try {
    return await f();
  } finally {
    warn.mockRestore();
  }
};

it.each(BACKENDS)(
  'Dense(1, linear) at w = −0.5 with binary_crossentropy: one sgd step leaves w at −0.5, as in TF.js (%s)',
  async (backend) => {
    const model = new Sequential([new Dense(1, { inputShape: [1], useBias: false })], { backend });
    await quietly(() =>
      model.compile({ optimizer: optimizers.sgd({ learningRate: 0.01 }), loss: 'binary_crossentropy' }),
    );
    model.setWeights([new Float32Array([-0.5])]);
    await model.fit([[1]], [[1]], { epochs: 1, verbose: 0 });
    expect(model.getWeights()[0][0]).toBe(-0.5);
    model.dispose();
  },
);

it.each(
  BACKENDS.flatMap((b) =>
    (['linear', 'leaky_relu'] as const).flatMap((act) =>
      (['binary_crossentropy', 'categorical_crossentropy'] as const).map((loss) => [b, act, loss] as const),
    ),
  ),
)('%s: a %s output with %s trains 20 steps on 64 rows and stays finite', async (backend, activation, loss) => {
  const rng = new Random(4);
  const x = Array.from({ length: 64 }, () => Array.from({ length: 8 }, () => rng.normal()));
  const y = x.map((row) =>
    loss === 'binary_crossentropy' ? [row[0] > 0 ? 1 : 0, row[1] > 0 ? 1 : 0] : row[0] > 0 ? [1, 0] : [0, 1],
  );
  const model = new Sequential([new Dense(16, { inputShape: [8], activation: 'relu' }), new Dense(2, { activation })], {
    seed: 2,
    backend,
  });
  await quietly(() => model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss }));
  const history = await model.fit(x, y, { epochs: 20, batchSize: 64, verbose: 0 });
  expect(history.history.loss.every(Number.isFinite)).toBe(true);
  expect(model.getWeights().every((w) => w.every(Number.isFinite))).toBe(true);
  model.dispose();
});
