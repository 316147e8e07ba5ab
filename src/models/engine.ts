import type { Backend } from '../backends/backend.js';
import type { Ptr } from '../backends/kernels.js';
import { KernelLayer, type ForwardMode, type Param } from '../layers/kernel-layer.js';
import { fail, givenArrays, warn } from '../util/errors.js';
import { MAX_ARENA_BYTES, outOfMemoryError } from '../backends/backend.js';
import type { Random } from '../util/random.js';
import type { Optimizer } from '../optimizers/index.js';
import { untrackModel, withOtherModels } from './live-models.js';
import { fitsInput, formatShape, sameShape, shapeSize, type Shape } from '../layers/shape.js';

/** What a model's layers make of its input shape, worked out before anything is allocated. */
export interface ModelPlan {
  inputShape: Shape;
  outputShape: Shape;
  /** the total number of weights */
  params: number;
  /** per layer: the shape of one output sample and the number of weights */
  shapes: { output: Shape; params: number }[];
}

const INNER_MODES = {
  training: { training: true, logits: false },
  inference: { training: false, logits: false },
} as const;

/** Training modes for a pair of layers whose relu gradient is fused (Engine.backward): the layer above applies it, the
 *  layer below leaves it out. */
const RELU_FUSED = {
  above: { training: true, logits: false, maskRelu: true },
  below: { training: true, logits: false, reluMasked: true },
} as const;

/** The mode for the layers before the output: the same, but never leaving out their activation (no object per call). */
export function innerMode(mode: ForwardMode): ForwardMode {
  if (!mode.logits) return mode;
  return mode.training ? INNER_MODES.training : INNER_MODES.inference;
}

/** bytes of the widest activation of one default predict/evaluate call (Engine.inferenceRows) */
const INFERENCE_BYTES = 2 ** 21;

/**
 * A stack of built-in layers on one backend: builds them with chained shapes, sizes their activation buffers,
 * and runs forward and backward passes as kernel calls on arena pointers. Both model APIs sit on this.
 * Samples of any shape travel as rows: a batch is [rows, prod(shape)] in the arena (NHWC for images).
 */
export class Engine {
  readonly layers: KernelLayer[] = [];
  /** the shape of one input sample, once built */
  inputShape: Shape = [];
  /** the shape of one output sample, once built */
  outputShape: Shape = [];
  /** values per input sample: prod(inputShape) */
  inputSize = 0;
  /** values per output sample */
  outputSize = 0;
  built = false;
  /** set by dispose(): the weights are gone, and nothing may silently build fresh ones */
  disposed = false;
  /** the optimizer whose slots this model holds (Sequential's compiled one): freed with the model */
  optimizer: Optimizer | null = null;
  /** true while a fit() runs: a second fit, compile or dispose meanwhile would pull the state from under it */
  private fitting = false;
  /** callbacks of the running fit being awaited (Engine.inCallback), and whether noteInference has warned */
  private callbacksRunning = 0;
  private warnedBesideFit = false;
  private capacity = 0;
  /** layers named by nameLayers (not by the user): a user's name given later takes precedence */
  private readonly autoNamed = new WeakSet<KernelLayer>();

  constructor(
    readonly backend: Backend,
    readonly rng: Random,
  ) {}

  /**
   * Append a layer. Layers are built as soon as their input shape is known, as Keras builds a model given an
   * `inputShape`: a built model builds the new layer at once on its output shape (extending it), and an unbuilt one is
   * built whole once its first layer declares an input shape. Activation buffers are still sized at fit/predict.
   * `chain: false`: a Network with a layer of its own, whose shapes the engine cannot chain (see buildOnDeclared).
   */
  add(layer: KernelLayer, { chain = true }: { chain?: boolean } = {}): void {
    this.checkIdle('add()');
    const which = layer.name ? `layer '${layer.name}'` : `this ${layer.kind} layer`;
    if (layer.owner === this)
      fail(`${which} is already in this model; a model needs a new layer object for each position`);
    if (layer.owner)
      fail(`${which} already belongs to another model (its weights live there); create a new layer for this model`);
    const clash = layer.name ? this.layers.find((l) => l.name === layer.name) : undefined;
    if (clash && !this.autoNamed.has(clash)) {
      fail(
        `two layers are named '${layer.name}'; names must be unique in a model (its saved weights are named after them)`,
      );
    }
    const named = [...this.layers, layer].map((l) => l.name);
    if (clash) clash.name = ''; // a name the model gave: the user's name wins, and the other layer is named again
    layer.owner = this;
    this.layers.push(layer);
    this.nameLayers();
    try {
      if (!chain) this.buildOnDeclared(layer);
      else if (this.built) this.extend(layer);
      else if (this.layers[0].declaredInputShape !== undefined) this.build();
    } catch (e) {
      // refused: the model is as it was, and the layer may go into another model
      this.layers.forEach((l, i) => (l.name = named[i]));
      this.layers.pop();
      layer.owner = null;
      throw e;
    }
  }

  /**
   * A Network with a layer of its own (which the engine does not see): the engine's layers do not chain, so a layer is
   * built on the input shape it declares, once every layer before it is built (weights are drawn in layer order).
   */
  private buildOnDeclared(layer: KernelLayer): void {
    this.built = false; // no longer one chain of shapes: the network builds the rest sample by sample
    const declared = layer.declaredInputShape;
    if (declared === undefined || !this.layers.every((l) => l === layer || l.backend)) return;
    this.checkFits(layer.countParams(declared), 0);
    this.guard(() => layer.build(this.backend, declared, this.rng));
  }

  /** Build `layer`, just added to a built model, on the model's output shape: the model grows by one layer. */
  private extend(layer: KernelLayer): void {
    const shape = this.outputShape;
    this.checkChain(this.layers.length - 1, shape);
    this.checkFits(layer.countParams(shape), 0);
    this.guard(() => layer.build(this.backend, shape, this.rng));
    this.outputShape = layer.outputShape;
    this.outputSize = layer.outputSize;
    this.capacity = 0; // the new layer has no activation buffers yet: the next reserve gives them to it
  }

  /**
   * Create every layer's weights. `inputShape` is the data's sample shape (a number: rows of that width), used when
   * the first layer does not declare one; `slotsPerParam` counts the optimizer's arrays per weight, so that a model
   * too large for the arena fails here, before anything is allocated, with the size it needs.
   */
  build(inputShape?: Shape | number, slotsPerParam = 0): void {
    this.checkNotDisposed();
    if (this.built) return;
    const plan = this.plan(inputShape);
    this.checkFits(plan.params, slotsPerParam);
    try {
      let shape = plan.inputShape;
      for (const layer of this.layers) {
        this.guard(() => layer.build(this.backend, shape, this.rng));
        shape = layer.outputShape;
      }
    } catch (e) {
      for (const layer of this.layers) layer.release();
      throw e;
    }
    this.inputShape = plan.inputShape;
    this.inputSize = shapeSize(plan.inputShape);
    this.outputShape = plan.outputShape;
    this.outputSize = shapeSize(plan.outputShape);
    this.built = true;
  }

  /** Fail before allocating, with the size needed, when `params` more weights (+ gradients + optimizer slots) cannot fit. */
  private checkFits(params: number, slotsPerParam: number, gradients = true): void {
    // weights + gradients + optimizer slots, 4 bytes each
    const needed = this.backend.arena.bytesInUse + params * 4 * ((gradients ? 2 : 0) + slotsPerParam);
    if (needed > MAX_ARENA_BYTES) throw this.withOtherModels(outOfMemoryError(needed, MAX_ARENA_BYTES));
  }

  /** Fail before allocating, with the size needed, when an optimizer's slots for the built weights cannot fit. */
  checkSlotsFit(slotsPerParam: number): void {
    this.checkFits(
      this.params().reduce((n, p) => n + p.size, 0),
      slotsPerParam,
      false,
    );
  }

  /**
   * Run `allocate`; an out-of-memory error from it is rethrown saying what the other live models on this backend hold
   * (the arena is shared: a model can fail for what others keep).
   */
  guard<T>(allocate: () => T): T {
    try {
      return allocate();
    } catch (e) {
      throw this.withOtherModels(e);
    }
  }

  private withOtherModels(e: unknown): unknown {
    return withOtherModels(e, this.backend.arena, this);
  }

  /** Check that the shapes chain and count the parameters, without allocating anything. */
  plan(inputShape?: Shape | number): ModelPlan {
    if (this.layers.length === 0) fail('the model has no layers; add() some first');
    this.nameLayers();
    const given = typeof inputShape === 'number' ? [inputShape] : inputShape;
    const first = this.layers[0].declaredInputShape ?? given;
    if (first === undefined) {
      fail(
        `the first layer '${this.layers[0].name}' needs an input shape: give it inputShape: [features] (or [height, width, channels] for images)`,
      );
    }
    let shape = first;
    let params = 0;
    const shapes: { output: Shape; params: number }[] = [];
    this.layers.forEach((layer, i) => {
      if (i > 0) this.checkChain(i, shape);
      const p = layer.countParams(shape);
      shape = layer.computeOutputShape(shape);
      params += p;
      shapes.push({ output: shape, params: p });
    });
    return { inputShape: first, outputShape: shape, params, shapes };
  }

  /** Layer `i` must take `shape`, the output of the layers before it, when it declares an input shape. */
  private checkChain(i: number, shape: Shape): void {
    const layer = this.layers[i];
    const expected = layer.declaredInputShape;
    if (expected === undefined || sameShape(expected, shape)) return;
    const prev = this.layers[i - 1].name;
    fail(
      expected.length === 1 && shape.length === 1
        ? `layer sizes do not chain: '${prev}' outputs ${shape[0]} values but '${layer.name}' expects ${expected[0]} inputs`
        : `layer shapes do not chain: '${prev}' outputs shape ${formatShape(shape)} but '${layer.name}' expects ${formatShape(expected)}`,
      'shape_mismatch',
    );
  }

  /** Keras-style unique names for layers the user did not name: dense, dense_1, dropout, … */
  nameLayers(): void {
    const counts = new Map<string, number>();
    const taken = new Set(this.layers.map((l) => l.name).filter(Boolean));
    for (const layer of this.layers) {
      if (layer.name) continue;
      let name: string;
      do {
        const n = counts.get(layer.kind) ?? 0;
        counts.set(layer.kind, n + 1);
        name = n === 0 ? layer.kind : `${layer.kind}_${n}`;
      } while (taken.has(name));
      taken.add(name);
      layer.name = name;
      this.autoNamed.add(layer);
    }
  }

  /**
   * Rows per call that predict and evaluate take when not told: 256, or fewer when that many rows of the widest
   * activation (a layer's output, or the input) would pass INFERENCE_BYTES, at least 8. Each layer's output is read back
   * by the next kernels (bias, activation, pooling) while it is still in the CPU's cache instead of from memory: on the
   * Keras MNIST convnet (first conv output 86.5 KB per image) predict ran 1.45× faster at 16 rows than at 256.
   */
  inferenceRows(): number {
    const widest = Math.max(this.inputSize, ...this.layers.map((l) => l.outputSize));
    return Math.min(256, Math.max(8, Math.floor(INFERENCE_BYTES / (4 * Math.max(widest, 1)))));
  }

  /** Make every layer's buffers hold `rows` rows (allocates only when `rows` exceeds what they hold). */
  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    try {
      for (const layer of this.layers) this.guard(() => layer.reserve(rows));
    } catch (e) {
      this.capacity = 0; // some layers now hold less than before: check them all next time
      throw e;
    }
    this.capacity = rows;
  }

  /**
   * `mode.logits` reaches the output layer only: a softmax or sigmoid inside the stack always runs. A max pooling
   * whose windows tile the image (`fusedPool`) is done by the layer below in its own kernel where that layer can
   * (`forwardPooled`: Conv2D with relu or no activation): the same bits, without a pass over the conv's output.
   */
  forward(x: Ptr, rows: number, mode: ForwardMode): Ptr {
    let out = x;
    const last = this.layers.length - 1,
      inner = innerMode(mode);
    for (let i = 0; i <= last; i++) {
      const layer = this.layers[i],
        m = i === last ? mode : inner;
      const pool = i < last && layer.forwardPooled ? this.layers[i + 1].fusedPool : undefined;
      const pooled = pool && layer.forwardPooled!(out, rows, m, pool);
      if (pooled) out = this.layers[++i].takePooled(pooled);
      else out = layer.forward(out, rows, m);
    }
    return out;
  }

  /**
   * Backpropagate dE/dY from `dy`, writing every parameter gradient; the first layer's input gradient is skipped.
   * With `sgdRate`, plain SGD is applied layer by layer as the pass goes, instead of an optimizer step after it: a
   * layer with `backwardWithSgd` folds it into its backward pass, any other is stepped right after its backward.
   */
  backward(dy: Ptr, rows: number, mode: ForwardMode, sgdRate?: number): void {
    const k = this.backend.kernels;
    let grad = dy;
    const last = this.layers.length - 1,
      inner = innerMode(mode);
    let masked = false; // the layer above applied this layer's relu gradient
    for (let i = last; i >= 0; i--) {
      const layer = this.layers[i];
      // A max pooling over a relu's output applies that relu's gradient as it routes its own (one pass over the
      // activations, not two): the same bits, as the kernel's tests show.
      const fuse = i > 0 && i < last && mode.training && layer.masksRelu && this.layers[i - 1].endsInRelu;
      const m = masked ? RELU_FUSED.below : fuse ? RELU_FUSED.above : i === last ? mode : inner;
      masked = fuse;
      if (sgdRate === undefined) {
        grad = layer.backward(grad, rows, i > 0, m);
      } else if (layer.backwardWithSgd) {
        grad = layer.backwardWithSgd(grad, rows, i > 0, m, sgdRate);
      } else {
        grad = layer.backward(grad, rows, i > 0, m);
        for (const p of layer.params()) k.sgdStep(p.value, p.grad, p.size, sgdRate);
      }
    }
  }

  params(): Param[] {
    return this.layers.flatMap((l) => [...l.params()]);
  }

  /** The activation of the output layer, when it is a built-in one (for fusing it with a cross-entropy). */
  outputActivation(): string | undefined {
    const last = this.layers[this.layers.length - 1] as KernelLayer & {
      activation?: { name: string; builtin: boolean };
    };
    // a user's own function may be called 'sigmoid' too: only the built-in one may be left to the loss
    return last?.activation?.builtin ? last.activation.name : undefined;
  }

  getWeights(): Float32Array[] {
    this.checkNotDisposed();
    if (!this.built) fail('the model has no weights until it is built (fit it, or give the first layer an input size)');
    return this.layers.flatMap((l) => l.getWeights());
  }

  /**
   * setWeights may run from a fit's callbacks, as Keras's (earlyStopping restores the best weights so); from outside,
   * it would swap the weights under a fit that was not awaited, between two of its batches.
   */
  checkWeightsSettable(): void {
    this.checkNotDisposed();
    if (this.fitting && this.callbacksRunning === 0)
      fail(
        'setWeights() while fit() is running on this model: await that fit first, or set the weights from one of its ' +
          'callbacks',
      );
  }

  setWeights(weights: Float32Array[]): void {
    this.checkWeightsSettable();
    if (!this.built) fail('the model has no weights until it is built (fit it, or give the first layer an input size)');
    const counts = this.layers.map((l) => l.params().length);
    const total = counts.reduce((a, b) => a + b, 0);
    if (!Array.isArray(weights) || weights.length !== total) {
      fail(
        `the model has ${total} weight arrays (a kernel and a bias per dense layer), but ${givenArrays(weights)}`,
        'shape_mismatch',
      );
    }
    // Check all before writing any, so a bad list changes nothing.
    let at = 0;
    const slices = counts.map((c) => weights.slice(at, (at += c)));
    this.layers.forEach((l, i) =>
      l.params().forEach((p, j) => {
        const w = slices[i][j];
        if (!w || w.length !== p.size)
          fail(
            `layer '${l.name}' ${p.name} needs ${p.size} values (shape [${p.shape.join(', ')}]), got ${w ? w.length : w}`,
            'shape_mismatch',
          );
        for (let q = 0; q < w.length; q++)
          if (!Number.isFinite(w[q]))
            fail(`layer '${l.name}' ${p.name} has ${w[q]} at index ${q}; weights must be finite`);
      }),
    );
    this.layers.forEach((l, i) => l.setWeights(slices[i]));
  }

  /** Samples of `shape` must fit the model's input shape (see fitsInput); the error names both shapes. */
  checkInputShape(shape: Shape, what: string, samples?: number): void {
    const model = this.inputShape;
    if (fitsInput(shape, model)) return;
    const hint = inputShapeHint(shape, model, samples);
    if (shape.length === 1 && model.length === 1)
      fail(
        `${what} has ${shape[0]} features per sample but the model's input size is ${model[0]}${hint}`,
        'shape_mismatch',
      );
    fail(
      `${what} has samples of shape ${formatShape(shape)} (${shapeSize(shape)} values) but the model's input shape is ${formatShape(model)} (${shapeSize(model)} values)${hint}`,
      'shape_mismatch',
    );
  }

  /**
   * After an epoch: a finite loss can still end in non-finite weights (the last step of an epoch is never followed by
   * a loss), so training stops here with the layer named. `hint` says what else to check.
   */
  failIfDiverged(epoch: number, hint = 'check the data'): void {
    const where = this.firstNonFiniteLayer();
    if (where)
      fail(
        `training diverged: after epoch ${epoch} layer ${where} holds non-finite values. Lower the learning rate or ${hint}.`,
        'diverged',
      );
  }

  /** The first layer whose weights or gradients are not all finite, for error messages. */
  firstNonFiniteLayer(): string | undefined {
    const k = this.backend.kernels;
    for (const layer of this.layers) {
      for (const p of layer.params()) {
        if (!k.allFinite(p.grad, p.size)) return `${layer.name} (${p.name} gradient)`;
        if (!k.allFinite(p.value, p.size)) return `${layer.name} (${p.name})`;
      }
    }
    return undefined;
  }

  /**
   * The first layer whose output for the `rows` samples at `x` is not all finite, or undefined: the forward pass run
   * again in inference mode, for the error of a fit whose loss became non-finite while every weight was finite.
   */
  firstNonFiniteOutput(x: Ptr, rows: number): string | undefined {
    const k = this.backend.kernels;
    let out = x;
    for (const layer of this.layers) {
      out = layer.forward(out, rows, INNER_MODES.inference);
      if (!k.allFinite(out, rows * layer.outputSize)) return layer.name;
    }
    return undefined;
  }

  /** Free the model's memory once (a second call does nothing); refused while a fit runs. */
  disposeModel(): void {
    if (this.disposed) return;
    this.checkIdle('dispose()');
    this.dispose();
    untrackModel(this);
  }

  /** bytes of arena memory the model holds: weights, gradients, activation buffers, optimizer slots */
  bytesHeld(): number {
    const arena = this.backend.arena;
    return this.layers.reduce((sum, l) => sum + l.bytesHeld(arena), 0) + (this.optimizer?.bytesHeld?.() ?? 0);
  }

  /** Free every block of the model (also called for a model that was garbage-collected: see live-models.ts). */
  dispose(): void {
    if (this.disposed) return;
    this.optimizer?.dispose();
    this.optimizer = null;
    for (const layer of this.layers) {
      layer.release();
      layer.owner = null; // its weights are freed: the layer object may go into a new model
    }
    this.capacity = 0;
    this.built = false;
    this.disposed = true;
  }

  /** Run a fit, refusing another fit (or compile, or dispose) on this model until it has ended. */
  async exclusiveFit<T>(fit: () => Promise<T>): Promise<T> {
    this.checkIdle('fit()');
    this.fitting = true;
    try {
      return await fit();
    } finally {
      this.fitting = false;
    }
  }

  /** Run one of the running fit's callbacks: a predict or evaluate inside it is the user's own, as in Keras. */
  async inCallback<T>(callback: () => T | Promise<T>): Promise<T> {
    this.callbacksRunning++;
    try {
      return await callback();
    } finally {
      this.callbacksRunning--;
    }
  }

  /**
   * Warn once per model when `what` (predict, evaluate) runs while a fit on this model has not ended, outside its
   * callbacks: most often a fit that was not awaited, whose model is then still untrained. It runs all the same (a
   * page may show predictions as it trains) on the weights as they are.
   */
  noteInference(what: string): void {
    if (!this.fitting || this.callbacksRunning > 0 || this.warnedBesideFit) return;
    this.warnedBesideFit = true;
    warn(
      `${what} while fit() is still running on this model (was the fit awaited?): ` +
        'it uses the weights as they are now, part way through training',
    );
  }

  checkIdle(what: string): void {
    this.checkNotDisposed();
    if (this.fitting)
      fail(
        `${what} while fit() is running on this model: await that fit first (to end it early: set model.stopTraining = true)`,
      );
  }

  checkNotDisposed(): void {
    if (this.disposed)
      fail(
        'the model was disposed: its weights and buffers are freed. Create a new model, or loadModel() a saved one',
        'disposed',
      );
  }
}

/**
 * What likely went wrong when samples of `shape` do not fit a model taking `model`: one sample given without its
 * batch axis (its first axis was read as the samples), or samples that lack an axis of size 1 (images [h, w] for a
 * model of [h, w, 1]). Other layouts of the right size get no hint: a reshape would scramble them.
 */
function inputShapeHint(shape: Shape, model: Shape, samples: number | undefined): string {
  const size = shapeSize(model);
  if (samples !== undefined && samples > 1 && samples * shapeSize(shape) === size)
    return (
      `. Its ${size} values are one sample's: the first axis is read as the samples, so give one sample as a batch ` +
      `of one, shape ${formatShape([1, ...model])}`
    );
  const withoutOnes = (s: Shape) => s.filter((d) => d !== 1).join(',');
  if (withoutOnes(shape) === withoutOnes(model))
    return `. Only axes of size 1 differ: give the data the shape [samples, ${model.join(', ')}]`;
  return '';
}
