// A finite loss can still leave non-finite weights: the last step of an epoch is never followed by a loss. fit must
// say so (found by the entry-point property, FC_SEED=319612956) instead of returning a model full of NaN.
import { expect, it } from 'vitest';
import { Activation, Dense, Dropout, Sequential, optimizers } from '../../src/index.js';
import { BACKENDS } from './backends.js';

it.each(BACKENDS)(
  'a single-batch fit whose step overflows the weights is refused, and predict will not return NaN (%s)',
  async (backend) => {
    const model = new Sequential([new Dropout(0), new Activation('tanh'), new Dense(9)], { seed: 69, backend });
    // the loss (about 1.4e75, summed in float64) is finite; the bias step lr·dy ≈ 1e3 · 8.4e36 overflows float32
    model.compile({ optimizer: optimizers.sgd({ learningRate: 1000 }), loss: 'mse' });
    const y = Array.from({ length: 9 }, (_, i) =>
      Array.from({ length: 9 }, (_, j) => (i === 5 && j === 3 ? 3.4e38 : 0)),
    );
    const x = Array.from({ length: 9 }, () => [0]);
    await expect(model.fit(x, y, { verbose: 0 })).rejects.toThrow(/^scratchnet: training diverged/);
    expect(() => model.predict([[0]])).toThrow(/^scratchnet: predict: output \d+ of sample 0 is/);
    model.dispose();
  },
);
