import { describe, expect, it } from 'vitest';
import { ActivationLayer, FCLayer, Network, type ActivationName } from '../../src/index.js';
import { BACKENDS } from './backends.js';

const xTrain = [[[0, 0]], [[0, 1]], [[1, 0]], [[1, 1]]];
const yTrain = [[[0]], [[1]], [[1]], [[0]]];

function xorNet(backend: 'wasm' | 'js', seed: number, hidden: ActivationName, output: ActivationName): Network {
  const net = new Network({ seed, backend });
  net.add(new FCLayer(2, 3));
  net.add(new ActivationLayer(hidden));
  net.add(new FCLayer(3, 1));
  net.add(new ActivationLayer(output));
  net.use('mse');
  return net;
}

describe.each(BACKENDS)('XOR on the %s backend', (backend) => {
  it.each([
    // With three hidden units some seeds fall into XOR's well-known local minimum; these seeds do not.
    ['relu', 'sigmoid', 1, 1000, 0.1],
    ['relu', 'sigmoid', 7, 1000, 0.1],
    ['tanh', 'tanh', 4, 1000, 0.1],
    ['tanh', 'tanh', 5, 1000, 0.1],
  ] as [ActivationName, ActivationName, number, number, number][])(
    '%s + %s, seed %i, learns XOR',
    async (hidden, output, seed, epochs, learningRate) => {
      const net = xorNet(backend, seed, hidden, output);
      const errors = await net.fit(xTrain, yTrain, { epochs, learningRate, verbose: false });
      expect(errors).toHaveLength(epochs);
      expect(errors[epochs - 1]).toBeLessThan(0.01);
      expect(errors[epochs - 1]).toBeLessThan(errors[0]);
      const out = net.predict(xTrain);
      expect(out.map((s) => Math.round(s[0][0]) + 0)).toEqual([0, 1, 1, 0]);
      net.dispose();
    },
  );
});

describe('Network.fit', () => {
  it('prints the tutorial progress line and calls onEpochEnd', async () => {
    const net = xorNet('js', 1, 'tanh', 'tanh');
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    const seen: { epoch: number; error: number }[] = [];
    try {
      await net.fit(xTrain, yTrain, {
        epochs: 3,
        learningRate: 0.1,
        onEpochEnd: (e) => {
          seen.push(e);
        },
      });
    } finally {
      console.log = log;
    }
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^epoch 1\/3 {3}error=\d+\.\d{6}$/);
    expect(seen.map((s) => s.epoch)).toEqual([1, 2, 3]);
    expect(lines[2]).toBe(`epoch 3/3   error=${seen[2].error.toFixed(6)}`);
  });

  it('accepts the positional form fit(x, y, epochs, learningRate) and gives the same result as the options form', async () => {
    const a = xorNet('wasm', 5, 'tanh', 'tanh');
    const b = xorNet('wasm', 5, 'tanh', 'tanh');
    const log = console.log;
    console.log = () => {};
    try {
      const ea = await a.fit(xTrain, yTrain, 20, 0.1);
      const eb = await b.fit(xTrain, yTrain, { epochs: 20, learningRate: 0.1 });
      expect(ea).toEqual(eb);
    } finally {
      console.log = log;
    }
    expect(a.getWeights()).toEqual(b.getWeights());
  });
});
