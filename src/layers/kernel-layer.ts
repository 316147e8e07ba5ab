import type { Backend } from '../backends/backend.js';
import type { Ptr } from '../backends/kernels.js';
import { resolveBackend } from '../backends/index.js';
import { fail } from '../util/errors.js';
import { Random } from '../util/random.js';
import { initialize, type Initializer } from '../initializers/index.js';
import { Layer } from './layer.js';

/** A trainable array in the arena and its gradient. */
export interface Param {
  /** Keras-style weight name: 'kernel' or 'bias' */
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  readonly value: Ptr;
  readonly grad: Ptr;
}

/** How a forward pass runs. */
export interface ForwardMode {
  /** dropout is active only while training */
  training: boolean;
  /** leave the output layer's softmax or sigmoid to a loss that fuses it (the output is then the logits) */
  logits: boolean;
}

/**
 * A built-in layer: its weights, gradients and activations live in a backend's arena, and its passes are kernel
 * calls on pointers. Weights are created once in `build`, activation buffers in `reserve` (when a larger batch
 * comes); `forward` and `backward` allocate nothing.
 *
 * It is also a tutorial `Layer`: forwardPropagation/backwardPropagation copy through the arena, so a built-in
 * layer can be driven by hand exactly like the tutorial's Python classes.
 */
export abstract class KernelLayer extends Layer {
  backend: Backend | null = null;
  inputSize = 0;
  outputSize = 0;
  /** how many rows the activation buffers hold */
  protected capacity = 0;
  private readonly paramList: Param[] = [];
  private readonly paramBlocks: Ptr[] = [];
  private activationBlocks: Ptr[] = [];
  /** the model (its Engine) this layer was added to; a layer is in one model, once */
  owner: object | null = null;
  /** staging buffers for the tutorial adapters */
  private stageX: Ptr = 0;
  private stageDy: Ptr = 0;

  /** A short name for automatic layer names ('dense', 'dropout', …). */
  abstract readonly kind: string;

  /** The number of inputs this layer insists on, when its constructor fixed it. */
  get declaredInputSize(): number | undefined {
    return undefined;
  }

  /** Create weights for `inputSize` inputs on `backend` and return the output size. Only once per layer. */
  build(backend: Backend, inputSize: number, rng: Random): number {
    if (this.backend) {
      if (this.backend === backend && this.inputSize === inputSize) return this.outputSize;
      fail(`layer '${this.name}' is already built (for ${this.inputSize} inputs on the '${this.backend.name}' backend); a layer belongs to one model`);
    }
    const declared = this.declaredInputSize;
    if (declared !== undefined && declared !== inputSize) {
      fail(`layer '${this.name}' expects ${declared} inputs but receives ${inputSize}; the layer sizes do not chain`, 'shape_mismatch');
    }
    this.backend = backend;
    this.inputSize = inputSize;
    try {
      this.outputSize = this.buildParams(rng);
    } catch (e) {
      // e.g. the arena refused a weight: free what was allocated and stay unbuilt, so a later call fails the same way
      this.dispose();
      throw e;
    }
    return this.outputSize;
  }

  /** The output size for `inputSize` inputs (before building: for planning memory and summaries). */
  abstract outputSizeFor(inputSize: number): number;

  /** The number of trainable values for `inputSize` inputs. */
  paramCountFor(_inputSize: number): number {
    return 0;
  }

  /** Allocate the weights (through `addParam`) and return the output size. */
  protected abstract buildParams(rng: Random): number;

  /** Allocate the activation buffers for `rows` rows (through `allocActivation`). */
  protected abstract allocateActivations(rows: number): void;

  /** Run the layer on `rows` rows at `x`; returns where the output is (valid until the next forward). */
  abstract forward(x: Ptr, rows: number, mode: ForwardMode): Ptr;

  /**
   * Given dE/dY at `dy` for the rows of the last forward, write the weight gradients and return where dE/dX is
   * (0 when `needInputGrad` is false: the first layer's input gradient is never used). With `sgdRate`, apply plain
   * SGD (param −= sgdRate·grad) to this layer's weights right here instead of writing their gradients, with the
   * same result; the caller then does not step an optimizer.
   */
  abstract backward(dy: Ptr, rows: number, needInputGrad: boolean, mode: ForwardMode, sgdRate?: number): Ptr;

  protected addParam(name: string, shape: number[], init: Initializer, rng: Random): Param {
    const backend = this.requireBackend();
    const size = shape.reduce((a, b) => a * b, 1);
    const value = backend.arena.alloc(size);
    this.paramBlocks.push(value);
    const grad = backend.arena.alloc(size);
    this.paramBlocks.push(grad);
    initialize(init, backend, value, shape, rng);
    const param = { name, shape, size, value, grad };
    this.paramList.push(param);
    return param;
  }

  protected allocActivation(count: number): Ptr {
    const ptr = this.requireBackend().arena.alloc(count);
    this.activationBlocks.push(ptr);
    return ptr;
  }

  /** Make sure the activation buffers hold at least `rows` rows. */
  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const arena = this.requireBackend().arena;
    for (const ptr of this.activationBlocks) arena.free(ptr);
    this.activationBlocks = [];
    this.capacity = 0;
    try {
      this.allocateActivations(rows);
    } catch (e) {
      // out of memory part way: hold nothing rather than some blocks, so the next reserve allocates them all again
      for (const ptr of this.activationBlocks) arena.free(ptr);
      this.activationBlocks = [];
      throw e;
    }
    this.capacity = rows;
  }

  params(): readonly Param[] {
    return this.paramList;
  }

  /** Free every block this layer holds; the layer can be built again afterwards. */
  dispose(): void {
    const backend = this.backend;
    if (!backend) return;
    for (const ptr of [...this.paramBlocks, ...this.activationBlocks]) backend.arena.free(ptr);
    for (const ptr of [this.stageX, this.stageDy]) if (ptr) backend.arena.free(ptr);
    this.paramBlocks.length = 0;
    this.paramList.length = 0;
    this.activationBlocks = [];
    this.stageX = this.stageDy = 0;
    this.capacity = 0;
    this.backend = null;
  }

  protected requireBackend(): Backend {
    if (!this.backend) fail(`layer '${this.name}' is not built yet; add it to a model first`);
    return this.backend;
  }

  override getWeights(): Float32Array[] {
    const backend = this.backend;
    if (!backend) fail(`layer '${this.name}' has no weights until it is built (added to a model with a known input size)`);
    return this.paramList.map((p) => backend.arena.read(p.value, p.size));
  }

  override setWeights(weights: Float32Array[]): void {
    const backend = this.requireBackend();
    if (!Array.isArray(weights) || weights.length !== this.paramList.length) {
      fail(`layer '${this.name}' has ${this.paramList.length} weight arrays (${this.paramList.map((p) => p.name).join(', ')}), but ${Array.isArray(weights) ? weights.length : 'no list'} were given`);
    }
    weights.forEach((w, i) => {
      const p = this.paramList[i];
      if (!w || w.length !== p.size) fail(`layer '${this.name}' ${p.name} needs ${p.size} values (shape [${p.shape.join(', ')}]), got ${w ? w.length : w}`, 'shape_mismatch');
      for (let j = 0; j < w.length; j++) {
        if (!Number.isFinite(w[j])) fail(`layer '${this.name}' ${p.name} has ${w[j]} at index ${j}; weights must be finite`);
      }
    });
    weights.forEach((w, i) => backend.arena.write(this.paramList[i].value, w));
  }

  /** Build a layer used on its own (outside a model) on the default backend. */
  protected buildStandalone(inputLength: number): void {
    const size = this.declaredInputSize ?? inputLength;
    this.build(resolveBackend(), size, new Random());
  }

  /**
   * The tutorial's forward pass through the arena. `training` (default true, as the tutorial's fit calls it) switches
   * Dropout on; a Network's predict passes false.
   */
  override forwardPropagation(input: Float32Array, training = true): Float32Array {
    if (!this.backend) this.buildStandalone(input.length);
    const backend = this.requireBackend();
    const rows = input.length / this.inputSize;
    if (!Number.isInteger(rows) || rows < 1) fail(`layer '${this.name}' takes rows of ${this.inputSize} values, got ${input.length}`, 'shape_mismatch');
    this.reserveStaging(rows);
    backend.arena.write(this.stageX, input);
    const y = this.forward(this.stageX, rows, { training, logits: false });
    this.input = Float32Array.from(input);
    this.output = backend.arena.read(y, rows * this.outputSize);
    return this.output;
  }

  override backwardPropagation(outputError: Float32Array, learningRate: number): Float32Array {
    const backend = this.requireBackend();
    const rows = outputError.length / this.outputSize;
    if (!this.input || rows * this.inputSize !== this.input.length) {
      fail(`layer '${this.name}': backwardPropagation needs an output error of the size of the last output (${this.output?.length ?? 'no forward pass yet'}), got ${outputError.length}`);
    }
    backend.arena.write(this.stageDy, outputError);
    const dx = this.backward(this.stageDy, rows, true, { training: true, logits: false });
    for (const p of this.paramList) backend.kernels.sgdStep(p.value, p.grad, p.size, learningRate);
    return backend.arena.read(dx, rows * this.inputSize);
  }

  private reserveStaging(rows: number): void {
    if (rows <= this.capacity && this.stageX) return;
    this.reserve(rows);
    const arena = this.requireBackend().arena;
    if (this.stageX) arena.free(this.stageX);
    if (this.stageDy) arena.free(this.stageDy);
    this.stageX = arena.alloc(this.capacity * this.inputSize);
    this.stageDy = arena.alloc(this.capacity * this.outputSize);
  }
}
