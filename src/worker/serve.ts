/**
 * The worker side of `trainInWorker`: `serveTraining()` answers training requests on a worker's message port.
 *
 *   // train.worker.js (a module worker)            // Node: a worker_threads file
 *   import { serveTraining } from 'scratchnet';      import { parentPort } from 'node:worker_threads';
 *   serveTraining();                                 import { serveTraining } from 'scratchnet';
 *                                                    serveTraining(parentPort);
 */
import { ready } from '../backends/index.js';
import { getThreads } from '../backends/wasm/threads/settings.js';
import { fail, ScratchnetError } from '../util/errors.js';
import type { Sequential } from '../models/sequential.js';
import type { Logs } from '../models/fit-loop.js';
import {
  WORKER_FIT_OPTIONS,
  buffersOf,
  onMessage,
  PREFIX,
  type MessageEndpoint,
  type Reply,
  type Request,
  type TrainRequest,
} from './protocol.js';
import { checkOptions } from '../util/options.js';
import { modelFromSpec } from './spec.js';
import { optionCallbacks } from './option-callbacks.js';

interface Job {
  model?: Sequential;
  stopRequested: boolean;
}

/**
 * Train models for `trainInWorker` on `endpoint` (default: this worker's own scope, `self`): each request builds
 * the model from its JSON spec, fits it while posting progress, and posts the history and the weights back,
 * transferring the weights' buffers rather than copying them. A stop request ends a fit after its current batch.
 * Messages that are not scratchnet's are left alone, so a worker can serve other requests too.
 * Returns a function that stops serving.
 */
export function serveTraining(port: MessageEndpoint | null = globalThis as unknown as MessageEndpoint): () => void {
  // worker_threads' parentPort is null on the main thread: say so rather than fail on the first message.
  if (port === null)
    fail('serveTraining(parentPort): parentPort is null, so this code is not running in a worker thread');
  const endpoint: MessageEndpoint = port;
  const jobs = new Map<number, Job>();
  const post = (reply: Reply, transfer: ArrayBuffer[] = []) => endpoint.postMessage(reply, transfer);

  return onMessage(endpoint, (data) => {
    const request = data as Request;
    if (!request || typeof request !== 'object' || typeof request.type !== 'string' || !request.type.startsWith(PREFIX))
      return;
    if (request.type === 'scratchnet:stop') {
      const job = jobs.get(request.id);
      if (job) {
        job.stopRequested = true;
        if (job.model) job.model.stopTraining = true;
      }
      return;
    }
    if (request.type === 'scratchnet:train') {
      const job: Job = { stopRequested: false };
      jobs.set(request.id, job);
      // at once, before loading anything: trainInWorker then knows this worker serves (else it times out)
      post({ type: 'scratchnet:accepted', id: request.id });
      train(request, job, post)
        .catch((e: unknown) => {
          const error = e instanceof Error ? e : new Error(String(e));
          post({
            type: 'scratchnet:error',
            id: request.id,
            name: error.name,
            message: error.message,
            stack: error.stack,
            code: error instanceof ScratchnetError ? error.code : undefined,
          });
        })
        .finally(() => jobs.delete(request.id));
    }
  });
}

async function train(
  request: TrainRequest,
  job: Job,
  post: (reply: Reply, transfer?: ArrayBuffer[]) => void,
): Promise<void> {
  const { id, fitOptions = {} } = request;
  checkOptions(fitOptions, 'the training request fitOptions', WORKER_FIT_OPTIONS);
  await ready();
  const model = modelFromSpec(request.model);
  job.model = model;
  try {
    if (request.weights) {
      model.build(sampleShapeOf(request.x));
      model.setWeights(request.weights);
    }
    let epoch = fitOptions.initialEpoch ?? 0;
    const history = await model.fit(request.x, request.y, {
      epochs: fitOptions.epochs,
      initialEpoch: fitOptions.initialEpoch,
      batchSize: fitOptions.batchSize,
      shuffle: fitOptions.shuffle,
      validationSplit: fitOptions.validationSplit,
      validationData: fitOptions.validationData,
      sampleWeight: fitOptions.sampleWeight,
      classWeight: fitOptions.classWeight,
      // a stop message is read when fit yields: every 50 ms by default
      yieldEvery: fitOptions.yieldEvery,
      verbose: fitOptions.verbose ?? 0,
      callbacks: [
        ...optionCallbacks(fitOptions),
        {
          onEpochEnd: (e: number, logs: Logs) => {
            epoch = e + 1;
            if (request.weightsEachEpoch) {
              const weights = model.getWeights();
              post({ type: 'scratchnet:epoch', id, epoch: e, logs, weights }, buffersOf(weights));
            } else {
              post({ type: 'scratchnet:epoch', id, epoch: e, logs });
            }
          },
          onBatchEnd: (batch: number, logs: Logs) => {
            // fit clears stopTraining when it starts: a stop that came while the model was being prepared counts too
            if (job.stopRequested) model.stopTraining = true;
            if (request.batchEvents) post({ type: 'scratchnet:batch', id, epoch, batch, logs });
          },
        },
      ],
    });
    const weights = model.getWeights();
    post(
      {
        type: 'scratchnet:done',
        id,
        history,
        weights,
        stopped: job.stopRequested,
        backend: model.backend,
        threads: model.backend === 'wasm' ? getThreads() : 1,
      },
      buffersOf(weights),
    );
  } finally {
    model.dispose();
  }
}

/** The shape of one sample of x as the models read it (see toMatrix), for building before fit; nothing is copied. */
function sampleShapeOf(x: unknown): number[] | undefined {
  if (Array.isArray(x)) {
    const first = x[0];
    if (ArrayBuffer.isView(first)) return [(first as unknown as ArrayLike<number>).length];
    if (!Array.isArray(first)) return undefined;
    // the tutorial's [samples][1][features] (see fromArrays), else rows or nested images [samples][h][w][c]
    if (first.length === 1 && Array.isArray(first[0]) && !Array.isArray(first[0][0]))
      return [(first[0] as unknown[]).length];
    const shape: number[] = [];
    for (let v: unknown = first; Array.isArray(v) || ArrayBuffer.isView(v); v = (v as ArrayLike<unknown>)[0]) {
      shape.push((v as ArrayLike<unknown>).length);
      if (ArrayBuffer.isView(v)) break;
    }
    return shape;
  }
  const shape = (x as { shape?: readonly number[] })?.shape;
  return Array.isArray(shape) ? (shape.length > 1 ? shape.slice(1) : [1]) : undefined;
}
