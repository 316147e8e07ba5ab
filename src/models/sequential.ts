import type { Backend, BackendName } from '../backends/backend.js';
import { resolveBackend } from '../backends/index.js';
import { checkFinite, toMatrix, type DataInput } from '../data/inputs.js';
import type { Matrix } from '../data/matrix.js';
import { checkSampleCounts, toLabels, toTargetRows, type LabelInput } from '../data/targets.js';
import { KernelLayer } from '../layers/kernel-layer.js';
import { checkBuildShape } from '../layers/shape.js';
import { builtinLayerNames } from '../layers/registry.js';
import { getLoss, type Loss, type LossInput } from '../losses/index.js';
import { getOptimizer, type Optimizer, type OptimizerInput } from '../optimizers/index.js';
import { fail, resolveName, shown, warn } from '../util/errors.js';
import { Random } from '../util/random.js';
import { Engine } from './engine.js';
import { trackModel } from './live-models.js';
import { kerasReporter } from './progress.js';
import { summarize } from './summary.js';
import {
  checkMetricFitsLoss,
  METRICS,
  type AccuracyKind,
  type Metric,
  type MetricKind,
  type MetricName,
} from './metrics.js';
import { checkOutputRank, outputMismatch } from '../losses/output-activation.js';
import { evaluateLoop, predictLoop } from './evaluate-loop.js';
import { fitLoop, type History, type Logs } from './fit-loop.js';
import { targetRows, type Targets } from './staging.js';
import {
  classWeightsOf,
  classWeightTable,
  toSampleWeights,
  type ClassWeightInput,
  type SampleWeightInput,
} from '../data/sample-weights.js';
import { toArtifacts } from '../io/to-artifacts.js';
import { writeTarget, type SaveTarget } from '../io/source.js';
import type { SaveOptions, SaveResult } from '../io/types.js';
import { checkBatchSize, checkEpochsAndBatchSize, checkInitialEpoch, checkShuffle, checkVerbose } from './checks.js';
import { checkOptions } from '../util/options.js';
import type { BatchSource } from '../data/batch-source.js';
import { checkTrainOptions, withCallbacks } from './keras-fit.js';
import {
  evaluateDataset,
  fitDataset,
  type DatasetModel,
  type EvaluateDatasetOptions,
  type FitDatasetOptions,
} from './fit-dataset.js';

/** Options of `new Sequential(layers, options)`. */
export interface SequentialOptions {
  /** seed for initialisation, shuffling and dropout: the same seed gives bit-identical weights; without one, each model
   *  draws a fresh random seed (as Keras's unseeded models start apart) */
  seed?: number;
  /** 'wasm' or 'js' (default: the active backend, see setBackend), or a backend object such as `createRelaxedWasmBackend()` from 'scratchnet/relaxed' */
  backend?: BackendName | Backend;
  name?: string;
}

/** What `Sequential.compile` takes: the optimizer, the loss and the metrics, by Keras name or as objects. */
export interface CompileOptions {
  /** a name ('adam', 'sgd', 'rmsprop') or an object from `optimizers`; default 'rmsprop', as Keras's */
  optimizer?: OptimizerInput;
  /** a name ('sparse_categorical_crossentropy', 'mse', …; camelCase too) or an entry of `losses` */
  loss: LossInput;
  /** metric names, one or a list: 'accuracy' (or 'acc'), 'binary_accuracy', 'categorical_accuracy',
   *  'sparse_categorical_accuracy', 'top_k_categorical_accuracy', 'sparse_top_k_categorical_accuracy' (k = 5),
   *  'mae', 'mse'; each is reported under the name given */
  metrics?: MetricName | readonly MetricName[];
}

/**
 * Keras-style callbacks `fit` calls: an object of hooks, or one of `callbacks.earlyStopping()`,
 * `callbacks.modelCheckpoint()`, `callbacks.learningRateScheduler()`, `callbacks.reduceLROnPlateau()`.
 */
export interface Callbacks {
  /** called with the model before training starts (Keras's `set_model`), e.g. for checkpoints */
  setModel?: (model: Sequential) => void;
  /** once before the first epoch */
  onTrainBegin?: () => void | Promise<void>;
  /** once after the last epoch (also after an early stop), with the last epoch's logs */
  onTrainEnd?: (logs: Logs | undefined) => void | Promise<void>;
  /** before every epoch (0-based), before its first batch: where a learning-rate schedule sets the rate */
  onEpochBegin?: (epoch: number) => void | Promise<void>;
  /** after every epoch, with Keras's logs: loss, accuracy, val_loss, val_accuracy */
  onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  /** before every batch (0-based within its epoch), once its data is in place and before its forward pass */
  onBatchBegin?: (batch: number) => void | Promise<void>;
  /** after every batch, with the running means of the epoch so far */
  onBatchEnd?: (batch: number, logs: Logs) => void | Promise<void>;
}

/** Options of evaluate and predict. */
export interface InferenceOptions {
  /** rows per kernel call (default 256, fewer where 256 rows of the widest layer output pass 2 MiB, e.g. convnets) */
  batchSize?: number;
  /** taken for Keras compatibility; evaluate and predict print nothing */
  verbose?: 0 | 1 | 2;
}

/** Options of evaluate: predict's, and Keras's sample weights. */
export interface EvaluateOptions extends InferenceOptions {
  /** a weight ≥ 0 per sample (Keras's sample_weight): the loss is weighted as in fit; the metrics are not */
  sampleWeight?: SampleWeightInput;
}

const FIT_OPTIONS = [
  'epochs',
  'batchSize',
  'validationSplit',
  'validationData',
  'shuffle',
  'verbose',
  'callbacks',
  'yieldEvery',
  'initialEpoch',
  'sampleWeight',
  'classWeight',
] as const;

/** Options of `Sequential.fit`, with Keras's names and defaults. */
export interface FitOptions {
  /** the epoch training ends at (default 1): with initialEpoch, epochs initialEpoch … epochs − 1 run */
  epochs?: number;
  /** the epoch to start at (default 0), to resume a run from a checkpoint with its epoch numbers (Keras's
   *  initial_epoch): the history, the callbacks and the progress count on from it */
  initialEpoch?: number;
  batchSize?: number;
  /** the fraction of samples, taken from the end before shuffling (as Keras does), held out for validation */
  validationSplit?: number;
  /** [x, y], or [x, y, sampleWeight] (as Keras's validation_data): the validation loss is weighted only by the
   *  third, never by classWeight */
  validationData?: [DataInput, LabelInput | DataInput] | [DataInput, LabelInput | DataInput, SampleWeightInput];
  /** a weight ≥ 0 per sample (Keras's sample_weight): each sample's loss counts that many times, the batch's sum still
   *  divided by its samples; metrics are not weighted (as Keras's `metrics`). validationSplit splits them too */
  sampleWeight?: SampleWeightInput;
  /** a weight ≥ 0 per class, `{ 0: 1, 1: 5 }` (Keras's class_weight): each training sample weighs its class's (1 for
   *  a class left out). Not with sampleWeight; not applied to validation */
  classWeight?: ClassWeightInput;
  shuffle?: boolean;
  /** 0 silent, 1 progress bar, 2 one line per epoch; default 1 in Node, 0 in browsers (as TF.js) */
  verbose?: 0 | 1 | 2;
  callbacks?: Callbacks | Callbacks[];
  /** give the event loop a turn at least this often, in ms (default 50) */
  yieldEvery?: number;
}

/** What evaluate returns: the loss, and each metric under the name compile was given (`accuracy`, `acc`, `mae`, …). */
export interface EvaluateResult {
  loss: number;
  accuracy?: number;
  [metric: string]: number | undefined;
}

interface Compiled {
  loss: Loss;
  optimizer: Optimizer;
  /** the metrics asked for, and the names they were asked by (reported under those names, as Keras 3 does) */
  metrics: { kind: MetricKind | 'auto'; name: string }[];
  /** the optimizer's slots exist for this model's weights */
  optimizerBuilt: boolean;
  /** the metric names given to compile, for saving */
  metricNames: string[];
}

/** What saving, loading and checkGradients reach inside a Sequential for. */
export interface SequentialInternals {
  engine: Engine;
  rng: Random;
  loss: Loss | undefined;
  optimizer: Optimizer | undefined;
  metrics: string[];
}

/**
 * The Keras-style model: a linear stack of layers, `compile`, `fit`, `evaluate`, `predict`, `summary`.
 * Mini-batch training runs as kernel calls over the arena: forward, loss, backward and the optimizer update,
 * with no allocation in the step and no per-sample trips to JavaScript.
 */
export class Sequential {
  readonly name: string;
  private readonly rng: Random;
  private readonly engine: Engine;
  private compiled: Compiled | null = null;
  private warned = false;
  /** set to true (e.g. from a callback) to stop fit after the current batch, as in Keras */
  stopTraining = false;

  constructor(layers: KernelLayer[] = [], options: SequentialOptions = {}) {
    checkOptions(options, 'new Sequential(layers, options): options', ['seed', 'backend', 'name']);
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === ''))
      fail(`a model name must be a non-empty string, got ${shown(options.name)}`);
    this.name = options.name ?? 'sequential';
    this.rng = new Random(options.seed);
    this.engine = new Engine(resolveBackend(options.backend), this.rng);
    if (!Array.isArray(layers)) fail('new Sequential(layers, options): layers must be a list of layers');
    try {
      for (const layer of layers) this.add(layer);
    } catch (e) {
      // the model is not made: what it built is freed, and the layers it took may go into another one
      this.engine.dispose();
      throw e;
    }
    trackModel(this, this.engine);
  }

  get layers(): readonly KernelLayer[] {
    return this.engine.layers;
  }

  /** the backend this model computes on */
  get backend(): Backend['name'] {
    return this.engine.backend.name;
  }

  /**
   * The optimizer `compile` set up, or undefined before it: Keras's and TensorFlow.js's `model.optimizer`. Its
   * `learningRate` may be changed between batches or epochs (from a callback, say) and takes effect at the next step;
   * `iterations` counts the steps taken.
   */
  get optimizer(): Optimizer | undefined {
    return this.compiled?.optimizer;
  }

  /**
   * Add a layer to the end. It is named at once (Keras style: dense, dense_1, …, unless given a name) and built at
   * once when the model's shapes are known (the first layer has an `inputShape`, or the model is built): its weights
   * exist from then on. A compiled model makes its optimizer's slots anew at its next fit (their state starts over).
   */
  add(layer: KernelLayer): this {
    if (!(layer instanceof KernelLayer)) {
      fail(
        `Sequential takes built-in layers (${builtinLayerNames().join(', ')}); got ${(layer as object)?.constructor?.name ?? typeof layer}. Custom Layer subclasses run in a Network.`,
      );
    }
    this.engine.add(layer);
    const c = this.compiled;
    if (c?.optimizerBuilt) {
      // Its slots are for the weights before this layer: they are made anew at the next fit, evaluate, predict or
      // build, where the output is checked against the loss again (not here: more layers may follow).
      c.optimizer.dispose();
      c.optimizerBuilt = false;
      this.warned = false;
    }
    return this;
  }

  compile(options: CompileOptions): this {
    this.engine.checkIdle('compile()');
    if (!options || typeof options !== 'object' || Array.isArray(options))
      fail(
        `compile takes one options object, as compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', ` +
          `metrics: ['accuracy'] }); got ${shown(options)}${arguments.length > 1 ? ` and ${arguments.length - 1} more argument(s)` : ''}`,
      );
    checkOptions(options, 'compile(options)', ['optimizer', 'loss', 'metrics']);
    if (options.loss === undefined) fail("compile() needs a loss, e.g. loss: 'sparse_categorical_crossentropy'");
    const loss = getLoss(options.loss);
    const optimizer = getOptimizer(options.optimizer ?? 'rmsprop');
    const names =
      options.metrics === undefined ? [] : Array.isArray(options.metrics) ? options.metrics : [options.metrics];
    const metrics: Compiled['metrics'] = [];
    for (const name of names) {
      if (typeof name !== 'string') fail(`metrics must be names like 'accuracy', got ${typeof name}`);
      if ((name as string) === 'loss' || metrics.some((m) => m.name === name)) continue;
      const kind = resolveName<MetricKind | 'auto'>('metric', name, METRICS);
      checkMetricFitsLoss(kind, name, loss);
      metrics.push({ kind, name });
    }
    this.engine.optimizer?.dispose();
    this.engine.optimizer = optimizer; // freed with the model, also when the model is garbage-collected
    this.compiled = { loss, optimizer, metrics, optimizerBuilt: false, metricNames: metrics.map((m) => m.name) };
    this.warned = false;
    if (this.engine.layers[0]?.declaredInputShape !== undefined) this.build();
    return this;
  }

  /**
   * Build the weights now, as Keras's `model.build`, for samples of `inputShape`: the shape of one sample ([features]
   * or [h, w, c]; Keras's `[null, features]` with the batch dimension is taken too), which may be left out when the first layer declares an inputShape
   * (such a model is built as soon as it is made, so this is only needed when it does not). Does nothing on a built
   * model. A compiled model also gets its optimizer's slots.
   */
  build(inputShape?: readonly (number | null)[] | number): void {
    const { engine, compiled } = this;
    const shape = inputShape === undefined ? undefined : checkBuildShape(inputShape, 'build(inputShape): inputShape');
    engine.build(shape, compiled?.optimizer.slotsPerParam ?? 0);
    if (!compiled) return;
    checkOutputRank(compiled.loss, engine.outputShape);
    if (!compiled.optimizerBuilt) {
      engine.checkSlotsFit(compiled.optimizer.slotsPerParam);
      engine.guard(() => compiled.optimizer.build(engine.backend, engine.params()));
      compiled.optimizerBuilt = true;
    }
    this.warnOnce(compiled.loss);
  }

  fit(x: DataInput, y: LabelInput | DataInput, options: FitOptions = {}): Promise<History> {
    return this.engine.exclusiveFit(() => this.fitNow(x, y, options));
  }

  private async fitNow(x: DataInput, y: LabelInput | DataInput, options: FitOptions): Promise<History> {
    if (typeof options === 'number')
      // Keras's fit(x, y, 32, 5) is batch_size then epochs; the tutorial's Network.fit(x, y, 5, 0.1) is epochs
      fail(
        `fit(x, y, options) takes its options as an object, got the number ${options}: ` +
          `fit(x, y, { epochs: ${options} }), or { batchSize: ${options} } (Keras's third argument is batch_size)`,
      );
    checkOptions(options, 'fit(x, y, options): options', FIT_OPTIONS);
    const c = this.requireCompiled('fit');
    const { epochs = 1, batchSize = 32, validationSplit = 0, shuffle = true, initialEpoch = 0 } = options;
    checkEpochsAndBatchSize(epochs, batchSize);
    checkInitialEpoch(initialEpoch, epochs);
    checkShuffle(shuffle);
    if (typeof validationSplit !== 'number' || !(validationSplit >= 0 && validationSplit < 1))
      fail(`validationSplit must be in [0, 1), got ${shown(validationSplit)}`);
    const { verbose, yieldEvery, callbacks } = checkTrainOptions(options);
    // x's values are checked for NaN and ±Inf as fit copies them into the arena (the validation split here first)
    const parsed = toMatrix(x, 'x', { finite: false });
    let xs = parsed.matrix;
    this.build(parsed.sampleShape);
    this.engine.checkInputShape(parsed.sampleShape, 'x', parsed.matrix.shape[0]);
    let ys = this.targets(y, 'y');
    checkSampleCounts(xs, ys);
    const weights = this.trainingWeights(options, ys, c.loss);
    if (weights) ys.weights = weights;

    let validation: { x: Matrix; y: Targets } | undefined;
    if (options.validationData !== undefined) {
      validation = this.validationPair(options.validationData);
    } else if (validationSplit > 0) {
      const n = xs.shape[0];
      const keep = Math.floor(n * (1 - validationSplit));
      if (keep < 1 || keep >= n)
        fail(`validationSplit ${validationSplit} of ${n} samples leaves no training or no validation samples`);
      const cols = xs.shape[1];
      checkFinite(xs.data.subarray(keep * cols), cols, 'x', keep);
      // Keras splits sampleWeight with the samples; class weights are for training only
      const vy = targetRows(ys, keep, n);
      if (options.classWeight !== undefined) delete vy.weights;
      validation = { x: { data: xs.data.subarray(keep * cols), shape: [n - keep, cols] }, y: vy };
      xs = { data: xs.data.subarray(0, keep * cols), shape: [keep, cols] };
      ys = targetRows(ys, 0, keep);
    }

    return withCallbacks(this, this.engine, c.loss.name, callbacks, (hooks) =>
      fitLoop({
        ...hooks,
        engine: this.engine,
        loss: c.loss,
        optimizer: c.optimizer,
        x: xs,
        y: ys,
        epochs,
        initialEpoch,
        batchSize,
        shuffle,
        rng: this.rng,
        metrics: this.metrics(c),
        validation,
        reporter: kerasReporter(verbose),
        verbose,
        yieldEvery,
        checkX: 'x',
      }),
    );
  }

  /**
   * Train on batches read one at a time from a batch source, as TF.js's `model.fitDataset` and Keras's `fit` on a
   * generator: an (async) iterable of `{ xs, ys }` batches, or a function returning a fresh one for every epoch. The
   * arena holds one batch at a time (room planned for the largest batch seen), never the data set, so a data set far
   * larger than memory trains. Shuffling is the source's job. With `batchesPerEpoch`, one iterator carries on across
   * epochs (TF.js); without, every epoch reads the source afresh to its end. Progress, validation (a pair [x, y] or
   * another batch source), callbacks and `stopTraining` work as in `fit`, which returns the same History.
   */
  fitDataset(dataset: BatchSource, options: FitDatasetOptions = {}): Promise<History> {
    return this.engine.exclusiveFit(() => fitDataset(this.datasetModel('fitDataset'), dataset, options));
  }

  /**
   * The mean loss and metrics over every batch of a batch source (one pass), in inference mode, one batch in the
   * arena at a time: TF.js's `evaluateDataset`.
   */
  async evaluateDataset(dataset: BatchSource, options: EvaluateDatasetOptions = {}): Promise<EvaluateResult> {
    const model = this.datasetModel('evaluateDataset');
    this.engine.noteInference('evaluateDataset()');
    return evaluateDataset(model, dataset, options);
  }

  /** @internal what fitDataset and evaluateDataset use of the model */
  private datasetModel(what: string): DatasetModel {
    const c = this.requireCompiled(what);
    return {
      model: this,
      engine: this.engine,
      loss: c.loss,
      optimizer: c.optimizer,
      metrics: this.metrics(c),
      build: (shape) => this.build(shape),
      targets: (y, name) => this.targets(y, name),
      checkWeightedLoss: (what) => this.checkWeightedLoss(what),
      validationPair: (pair) => this.validationPair(pair),
    };
  }

  /** validationData given as [x, y] or [x, y, sampleWeight], checked against the model. */
  private validationPair(pair: unknown): { x: Matrix; y: Targets } {
    if (!Array.isArray(pair) || pair.length < 2 || pair.length > 3)
      fail('validationData must be a pair [x, y], or [x, y, sampleWeight]');
    const [vx, vy, vw] = pair as unknown[];
    const { matrix: vxs, sampleShape } = toMatrix(vx, 'validationData x');
    this.engine.checkInputShape(sampleShape, 'validationData x', vxs.shape[0]);
    const vys = this.targets(vy, 'validationData y');
    checkSampleCounts(vxs, vys, 'validationData ');
    if (vw !== undefined) {
      this.checkWeightedLoss('validationData sampleWeight');
      vys.weights = toSampleWeights(vw, vxs.shape[0], 'validationData sampleWeight');
    }
    return { x: vxs, y: vys };
  }

  /** fit's sampleWeight or classWeight as a weight per sample of `y`, checked; undefined when neither is given. */
  private trainingWeights(options: FitOptions, y: Targets, loss: Loss): Float32Array | undefined {
    const { sampleWeight, classWeight } = options;
    if (sampleWeight === undefined && classWeight === undefined) return undefined;
    if (sampleWeight !== undefined && classWeight !== undefined)
      fail('fit takes sampleWeight or classWeight, not both (as Keras): fold the class weights into sampleWeight');
    this.checkWeightedLoss(sampleWeight !== undefined ? 'sampleWeight' : 'classWeight', loss);
    return sampleWeight !== undefined
      ? toSampleWeights(sampleWeight, y.data.length / y.cols)
      : classWeightsOf(classWeightTable(classWeight, this.engine.outputSize), y);
  }

  /** Weights multiply each sample's loss, which the built-in losses compute; a custom loss gives one number a batch. */
  private checkWeightedLoss(what: string, loss = this.compiled!.loss): void {
    if (!loss.builtin)
      fail(
        `${what} needs a built-in loss: the custom loss '${loss.name}' returns one number for the whole batch, ` +
          'so its samples cannot be weighted',
      );
  }

  /** The mean loss and metrics (each under the name compile was given) over a data set, in inference mode. */
  evaluate(x: DataInput, y: LabelInput | DataInput, options: EvaluateOptions = {}): EvaluateResult {
    checkOptions(options, 'evaluate(x, y, options): options', ['batchSize', 'verbose', 'sampleWeight']);
    checkVerbose(options.verbose);
    const given = checkBatchSize(options.batchSize, 0);
    const c = this.requireCompiled('evaluate');
    this.engine.noteInference('evaluate()');
    const { matrix: xs, sampleShape } = toMatrix(x, 'x', { finite: false }); // checked in wasm as it is copied in
    this.build(sampleShape);
    this.engine.checkInputShape(sampleShape, 'x', xs.shape[0]);
    const batchSize = given || this.engine.inferenceRows();
    const ys = this.targets(y, 'y');
    checkSampleCounts(xs, ys);
    if (options.sampleWeight !== undefined) {
      this.checkWeightedLoss('sampleWeight');
      ys.weights = toSampleWeights(options.sampleWeight, xs.shape[0]);
    }
    const metrics = this.metrics(c);
    const result = evaluateLoop(
      this.engine,
      c.loss,
      xs,
      ys,
      metrics.map((m) => m.kind),
      batchSize,
      'x',
    );
    if (!Number.isFinite(result.loss)) {
      fail(
        `evaluate: the loss is ${result.loss}; the inputs or the weights are too large for float32 (the outputs overflowed)`,
      );
    }
    const out: EvaluateResult = { loss: result.loss };
    metrics.forEach((m, i) => {
      out[m.name] = result.metrics[i];
    });
    return out;
  }

  /** The model's outputs for every sample, in the form x was given in ([samples, outputs]). */
  predict(x: number[][] | number[][][][], options?: InferenceOptions): number[][];
  predict(x: Matrix | { data: ArrayLike<number>; shape: readonly number[] }, options?: InferenceOptions): Matrix;
  predict(x: DataInput, options?: InferenceOptions): number[][] | number[][][] | Matrix;
  predict(x: DataInput, options: InferenceOptions = {}): number[][] | number[][][] | Matrix {
    checkOptions(options, 'predict(x, options): options', ['batchSize', 'verbose']);
    checkVerbose(options.verbose);
    const given = checkBatchSize(options.batchSize, 0);
    if (this.engine.layers.length === 0) fail('predict() needs layers; add() some to the model first');
    this.engine.noteInference('predict()');
    const { matrix, form, sampleShape } = toMatrix(x, 'x', { finite: false }); // checked in wasm, chunk by chunk, as it is copied in
    this.build(sampleShape);
    this.engine.checkInputShape(sampleShape, 'x', matrix.shape[0]);
    return predictLoop(this.engine, matrix, given || this.engine.inferenceRows(), 'x', form); // checks the outputs too
  }

  /**
   * Save the model in the TensorFlow.js layers format (model.json + weights): to 'indexeddb://name' or
   * 'downloads://name' in browsers, to 'file://dir' or a path in Node after importing 'scratchnet/node', or to any
   * IOHandler (`memoryHandler()` keeps the artifacts in memory). `includeOptimizer` adds the optimizer's state.
   */
  async save(target: SaveTarget, options: SaveOptions = {}): Promise<SaveResult> {
    checkOptions(options, 'save(target, options): options', ['includeOptimizer']);
    const { engine, compiled } = this;
    engine.checkNotDisposed();
    const artifacts = toArtifacts(
      {
        api: 'sequential',
        name: this.name,
        layers: engine.layers,
        built: engine.built,
        inputShape: engine.inputShape,
        loss: compiled?.loss,
        metrics: compiled?.metricNames,
        optimizer: compiled?.optimizer,
        rng: this.rng,
      },
      options,
    );
    return writeTarget(artifacts, target);
  }

  /** @internal the parts that saving, loading and checkGradients reach for */
  get internals(): SequentialInternals {
    const c = this.compiled;
    return {
      engine: this.engine,
      rng: this.rng,
      loss: c?.loss,
      optimizer: c?.optimizer,
      metrics: c?.metricNames ?? [],
    };
  }

  /** Print a Keras-style table of layers, output shapes and parameter counts, a line per `print` call (as TF.js's
   *  printFn), and return nothing, as Keras and TF.js do (`console.log(model.summary())` printed it twice). */
  summary(print: (line: string) => void = console.log): void {
    this.engine.checkNotDisposed();
    if (typeof print !== 'function') fail(`summary(print) takes a function that prints one line, got ${shown(print)}`);
    for (const line of summarize(this.name, this.engine).split('\n')) print(line);
  }

  /** The number of weights (as summary() shows), also before the model is built when its input size is known; a
   *  model whose input size is not known yet has no count (as in Keras, an error saying how to build it). */
  countParams(): number {
    const { engine } = this;
    engine.checkNotDisposed();
    if (engine.built) return engine.params().reduce((s, p) => s + p.size, 0);
    if (engine.layers.length === 0) return 0;
    const declared = engine.layers[0].declaredInputShape;
    if (declared === undefined)
      fail(
        'countParams(): the weights depend on the input size, which this model does not know yet: give the first ' +
          'layer an inputShape, or call build([features]) (or fit or predict) first',
      );
    return engine.plan(declared).params;
  }

  /** Every Dense layer's kernel ([in, out], row-major) then bias, in layer order, as copies. */
  getWeights(): Float32Array[] {
    return this.engine.getWeights();
  }

  setWeights(weights: Float32Array[]): void {
    this.engine.setWeights(weights);
  }

  /**
   * Free the model's arena memory (weights, optimizer state, buffers) now. A model you drop without it is freed when
   * the garbage collector collects it, which may be late; dispose() is the prompt way.
   */
  dispose(): void {
    this.engine.disposeModel();
  }

  private requireCompiled(what: string): Compiled {
    this.engine.checkNotDisposed(); // a disposed model says so first, compiled or not
    if (this.engine.layers.length === 0) fail(`${what}() needs layers; add() some to the model first`);
    if (!this.compiled) fail(`${what}() needs a compiled model: call compile({ optimizer, loss, metrics }) first`);
    return this.compiled;
  }

  private targets(y: unknown, what: string): Targets {
    const loss = this.compiled!.loss;
    return loss.sparse
      ? toLabels(y, this.engine.outputSize, what)
      : toTargetRows(y, this.engine.outputSize, loss.name, what);
  }

  private metrics(c: Compiled): Metric[] {
    return c.metrics.map((m) => ({ kind: m.kind === 'auto' ? this.accuracyKind(c.loss) : m.kind, name: m.name }));
  }

  /** The accuracy 'accuracy' and 'acc' stand for. */
  private accuracyKind(loss: Loss): AccuracyKind {
    // Keras picks the accuracy that fits the loss and the output width.
    if (loss.sparse) return 'sparse';
    if (loss.name === 'binary_crossentropy' || this.engine.outputSize === 1) return 'binary';
    return 'categorical';
  }

  /** Warn (once per compile) about an output activation that does not fit the loss: it trains, but not as meant. */
  private warnOnce(loss: Loss): void {
    if (this.warned) return;
    this.warned = true;
    const message = outputMismatch(loss, this.engine.outputActivation(), this.engine.outputSize);
    if (message) warn(message);
  }
}
