import type { Backend, BackendName } from '../backends/backend.js';
import { resolveBackend } from '../backends/index.js';
import { checkFinite, fromMatrix, toMatrix, type DataInput } from '../data/inputs.js';
import { checkProbabilityTargets } from '../data/targets.js';
import type { Matrix } from '../data/matrix.js';
import { KernelLayer } from '../layers/kernel-layer.js';
import { Layer } from '../layers/layer.js';
import { checkBuildShape, shapeSize, type Shape } from '../layers/shape.js';
import { getLoss, type Loss, type LossInput } from '../losses/index.js';
import { outputMismatch } from '../losses/output-activation.js';
import { SGD } from '../optimizers/index.js';
import { fail, givenArrays, shown, warn } from '../util/errors.js';
import { Random } from '../util/random.js';
import { Engine } from './engine.js';
import { trackModel } from './live-models.js';
import { predictLoop } from './evaluate-loop.js';
import { fitLoop, silentReporter } from './fit-loop.js';
import { nextTurn } from './turns.js';
import { checkEpochsAndBatchSize, checkOutputsFinite, checkShuffle } from './checks.js';
import { defaultVerbose } from './progress.js';
import { checkOptions } from '../util/options.js';
import { readArtifacts } from '../io/from-artifacts.js';
import { tutorialLayers } from '../io/layers-from-plan.js';
import { readSource, writeTarget, type ModelSource, type SaveTarget } from '../io/source.js';
import { toArtifacts } from '../io/to-artifacts.js';
import type { SaveOptions, SaveResult } from '../io/types.js';

/** Options of `new Network(options)`. */
export interface NetworkOptions {
  /** seed for weight initialisation and shuffling; the same seed gives the same network, and without one each network
   *  draws a fresh random seed */
  seed?: number;
  /** 'wasm' or 'js', or a backend object such as `createRelaxedWasmBackend()` from 'scratchnet/relaxed';
   *  default: the active backend (see setBackend) */
  backend?: BackendName | Backend;
}

/** Options of the tutorial `Network.fit(x, y, options)`. */
export interface NetworkFitOptions {
  epochs: number;
  learningRate: number;
  /** 1 (default) trains sample by sample as the tutorial does; larger values average gradients over mini-batches */
  batchSize?: number;
  /** shuffle the samples every epoch (default false, as in the tutorial) */
  shuffle?: boolean;
  /** print `epoch 1/1000   error=0.264831` lines (default: true in Node, false in browsers) */
  verbose?: boolean;
  /** called after every epoch with the 1-based epoch number and the mean error over the samples */
  onEpochEnd?: (info: { epoch: number; error: number }) => void | Promise<void>;
}

/**
 * The tutorial's network: `add` layers, `use` a loss, `fit` with a learning rate, `predict`.
 * Built-in layers run as kernels on a WebAssembly (or JS) arena; a network that contains a layer of your own
 * (a `Layer` subclass) runs every layer through forwardPropagation/backwardPropagation, sample by sample, exactly
 * as the tutorial's Python does.
 */
export class Network {
  readonly layers: Layer[] = [];
  private loss: Loss | null = null;
  /** whether fit has warned about an output activation that does not fit the loss, since the last use() */
  private warned = false;
  private readonly rng: Random;
  private readonly engine: Engine;
  /** set to true (e.g. from onEpochEnd) to stop fit after the current sample or batch, as Sequential's stopTraining */
  stopTraining = false;

  constructor(options: NetworkOptions = {}) {
    checkOptions(options, 'new Network(options): options', ['seed', 'backend']);
    this.rng = new Random(options.seed);
    this.engine = new Engine(resolveBackend(options.backend), this.rng);
    trackModel(this, this.engine);
  }

  /** the backend this network computes on */
  get backend(): Backend['name'] {
    return this.engine.backend.name;
  }

  /**
   * Add a layer to the end of the network. A built-in layer is named at once (fc_layer, fc_layer_1, …, unless given a
   * name) and built as soon as its input size is known, as the tutorial's FCLayer(inputSize, outputSize) makes its
   * weights in its constructor: an FCLayer at once (once the layers before it are built), an ActivationLayer after
   * a built layer. Layers whose input size is not known yet are built by `build(inputShape)` or the first fit/predict.
   */
  add(layer: Layer): this {
    if (!(layer instanceof Layer))
      fail(`add() takes a Layer (FCLayer, ActivationLayer, or a subclass of Layer), got ${describe(layer)}`);
    this.engine.checkIdle('add()');
    // A layer of your own hides the shapes from the engine: from then on built-in layers build on their declared size.
    if (layer instanceof KernelLayer) this.engine.add(layer, { chain: this.onArena }); // may refuse it: before it joins this.layers
    this.layers.push(layer);
    return this;
  }

  /**
   * Build every layer's weights now for samples of `inputShape` ([features], or [height, width, channels]; Keras's
   * `[null, features]` with the batch dimension is taken too), as Keras's `model.build`: what the first fit or predict would otherwise do. Layers given their input
   * size (FCLayer) are built when added; this builds the rest. A network with a layer of your own is built by passing
   * one sample of zeros through it in inference mode, as a first predict would.
   */
  build(inputShape: readonly (number | null)[] | number): void {
    this.requireLayers('build');
    const shape = checkBuildShape(inputShape, 'build(inputShape): inputShape');
    if (this.onArena) {
      this.engine.build(shape);
      this.engine.checkInputShape(shape, 'build(inputShape): inputShape');
    } else {
      this.forwardSample(new Float32Array(shapeSize(shape)), shape, false);
    }
  }

  /** Set the loss: a name ('mse', …), an entry of `losses`, or the tutorial's (loss, lossPrime) pair of functions. */
  use(
    loss: LossInput | ((yTrue: Float32Array, yPred: Float32Array) => number),
    lossPrime?: (yTrue: Float32Array, yPred: Float32Array) => Float32Array,
  ): this {
    if (typeof loss === 'function' && typeof lossPrime !== 'function')
      fail('use(loss, lossPrime): a custom loss needs its derivative too');
    this.loss = getLoss(loss, lossPrime);
    this.warned = false;
    if (this.loss.sparse)
      fail(`the tutorial Network takes targets as rows of values; for '${this.loss.name}' use Sequential`);
    return this;
  }

  /** Warn (once per use()) about an output activation that does not fit the loss, as Sequential's compile does. */
  private warnOnce(loss: Loss): void {
    if (this.warned) return;
    this.warned = true;
    const message = outputMismatch(loss, this.engine.outputActivation(), this.engine.outputSize, 'tutorial');
    if (message) warn(message);
  }

  /** True when every layer is built in, so the whole network runs as kernels on the arena. */
  private get onArena(): boolean {
    return this.layers.every((l) => l instanceof KernelLayer);
  }

  /** Train. Also accepts the tutorial's positional form: fit(x, y, epochs, learningRate). Returns the epoch errors. */
  fit(x: DataInput, y: DataInput, options: NetworkFitOptions | number, learningRate?: number): Promise<number[]> {
    return this.engine.exclusiveFit(() => this.fitNow(x, y, options, learningRate));
  }

  private async fitNow(
    x: DataInput,
    y: DataInput,
    options: NetworkFitOptions | number,
    learningRate?: number,
  ): Promise<number[]> {
    const opts: NetworkFitOptions =
      typeof options === 'number' ? { epochs: options, learningRate: learningRate as number } : options;
    if (!opts || typeof opts !== 'object')
      fail(
        `the tutorial's fit needs the epochs and the learning rate (it has no defaults): ` +
          `fit(x, y, { epochs: 1000, learningRate: 0.1 }) or fit(x, y, 1000, 0.1); got ${shown(options)} after x and y`,
      );
    checkOptions(opts, 'fit(x, y, options): options', [
      'epochs',
      'learningRate',
      'batchSize',
      'shuffle',
      'verbose',
      'onEpochEnd',
    ]);
    const {
      epochs,
      learningRate: lr,
      batchSize = 1,
      shuffle = false,
      verbose = defaultVerbose() > 0,
      onEpochEnd,
    } = opts;
    if (onEpochEnd !== undefined && typeof onEpochEnd !== 'function')
      fail(`onEpochEnd must be a function, got ${typeof onEpochEnd}`);
    // true or false; Keras's 0, 1 and 2 are taken too (0 silent, else a line per epoch)
    const given: unknown = verbose;
    if (typeof given !== 'boolean' && given !== 0 && given !== 1 && given !== 2)
      fail(`verbose must be true or false, got ${shown(given)}`);
    this.requireLayers('fit');
    if (!this.loss) fail("no loss is set; call use('mse') (or another loss) before fit");
    if (epochs === undefined || lr === undefined)
      fail(
        `fit needs ${epochs === undefined ? (lr === undefined ? 'epochs and learningRate' : 'epochs') : 'learningRate'}: ` +
          `the tutorial's fit has no defaults (fit(x, y, { epochs: 1000, learningRate: 0.1 }))`,
      );
    checkEpochsAndBatchSize(epochs, batchSize);
    checkShuffle(shuffle);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0)
      fail(`learningRate must be a finite number ≥ 0, got ${shown(lr)}`);
    const { matrix: xs, sampleShape } = toMatrix(x, 'x');
    const ys = toMatrix(y, 'y').matrix;
    if (xs.shape[0] !== ys.shape[0])
      fail(`x has ${xs.shape[0]} samples but y has ${ys.shape[0]}; they must match`, 'shape_mismatch');
    if (this.loss.builtin) checkProbabilityTargets(ys, this.loss.name, 'y', false);
    this.stopTraining = false;
    const errors: number[] = [];
    const report = async (epoch: number, error: number) => {
      errors.push(error);
      if (verbose) console.log(`epoch ${epoch}/${epochs}   error=${error.toFixed(6)}`);
      if (onEpochEnd) await this.engine.inCallback(() => onEpochEnd({ epoch, error }));
    };

    if (!this.onArena) {
      if (batchSize !== 1)
        fail('a network with a custom Layer trains sample by sample (batchSize 1), as the tutorial does');
      await this.fitLayerByLayer(xs, sampleShape, ys, epochs, lr, report);
      return errors;
    }

    this.engine.build(sampleShape);
    this.checkShapes(sampleShape, ys);
    this.warnOnce(this.loss);
    const optimizer = new SGD({ learningRate: lr });
    optimizer.build(this.engine.backend, this.engine.params());
    try {
      await fitLoop({
        engine: this.engine,
        loss: this.loss,
        optimizer,
        x: xs,
        y: { data: ys.data, cols: ys.shape[1] },
        epochs,
        batchSize,
        shuffle,
        rng: this.rng,
        metrics: [],
        reporter: silentReporter,
        onEpochEnd: (epoch, logs) => {
          this.engine.failIfDiverged(epoch + 1);
          return report(epoch + 1, logs.loss);
        },
        yieldEvery: 100,
        shouldStop: () => this.stopTraining,
        fuseSgd: true, // plain SGD, disposed after fit: one sample at a time, the update runs inside backward
      });
    } finally {
      optimizer.dispose();
    }
    return errors;
  }

  /** The outputs for every sample of `x`, in the form `x` was given in. */
  predict(x: number[][] | number[][][][]): number[][];
  predict(x: number[][][]): number[][][];
  predict(x: Matrix | { data: ArrayLike<number>; shape: readonly number[] }): Matrix;
  predict(x: DataInput): number[][] | number[][][] | Matrix;
  predict(x: DataInput): number[][] | number[][][] | Matrix {
    this.requireLayers('predict');
    this.engine.noteInference('predict()');
    const { matrix, form, sampleShape } = toMatrix(x, 'x', { finite: false }); // checked as it is copied in
    if (!this.onArena) {
      checkFinite(matrix.data, matrix.shape[1], 'x');
      const out = this.predictLayerByLayer(matrix, sampleShape);
      checkOutputsFinite(out.data, out.shape[1]);
      return fromMatrix(out, form);
    }
    this.engine.build(sampleShape);
    this.engine.checkInputShape(sampleShape, 'x', matrix.shape[0]);
    return predictLoop(this.engine, matrix, this.engine.inferenceRows(), 'x', form); // checks the outputs too
  }

  /** Every FCLayer's kernel ([in, out], row-major) then bias ([out]), in layer order, as copies. */
  getWeights(): Float32Array[] {
    this.engine.checkNotDisposed();
    return this.layers.flatMap((l) => l.getWeights());
  }

  /** Replace the weights (the order and sizes of getWeights). */
  setWeights(weights: Float32Array[]): void {
    this.engine.checkWeightsSettable();
    if (!Array.isArray(weights))
      fail(`setWeights takes a list of Float32Arrays (the order of getWeights), got ${describe(weights)}`);
    if (this.onArena) return this.engine.setWeights(weights);
    let at = 0;
    for (const layer of this.layers) {
      const n = layer.getWeights().length;
      layer.setWeights(weights.slice(at, (at += n)));
    }
    if (at !== weights.length)
      fail(`the network has ${at} weight arrays, but ${givenArrays(weights)}`, 'shape_mismatch');
  }

  /**
   * Free the network's memory in the arena now. Using the network afterwards is an error. A network you drop without
   * it is freed when the garbage collector collects it, which may be late; dispose() is the prompt way.
   */
  dispose(): void {
    this.engine.disposeModel();
  }

  /**
   * Save in the TensorFlow.js layers format: each FCLayer as a Dense, each ActivationLayer as an Activation (see
   * Sequential.save for the targets). Custom Layer subclasses cannot be saved. Load it back with `Network.load`
   * (the same tutorial layers) or `loadModel` (a Sequential).
   */
  async save(target: SaveTarget, options: SaveOptions = {}): Promise<SaveResult> {
    checkOptions(options, 'save(target, options): options', ['includeOptimizer']);
    this.engine.checkNotDisposed();
    this.engine.nameLayers(); // as a first fit or predict would: the saved weights are named after the layers
    const builtin = this.loss?.builtin ? this.loss : undefined;
    const artifacts = toArtifacts(
      {
        api: 'network',
        name: 'network',
        layers: this.layers,
        built: this.engine.built || (this.layers.length > 0 && this.layers.every((l) => (l as KernelLayer).backend)),
        inputShape: this.engine.built ? this.engine.inputShape : (this.layers[0] as KernelLayer).inputShape,
        loss: builtin,
        rng: this.rng,
      },
      { ...options, includeOptimizer: false },
    );
    return writeTarget(artifacts, target);
  }

  /**
   * Load a model saved by `Network.save`, `Sequential.save`, TensorFlow.js or Keras (through the tensorflowjs
   * converter) as a tutorial Network: each Dense becomes an FCLayer (plus an ActivationLayer for its activation),
   * and the saved loss is set with `use`. Everything is checked before anything is built.
   */
  static async load(source: ModelSource, options: NetworkOptions = {}): Promise<Network> {
    checkOptions(options, 'Network.load(source, options): options', ['seed', 'backend']);
    const plan = readArtifacts(await readSource(source), { optimizerState: false }); // the tutorial's fit has no optimizer state
    const net = newNetwork(options);
    for (const layer of tutorialLayers(plan.topology, plan.inputShape)) net.add(layer);
    try {
      net.engine.build(plan.inputShape);
      net.engine.setWeights(plan.weights);
    } catch (e) {
      net.dispose();
      throw e;
    }
    const loss = plan.training?.loss;
    if (loss && !loss.sparse) net.use(loss);
    if (plan.rngState !== undefined && options.seed === undefined) net.rng.setState(plan.rngState);
    return net;
  }

  /** @internal the parts that checkGradients reaches for */
  get internals(): { engine: Engine; rng: Random; loss: Loss | null } {
    return { engine: this.engine, rng: this.rng, loss: this.loss };
  }

  private requireLayers(what: string): void {
    this.engine.checkNotDisposed();
    if (this.layers.length === 0) fail(`${what}() needs layers; add() some to the network first`);
  }

  private checkShapes(shape: Shape, ys: Matrix): void {
    this.engine.checkInputShape(shape, 'x', ys.shape[0]);
    if (ys.shape[1] !== this.engine.outputSize) {
      fail(
        `y has ${ys.shape[1]} values per sample but the last layer outputs ${this.engine.outputSize}`,
        'shape_mismatch',
      );
    }
  }

  /** The tutorial's loop, used when a custom Layer is present: every layer called through its adapter. */
  private async fitLayerByLayer(
    xs: Matrix,
    sampleShape: Shape,
    ys: Matrix,
    epochs: number,
    lr: number,
    report: (epoch: number, error: number) => Promise<void>,
  ): Promise<void> {
    const loss = this.loss!;
    const [n, inCols] = xs.shape;
    const outCols = ys.shape[1];
    for (let epoch = 1; epoch <= epochs; epoch++) {
      let err = 0;
      for (let i = 0; i < n; i++) {
        const output = this.forwardSample(xs.data.subarray(i * inCols, (i + 1) * inCols), sampleShape, true);
        const target = ys.data.subarray(i * outCols, (i + 1) * outCols);
        if (output.length !== outCols)
          fail(`y has ${outCols} values per sample but the network outputs ${output.length}`, 'shape_mismatch');
        err += loss.fn(target, output);
        let error = loss.fnPrime(target, output);
        for (let l = this.layers.length - 1; l >= 0; l--) {
          const layer = this.layers[l];
          error = layer.backwardPropagation(error, lr);
          if (!(layer instanceof KernelLayer)) error = customResult(layer, error, 'backwardPropagation');
        }
        if (this.stopTraining) break;
      }
      err /= n;
      if (!Number.isFinite(err))
        fail(
          `training diverged: the error became ${err} at epoch ${epoch}. Lower the learning rate or check the data.`,
          'diverged',
        );
      await report(epoch, err);
      if (this.stopTraining) break;
      await nextTurn();
    }
  }

  /** One sample through every layer; built-in layers are told whether this is training (Dropout acts only then). */
  private forwardSample(input: Float32Array, sampleShape: Shape, training: boolean): Float32Array {
    this.engine.nameLayers();
    let output = input;
    /** the shape of `output`: the sample's, a built-in layer's output shape, or flat after a custom layer */
    let shape: Shape = sampleShape;
    for (const layer of this.layers) {
      if (layer instanceof KernelLayer && !layer.backend) {
        const expected = layer.declaredInputShape;
        if (expected?.length === 1 && expected[0] !== output.length) {
          fail(
            `layer '${layer.name || layer.kind}' expects ${expected[0]} inputs but receives ${output.length}; the layer sizes do not chain`,
            'shape_mismatch',
          );
        }
        const given = shape.length > 1 && shapeSize(shape) === output.length ? shape : output.length;
        this.engine.guard(() => layer.build(this.engine.backend, given, this.rng));
      }
      output =
        layer instanceof KernelLayer
          ? layer.forwardPropagation(output, training)
          : customResult(layer, layer.forwardPropagation(output), 'forwardPropagation');
      shape = layer instanceof KernelLayer ? layer.outputShape : [output.length];
    }
    return output;
  }

  private predictLayerByLayer(xs: Matrix, sampleShape: Shape): Matrix {
    const [n, cols] = xs.shape;
    const rows: Float32Array[] = [];
    for (let i = 0; i < n; i++)
      rows.push(this.forwardSample(xs.data.subarray(i * cols, (i + 1) * cols), sampleShape, false));
    const width = rows[0].length;
    const data = new Float32Array(n * width);
    rows.forEach((r, i) => data.set(r, i * width));
    return { data, shape: [n, width] };
  }
}

/** What a custom layer's forward or backward pass returned, as a Float32Array; anything but numbers fails naming it. */
function customResult(layer: Layer, result: unknown, method: string): Float32Array {
  if (result instanceof Float32Array) return result;
  const list = Array.isArray(result) || (ArrayBuffer.isView(result) && !(result instanceof DataView));
  const values = list ? (result as ArrayLike<unknown>) : [];
  // one copy, checked on the way (this runs per sample, for every custom layer)
  const out = new Float32Array(values.length);
  let numbers = list;
  for (let i = 0; numbers && i < values.length; i++) {
    const v = values[i];
    numbers = typeof v === 'number';
    if (numbers) out[i] = v as number;
  }
  if (!numbers)
    fail(
      `layer '${layer.name || layer.constructor.name}': ${method} returned ${describe(result)}; it must return a ` +
        'Float32Array (or an array of numbers), one value per ' +
        (method === 'forwardPropagation' ? 'output' : 'input (dE/dX)'),
    );
  return out;
}

/** `new Network(…)` for the class's own methods (docs/adding-a-layer.md, "The class's name") */
function newNetwork(...args: ConstructorParameters<typeof Network>): Network {
  return new Network(...args);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v;
}
