import type { Random } from '../util/random.js';
import { fail, resolveName } from '../util/errors.js';

/** Fills a weight array of the given shape ([fanIn, fanOut] for a dense kernel, [kh, kw, inC, outC] for a conv kernel,
 * [n] for a bias) from the seeded generator. */
export type Initializer = (out: Float32Array | Float64Array, shape: readonly number[], rng: Random) => void;

/**
 * Keras's fans: [in, out] for a dense kernel; for a conv kernel [kh, kw, inC, outC] each is scaled by the receptive
 * field, fanIn = kh·kw·inC and fanOut = kh·kw·outC; a bias [n] counts n both ways.
 */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length < 2) return [shape[0], shape[0]];
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i];
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

const uniform = (limit: number): Initializer => (out, _shape, rng) => {
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
};

/** Keras draws "normal" initial weights from a normal truncated at two standard deviations, widened to keep the variance. */
const TRUNCATION_CORRECTION = 0.8796256610342398;

function truncatedNormal(out: Float32Array | Float64Array, stddev: number, rng: Random): void {
  for (let i = 0; i < out.length; i++) {
    let z: number;
    do z = rng.normal(); while (Math.abs(z) > 2);
    out[i] = z * stddev;
  }
}

export const initializers = Object.freeze({
  zeros: ((out) => out.fill(0)) as Initializer,
  ones: ((out) => out.fill(1)) as Initializer,
  /** Keras's RandomUniform default: U(−0.05, 0.05) */
  random_uniform: uniform(0.05),
  /** the tutorial's `np.random.rand(n, m) - 0.5`: U(−0.5, 0.5) */
  tutorial_uniform: uniform(0.5),
  /** U(−l, l), l = √(6 / (fanIn + fanOut)) — Keras's Dense default */
  glorot_uniform: ((out, shape, rng) => {
    const [fi, fo] = fans(shape);
    uniform(Math.sqrt(6 / (fi + fo)))(out, shape, rng);
  }) as Initializer,
  /** truncated normal, σ = √(2 / (fanIn + fanOut)) */
  glorot_normal: ((out, shape, rng) => {
    const [fi, fo] = fans(shape);
    truncatedNormal(out, Math.sqrt(2 / (fi + fo)) / TRUNCATION_CORRECTION, rng);
  }) as Initializer,
  /** U(−l, l), l = √(6 / fanIn) */
  he_uniform: ((out, shape, rng) => uniform(Math.sqrt(6 / fans(shape)[0]))(out, shape, rng)) as Initializer,
  /** truncated normal, σ = √(2 / fanIn) */
  he_normal: ((out, shape, rng) => truncatedNormal(out, Math.sqrt(2 / fans(shape)[0]) / TRUNCATION_CORRECTION, rng)) as Initializer,
});

export type InitializerName = keyof typeof initializers;

export function getInitializer(init: string | Initializer): Initializer {
  if (typeof init === 'function') return init;
  if (typeof init !== 'string') fail(`an initializer must be a name (${Object.keys(initializers).join(', ')}) or a function`);
  return resolveName('initializer', init, initializers as Record<string, Initializer>);
}
