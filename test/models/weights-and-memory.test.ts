import { describe, expect, it } from 'vitest';
import { ActivationLayer, Dense, FCLayer, Network, Sequential } from '../../src/index.js';
import { resolveBackend } from '../../src/backends/index.js';
import { createJsBackend } from '../../src/backends/js/index.js';
import { BACKENDS } from './backends.js';

const x = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const y = [[0], [1], [1], [0]];

function xor(backend: 'wasm' | 'js', seed = 9): Network {
  const n = new Network({ seed, backend });
  n.add(new FCLayer(2, 3));
  n.add(new ActivationLayer('relu'));
  n.add(new FCLayer(3, 1));
  n.add(new ActivationLayer('sigmoid'));
  n.use('mse');
  return n;
}

describe.each(BACKENDS)('weights on the %s backend', (backend) => {
  it('come in Keras order: each FCLayer kernel [in, out] row-major, then its bias', () => {
    const n = xor(backend);
    n.predict(x); // builds
    const weights = n.getWeights();
    expect(weights.map((w) => w.length)).toEqual([6, 3, 3, 1]);
    const [w1, b1, w2, b2] = weights;
    const out = n.predict([[0.3, -0.7]])[0][0];
    const h = [0, 1, 2].map((j) => Math.max(0, 0.3 * w1[j] - 0.7 * w1[3 + j] + b1[j]));
    const z = h.reduce((s, v, j) => s + v * w2[j], b2[0]);
    expect(out).toBeCloseTo(1 / (1 + Math.exp(-z)), 6);
  });

  it('are initialised uniformly in [-0.5, 0.5] from the seed: same seed, same weights; other seed, other weights', () => {
    const a = xor(backend, 3);
    a.predict(x);
    const b = xor(backend, 3);
    b.predict(x);
    const c = xor(backend, 4);
    c.predict(x);
    expect(a.getWeights()).toEqual(b.getWeights());
    expect(a.getWeights()).not.toEqual(c.getWeights());
    for (const w of a.getWeights()) for (const v of w) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
  });

  it('setWeights round-trips and returns copies', () => {
    const n = xor(backend);
    n.predict(x);
    const w = n.getWeights().map((a) => a.map((_, i) => (i + 1) / 10));
    n.setWeights(w);
    expect(n.getWeights()).toEqual(w);
    n.getWeights()[0][0] = 42;
    expect(n.getWeights()[0][0]).toBeCloseTo(0.1, 6);
  });

  it('setWeights refuses a wrong count, size or a NaN and changes nothing', () => {
    const n = xor(backend);
    n.predict(x);
    const w = n.getWeights();
    expect(() => n.setWeights(w.slice(1))).toThrow(/has 4 weight arrays .* but 3 were given/);
    expect(() => n.setWeights([w[0], new Float32Array(2), w[2], w[3]])).toThrow(
      /bias needs 3 values \(shape \[3\]\), got 2/,
    );
    const bad = w.map((a) => Float32Array.from(a));
    bad[3][0] = NaN;
    bad[0][0] = 7;
    expect(() => n.setWeights(bad)).toThrow(/has NaN at index 0; weights must be finite/);
    expect(n.getWeights()).toEqual(w);
  });

  it('growing the arena while the network holds weights changes no number (no stale views)', async () => {
    const opts = { epochs: 30, learningRate: 0.5, verbose: false };
    const steady = xor(backend, 21);
    await steady.fit(x, y, { ...opts, epochs: 60 });
    const grown = xor(backend, 21);
    await grown.fit(x, y, opts);
    const arena = resolveBackend(backend).arena;
    const before = arena.capacity;
    const block = arena.alloc(before / 4 + 1024); // more than the whole arena: forces memory.grow
    expect(arena.capacity).toBeGreaterThan(before);
    await grown.fit(x, y, opts);
    expect(grown.getWeights()).toEqual(steady.getWeights());
    expect(grown.predict(x)).toEqual(steady.predict(x));
    arena.free(block);
    steady.dispose();
    grown.dispose();
  });
});

describe('running out of memory while growing the batch buffers', () => {
  it('leaves no layer on freed blocks: the next, smaller batch predicts as before', () => {
    const backend = createJsBackend();
    const m = new Sequential([new Dense(8, { inputShape: [3], activation: 'relu' }), new Dense(2)], {
      seed: 1,
      backend,
    });
    const small = [
      [1, 2, 3],
      [3, 2, 1],
    ];
    const expected = m.predict(small);
    // the second layer's output buffer for 64 rows is refused, after the first layer's buffers were replaced
    const arena = backend.arena;
    const alloc = arena.alloc.bind(arena);
    let refuse = true;
    arena.alloc = (n: number, zero?: boolean) => {
      if (refuse && n === 64 * 2) {
        refuse = false;
        throw new Error('scratchnet: out of memory (simulated)');
      }
      return alloc(n, zero);
    };
    expect(() => m.predict(new Array(64).fill([1, 1, 1]))).toThrow(/out of memory \(simulated\)/);
    // whatever was freed is handed out again (first fit: the small holes first) and filled, as a program would
    const others = Array.from({ length: 64 }, () => arena.alloc(4));
    for (const p of others) arena.f32(p, 4).fill(7);
    expect(m.predict(small)).toEqual(expected);
    // no layer wrote into memory it no longer owns
    for (const p of others) expect([...arena.f32(p, 4)]).toEqual([7, 7, 7, 7]);
    for (const p of others) arena.free(p);
    expect(m.predict(new Array(64).fill([1, 1, 1]))).toHaveLength(64); // and the large batch once memory is there
    m.dispose();
  });
});
