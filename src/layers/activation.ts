import type { Ptr } from '../backends/kernels.js';
import { activationBackward, activationForward, activations, getActivation, type Activation as ActivationFn, type ActivationInput } from '../activations/index.js';
import { fail } from '../util/errors.js';
import type { Random } from '../util/random.js';
import { KernelLayer, type ForwardMode } from './kernel-layer.js';

/**
 * Applies an activation to its input, element by element (softmax: row by row). Built-in activations are
 * kernels; a custom (fn, fnPrime) pair runs in JavaScript on copies of the rows, keeping its input for fnPrime as
 * the tutorial does.
 */
export class Activation extends KernelLayer {
  readonly kind: string = 'activation';
  readonly activation: ActivationFn;
  private y: Ptr = 0;
  private dx: Ptr = 0;
  /** for a custom activation: the last input, on the JS side */
  private hostInput: Float32Array | null = null;

  constructor(activation: ActivationInput | ((x: number) => number), fnPrime?: (x: number) => number, options: { name?: string } = {}) {
    super(options.name);
    if (typeof activation === 'function') {
      if (typeof fnPrime !== 'function') fail('a custom activation needs its derivative too: new ActivationLayer(fn, fnPrime)');
      this.activation = activations.custom(activation, fnPrime, activation.name || 'custom');
    } else {
      this.activation = getActivation(activation);
    }
  }

  outputSizeFor(inputSize: number): number {
    return inputSize;
  }

  protected buildParams(_rng: Random): number {
    return this.inputSize;
  }

  protected allocateActivations(rows: number): void {
    this.y = this.allocActivation(rows * this.inputSize);
    this.dx = this.allocActivation(rows * this.inputSize);
  }

  forward(x: Ptr, rows: number, mode: ForwardMode): Ptr {
    const { kernels, arena } = this.backend!;
    const n = rows * this.inputSize;
    // A loss fused with the output's softmax or sigmoid takes the logits as they are.
    if (mode.logits && fusable(this.activation)) return x;
    if (this.activation.builtin) {
      activationForward(kernels, this.activation, x, this.y, rows, this.inputSize);
    } else {
      // A copy at the arena's own precision (float64 on the JS backend's double variant, for gradient checks).
      const input = arena.f32(x, n).slice() as Float32Array;
      const out = input.map(this.activation.fn);
      this.hostInput = input;
      arena.write(this.y, out);
    }
    return this.y;
  }

  backward(dy: Ptr, rows: number, needInputGrad: boolean, mode: ForwardMode): Ptr {
    if (!needInputGrad) return 0;
    const { kernels, arena } = this.backend!;
    const n = rows * this.inputSize;
    if (mode.logits && fusable(this.activation)) return dy;
    if (this.activation.builtin) {
      activationBackward(kernels, this.activation, this.y, dy, this.dx, rows, this.inputSize);
    } else {
      const input = this.hostInput;
      if (!input || input.length !== n) fail(`activation '${this.name}': backward without a matching forward pass`);
      const grad = arena.f32(dy, n).slice() as Float32Array;
      for (let i = 0; i < n; i++) grad[i] *= this.activation.fnPrime(input[i]);
      arena.write(this.dx, grad);
    }
    return this.dx;
  }
}

/** the activations a loss can take over (see fusesOutputActivation) */
const fusable = (a: ActivationFn) => a.builtin && (a.name === 'softmax' || a.name === 'sigmoid');
