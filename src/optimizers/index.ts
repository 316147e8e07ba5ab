import type { Backend } from '../backends/backend.js';
import type { Ptr } from '../backends/kernels.js';
import type { Param } from '../layers/kernel-layer.js';
import { fail, resolveName, shown } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import type { KerasName } from '../util/names.js';

/**
 * Applies gradients to parameters. `build` allocates the optimizer's slots (velocity, moments) once, next to the
 * parameters in the arena; `step` is one kernel call per parameter array and allocates nothing.
 */
export interface Optimizer {
  readonly name: string;
  learningRate: number;
  /** the number of steps taken so far */
  readonly iterations: number;
  /** how many arrays of the parameters' size the optimizer keeps (Adam: 2), for memory estimates */
  readonly slotsPerParam: number;
  build(backend: Backend, params: readonly Param[]): void;
  step(): void;
  dispose(): void;
  /** bytes of arena memory the slots take (for out-of-memory errors; a custom optimizer may leave it out) */
  bytesHeld?(): number;
  /** the settings, for summaries and saving */
  getConfig(): Record<string, number | boolean | string>;
  /** Copies of the slots and the step count, for saving (built-in optimizers; absent on custom ones). */
  getState?(): OptimizerState;
  /** Restore what `getState` returned (same parameters, in the same order). */
  setState?(state: OptimizerState): void;
}

/** An optimizer's training state: `slots[param][slot]` (e.g. Adam's m and v for each weight array) and its steps. */
export interface OptimizerState {
  iterations: number;
  slots: Float32Array[][];
}

function checkRate(name: string, value: number, lo: number, hi: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) {
    fail(
      `${name} ${what} must be ${hi === Infinity ? `a finite number ≥ ${lo}` : `a number in [${lo}, ${hi}]`}, got ${shown(value)}`,
    );
  }
  return value;
}

/** Shared bookkeeping: the parameters and `slotsPerParam` zeroed arrays for each. */
abstract class SlotOptimizer implements Optimizer {
  abstract readonly name: string;
  iterations = 0;
  protected backend: Backend | null = null;
  protected params: readonly Param[] = [];
  protected slots: Ptr[][] = [];

  constructor(
    public learningRate: number,
    readonly slotsPerParam: number,
  ) {}

  build(backend: Backend, params: readonly Param[]): void {
    if (this.backend && this.params.length > 0 && (this.params[0] !== params[0] || this.backend !== backend)) {
      fail(`this ${this.name} optimizer already trains another model; create one optimizer per model`);
    }
    this.dispose();
    this.backend = backend;
    this.params = params;
    this.slots = params.map((p) => Array.from({ length: this.slotsPerParam }, () => backend.arena.alloc(p.size)));
    this.iterations = 0;
  }

  step(): void {
    if (!this.backend) fail(`optimizer '${this.name}' is not built; compile the model first`);
    this.iterations++;
    this.apply(this.backend);
  }

  protected abstract apply(backend: Backend): void;

  getState(): OptimizerState {
    const backend = this.backend;
    if (!backend) fail(`optimizer '${this.name}' has no state until the model is built`);
    return {
      iterations: this.iterations,
      slots: this.slots.map((ptrs, i) => ptrs.map((p) => backend.arena.read(p, this.params[i].size))),
    };
  }

  setState(state: OptimizerState): void {
    const backend = this.backend;
    if (!backend) fail(`optimizer '${this.name}' is not built; compile and build the model first`);
    const { iterations, slots } = state;
    if (!Number.isInteger(iterations) || iterations < 0)
      fail(`optimizer '${this.name}': iterations must be a non-negative integer, got ${iterations}`);
    if (!Array.isArray(slots) || slots.length !== this.params.length) {
      fail(
        `optimizer '${this.name}' keeps slots for ${this.params.length} weight arrays, got ${Array.isArray(slots) ? slots.length : 'none'}`,
      );
    }
    // Check everything before writing anything.
    slots.forEach((list, i) => {
      const p = this.params[i];
      if (!Array.isArray(list) || list.length !== this.slotsPerParam)
        fail(
          `optimizer '${this.name}' keeps ${this.slotsPerParam} slots per weight array, got ${Array.isArray(list) ? list.length : 'none'} for weight ${i}`,
        );
      for (const s of list) {
        if (!s || s.length !== p.size)
          fail(`optimizer '${this.name}': a slot of weight ${i} needs ${p.size} values, got ${s?.length}`);
        for (let j = 0; j < s.length; j++)
          if (!Number.isFinite(s[j])) fail(`optimizer '${this.name}': a slot of weight ${i} has ${s[j]} at index ${j}`);
      }
    });
    slots.forEach((list, i) => list.forEach((s, j) => backend.arena.write(this.slots[i][j], s)));
    this.iterations = iterations;
  }

  bytesHeld(): number {
    const arena = this.backend?.arena;
    return arena ? this.slots.reduce((sum, ptrs) => sum + ptrs.reduce((s, p) => s + arena.blockBytes(p), 0), 0) : 0;
  }

  dispose(): void {
    if (this.backend) for (const ptrs of this.slots) for (const ptr of ptrs) this.backend.arena.free(ptr);
    this.slots = [];
    this.backend = null;
  }

  abstract getConfig(): Record<string, number | boolean | string>;
}

/** Settings of `optimizers.sgd(…)`: Keras's defaults are learningRate 0.01, momentum 0, nesterov false. */
export interface SgdOptions {
  learningRate?: number;
  momentum?: number;
  nesterov?: boolean;
}

/** Stochastic gradient descent: param −= lr·grad; with momentum, Keras's velocity form (optionally Nesterov). */
export class SGD extends SlotOptimizer {
  readonly name = 'sgd';
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor({ learningRate = 0.01, momentum = 0, nesterov = false }: SgdOptions = {}) {
    super(checkRate('sgd', learningRate, 0, Infinity, 'learningRate'), momentum > 0 ? 1 : 0);
    this.momentum = checkRate('sgd', momentum, 0, 1, 'momentum');
    this.nesterov = nesterov;
  }

  protected apply({ kernels: k }: Backend): void {
    this.params.forEach((p, i) => {
      if (this.momentum > 0)
        k.momentumStep(
          p.value,
          p.grad,
          this.slots[i][0],
          p.size,
          this.learningRate,
          this.momentum,
          this.nesterov ? 1 : 0,
        );
      else k.sgdStep(p.value, p.grad, p.size, this.learningRate);
    });
  }

  getConfig() {
    return { name: this.name, learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov };
  }
}

/** Settings of `optimizers.adam(…)`: Keras's defaults are learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7. */
export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Adam (Keras defaults: lr 0.001, β1 0.9, β2 0.999, ε 1e-7), bias correction folded into the step size. */
export class Adam extends SlotOptimizer {
  readonly name = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor({ learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 }: AdamOptions = {}) {
    super(checkRate('adam', learningRate, 0, Infinity, 'learningRate'), 2);
    this.beta1 = checkRate('adam', beta1, 0, 0.999999, 'beta1');
    this.beta2 = checkRate('adam', beta2, 0, 0.999999999, 'beta2');
    this.epsilon = checkRate('adam', epsilon, 0, 1, 'epsilon');
  }

  protected apply({ kernels: k }: Backend): void {
    const t = this.iterations;
    const lrT = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    this.params.forEach((p, i) => {
      const [m, v] = this.slots[i];
      k.adamStep(p.value, p.grad, m, v, p.size, lrT, this.beta1, this.beta2, this.epsilon);
    });
  }

  getConfig() {
    return {
      name: this.name,
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
    };
  }
}

/** Settings of `optimizers.rmsprop(…)`: Keras's defaults are learningRate 0.001, rho 0.9, epsilon 1e-7. */
export interface RmspropOptions {
  learningRate?: number;
  rho?: number;
  epsilon?: number;
}

/** RMSprop (Keras defaults: lr 0.001, ρ 0.9, ε 1e-7). */
export class RMSprop extends SlotOptimizer {
  readonly name = 'rmsprop';
  readonly rho: number;
  readonly epsilon: number;

  constructor({ learningRate = 0.001, rho = 0.9, epsilon = 1e-7 }: RmspropOptions = {}) {
    super(checkRate('rmsprop', learningRate, 0, Infinity, 'learningRate'), 1);
    this.rho = checkRate('rmsprop', rho, 0, 1, 'rho');
    this.epsilon = checkRate('rmsprop', epsilon, 0, 1, 'epsilon');
  }

  protected apply({ kernels: k }: Backend): void {
    this.params.forEach((p, i) =>
      k.rmspropStep(p.value, p.grad, this.slots[i][0], p.size, this.learningRate, this.rho, this.epsilon),
    );
  }

  getConfig() {
    return { name: this.name, learningRate: this.learningRate, rho: this.rho, epsilon: this.epsilon };
  }
}

/** `optimizers.adam({ learningRate })`, `optimizers.sgd({ momentum, nesterov })`, `optimizers.rmsprop()`. */
export const optimizers = Object.freeze({
  sgd: (options: SgdOptions = {}): Optimizer => {
    checkOptions(options, 'optimizers.sgd(options)', ['learningRate', 'momentum', 'nesterov']);
    return new SGD(options);
  },
  adam: (options: AdamOptions = {}): Optimizer => {
    checkOptions(options, 'optimizers.adam(options)', ['learningRate', 'beta1', 'beta2', 'epsilon']);
    return new Adam(options);
  },
  rmsprop: (options: RmspropOptions = {}): Optimizer => {
    checkOptions(options, 'optimizers.rmsprop(options)', ['learningRate', 'rho', 'epsilon']);
    return new RMSprop(options);
  },
});

/** A built-in optimizer name. */
export type OptimizerName = KerasName<keyof typeof optimizers>;

/** An optimizer by name with settings, as plain JSON: `{ name: 'adam', learningRate: 0.01 }` (what a model spec
 *  holds; compile takes it too). */
export type OptimizerSettings =
  ({ name: 'adam' } & AdamOptions) | ({ name: 'sgd' } & SgdOptions) | ({ name: 'rmsprop' } & RmspropOptions);

/** What users may pass where an optimizer is expected: a name, `{ name, …settings }`, or an object from
 *  `optimizers` (or your own). */
export type OptimizerInput = OptimizerName | OptimizerSettings | Optimizer;

export function getOptimizer(optimizer: OptimizerInput): Optimizer {
  if (typeof optimizer === 'string') return resolveName('optimizer', optimizer, optimizers)();
  if (optimizer && typeof optimizer === 'object') {
    if ('step' in optimizer && typeof optimizer.step === 'function' && typeof optimizer.build === 'function')
      return optimizer;
    if ('name' in optimizer && typeof optimizer.name === 'string') {
      const { name, ...settings } = optimizer;
      return (resolveName('optimizer', name, optimizers) as (settings: object) => Optimizer)(settings);
    }
  }
  fail(
    `an optimizer must be a name (${Object.keys(optimizers).join(', ')}), settings such as ` +
      `{ name: 'adam', learningRate: 0.001 }, or an object from \`optimizers\`; got ${shown(optimizer)}`,
  );
}
