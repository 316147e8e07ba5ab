// checkGradients: built-in models check out to float64 precision; a custom layer with a wrong backward pass is caught
// and the report points at it; the model is left exactly as it was.
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../src/check-gradients/index.js';
import {
  Activation,
  ActivationLayer,
  Dense,
  Dropout,
  FCLayer,
  Layer,
  Network,
  Sequential,
  activations,
  losses,
} from '../../src/index.js';
import { BACKENDS } from '../models/backends.js';

const x = Array.from({ length: 6 }, (_, i) => [Math.sin(i + 1), Math.cos(2 * i), 0.3 * i - 0.7, Math.sin(3 * i) * 0.5]);
const worst: Record<string, number> = {};

/** A layer with one weight per input, y = w ⊙ x, written as the tutorial writes layers. `bug` breaks its backward pass. */
class Scale extends Layer {
  w: Float32Array;
  constructor(
    size: number,
    private readonly bug: 'none' | 'input' | 'weights' = 'none',
  ) {
    super('scale');
    this.w = Float32Array.from({ length: size }, (_, i) => 0.5 + 0.25 * i);
  }
  forwardPropagation(input: Float32Array): Float32Array {
    this.input = Float32Array.from(input);
    return input.map((v, i) => v * this.w[i]);
  }
  backwardPropagation(e: Float32Array, lr: number): Float32Array {
    const dx = this.bug === 'input' ? Float32Array.from(e) : e.map((v, i) => v * this.w[i]);
    const dw = e.map((v, i) => v * this.input![i] * (this.bug === 'weights' ? 0.5 : 1));
    this.w = this.w.map((w, i) => w - lr * dw[i]);
    return dx;
  }
  override getWeights() {
    return [Float32Array.from(this.w)];
  }
  override setWeights(ws: Float32Array[]) {
    this.w = Float32Array.from(ws[0]);
  }
}

describe.each(BACKENDS)('models of built-in layers (%s), checked in float64', (backend) => {
  it('a Sequential with every layer kind and a fused softmax cross-entropy', () => {
    const model = new Sequential(
      [
        new Dense(7, { inputShape: [4], activation: 'tanh' }),
        new Dropout(0.3),
        new Dense(6, { activation: activations.leakyRelu(0.2) }),
        new Dense(5, { activation: 'sigmoid' }),
        new Dense(3),
        new Activation('softmax'),
      ],
      { seed: 3, backend },
    );
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const before = model.getWeights();
    const report = checkGradients(model, x, [0, 1, 2, 0, 1, 2]);
    expect(report.precision).toBe('float64');
    expect(report.ok, JSON.stringify(report.layers.map((l) => [l.layer, l.maxRelativeError]))).toBe(true);
    expect(report.maxRelativeError).toBeLessThan(1e-6);
    expect(report.layers.map((l) => l.layer)).toEqual([
      'dense',
      'dropout',
      'dense_1',
      'dense_2',
      'dense_3',
      'activation',
    ]);
    expect(report.layers[0].arrays.map((a) => a.name)).toEqual(['kernel', 'bias', 'input']);
    expect(model.getWeights()).toEqual(before);
    worst[`Sequential, ${backend}`] = report.maxRelativeError;
    model.dispose();
  });

  it('a tutorial Network of FCLayer/ActivationLayer with mse, and a custom loss', () => {
    for (const loss of [
      losses.mse,
      losses.custom(
        (t, p) => p.reduce((s, v, i) => s + (v - t[i]) ** 4, 0),
        (t, p) => p.map((v, i) => 4 * (v - t[i]) ** 3),
      ),
    ]) {
      const net = new Network({ seed: 4, backend });
      net.add(new FCLayer(4, 5));
      net.add(new ActivationLayer('tanh'));
      net.add(new FCLayer(5, 2));
      net.add(new ActivationLayer('sigmoid'));
      net.use(loss);
      const report = checkGradients(
        net,
        x,
        x.map((r) => [r[0] > 0 ? 1 : 0, 0.5]),
      );
      expect(report.ok).toBe(true);
      expect(report.maxRelativeError).toBeLessThan(1e-6);
      worst[`Network (${loss.name}), ${backend}`] = report.maxRelativeError;
      net.dispose();
    }
  });
});

describe('a Network with a custom layer, checked as it runs (float32)', () => {
  function net(bug: 'none' | 'input' | 'weights'): Network {
    const n = new Network({ seed: 5, backend: 'wasm' });
    n.add(new FCLayer(4, 3));
    n.add(new ActivationLayer('tanh'));
    n.add(new Scale(3, bug));
    n.add(new FCLayer(3, 2));
    n.use('mse');
    return n;
  }
  const y = x.map((r) => [r[0], r[1] * 0.5]);

  it('a correct custom layer passes, and the network is unchanged afterwards', () => {
    const n = net('none');
    n.predict(x);
    const before = n.getWeights();
    const report = checkGradients(n, x, y);
    expect(report.precision).toBe('float32');
    expect(report.ok, JSON.stringify(report.layers.map((l) => [l.layer, l.maxRelativeError]))).toBe(true);
    expect(report.layers.find((l) => l.layer === 'scale')!.arrays.map((a) => a.name)).toEqual(['weight 0', 'input']);
    expect(n.getWeights()).toEqual(before);
    worst['Network with a custom layer, float32'] = report.maxRelativeError;
    n.dispose();
  });

  it('a wrong input gradient is caught at the custom layer; the layers above it are fine', () => {
    const report = checkGradients(net('input'), x, y);
    expect(report.ok).toBe(false);
    const byName = Object.fromEntries(report.layers.map((l) => [l.layer, l]));
    expect(byName.scale.arrays.find((a) => a.name === 'input')!.maxRelativeError).toBeGreaterThan(0.1);
    expect(byName.scale.arrays.find((a) => a.name === 'weight 0')!.maxRelativeError).toBeLessThan(1e-2);
    expect(byName.fc_layer_1.maxRelativeError).toBeLessThan(1e-2);
  });

  it('a wrong weight gradient is caught at that weight', () => {
    const report = checkGradients(net('weights'), x, y);
    const scale = report.layers.find((l) => l.layer === 'scale')!;
    expect(scale.arrays[0].maxRelativeError).toBeGreaterThan(0.1);
    expect(scale.arrays[1].maxRelativeError).toBeLessThan(1e-2);
  });
});

it('refuses what it cannot check, with scratchnet errors', () => {
  const seq = new Sequential([new Dense(2, { inputShape: [4] })], { backend: 'js' });
  expect(() => checkGradients(seq, x, x)).toThrow(
    /^scratchnet: checkGradients needs the loss: compile the model first/,
  );
  const n = new Network({ backend: 'js' });
  n.add(new FCLayer(4, 2));
  expect(() => checkGradients(n, x, x)).toThrow(/^scratchnet: checkGradients needs the network's loss/);
  const d = new Network({ backend: 'js' });
  d.add(new FCLayer(4, 3));
  d.add(new Dropout(0.5));
  d.add(new Scale(3));
  d.use('mse');
  expect(() =>
    checkGradients(
      d,
      x,
      x.map((r) => r.slice(0, 3)),
    ),
  ).toThrow(/^scratchnet: checkGradients: layer 'dropout' draws a new dropout mask/);
  expect(() => checkGradients({} as Sequential, x, x)).toThrow(
    /^scratchnet: checkGradients takes a Sequential or a Network/,
  );
  console.log(
    `checkGradients worst relative errors: ${Object.entries(worst)
      .map(([k, v]) => `${k} ${v.toExponential(1)}`)
      .join('; ')}`,
  );
});
