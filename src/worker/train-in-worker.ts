/**
 * The calling side: `trainInWorker(worker, { model, x, y, fitOptions, onEpochEnd, signal })` trains a model in a
 * Web Worker (or a Node worker_threads Worker) that runs `serveTraining()`, and resolves with the history and the
 * trained weights. It needs nothing else from scratchnet, so a page can call it before loading any model code.
 */
import type { BackendName } from '../backends/backend.js';
import type { DataInput } from '../data/inputs.js';
import type { LabelInput } from '../data/targets.js';
import type { History, Logs } from '../models/train-loop.js';
import { WORKER_FIT_OPTIONS, buffersOf, onMessage, typedArraysIn, type MessageEndpoint, type Reply, type TrainRequest, type WorkerFitOptions } from './protocol.js';
import type { ModelSpec } from './spec.js';
import { checkOptions } from '../util/options.js';

const TRAIN_IN_WORKER_OPTIONS = ['model', 'x', 'y', 'fitOptions', 'weights', 'transfer', 'onEpochEnd', 'onBatchEnd', 'weightsEachEpoch', 'signal'];

export interface TrainInWorkerOptions {
  /** the model as plain JSON (see ModelSpec); the worker builds it with `modelFromSpec` */
  model: ModelSpec;
  /** samples: number[][] or { data: Float32Array, shape: [samples, features] } */
  x: DataInput;
  /** targets or labels, in any form `fit` takes */
  y: LabelInput | DataInput;
  /** epochs, batchSize, shuffle, validationSplit, validationData, yieldEvery */
  fitOptions?: WorkerFitOptions;
  /** start from these weights (as from getWeights) instead of the spec's initialisation */
  weights?: Float32Array[];
  /**
   * Transfer the ArrayBuffers under x, y, fitOptions.validationData and the starting weights to the worker
   * instead of copying them: posting is then instant however large the data, but the arrays become unusable
   * (detached) here, and a view transfers its whole buffer. Default false: copies.
   */
  transfer?: boolean;
  /** after each epoch, with Keras's logs (loss, accuracy, val_loss, val_accuracy) */
  onEpochEnd?: (epoch: number, logs: Logs, weights?: Float32Array[]) => void;
  /** after each batch, with the running means of the epoch so far; only asked of the worker when given */
  onBatchEnd?: (batch: number, logs: Logs, epoch: number) => void;
  /** also send the weights with every epoch event (the third argument of onEpochEnd), e.g. for live predictions */
  weightsEachEpoch?: boolean;
  /**
   * Aborting stops training after the current batch; the promise then resolves with what was trained so far and
   * `stopped: true`. A signal aborted before the call rejects with its reason, as fetch does.
   */
  signal?: AbortSignal;
}

export interface TrainInWorkerResult {
  history: History;
  /** the trained weights, in getWeights order (kernel then bias per Dense layer); transferred, not copied */
  weights: Float32Array[];
  /** true if training ended early through the signal */
  stopped: boolean;
  /** the backend the worker trained on */
  backend: BackendName;
}

let nextId = 1;

/**
 * Train the model that `options.model` describes in `worker` (which must call `serveTraining()`), streaming
 * progress to the callbacks. Resolves with `{ history, weights, stopped, backend }`; rejects with the worker's
 * error (its message unchanged) if building or training fails there, or if the worker itself fails.
 * Several trainings may run on one worker at the same time; each has its own model.
 */
export function trainInWorker(worker: MessageEndpoint, options: TrainInWorkerOptions): Promise<TrainInWorkerResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('scratchnet: training aborted'));
  if (!options || typeof options !== 'object' || !options.model) {
    return Promise.reject(new Error('scratchnet: trainInWorker(worker, { model, x, y, fitOptions }) needs a model spec'));
  }
  try {
    // checked here, before anything is posted: the worker would build and train something else
    checkOptions(options, 'trainInWorker(worker, options): options', TRAIN_IN_WORKER_OPTIONS);
    if (options.fitOptions !== undefined) checkOptions(options.fitOptions, 'trainInWorker fitOptions', WORKER_FIT_OPTIONS);
  } catch (e) {
    return Promise.reject(e);
  }
  const id = nextId++;
  return new Promise<TrainInWorkerResult>((resolve, reject) => {
    const cleanups: (() => void)[] = [];
    const finish = () => { for (const cleanup of cleanups) cleanup(); };

    cleanups.push(onMessage(worker, (data) => {
      const reply = data as Reply;
      if (!reply || typeof reply !== 'object' || reply.id !== id || typeof reply.type !== 'string') return;
      switch (reply.type) {
        case 'scratchnet:epoch':
          options.onEpochEnd?.(reply.epoch, reply.logs, reply.weights);
          break;
        case 'scratchnet:batch':
          options.onBatchEnd?.(reply.batch, reply.logs, reply.epoch);
          break;
        case 'scratchnet:done':
          finish();
          resolve({ history: reply.history, weights: reply.weights, stopped: reply.stopped, backend: reply.backend });
          break;
        case 'scratchnet:error': {
          finish();
          const error = new Error(reply.message);
          error.name = reply.name;
          if (reply.stack) error.stack = reply.stack;
          reject(error);
          break;
        }
      }
    }));

    // The worker itself failing (a script that does not load, an uncaught error, exit) ends the training too.
    const failed = (what: string) => (e: unknown) => {
      finish();
      const detail = e instanceof Error ? e.message : (e as ErrorEvent)?.message ?? String(e);
      reject(new Error(`scratchnet: the training worker ${what}${detail ? `: ${detail}` : ''}`));
    };
    if (typeof worker.on === 'function') {
      const onError = failed('failed');
      const onExit = (code: number) => failed('exited')(`exit code ${code}`);
      worker.on('error', onError);
      worker.on('exit', onExit);
      cleanups.push(() => { worker.off?.('error', onError); worker.off?.('exit', onExit); });
    } else if (typeof worker.addEventListener === 'function') {
      const onError = (event: Event) => { event.preventDefault?.(); failed('failed')(event); };
      const onMessageError = failed('could not read a message');
      worker.addEventListener('error', onError);
      worker.addEventListener('messageerror', onMessageError);
      cleanups.push(() => {
        worker.removeEventListener?.('error', onError);
        worker.removeEventListener?.('messageerror', onMessageError);
      });
    }

    if (signal) {
      const onAbort = () => worker.postMessage({ type: 'scratchnet:stop', id });
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }

    const request: TrainRequest = {
      type: 'scratchnet:train',
      id,
      model: options.model,
      x: options.x,
      y: options.y,
      fitOptions: options.fitOptions ?? {},
      weights: options.weights,
      batchEvents: typeof options.onBatchEnd === 'function',
      weightsEachEpoch: options.weightsEachEpoch === true,
    };
    const transfer = options.transfer
      ? buffersOf([
        ...typedArraysIn(options.x), ...typedArraysIn(options.y),
        ...(options.fitOptions?.validationData ?? []).flatMap(typedArraysIn),
        ...(options.weights ?? []),
      ])
      : [];
    try {
      worker.postMessage(request, transfer);
    } catch (e) {
      finish();
      reject(e);
    }
  });
}
