// Sequential.fitDataset and evaluateDataset: training and evaluation on batches read one at a time from a batch
// source, through the same training loop as fit (fit-loop.ts) with a feed that stages one batch at a time.
import { BatchStream, type Batch, type BatchSource } from '../data/batch-source.js';
import type { DataInput } from '../data/inputs.js';
import type { Matrix } from '../data/matrix.js';
import { toMatrix } from '../data/inputs.js';
import { checkSampleCounts, type LabelInput } from '../data/targets.js';
import type { Loss } from '../losses/index.js';
import type { Optimizer } from '../optimizers/index.js';
import { fail, shown } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import type { BatchBuffers } from './batch-buffers.js';
import type { Means } from './batch-measure.js';
import type { Engine } from './engine.js';
import { evaluateYielding } from './evaluate-loop.js';
import { checkInitialEpoch } from './checks.js';
import { trainLoop, type History } from './fit-loop.js';
import { checkTrainOptions, withCallbacks } from './keras-fit.js';
import type { Metric } from './metrics.js';
import { kerasReporter } from './progress.js';
import type { Callbacks, EvaluateResult, Sequential } from './sequential.js';
import type { Targets } from './staging.js';
import { classWeightsOf, classWeightTable, type ClassWeightInput } from '../data/sample-weights.js';
import { evaluateStream, StreamFeed, type ParseBatch } from './stream-feed.js';

/** Options of `Sequential.fitDataset`, with TF.js's names. */
export interface FitDatasetOptions {
  /** the epoch training ends at (default 1; without initialEpoch, the passes over the source); without
   *  `batchesPerEpoch` each epoch reads the source afresh to its end */
  epochs?: number;
  /** the epoch to start at (default 0), to resume a run with its epoch numbers (TF.js's initialEpoch) */
  initialEpoch?: number;
  /** batches per epoch: one iterator then carries on across epochs, and training ends when it runs out (as TF.js) */
  batchesPerEpoch?: number;
  /** validation after every epoch: a pair [x, y] as in `fit`, or a batch source read afresh each epoch */
  validationData?: [DataInput, LabelInput | DataInput] | BatchSource;
  /** 0 silent, 1 progress bar, 2 one line per epoch; default 1 in Node, 0 in browsers (as TF.js) */
  verbose?: 0 | 1 | 2;
  callbacks?: Callbacks | Callbacks[];
  /** give the event loop a turn at least this often, in ms (default 50) */
  yieldEvery?: number;
  /** a weight ≥ 0 per class, `{ 0: 1, 1: 5 }` (TF.js's classWeight, Keras's class_weight): each training sample
   *  weighs its class's (1 for a class left out); not applied to validation */
  classWeight?: ClassWeightInput;
}

/** Options of `Sequential.evaluateDataset`. */
export interface EvaluateDatasetOptions {
  /** give the event loop a turn at least this often, in ms (default 50) */
  yieldEvery?: number;
  /** taken for Keras compatibility; evaluateDataset prints nothing */
  verbose?: 0 | 1 | 2;
}

/** @internal What fitDataset and evaluateDataset use of a compiled Sequential. */
export interface DatasetModel {
  model: Sequential;
  engine: Engine;
  loss: Loss;
  optimizer: Optimizer;
  metrics: Metric[];
  /** build the weights for samples of this shape, if not built yet */
  build(sampleShape: number[]): void;
  /** targets checked against the loss and the model's outputs */
  targets(y: unknown, what: string): Targets;
  /** fail unless the loss can weight its samples (a built-in one) */
  checkWeightedLoss(what: string): void;
  validationPair(pair: unknown): { x: Matrix; y: Targets };
}

const FIT_DATASET_OPTIONS = [
  'epochs',
  'batchesPerEpoch',
  'validationData',
  'verbose',
  'callbacks',
  'yieldEvery',
  'initialEpoch',
  'classWeight',
] as const;

/** Train `m` on the batches of `dataset` (see Sequential.fitDataset). */
export async function fitDataset(m: DatasetModel, dataset: BatchSource, options: FitDatasetOptions): Promise<History> {
  checkOptions(options, 'fitDataset(dataset, options): options', FIT_DATASET_OPTIONS);
  const { epochs = 1, batchesPerEpoch, initialEpoch = 0, classWeight } = options;
  if (!Number.isSafeInteger(epochs) || epochs < 1) fail(`epochs must be a positive integer, got ${shown(epochs)}`);
  const runs = checkInitialEpoch(initialEpoch, epochs);
  if (batchesPerEpoch !== undefined && (!Number.isSafeInteger(batchesPerEpoch) || batchesPerEpoch < 1))
    fail(`batchesPerEpoch must be a positive integer, got ${shown(batchesPerEpoch)}`);
  const { verbose, yieldEvery, callbacks } = checkTrainOptions(options);
  const { engine, loss } = m;
  if (classWeight !== undefined) m.checkWeightedLoss('classWeight');
  const byClass = classWeight === undefined ? undefined : classWeightTable(classWeight, engine.outputSize);
  const stream = new BatchStream(dataset, 'fitDataset(dataset)', batchesPerEpoch);
  stream.checkRereadable(runs);
  try {
    const parse = parser(m);
    const parseTraining = byClass ? weighted(parse, byClass) : parse;
    // The first batch builds the model when its input shape was not given, and plans the batch buffers.
    const sampleShape = await firstSampleShape(stream);
    m.build(sampleShape.shape);
    const tCols = loss.sparse ? 1 : engine.outputSize;
    const feed = new StreamFeed(
      stream,
      parseTraining,
      sampleShape.rows,
      engine.inputSize,
      tCols,
      batchesPerEpoch,
      byClass !== undefined,
    );
    const validate = validation(m, options.validationData, parse, tCols, feed.rows, yieldEvery, runs);
    return await withCallbacks(m.model, engine, loss.name, callbacks, (hooks) =>
      trainLoop(
        {
          ...hooks,
          engine,
          loss,
          optimizer: m.optimizer,
          epochs,
          initialEpoch,
          metrics: m.metrics,
          reporter: kerasReporter(verbose),
          verbose,
          yieldEvery,
        },
        feed,
        validate,
      ),
    );
  } finally {
    await stream.close();
  }
}

/** The shape of one sample of the stream's first batch, and its rows (the stream is at its first epoch). */
async function firstSampleShape(stream: BatchStream): Promise<{ shape: number[]; rows: number }> {
  stream.beginEpoch(0);
  const first = (await stream.peek())!; // an empty source has failed, saying so
  const { matrix, sampleShape } = toMatrix(first.xs, `${stream.what}: ${stream.where()} xs`, { finite: false });
  return { shape: sampleShape, rows: matrix.shape[0] };
}

/** The mean loss and metrics of `m` over one pass of `dataset` (see Sequential.evaluateDataset). */
export async function evaluateDataset(
  m: DatasetModel,
  dataset: BatchSource,
  options: EvaluateDatasetOptions,
): Promise<EvaluateResult> {
  checkOptions(options, 'evaluateDataset(dataset, options): options', ['yieldEvery', 'verbose']);
  const { yieldEvery } = checkTrainOptions({ yieldEvery: options.yieldEvery, verbose: options.verbose ?? 0 });
  const { engine, loss } = m;
  const stream = new BatchStream(dataset, 'evaluateDataset(dataset)');
  try {
    m.build((await firstSampleShape(stream)).shape);
  } catch (e) {
    await stream.close();
    throw e;
  }
  const kinds = m.metrics.map((x) => x.kind);
  const tCols = loss.sparse ? 1 : engine.outputSize;
  const means = await evaluateStream(engine, loss, kinds, stream, parser(m), tCols, yieldEvery);
  if (!Number.isFinite(means.loss))
    fail(
      `evaluateDataset: the loss is ${means.loss}; the inputs or the weights are too large for float32 (the outputs overflowed)`,
    );
  const out: EvaluateResult = { loss: means.loss };
  m.metrics.forEach((metric, i) => {
    out[metric.name] = means.metrics[i];
  });
  return out;
}

/** Each batch parsed and checked against the model: its xs' sample shape, its ys, and that their rows agree. */
function parser(m: DatasetModel): ParseBatch {
  return (batch: Batch, where: string) => {
    const { matrix, sampleShape } = toMatrix(batch.xs, `${where} xs`, { finite: false });
    m.engine.checkInputShape(sampleShape, `${where} xs`, matrix.shape[0]);
    const y = m.targets(batch.ys, `${where} ys`);
    checkSampleCounts(matrix, y, `${where}: `, ['xs', 'ys']);
    return { x: matrix, y };
  };
}

/** `parse`, with each batch's samples weighted by their classes' weights (`classWeightTable`) */
function weighted(parse: ParseBatch, byClass: Float64Array): ParseBatch {
  return (batch, where) => {
    const parsed = parse(batch, where);
    parsed.y.weights = classWeightsOf(byClass, parsed.y);
    return parsed;
  };
}

/**
 * The validation after each epoch: validationData as a pair [x, y] (evaluated `rows` rows at a time) or as a batch
 * source (read afresh each epoch), in the training loop's buffers.
 */
function validation(
  m: DatasetModel,
  data: FitDatasetOptions['validationData'],
  parse: ParseBatch,
  tCols: number,
  rows: number,
  yieldEvery: number,
  epochs: number,
): ((buffers: BatchBuffers) => Promise<Means>) | undefined {
  if (data === undefined) return undefined;
  const { engine, loss } = m;
  const kinds = m.metrics.map((x) => x.kind);
  if (isBatchSource(data)) {
    const stream = new BatchStream(
      data,
      'fitDataset(…, { validationData })',
      undefined,
      ', or a pair [x, y] as in fit',
    );
    stream.checkRereadable(
      epochs,
      'validation runs after every epoch, so pass a function that returns a fresh one, e.g. ' +
        'validationData: () => validationBatches(), or a pair [x, y]',
    );
    let epoch = 0;
    return (buffers) => evaluateStream(engine, loss, kinds, stream, parse, tCols, yieldEvery, epoch++, buffers);
  }
  const v = m.validationPair(data);
  return (buffers) => evaluateYielding(engine, loss, v.x, v.y, kinds, rows, yieldEvery, buffers);
}

/** A pair [x, y] is an array of two data sets; anything else (a list of { xs, ys } batches, a generator) is a source. */
function isBatchSource(data: unknown): data is BatchSource {
  if (!Array.isArray(data)) return true;
  const first: unknown = data[0];
  return typeof first === 'object' && first !== null && 'xs' in first;
}
