import { describe, expect, it } from 'vitest';
import { ActivationLayer, Dropout, FCLayer, Layer, Network } from '../../src/index.js';

/** The tutorial's pattern: a layer of one's own over Float32Arrays. Here: y = 2x, no parameters. */
class Double extends Layer {
  forwardPropagation(input: Float32Array): Float32Array {
    this.input = input;
    this.output = input.map((v) => 2 * v);
    return this.output;
  }
  backwardPropagation(outputError: Float32Array): Float32Array {
    return outputError.map((v) => 2 * v);
  }
}

/** A trainable custom layer: y = x + b, updated in backwardPropagation as the tutorial does. */
class Shift extends Layer {
  bias: Float32Array;
  constructor(n: number) {
    super('shift');
    this.bias = new Float32Array(n);
  }
  forwardPropagation(input: Float32Array): Float32Array {
    return input.map((v, i) => v + this.bias[i]);
  }
  backwardPropagation(outputError: Float32Array, learningRate: number): Float32Array {
    outputError.forEach((e, i) => {
      this.bias[i] -= learningRate * e;
    });
    return outputError;
  }
  override getWeights() {
    return [Float32Array.from(this.bias)];
  }
}

describe('custom Layer subclasses mix with built-in layers', () => {
  it('a network with a custom layer computes what the built-in layers and the custom layer compute by hand', async () => {
    const net = new Network({ seed: 4, backend: 'js' });
    net.add(new FCLayer(2, 3));
    net.add(new Double());
    net.add(new ActivationLayer('tanh'));
    net.use('mse');
    const x = [[0.5, -1]];
    const out = net.predict(x)[0];
    const [w, b] = net.getWeights();
    const expected = [0, 1, 2].map((j) => Math.tanh(2 * (0.5 * w[j] - 1 * w[3 + j] + b[j])));
    out.forEach((v, j) => expect(v).toBeCloseTo(expected[j], 6));
  });

  it('trains sample by sample and learns XOR with a custom layer in the middle', async () => {
    const net = new Network({ seed: 4, backend: 'wasm' });
    net.add(new FCLayer(2, 3));
    net.add(new Shift(3));
    net.add(new ActivationLayer('tanh'));
    net.add(new FCLayer(3, 1));
    net.add(new ActivationLayer('tanh'));
    net.use('mse');
    const x = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    const errors = await net.fit(x, [[0], [1], [1], [0]], { epochs: 1000, learningRate: 0.1, verbose: false });
    expect(errors[999]).toBeLessThan(0.01);
    expect(net.predict(x).map((r) => Math.round(r[0]) + 0)).toEqual([0, 1, 1, 0]);
    // getWeights includes the custom layer's weights in layer order
    expect(net.getWeights().map((w) => w.length)).toEqual([6, 3, 3, 3, 1]);
  });

  it('with a custom layer, predict runs Dropout as the identity and fit runs it as dropout', async () => {
    const net = new Network({ seed: 4, backend: 'js' });
    net.add(new FCLayer(4, 6));
    net.add(new Dropout(0.5));
    net.add(new Double());
    net.use('mse');
    const x = [[1, 2, 3, 4]];
    const first = net.predict(x)[0]; // builds the layers
    const [w, b] = net.getWeights();
    const expected = [0, 1, 2, 3, 4, 5].map((j) => 2 * (w[j] + 2 * w[6 + j] + 3 * w[12 + j] + 4 * w[18 + j] + b[j]));
    for (const out of [first, net.predict(x)[0], net.predict(x)[0]])
      out.forEach((v, j) => expect(v).toBeCloseTo(expected[j], 5));
    // while training, units are dropped (and the rest doubled): the error fit reports is not predict's
    const errors = await net.fit(x, [[0, 0, 0, 0, 0, 0]], { epochs: 1, learningRate: 0, verbose: false });
    const predictError = expected.reduce((sum, v) => sum + v * v, 0) / 6;
    expect(Math.abs(errors[0] - predictError)).toBeGreaterThan(1e-3);
  });

  it('refuses mini-batches when a custom layer is present', async () => {
    const net = new Network({ backend: 'js' });
    net.add(new Double());
    net.use('mse');
    await expect(net.fit([[1]], [[2]], { epochs: 1, learningRate: 0.1, batchSize: 2, verbose: false })).rejects.toThrow(
      /custom Layer trains sample by sample/,
    );
  });

  it('built-in layers can be driven by hand like the tutorial classes', () => {
    const fc = new FCLayer(2, 2);
    const out = fc.forwardPropagation(new Float32Array([1, 2]));
    const [w, b] = fc.getWeights();
    expect(out[0]).toBeCloseTo(w[0] + 2 * w[2] + b[0], 6);
    const dx = fc.backwardPropagation(new Float32Array([1, 0]), 0.5);
    expect(dx[0]).toBeCloseTo(w[0], 6);
    expect(dx[1]).toBeCloseTo(w[2], 6);
    const [w2, b2] = fc.getWeights();
    expect(w2[0]).toBeCloseTo(w[0] - 0.5 * 1, 6); // dW = xᵀ·dy
    expect(w2[2]).toBeCloseTo(w[2] - 0.5 * 2, 6);
    expect(b2[0]).toBeCloseTo(b[0] - 0.5, 6);
    expect(b2[1]).toBeCloseTo(b[1], 6);
  });
});
