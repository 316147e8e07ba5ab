// Every initializer over 200,000 seeded draws against Keras's formulas, written out here independently of
// src/initializers: VarianceScaling(scale, mode, distribution) with n = fanIn, fanOut or their mean;
// 'uniform' draws U(−l, l) with l = √(3·scale/n); 'truncated_normal' draws a normal cut at ±2σ′ with
// σ′ = √(scale/n) / 0.87962566103423978, so that the variance is scale/n again. glorot_* is scale 1 over the mean of
// the fans, he_* is scale 2 over fanIn. Each check has a bound of five standard errors (a wrong formula misses it by
// far more: forgetting the truncation's correction is 23% of the variance, glorot for he 44%), and the seed is fixed.
import { describe, expect, it } from 'vitest';
import { Dense, Sequential, initializers } from '../../src/index.js';
import { Random } from '../../src/util/random.js';
import { fans } from '../../src/initializers/index.js';

const N = 200_000;
/** [fanIn, fanOut]: different fans, so that fan_in, fan_out and fan_avg give different answers */
const SHAPE = [500, 400];
const [FAN_IN, FAN_OUT] = SHAPE;
const FAN_AVG = (FAN_IN + FAN_OUT) / 2;

/** Φ(2), φ(2): the standard normal's CDF and density at 2 */
const PHI_2 = 0.9772498680518208;
const DENSITY_2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
/** the variance of a standard normal truncated at ±2: 1 − 2·2·φ(2) / (2Φ(2) − 1) ≈ 0.7737 */
const TRUNCATED_VARIANCE = 1 - (4 * DENSITY_2) / (2 * PHI_2 - 1);

type Law = { kind: 'uniform'; limit: number } | { kind: 'truncated_normal'; sigma: number };

const uniform = (limit: number): Law => ({ kind: 'uniform', limit });
const varianceScaling = (scale: number, n: number, distribution: 'uniform' | 'truncated_normal'): Law =>
  distribution === 'uniform'
    ? uniform(Math.sqrt((3 * scale) / n))
    : { kind: 'truncated_normal', sigma: Math.sqrt(scale / n) / 0.87962566103423978 };

const KERAS: Record<string, Law> = {
  random_uniform: uniform(0.05), // keras.initializers.RandomUniform(): minval −0.05, maxval 0.05
  tutorial_uniform: uniform(0.5), // the tutorial's np.random.rand(n, m) − 0.5
  glorot_uniform: varianceScaling(1, FAN_AVG, 'uniform'),
  glorot_normal: varianceScaling(1, FAN_AVG, 'truncated_normal'),
  he_uniform: varianceScaling(2, FAN_IN, 'uniform'),
  he_normal: varianceScaling(2, FAN_IN, 'truncated_normal'),
};

const limitOf = (law: Law) => (law.kind === 'uniform' ? law.limit : 2 * law.sigma);
const varianceOf = (law: Law) => (law.kind === 'uniform' ? law.limit ** 2 / 3 : law.sigma ** 2 * TRUNCATED_VARIANCE);

function draw(name: keyof typeof initializers, shape: number[], seed: number): Float32Array {
  const out = new Float32Array(N);
  initializers[name](out, shape, new Random(seed));
  return out;
}

function moments(values: Float32Array): { mean: number; variance: number; min: number; max: number } {
  let sum = 0,
    min = Infinity,
    max = -Infinity;
  for (const v of values) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, variance: squares / (values.length - 1), min, max };
}

describe('initializers: the distributions Keras specifies', () => {
  it('the truncation correction 0.8796… is the standard deviation of a normal truncated at ±2', () => {
    expect(Math.sqrt(TRUNCATED_VARIANCE)).toBeCloseTo(0.87962566103423978, 12);
  });

  it.each(Object.keys(KERAS))('%s: mean, variance and limits over 200,000 draws', (name) => {
    const law = KERAS[name];
    const values = draw(name as keyof typeof initializers, SHAPE, 42);
    const { mean, variance, min, max } = moments(values);
    const limit = limitOf(law),
      sigma2 = varianceOf(law);
    expect(Math.abs(mean), 'mean').toBeLessThan(5 * Math.sqrt(sigma2 / N));
    // the variance of a sample variance is σ⁴·(κ − 1)/N, with kurtosis κ ≤ 3 for these laws
    expect(Math.abs(variance / sigma2 - 1), `variance ${variance}, Keras ${sigma2}`).toBeLessThan(5 * Math.sqrt(2 / N));
    // inside ±limit (float32 may round a draw onto the limit itself), and reaching close to it on both sides
    expect(max, 'max').toBeLessThanOrEqual(Math.fround(limit));
    expect(min, 'min').toBeGreaterThanOrEqual(-Math.fround(limit));
    expect(max, 'max reaches the limit').toBeGreaterThan(0.99 * limit);
    expect(min, 'min reaches the limit').toBeLessThan(-0.99 * limit);
    // the shape of the law: the share inside half the limit is 1/2 for a uniform, (2Φ(1) − 1)/(2Φ(2) − 1) ≈ 0.715 for
    // the truncated normal (binomial standard error below 0.0012)
    const inner = values.filter((v) => Math.abs(v) < limit / 2).length / N;
    const expected = law.kind === 'uniform' ? 0.5 : (2 * 0.8413447460685429 - 1) / (2 * PHI_2 - 1);
    expect(Math.abs(inner - expected), `share within half the limit: ${inner}`).toBeLessThan(0.006);
  });

  it('a bias shape [n] counts n as both fans (Keras compute_fans for one dimension)', () => {
    const { variance } = moments(draw('glorot_uniform', [300], 7));
    expect(Math.abs(variance / varianceOf(varianceScaling(1, 300, 'uniform')) - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    const he = moments(draw('he_normal', [300], 7)).variance;
    expect(Math.abs(he / (2 / 300) - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
  });

  it('zeros and ones fill exactly', () => {
    expect(draw('zeros', SHAPE, 1).every((v) => v === 0)).toBe(true);
    expect(draw('ones', SHAPE, 1).every((v) => v === 1)).toBe(true);
  });

  it('the same seed gives the same draws; another seed other draws', () => {
    const same = (a: Float32Array, b: Float32Array) => a.every((v, i) => Object.is(v, b[i]));
    expect(same(draw('he_normal', SHAPE, 3), draw('he_normal', SHAPE, 3))).toBe(true);
    expect(same(draw('he_normal', SHAPE, 3), draw('he_normal', SHAPE, 4))).toBe(false);
  });

  it('Dense passes its kernel as [inputs, units] and its bias as [units]', () => {
    // he_uniform reads fanIn only: 500 inputs, 400 units. A layer that passed [units, inputs] would give 6/400.
    const m = new Sequential(
      [new Dense(400, { inputShape: [500], kernelInitializer: 'he_uniform', biasInitializer: 'he_uniform' })],
      { seed: 5, backend: 'js' },
    );
    m.build();
    const [kernel, bias] = m.getWeights();
    expect(kernel.length).toBe(N);
    expect(Math.abs(moments(kernel).variance / (2 / FAN_IN) - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    expect(Math.max(...bias.map(Math.abs))).toBeLessThanOrEqual(Math.fround(Math.sqrt(6 / 400)));
    expect(Math.max(...bias.map(Math.abs))).toBeGreaterThan(Math.sqrt(6 / 500));
    m.dispose();
  });
});

describe("Keras's fans for conv kernels", () => {
  it('a [kh, kw, inC, outC] kernel has fanIn = kh·kw·inC and fanOut = kh·kw·outC; a dense one [in, out]; a bias [n] n both ways', () => {
    expect(fans([3, 3, 32, 64])).toEqual([288, 576]);
    expect(fans([5, 2, 3, 4])).toEqual([30, 40]);
    expect(fans([784, 10])).toEqual([784, 10]);
    expect(fans([7])).toEqual([7, 7]);
  });

  it('glorot_uniform draws a 3×3×32×64 conv kernel within √(6 / (288 + 576)), filling that range', () => {
    const out = new Float32Array(3 * 3 * 32 * 64);
    initializers.glorot_uniform(out, [3, 3, 32, 64], new Random(5));
    const limit = Math.sqrt(6 / (288 + 576));
    const max = out.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(max).toBeLessThanOrEqual(limit);
    expect(max).toBeGreaterThan(limit * 0.99); // the old fans ([3, 3]) would have given limit √(6/6) = 1
  });
});

describe('custom initializer functions', () => {
  const build = (kernelInitializer: (out: Float32Array | Float64Array) => unknown) => {
    const m = new Sequential([new Dense(2, { inputShape: [3], kernelInitializer: kernelInitializer as never })], {
      backend: 'js',
    });
    m.build();
    return m;
  };

  it('one that returns its values (as a TF.js initializer returns a tensor) has them written, not zeros', () => {
    const m = build((out) => new Float32Array(out.length).fill(0.25));
    expect([...m.getWeights()[0]]).toEqual(new Array(6).fill(0.25));
    m.dispose();
  });

  it('one that leaves NaN, returns the wrong count or returns something else is named at once', () => {
    expect(() => build((out) => out.fill(NaN))).toThrow(
      'a custom initializer left NaN at index 0 of a weight of shape [3, 2]; initial weights must be finite',
    );
    expect(() => build(() => [1, 2])).toThrow(
      'a custom initializer returned 2 values for a weight of shape [3, 2] (6 values)',
    );
    expect(() => build(() => 'ones')).toThrow('it returned "ones"');
  });
});
