import { describe, expect, it } from 'vitest';
import { ActivationLayer, FCLayer, Network, activations, getBackend, losses, setBackend } from '../../src/index.js';

const x = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const y = [[0], [1], [1], [0]];

describe('the tutorial API', () => {
  it('accepts activations.* objects, custom (fn, fnPrime) activations and custom (loss, lossPrime) pairs, matching the built-ins', async () => {
    const build = (act: 'builtin' | 'custom', loss: 'builtin' | 'custom') => {
      const net = new Network({ seed: 4, backend: 'wasm' });
      net.add(new FCLayer(2, 3));
      net.add(
        act === 'builtin'
          ? new ActivationLayer(activations.tanh)
          : new ActivationLayer(Math.tanh, (v) => 1 - Math.tanh(v) ** 2),
      );
      net.add(new FCLayer(3, 1));
      net.add(new ActivationLayer(activations.tanh));
      if (loss === 'builtin') net.use(losses.mse);
      else
        net.use(
          (t, p) => p.reduce((s, v, i) => s + (v - t[i]) ** 2, 0) / p.length,
          (t, p) => p.map((v, i) => (2 * (v - t[i])) / p.length),
        );
      return net;
    };
    const reference = build('builtin', 'builtin');
    const e0 = await reference.fit(x, y, { epochs: 200, learningRate: 0.1, verbose: false });
    for (const variant of [build('custom', 'builtin'), build('builtin', 'custom'), build('custom', 'custom')]) {
      const e = await variant.fit(x, y, { epochs: 200, learningRate: 0.1, verbose: false });
      expect(e[199]).toBeCloseTo(e0[199], 4);
    }
  });

  it('stopTraining is a property, as on Sequential: set in onEpochEnd, fit ends after that epoch', async () => {
    const net = new Network({ seed: 1, backend: 'wasm' });
    net.add(new FCLayer(2, 3));
    net.add(new ActivationLayer('tanh'));
    net.add(new FCLayer(3, 1));
    net.use('mse');
    const errors = await net.fit(x, y, {
      epochs: 50,
      learningRate: 0.1,
      verbose: false,
      onEpochEnd: ({ epoch }) => {
        if (epoch === 3) net.stopTraining = true;
      },
    });
    expect(errors).toHaveLength(3);
    expect(net.stopTraining).toBe(true);
    await net.fit(x, y, { epochs: 5, learningRate: 0.1, verbose: false }); // a new fit starts afresh
    expect(net.stopTraining).toBe(false);
  });

  it('predict answers in the form it was given', async () => {
    const net = new Network({ seed: 1, backend: 'js' });
    net.add(new FCLayer(2, 2));
    const rows = net.predict(x);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toHaveLength(2);
    const nested = net.predict(x.map((r) => [r]));
    expect(nested[0]).toEqual([rows[0]]);
    const m = net.predict({ data: new Float32Array(x.flat()), shape: [4, 2] });
    expect(m.shape).toEqual([4, 2]);
    expect(Array.from(m.data.subarray(0, 2))).toEqual(rows[0]);
  });

  it('setBackend chooses the default for new networks; getBackend tells which is active', () => {
    const before = getBackend();
    try {
      setBackend('js');
      expect(getBackend()).toBe('js');
      expect(new Network().backend).toBe('js');
      expect(new Network({ backend: 'wasm' }).backend).toBe('wasm');
      setBackend('wasm');
      expect(new Network().backend).toBe('wasm');
      expect(() => setBackend('webgl' as 'js')).toThrow(/unknown backend 'webgl'/);
    } finally {
      setBackend(before);
    }
  });

  it('wasm is the default where SIMD validates', () => {
    expect(getBackend()).toBe('wasm');
  });
});
