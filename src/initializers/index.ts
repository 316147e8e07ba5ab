import type { Backend } from '../backends/backend.js';
import type { Ptr } from '../backends/kernels.js';
import { randomUniform, truncatedNormal } from '../backends/js/random.js';
import type { JsHeap } from '../backends/js/arena.js';
import type { Random } from '../util/random.js';
import { fail, resolveName, shown } from '../util/errors.js';
import type { KerasName } from '../util/names.js';

/** Fills a weight array of the given shape ([fanIn, fanOut] for a dense kernel, [kh, kw, inC, outC] for a conv kernel,
 * [n] for a bias) from the seeded generator, or returns the values (an array of as many finite numbers). */
export type Initializer = (
  out: Float32Array | Float64Array,
  shape: readonly number[],
  rng: Random,
) => void | ArrayLike<number>;

/** How a built-in initializer fills a weight array: one kernel call, on the backend that holds the array. */
type Draw =
  | { kind: 'fill'; value: number }
  /** U(−limit, limit) by the randomUniform kernel */
  | { kind: 'uniform'; limit: number }
  /** σ·z, z a standard normal truncated to [−2, 2], by the truncatedNormal kernel */
  | { kind: 'normal'; stddev: number };

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

/** Keras draws "normal" initial weights from a normal truncated at two standard deviations, widened to keep the
 *  variance: 0.8796… is the standard deviation of a standard normal truncated to [−2, 2]. */
const TRUNCATION_CORRECTION = 0.8796256610342398;

/** the draw of each built-in initializer, by its function */
const draws = new Map<Initializer, (shape: readonly number[]) => Draw>();

/**
 * A built-in initializer: a kernel call on the arena when a layer is built (`initialize`), and the same numbers when
 * called as a function on an array (through the JS backend's kernel on that array). One seed per weight array comes
 * from `rng`, and element i is a function of (seed, i) only: both backends give the same weights for a seed.
 */
function builtin(draw: (shape: readonly number[]) => Draw): Initializer {
  const init: Initializer = (out, shape, rng) => {
    const heap: JsHeap = { f: out, i: new Int32Array(0), round: out instanceof Float32Array ? Math.fround : (v) => v };
    run(draw(shape), rng, {
      fill: (value) => out.fill(value),
      uniform: (lo, hi, seed) => randomUniform(heap, 0, out.length, lo, hi, seed),
      normal: (stddev, seed) => truncatedNormal(heap, 0, out.length, stddev, seed),
    });
  };
  draws.set(init, draw);
  return init;
}

interface Fillers {
  fill(value: number): void;
  uniform(lo: number, hi: number, seed: number): void;
  normal(stddev: number, seed: number): void;
}

function run(draw: Draw, rng: Random, to: Fillers): void {
  if (draw.kind === 'fill') to.fill(draw.value);
  else if (draw.kind === 'uniform') to.uniform(-draw.limit, draw.limit, rng.nextUint32());
  else to.normal(draw.stddev, rng.nextUint32());
}

/** The built-in initializers by Keras name, for `Dense`'s kernelInitializer and biasInitializer (or called on an array). */
export const initializers = Object.freeze({
  zeros: builtin(() => ({ kind: 'fill', value: 0 })),
  ones: builtin(() => ({ kind: 'fill', value: 1 })),
  /** Keras's RandomUniform default: U(−0.05, 0.05) */
  random_uniform: builtin(() => ({ kind: 'uniform', limit: 0.05 })),
  /** the tutorial's `np.random.rand(n, m) - 0.5`: U(−0.5, 0.5) */
  tutorial_uniform: builtin(() => ({ kind: 'uniform', limit: 0.5 })),
  /** U(−l, l), l = √(6 / (fanIn + fanOut)) — Keras's Dense default */
  glorot_uniform: builtin((shape) => {
    const [fi, fo] = fans(shape);
    return { kind: 'uniform', limit: Math.sqrt(6 / (fi + fo)) };
  }),
  /** truncated normal, σ = √(2 / (fanIn + fanOut)) */
  glorot_normal: builtin((shape) => {
    const [fi, fo] = fans(shape);
    return { kind: 'normal', stddev: Math.sqrt(2 / (fi + fo)) / TRUNCATION_CORRECTION };
  }),
  /** U(−l, l), l = √(6 / fanIn) */
  he_uniform: builtin((shape) => ({ kind: 'uniform', limit: Math.sqrt(6 / fans(shape)[0]) })),
  /** truncated normal, σ = √(2 / fanIn) */
  he_normal: builtin((shape) => ({ kind: 'normal', stddev: Math.sqrt(2 / fans(shape)[0]) / TRUNCATION_CORRECTION })),
});

/** A built-in initializer name, snake_case or camelCase. */
export type InitializerName = KerasName<keyof typeof initializers>;

/** What users may pass where an initializer is expected: a name, or a function that fills an array. */
export type InitializerInput = InitializerName | Initializer;

export function getInitializer(init: InitializerInput): Initializer {
  if (typeof init === 'function') return init;
  if (typeof init !== 'string')
    fail(`an initializer must be a name (${Object.keys(initializers).join(', ')}) or a function`);
  return resolveName('initializer', init, initializers as Record<string, Initializer>);
}

/** Fill the `shape`-sized weight array at `ptr` on `backend`: a built-in initializer runs as one kernel call, a custom
 *  function on a view of the arena. */
export function initialize(init: Initializer, backend: Backend, ptr: Ptr, shape: readonly number[], rng: Random): void {
  const size = shape.reduce((a, b) => a * b, 1);
  const draw = draws.get(init);
  if (!draw) {
    const out = backend.arena.f32(ptr, size);
    // a function fills the array it is given; one that returns its values instead (as TF.js's initializers return a
    // tensor) has them written in, rather than leaving the weights at zero in silence
    const returned: unknown = init(out, shape, rng);
    if (returned !== undefined && returned !== out) {
      if (!ArrayBuffer.isView(returned) && !Array.isArray(returned))
        fail(
          `a custom initializer fills the array it is given (or returns ${size} numbers); it returned ${shown(returned)}`,
        );
      const values = returned as ArrayLike<number>;
      if (values.length !== size)
        fail(
          `a custom initializer returned ${values.length} values for a weight of shape [${shape.join(', ')}] (${size} values)`,
        );
      backend.arena.write(ptr, values);
    }
    const view = backend.arena.f32(ptr, size); // the arena may have grown meanwhile
    for (let i = 0; i < size; i++)
      if (!Number.isFinite(view[i]))
        fail(
          `a custom initializer left ${view[i]} at index ${i} of a weight of shape [${shape.join(', ')}]; initial weights must be finite`,
        );
    return;
  }
  const k = backend.kernels;
  run(draw(shape), rng, {
    fill: (value) => k.fill(ptr, size, value),
    uniform: (lo, hi, seed) => k.randomUniform(ptr, size, lo, hi, seed),
    normal: (stddev, seed) => k.truncatedNormal(ptr, size, stddev, seed),
  });
}
