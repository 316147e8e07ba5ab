import type { Backend } from '../backends/backend.js';
import type { Ptr } from '../backends/kernels.js';
import { KernelLayer, type ForwardMode, type Param } from '../layers/kernel-layer.js';
import { fail } from '../util/errors.js';
import { MAX_ARENA_BYTES, outOfMemoryError } from '../backends/backend.js';
import type { Random } from '../util/random.js';
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
  /** true while a fit() runs: a second fit, compile or dispose meanwhile would pull the state from under it */
  private fitting = false;
  private capacity = 0;

  constructor(
    readonly backend: Backend,
    readonly rng: Random,
  ) {}

  add(layer: KernelLayer): void {
    this.checkNotDisposed();
    if (this.built) fail('layers cannot be added after the model is built');
    const which = layer.name ? `layer '${layer.name}'` : `this ${layer.kind} layer`;
    if (layer.owner === this)
      fail(`${which} is already in this model; a model needs a new layer object for each position`);
    if (layer.owner)
      fail(`${which} already belongs to another model (its weights live there); create a new layer for this model`);
    if (layer.name && this.layers.some((l) => l.name === layer.name)) {
      fail(
        `two layers are named '${layer.name}'; names must be unique in a model (its saved weights are named after them)`,
      );
    }
    layer.owner = this;
    this.layers.push(layer);
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
    // weights + gradients + optimizer slots, 4 bytes each
    const needed = this.backend.arena.bytesInUse + plan.params * 4 * (2 + slotsPerParam);
    if (needed > MAX_ARENA_BYTES) throw outOfMemoryError(needed, MAX_ARENA_BYTES);
    try {
      let shape = plan.inputShape;
      for (const layer of this.layers) {
        layer.build(this.backend, shape, this.rng);
        shape = layer.outputShape;
      }
    } catch (e) {
      for (const layer of this.layers) layer.dispose();
      throw e;
    }
    this.inputShape = plan.inputShape;
    this.inputSize = shapeSize(plan.inputShape);
    this.outputShape = plan.outputShape;
    this.outputSize = shapeSize(plan.outputShape);
    this.built = true;
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
      const expected = layer.declaredInputShape;
      if (i > 0 && expected !== undefined && !sameShape(expected, shape)) {
        const prev = this.layers[i - 1].name;
        fail(
          expected.length === 1 && shape.length === 1
            ? `layer sizes do not chain: '${prev}' outputs ${shape[0]} values but '${layer.name}' expects ${expected[0]} inputs`
            : `layer shapes do not chain: '${prev}' outputs shape ${formatShape(shape)} but '${layer.name}' expects ${formatShape(expected)}`,
          'shape_mismatch',
        );
      }
      const p = layer.countParams(shape);
      shape = layer.computeOutputShape(shape);
      params += p;
      shapes.push({ output: shape, params: p });
    });
    return { inputShape: first, outputShape: shape, params, shapes };
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
      for (const layer of this.layers) layer.reserve(rows);
    } catch (e) {
      this.capacity = 0; // some layers now hold less than before: check them all next time
      throw e;
    }
    this.capacity = rows;
  }

  /** `mode.logits` reaches the output layer only: a softmax or sigmoid inside the stack always runs. */
  forward(x: Ptr, rows: number, mode: ForwardMode): Ptr {
    let out = x;
    const last = this.layers.length - 1,
      inner = innerMode(mode);
    for (let i = 0; i <= last; i++) out = this.layers[i].forward(out, rows, i === last ? mode : inner);
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
    for (let i = last; i >= 0; i--) {
      const layer = this.layers[i],
        m = i === last ? mode : inner;
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

  setWeights(weights: Float32Array[]): void {
    this.checkNotDisposed();
    if (!this.built) fail('the model has no weights until it is built (fit it, or give the first layer an input size)');
    const counts = this.layers.map((l) => l.params().length);
    const total = counts.reduce((a, b) => a + b, 0);
    if (!Array.isArray(weights) || weights.length !== total) {
      fail(
        `the model has ${total} weight arrays (a kernel and a bias per dense layer), but ${Array.isArray(weights) ? weights.length : 'no list'} were given`,
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
  checkInputShape(shape: Shape, what: string): void {
    const model = this.inputShape;
    if (fitsInput(shape, model)) return;
    if (shape.length === 1 && model.length === 1)
      fail(`${what} has ${shape[0]} features per sample but the model's input size is ${model[0]}`, 'shape_mismatch');
    fail(
      `${what} has samples of shape ${formatShape(shape)} (${shapeSize(shape)} values) but the model's input shape is ${formatShape(model)} (${shapeSize(model)} values)`,
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

  /** Free the model's memory once (a second call does nothing); refused while a fit runs. */
  disposeModel(freeOwn: () => void = () => {}): void {
    if (this.disposed) return;
    this.checkIdle('dispose()');
    freeOwn();
    this.dispose();
  }

  dispose(): void {
    for (const layer of this.layers) {
      layer.dispose();
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
