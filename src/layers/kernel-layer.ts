import type { Arena, Backend } from '../backends/backend.js';
import type { Ptr } from '../backends/kernels.js';
import { resolveBackend } from '../backends/index.js';
import { fail, givenArrays, shown } from '../util/errors.js';
import { Random } from '../util/random.js';
import { initialize, type Initializer } from '../initializers/index.js';
import { inputShapeEntry, kerasSnakeCase, type LayerConfig } from './config.js';
import { Layer } from './layer.js';
import { checkShape, fitsInput, formatShape, sameShape, shapeSize, type Shape } from './shape.js';

/** A trainable array in the arena and its gradient. */
export interface Param {
  /** Keras-style weight name: 'kernel' or 'bias' */
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  readonly value: Ptr;
  readonly grad: Ptr;
}

/** A weight array a layer creates: its Keras name and shape. */
export interface ParamShape {
  readonly name: string;
  readonly shape: readonly number[];
}

/** One layer as a model.json's topology lists it. */
export interface KerasLayerJson {
  class_name: string;
  config: LayerConfig;
}

/**
 * The class name a layer class registered itself under (its static `className`: 'Dense', 'Flatten'), or the
 * JavaScript name of a class that did not (a user's subclass). Only an OWN static counts: a subclass of Dense
 * inherits Dense's static but is not a Dense. The bundle is minified (Dense.name is 'j' there), hence the statics.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- callers pass this.constructor, which TypeScript types as Function
export function ownClassName(ctor: Function): string {
  return Object.prototype.hasOwnProperty.call(ctor, 'className')
    ? (ctor as unknown as { className: string }).className
    : ctor.name;
}

/** How a forward pass runs. */
export interface ForwardMode {
  /** dropout is active only while training */
  training: boolean;
  /** leave out this (output) layer's activation: set by the engine where `fusedActivation` (src/losses/output-activation.ts)
   *  says the loss takes it over; the layer's output is then the logits */
  logits: boolean;
  /** backward only, set by the engine on a layer whose `masksRelu` is true when the layer below ends in a relu
   *  (`endsInRelu`): the input gradient it returns must carry that relu's gradient too */
  maskRelu?: boolean;
  /** backward only, set by the engine on that layer below: dy already carries its relu's gradient */
  reluMasked?: boolean;
}

/** A max pooling that the layer below may do in its own forward kernel (KernelLayer.fusedPool): its output buffer and
 *  windows (strides the same as the windows, no padding) */
export interface FusedPool {
  y: Ptr;
  poolH: number;
  poolW: number;
}

/**
 * A built-in layer: its weights, gradients and activations live in a backend's arena, and its passes are kernel
 * calls on pointers. Weights are created once in `build`, activation buffers in `reserve` (when a larger batch
 * comes); `forward` and `backward` allocate nothing.
 *
 * It is also a tutorial `Layer`: forwardPropagation/backwardPropagation copy through the arena, so a built-in
 * layer can be driven by hand exactly like the tutorial's Python classes.
 *
 * Shapes: a layer knows its sample `inputShape` and `outputShape` ([features], or [h, w, c] for images, channels-last)
 * and says what it makes of an input shape in `computeOutputShape` — before anything is built, so that a model checks
 * that its layers chain, counts its parameters and prints its summary without allocating. The kernels see only rows:
 * a batch of any shape is [rows, prod(shape)] in the arena, each sample contiguous in NHWC order.
 *
 * Config: every built-in layer class has a static `className` (its Keras class name), a static `fromConfig(config)`
 * and `getConfig()`, and one line in registry.ts; saving, loading, worker specs, summaries and checkGradients find
 * layers there (see docs/adding-a-layer.md).
 */
export abstract class KernelLayer extends Layer {
  backend: Backend | null = null;
  /** the shape of one input sample, once built */
  inputShape: number[] = [];
  /** the shape of one output sample, once built */
  outputShape: number[] = [];
  /** values per input sample: prod(inputShape) */
  inputSize = 0;
  /** values per output sample: prod(outputShape) */
  outputSize = 0;
  /**
   * false: build fills the weights with zeros instead of drawing them (loading sets it: the saved weights replace
   * them right after, and the model's generator is left untouched).
   */
  initializeWeights = true;
  private declared: number[] | undefined;
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

  /** A short name for automatic layer names: Keras's snake_case of the class name ('dense', 'conv2d', 'fc_layer'). */
  readonly kind: string;

  constructor(name?: string) {
    super(name);
    this.kind = kerasSnakeCase(ownClassName(this.constructor));
  }

  /**
   * Always true: every layer trains. Keras's `layer.trainable = false` (freezing a layer) is not supported, and
   * setting it says so rather than being ignored.
   */
  get trainable(): boolean {
    return true;
  }
  set trainable(value: boolean) {
    if (value !== true)
      fail(
        `${this.name ? `layer '${this.name}'` : `a ${this.kind} layer`}: trainable = ${shown(value)} (freezing a ` +
          `layer) is not supported; every layer of a model trains`,
      );
  }

  /** The sample shape this layer insists on (Keras's `inputShape`), when its constructor was given one. */
  get declaredInputShape(): Shape | undefined {
    return this.declared;
  }

  /** prod(declaredInputShape): the number of inputs this layer insists on, when it declares a shape. */
  get declaredInputSize(): number | undefined {
    return this.declared && shapeSize(this.declared);
  }

  /** For constructors: record the `inputShape` option (checked; undefined leaves it undeclared). */
  protected declareInputShape(shape: unknown, who: string): void {
    if (shape !== undefined) this.declared = checkShape(shape, `${who} inputShape`);
  }

  /**
   * Create weights for inputs of `inputShape` (a number: flat rows of that width) on `backend` and return the output
   * size. Only once per layer.
   */
  build(backend: Backend, inputShape: Shape | number, rng: Random): number {
    let shape: Shape = typeof inputShape === 'number' ? [inputShape] : inputShape;
    const declared = this.declared;
    if (declared) {
      if (!fitsInput(shape, declared)) {
        fail(
          `layer '${this.name}' expects inputs of shape ${formatShape(declared)} but receives ${formatShape(shape)}; the layer shapes do not chain`,
        );
      }
      shape = declared;
    }
    if (this.backend) {
      if (this.backend === backend && sameShape(this.inputShape, shape)) return this.outputSize;
      fail(
        `layer '${this.name}' is already built (for inputs of shape ${formatShape(this.inputShape)} on the '${this.backend.name}' backend); a layer belongs to one model`,
        'shape_mismatch',
      );
    }
    const outputShape = this.computeOutputShape(shape); // refuses an input it cannot take, before allocating
    this.backend = backend;
    this.inputShape = [...shape];
    this.inputSize = shapeSize(shape);
    this.outputShape = [...outputShape];
    this.outputSize = shapeSize(outputShape);
    try {
      this.buildParams(rng);
      this.checkParamShapes();
    } catch (e) {
      // e.g. the arena refused a weight: free what was allocated and stay unbuilt, so a later call fails the same way
      this.release();
      throw e;
    }
    return this.outputSize;
  }

  /**
   * The shape of one output sample for inputs of `inputShape` (Keras's compute_output_shape). Fails, naming the
   * layer and both shapes, for an input the layer cannot take. Pure: called before building, for planning.
   */
  abstract computeOutputShape(inputShape: Shape): Shape;

  /** The weight arrays this layer creates for inputs of `inputShape`, in Keras order (kernel, then bias). */
  paramShapes(_inputShape: Shape): ParamShape[] {
    return [];
  }

  /** The number of trainable values for inputs of `inputShape`. */
  countParams(inputShape: Shape): number {
    return this.paramShapes(inputShape).reduce((n, p) => n + shapeSize(p.shape), 0);
  }

  /** buildParams must create what paramShapes lists (loading, parameter counts and optimizer state read that list). */
  private checkParamShapes(): void {
    const listed = this.paramShapes(this.inputShape)
      .map((p) => `${p.name} ${formatShape(p.shape)}`)
      .join(', ');
    const built = this.paramList.map((p) => `${p.name} ${formatShape(p.shape)}`).join(', ');
    if (listed !== built)
      fail(`layer '${this.name}': buildParams created [${built}] but paramShapes lists [${listed}]; they must agree`);
  }

  /** Allocate the weights (through `addParam`); `inputShape` and `outputShape` are set. */
  protected abstract buildParams(rng: Random): void;

  /**
   * The Keras config of this layer (snake_case keys, as a model.json holds it), which the class's static
   * `fromConfig` turns back into an equal layer. Values a file cannot hold (a custom activation, an initializer
   * function) appear as the objects themselves: `fromConfig` takes them, saving refuses them.
   */
  getConfig(): LayerConfig {
    return { name: this.name, ...inputShapeEntry(this.declared) };
  }

  /** The layers a model.json lists for this one, saved under the Keras class `className` (most layers: one). */
  toKeras(className: string): KerasLayerJson[] {
    return [{ class_name: className, config: this.getConfig() }];
  }

  /**
   * Loading: whether this layer takes over `next`, the layer after it in a file, because `toKeras` wrote the two for
   * this one (a Dense with leaky_relu is saved as a linear Dense and a LeakyReLU named `<dense>_leaky_re_lu`).
   */
  absorb(_next: KernelLayer, _savedName: string): boolean {
    return false;
  }

  /** Loading a file that declares no input shape: the input shape these saved weights imply, if they do. */
  inferInputShape(_weights: ReadonlyMap<string, readonly number[]>): Shape | undefined {
    return undefined;
  }

  /** Allocate the activation buffers for `rows` rows (through `allocActivation`). */
  protected abstract allocateActivations(rows: number): void;

  /** Run the layer on `rows` rows at `x`; returns where the output is (valid until the next forward). */
  abstract forward(x: Ptr, rows: number, mode: ForwardMode): Ptr;

  /**
   * Given dE/dY at `dy` for the rows of the last forward, write every parameter's gradient (`param.grad`) and return
   * where dE/dX is (0 when `needInputGrad` is false: the first layer's input gradient is never used). Updates are the
   * optimizer's: a layer never changes its weights here.
   */
  abstract backward(dy: Ptr, rows: number, needInputGrad: boolean, mode: ForwardMode): Ptr;

  /**
   * Optional, for speed: `backward` with plain SGD folded in (param −= lr·grad), with the same bits as `backward`
   * followed by `sgdStep` on every parameter. The train loop asks for it on one-row batches under plain SGD (the
   * tutorial's per-sample training), where it may skip writing gradients. A layer without it is trained just the same:
   * the engine runs `backward`, then steps the layer's parameters.
   */
  backwardWithSgd?(dy: Ptr, rows: number, needInputGrad: boolean, mode: ForwardMode, lr: number): Ptr;

  /** Whether `backward` can apply the relu gradient of the layer below to the input gradient it returns, in its own
   *  pass (`mode.maskRelu`): MaxPooling2D, whose input gradient is zero but where the forward chose. */
  get masksRelu(): boolean {
    return false;
  }

  /** Whether this layer's output is a relu's whose gradient `backward` can leave to the layer above (`mode.reluMasked`) */
  get endsInRelu(): boolean {
    return false;
  }

  /** The pooling this layer does, when the layer below may do it inside its forward kernel (then the engine calls
   *  that layer's `forwardPooled` and this layer's `takePooled`, and not this `forward`): MaxPooling2D whose windows
   *  tile the image. */
  get fusedPool(): FusedPool | undefined {
    return undefined;
  }

  /** Optional: `forward` that also writes the layer above's pooling (`fusedPool`), the same bits as that layer's own
   *  forward after this one; undefined where this layer cannot (Conv2D with an activation other than relu or none,
   *  or a subclass of Conv2D, whose own forward then runs). */
  forwardPooled?(x: Ptr, rows: number, mode: ForwardMode, pool: FusedPool): Ptr | undefined;

  /** After the layer below wrote this layer's output in its `forwardPooled`: take `x` as the forward's input (for
   *  backward) and return the output. */
  takePooled(x: Ptr): Ptr {
    void x;
    return fail(`${this.kind} has no pooling to fuse`, 'internal');
  }

  protected addParam(name: string, shape: number[], init: Initializer, rng: Random): Param {
    const backend = this.requireBackend();
    const size = shape.reduce((a, b) => a * b, 1);
    const value = backend.arena.alloc(size);
    this.paramBlocks.push(value);
    const grad = backend.arena.alloc(size);
    this.paramBlocks.push(grad);
    if (this.initializeWeights) initialize(init, backend, value, shape, rng);
    else backend.arena.f32(value, size).fill(0);
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

  /** bytes of `arena` this layer holds: weights, gradients, activation buffers, the tutorial adapters' staging */
  bytesHeld(arena: Arena): number {
    let bytes = 0;
    for (const ptr of [...this.paramBlocks, ...this.activationBlocks, this.stageX, this.stageDy])
      bytes += arena.blockBytes(ptr);
    return bytes;
  }

  /**
   * Free the weights of a layer used on its own (the tutorial's `forwardPropagation` outside a network). A layer in a
   * model is freed with it, by `model.dispose()`: here that is refused, as freeing one layer would leave the model
   * without its weights.
   */
  dispose(): void {
    if (this.owner)
      fail(
        `layer '${this.name}' belongs to a model; dispose the model (model.dispose()), which frees every layer's ` +
          `weights: freeing one layer would leave the model without them`,
      );
    this.release();
  }

  /** Free every block this layer holds (its model does this as it is disposed); the layer can be built again. */
  release(): void {
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
    if (!backend)
      fail(
        `layer '${this.name || this.kind}' has no weights until it is built (added to a model with a known input size)`,
      );
    return this.paramList.map((p) => backend.arena.read(p.value, p.size));
  }

  override setWeights(weights: Float32Array[]): void {
    const backend = this.requireBackend();
    if (!Array.isArray(weights) || weights.length !== this.paramList.length) {
      fail(
        `layer '${this.name}' has ${this.paramList.length} weight arrays (${this.paramList.map((p) => p.name).join(', ')}), but ${givenArrays(weights)}`,
        'shape_mismatch',
      );
    }
    weights.forEach((w, i) => {
      const p = this.paramList[i];
      if (!w || w.length !== p.size)
        fail(
          `layer '${this.name}' ${p.name} needs ${p.size} values (shape [${p.shape.join(', ')}]), got ${w ? w.length : w}`,
          'shape_mismatch',
        );
      for (let j = 0; j < w.length; j++) {
        if (!Number.isFinite(w[j]))
          fail(`layer '${this.name}' ${p.name} has ${w[j]} at index ${j}; weights must be finite`);
      }
    });
    weights.forEach((w, i) => backend.arena.write(this.paramList[i].value, w));
  }

  /** Build a layer used on its own (outside a model) on the default backend. */
  protected buildStandalone(inputLength: number): void {
    this.build(resolveBackend(), this.declared ?? [inputLength], new Random());
  }

  /**
   * The tutorial's forward pass through the arena. `training` (default true, as the tutorial's fit calls it) switches
   * Dropout on; a Network's predict passes false.
   */
  override forwardPropagation(input: Float32Array, training = true): Float32Array {
    if (!this.backend) this.buildStandalone(input.length);
    const backend = this.requireBackend();
    const rows = input.length / this.inputSize;
    if (!Number.isInteger(rows) || rows < 1)
      fail(`layer '${this.name}' takes rows of ${this.inputSize} values, got ${input.length}`, 'shape_mismatch');
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
      fail(
        `layer '${this.name}': backwardPropagation needs an output error of the size of the last output (${this.output?.length ?? 'no forward pass yet'}), got ${outputError.length}`,
      );
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
