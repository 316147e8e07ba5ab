/**
 * The calling side: `trainInWorker(worker, { model, x, y, fitOptions, onEpochEnd, signal })` trains a model in a
 * Web Worker (or a Node worker_threads Worker) that runs `serveTraining()`, and resolves with the history and the
 * trained weights. It needs nothing else from scratchnet, so a page can call it before loading any model code.
 */
import type { BackendLabel } from '../backends/backend.js';
import type { DataInput } from '../data/inputs.js';
import type { LabelInput } from '../data/targets.js';
import type { History, Logs } from '../models/fit-loop.js';
import {
  WORKER_FIT_OPTIONS,
  buffersOf,
  onMessage,
  typedArraysIn,
  type MessageEndpoint,
  type Reply,
  type TrainRequest,
  type WorkerFitOptions,
} from './protocol.js';
import type { ModelSpec } from './spec.js';
import { checkOptions } from '../util/options.js';
import { fail, ScratchnetError, scratchnetError, type ErrorCode } from '../util/errors.js';
import { optionCallbacks } from './option-callbacks.js';

const TRAIN_IN_WORKER_OPTIONS = [
  'model',
  'x',
  'y',
  'fitOptions',
  'weights',
  'transfer',
  'onEpochEnd',
  'onBatchEnd',
  'weightsEachEpoch',
  'signal',
  'startTimeout',
];

const DEFAULT_START_TIMEOUT_MS = 30_000;

/** What `trainInWorker(worker, options)` sends: the model as a spec, the data and the fit options, with progress hooks. */
export interface TrainInWorkerOptions {
  /** the model as plain JSON (see ModelSpec); the worker builds it with `modelFromSpec` */
  model: ModelSpec;
  /** samples: number[][] or { data: Float32Array, shape: [samples, features] } */
  x: DataInput;
  /** targets or labels, in any form `fit` takes */
  y: LabelInput | DataInput;
  /** epochs, batchSize, shuffle, validationSplit, validationData, yieldEvery, verbose */
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
  /**
   * How long to wait, in ms, for the worker to accept the request (default 30,000). `serveTraining` accepts at once,
   * so this is the time the worker takes to load and start its script; a worker that never calls serveTraining
   * rejects after it, with a message saying so.
   */
  startTimeout?: number;
}

/** What `trainInWorker` resolves to: the history, the trained weights and whether training was stopped. */
export interface TrainInWorkerResult {
  history: History;
  /** the trained weights, in getWeights order (kernel then bias per Dense layer); transferred, not copied */
  weights: Float32Array[];
  /** true if training ended early through the signal */
  stopped: boolean;
  /** the backend the worker trained on */
  backend: BackendLabel;
  /** the threads its kernels used (the worker's getThreads(): its own pool of workers; 1 on the JS backend) */
  threads: number;
}

let nextId = 1;
/** workers that have answered a request: they run serveTraining, so a later failure is not their script's */
const served = new WeakSet<object>();

/** The error `fail` makes, to reject with rather than throw (the failures below happen in event handlers). */
function errorOf(message: string, code: ErrorCode = 'bad_input'): Error {
  try {
    fail(message, code);
  } catch (e) {
    return e as Error;
  }
}

/** What a worker's error (an Error, a browser ErrorEvent, or a bare Event) says, or '' when it says nothing. */
function detailOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  const event = e as { message?: unknown; filename?: unknown; lineno?: unknown } | null;
  if (typeof event?.message === 'string' && event.message !== '') {
    const at =
      typeof event.filename === 'string' && event.filename
        ? ` (${event.filename}${event.lineno ? `:${event.lineno}` : ''})`
        : '';
    return `${event.message}${at}`;
  }
  return typeof e === 'string' ? e : '';
}

/**
 * Train the model that `options.model` describes in `worker` (which must call `serveTraining()`), streaming
 * progress to the callbacks. Resolves with `{ history, weights, stopped, backend, threads }`; rejects with the worker's
 * error (its message unchanged) if building or training fails there, or if the worker itself fails.
 * Several trainings may run on one worker at the same time; each has its own model.
 */
export function trainInWorker(worker: MessageEndpoint, options: TrainInWorkerOptions): Promise<TrainInWorkerResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason ?? scratchnetError('training aborted'));
  if (!options || typeof options !== 'object' || !options.model) {
    return Promise.reject(scratchnetError('trainInWorker(worker, { model, x, y, fitOptions }) needs a model spec'));
  }
  const { startTimeout = DEFAULT_START_TIMEOUT_MS } = options;
  try {
    // checked here, before anything is posted: the worker would build and train something else
    checkOptions(options, 'trainInWorker(worker, options): options', TRAIN_IN_WORKER_OPTIONS);
    if (options.fitOptions !== undefined) {
      checkOptions(options.fitOptions, 'trainInWorker fitOptions', WORKER_FIT_OPTIONS);
      optionCallbacks(options.fitOptions);
    }
    if (typeof startTimeout !== 'number' || !(startTimeout > 0))
      fail(`startTimeout must be a number of milliseconds > 0, got ${String(startTimeout)}`);
  } catch (e) {
    return Promise.reject(e);
  }
  const id = nextId++;
  return new Promise<TrainInWorkerResult>((resolve, reject) => {
    const cleanups: (() => void)[] = [];
    const finish = () => {
      for (const cleanup of cleanups) cleanup();
    };

    // serveTraining accepts every request at once; no answer in time means the worker does not serve (or cannot start).
    let accepted = false;
    const timer = setTimeout(() => {
      finish();
      reject(
        errorOf(
          `the training worker did not answer within ${startTimeout / 1000} s. Does its script call ` +
            `serveTraining() (in Node: serveTraining(parentPort))? A script that is slow to load needs a longer startTimeout.`,
          'worker_failed',
        ),
      );
    }, startTimeout);
    const accept = () => {
      accepted = true;
      served.add(worker);
      clearTimeout(timer);
    };
    cleanups.push(() => clearTimeout(timer));

    cleanups.push(
      onMessage(worker, (data) => {
        const reply = data as Reply;
        if (!reply || typeof reply !== 'object' || reply.id !== id || typeof reply.type !== 'string') return;
        accept();
        switch (reply.type) {
          case 'scratchnet:epoch':
            options.onEpochEnd?.(reply.epoch, reply.logs, reply.weights);
            break;
          case 'scratchnet:batch':
            options.onBatchEnd?.(reply.batch, reply.logs, reply.epoch);
            break;
          case 'scratchnet:accepted':
            break;
          case 'scratchnet:done':
            finish();
            resolve({
              history: reply.history,
              weights: reply.weights,
              stopped: reply.stopped,
              backend: reply.backend,
              threads: reply.threads,
            });
            break;
          case 'scratchnet:error': {
            finish();
            // scratchnet's own errors come back as ScratchnetErrors with their code; others as they were named
            let error: Error;
            if (reply.code) error = new ScratchnetError(reply.message, reply.code);
            else {
              error = new Error(reply.message);
              error.name = reply.name;
            }
            if (reply.stack) error.stack = reply.stack;
            reject(error);
            break;
          }
        }
      }),
    );

    // The worker itself failing (a script that does not load, an uncaught error, exit) ends the training too.
    const failed =
      (what: string, withoutDetail = `the training worker ${what} (with no detail; see the worker's console)`) =>
      (e: unknown) => {
        finish();
        const detail = detailOf(e);
        reject(errorOf(detail ? `the training worker ${what}: ${detail}` : withoutDetail, 'worker_failed'));
      };
    if (typeof worker.on === 'function') {
      const onError = failed('failed');
      // a worker that has answered (this request, or one before) serves: its script is not what went wrong
      const onExit = (code: number) =>
        failed('exited')(
          accepted || served.has(worker)
            ? `exit code ${code}${code === 1 ? ' (worker.terminate() ends a worker with this code)' : ''}`
            : `exit code ${code}, before answering. Does its script call serveTraining(parentPort)?`,
        );
      worker.on('error', onError);
      worker.on('exit', onExit);
      cleanups.push(() => {
        worker.off?.('error', onError);
        worker.off?.('exit', onExit);
      });
    } else if (typeof worker.addEventListener === 'function') {
      // A browser reports a script that cannot load (404, wrong MIME type) as an Event with no message at all.
      const notLoaded =
        `the training worker failed before answering: its script did not load or start, and the ` +
        `browser gives no detail. Check the worker's URL (a 404 or a non-JavaScript MIME type shows in the network ` +
        `panel), and that a module script is started with new Worker(url, { type: 'module' }).`;
      const onError = (event: Event) => {
        event.preventDefault?.();
        failed('failed', accepted ? undefined : notLoaded)(event);
      };
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
          ...typedArraysIn(options.x),
          ...typedArraysIn(options.y),
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
