// The kernels that draw initial weights (randomUniform, truncatedNormal): the shared generator, each backend, seeds.
// The distributions themselves against Keras's formulas are pinned in initializers.test.ts.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import {
  naturalLog,
  normalQuantile,
  TRUNCATED_NORMAL_P_LOW,
  TRUNCATED_NORMAL_P_SPAN,
} from '../../src/backends/kernels.js';
import { createJsBackend } from '../../src/backends/js/index.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';
import { initialize, initializers, type Initializer, type InitializerName } from '../../src/initializers/index.js';
import { Dense } from '../../src/layers/dense.js';
import { Sequential } from '../../src/models/sequential.js';
import { Random } from '../../src/util/random.js';
import { readFileSync } from 'node:fs';
import { normalCdf } from '../kernels/reference.js';

const BACKENDS: [string, () => Backend][] = [
  ['wasm', () => createWasmBackend()],
  ['js', () => createJsBackend()],
];

/** Draw a [fanIn, fanOut] kernel with a built-in initializer through the arena, as a layer's build does. */
function draw(backend: Backend, init: Initializer, shape: number[], seed: number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const ptr = backend.arena.alloc(size);
  initialize(init, backend, ptr, shape, new Random(seed));
  return backend.arena.read(ptr, size);
}

function moments(x: ArrayLike<number>): { mean: number; variance: number; min: number; max: number } {
  let s = 0,
    s2 = 0,
    min = Infinity,
    max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    s += x[i];
    s2 += x[i] * x[i];
    min = Math.min(min, x[i]);
    max = Math.max(max, x[i]);
  }
  const mean = s / x.length;
  return { mean, variance: s2 / x.length - mean * mean, min, max };
}

describe('the shared generator of initial weights', () => {
  it('naturalLog matches Math.log within 2 ulp over (0, 1)', () => {
    for (let i = 1; i < 2000; i++) {
      const x = i / 2000;
      expect(Math.abs(naturalLog(x) - Math.log(x)), `ln ${x}`).toBeLessThanOrEqual(
        4.5e-16 * Math.abs(Math.log(x)) + 1e-300,
      );
    }
  });

  it('normalQuantile inverts Φ (computed from its series) within 1e-15 over [Φ(−2), Φ(2)]', () => {
    for (let i = 0; i <= 1000; i++) {
      const p = TRUNCATED_NORMAL_P_LOW + (i / 1000) * TRUNCATED_NORMAL_P_SPAN;
      expect(Math.abs(normalCdf(normalQuantile(p)) - p), `p = ${p}`).toBeLessThan(1e-15);
    }
    expect(Math.abs(TRUNCATED_NORMAL_P_LOW - normalCdf(-2))).toBeLessThan(1e-15);
    expect(Math.abs(TRUNCATED_NORMAL_P_SPAN - (normalCdf(2) - normalCdf(-2)))).toBeLessThan(1e-15);
  });

  it('assembly/random.ts uses the same constants as src/backends/kernels.ts', () => {
    const as = readFileSync(new URL('../../assembly/random.ts', import.meta.url), 'utf8');
    for (const c of [TRUNCATED_NORMAL_P_LOW, TRUNCATED_NORMAL_P_SPAN, 2 ** -25]) expect(as).toContain(String(c));
  });
});

describe.each(BACKENDS)('built-in initializers on %s', (_label, makeBackend) => {
  const [fanIn, fanOut] = [300, 500];
  const n = fanIn * fanOut;
  // Keras's formulas: glorot = VarianceScaling(1, 'fan_avg'), he = VarianceScaling(2, 'fan_in'); the normal ones
  // draw a normal truncated at 2σ with σ widened by 1/0.8796 so that the variance is the formula's exactly.
  const cases: [keyof typeof initializers, 'uniform' | 'normal', number][] = [
    ['glorot_uniform', 'uniform', Math.sqrt(6 / (fanIn + fanOut))],
    ['he_uniform', 'uniform', Math.sqrt(6 / fanIn)],
    ['random_uniform', 'uniform', 0.05],
    ['tutorial_uniform', 'uniform', 0.5],
    ['glorot_normal', 'normal', Math.sqrt(2 / (fanIn + fanOut))],
    ['he_normal', 'normal', Math.sqrt(2 / fanIn)],
  ];

  it.each(cases)('%s over 150k draws: the Keras mean, variance and range', (name, kind, scale) => {
    const w = draw(makeBackend(), initializers[name], [fanIn, fanOut], 42);
    const { mean, variance, min, max } = moments(w);
    // uniform(−l, l): variance l²/3; truncated normal: variance σ² (the formula's), range ±2σ/0.8796
    const expectedVariance = kind === 'uniform' ? (scale * scale) / 3 : scale * scale;
    expect(Math.abs(mean), 'mean within 5 standard errors').toBeLessThan(5 * Math.sqrt(expectedVariance / n));
    expect(variance / expectedVariance, 'variance').toBeGreaterThan(0.985);
    expect(variance / expectedVariance, 'variance').toBeLessThan(1.015);
    const bound = kind === 'uniform' ? scale : (2 * scale) / 0.8796256610342398;
    expect(min).toBeGreaterThanOrEqual(-bound);
    expect(max).toBeLessThanOrEqual(bound);
    expect(max - min, 'fills its range').toBeGreaterThan(0.99 * 2 * bound);
  });

  it('zeros and ones', () => {
    const backend = makeBackend();
    expect(draw(backend, initializers.zeros, [3, 5], 1).every((v) => v === 0)).toBe(true);
    expect(draw(backend, initializers.ones, [7], 1).every((v) => v === 1)).toBe(true);
  });

  it("a built-in called as a function on an array gives the kernel's numbers; a custom function still fills the arena", () => {
    const backend = makeBackend();
    for (const name of ['glorot_uniform', 'he_normal'] as const) {
      const out = new Float32Array(12 * 7);
      initializers[name](out, [12, 7], new Random(9));
      expect(out).toEqual(draw(backend, initializers[name], [12, 7], 9));
    }
    const custom: Initializer = (out, shape) => out.fill(shape[0] + shape[1]);
    expect(Array.from(draw(backend, custom, [2, 3], 1))).toEqual([5, 5, 5, 5, 5, 5]);
  });
});

describe('seeded weights', () => {
  const weights = (backend: 'wasm' | 'js', seed: number, kernelInitializer: InitializerName) => {
    const model = new Sequential(
      [
        new Dense(33, { inputShape: [17], activation: 'relu', kernelInitializer }),
        new Dense(5, { kernelInitializer, biasInitializer: 'ones' }),
      ],
      { seed, backend },
    );
    model.predict([new Array(17).fill(0)]);
    const w = model.getWeights();
    model.dispose();
    return w;
  };

  it.each(['glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal'] as const)(
    '%s: bit-identical run to run and across backends; another seed differs',
    (init) => {
      const wasm = weights('wasm', 7, init);
      expect(weights('wasm', 7, init)).toEqual(wasm);
      expect(weights('js', 7, init)).toEqual(wasm);
      const other = weights('wasm', 8, init);
      expect(other[0].filter((v, i) => v !== wasm[0][i]).length).toBeGreaterThan(0.99 * wasm[0].length);
      // the two kernels of one model come from different seeds of the model's generator
      expect(Array.from(wasm[2].slice(0, 5))).not.toEqual(Array.from(wasm[0].slice(0, 5)));
    },
  );
});
