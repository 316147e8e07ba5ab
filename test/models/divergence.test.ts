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
    const fit = model.fit(x, y, { verbose: 0 });
    await expect(fit).rejects.toThrow(/^scratchnet: training diverged/);
    await expect(fit).rejects.toMatchObject({ code: 'diverged' });
    expect(() => model.predict([[0]])).toThrow(/^scratchnet: predict: output \d+ of sample 0 is/);
    model.dispose();
  },
);

it.each(BACKENDS)(
  'a loss that overflows while every weight is finite names the first layer whose output is not finite (%s)',
  async (backend) => {
    // SGD at 100 on mse: the weights grow to some 1e19, finite, and the second layer's outputs overflow float32
    const x = Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(i)]);
    const y = x.map(([a, b]) => [a * 3 + b]);
    const model = new Sequential(
      [new Dense(8, { inputShape: [2], activation: 'relu', name: 'hidden' }), new Dense(1, { name: 'out' })],
      { seed: 1, backend },
    );
    model.compile({ optimizer: optimizers.sgd({ learningRate: 100 }), loss: 'mse' });
    const fit = model.fit(x, y, { epochs: 20, verbose: 0 });
    await expect(fit).rejects.toThrow(
      /^scratchnet: training diverged: the loss became (NaN|Infinity) at epoch \d+, batch \d+ \(every weight is finite; the first non-finite output is layer (hidden|out)'s\)/,
    );
    await expect(fit).rejects.toMatchObject({ code: 'diverged' });
    model.dispose();
  },
);
