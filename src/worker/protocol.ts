/**
 * The messages between `trainInWorker` (the page or the main Node thread) and `serveTraining` (the worker), and
 * the small adapter that lets both sides talk to a browser Worker, a worker's global scope, a Node `Worker` or a
 * Node `MessagePort` (worker_threads' `parentPort`) alike.
 */
import type { ErrorCode } from '../util/errors.js';
import type { BackendLabel } from '../backends/backend.js';
import type { DataInput } from '../data/inputs.js';
import type { LabelInput } from '../data/targets.js';
import type { FitOptions } from '../models/sequential.js';
import type { History, Logs } from '../models/fit-loop.js';
import type { ModelSpec } from './spec.js';
import type { EarlyStoppingOptions } from '../callbacks/early-stopping.js';
import type { ReduceLROnPlateauOptions } from '../callbacks/reduce-lr-on-plateau.js';
import { fail } from '../util/errors.js';

/** the keys of WorkerFitOptions, for checking what callers pass */
export const WORKER_FIT_OPTIONS = [
  'epochs',
  'initialEpoch',
  'batchSize',
  'shuffle',
  'validationSplit',
  'validationData',
  'yieldEvery',
  'verbose',
  'earlyStopping',
  'reduceLROnPlateau',
  'sampleWeight',
  'classWeight',
] as const;

/**
 * What `fit` takes in a worker: everything but callbacks, whose functions cannot be sent (progress comes back as
 * messages); the two callbacks configured by options alone are given by their options.
 */
export interface WorkerFitOptions {
  epochs?: number;
  /** the epoch to start at, as fit's (resuming a run from weights sent with the request) */
  initialEpoch?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationSplit?: number;
  validationData?: FitOptions['validationData'];
  /** fit's sampleWeight: a weight ≥ 0 per sample */
  sampleWeight?: FitOptions['sampleWeight'];
  /** fit's classWeight: `{ 0: 1, 1: 5 }` */
  classWeight?: FitOptions['classWeight'];
  /** how often the worker's fit yields, and so reads a stop message, in ms (default 50, as fit's) */
  yieldEvery?: number;
  /** fit's printing, done by the worker on its own console: 0 (the default here: progress comes back through
   *  onEpochEnd/onBatchEnd), 1 or 2 as in fit */
  verbose?: 0 | 1 | 2;
  /** `callbacks.earlyStopping(options)` in the worker's fit (with restoreBestWeights, the weights returned are the
   *  best epoch's) */
  earlyStopping?: EarlyStoppingOptions;
  /** `callbacks.reduceLROnPlateau(options)` in the worker's fit */
  reduceLROnPlateau?: ReduceLROnPlateauOptions;
}

/** Anything with postMessage and message events: a Worker, a worker's `self`, a MessagePort, Node's Worker or parentPort. */
// The `any`s let the DOM's and Node's own types satisfy this structurally (their listeners take different events).
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer?: readonly any[]): void;
  /** browsers (and Node's MessagePort) */
  addEventListener?(type: string, listener: (event: any) => void): void;
  removeEventListener?(type: string, listener: (event: any) => void): void;
  /** Node's EventEmitter style: Worker and MessagePort from node:worker_threads */
  on?(type: string, listener: (...args: any[]) => void): unknown;
  off?(type: string, listener: (...args: any[]) => void): unknown;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export const PREFIX = 'scratchnet:';

export interface TrainRequest {
  type: 'scratchnet:train';
  id: number;
  model: ModelSpec;
  x: DataInput;
  y: LabelInput | DataInput;
  fitOptions: WorkerFitOptions;
  weights?: Float32Array[];
  /** post a message after every batch (only when the caller listens) */
  batchEvents: boolean;
  /** send the weights with every epoch event */
  weightsEachEpoch: boolean;
}

export interface StopRequest {
  type: 'scratchnet:stop';
  id: number;
}

export type Request = TrainRequest | StopRequest;

export type Reply =
  | { type: 'scratchnet:accepted'; id: number }
  | { type: 'scratchnet:epoch'; id: number; epoch: number; logs: Logs; weights?: Float32Array[] }
  | { type: 'scratchnet:batch'; id: number; epoch: number; batch: number; logs: Logs }
  | {
      type: 'scratchnet:done';
      id: number;
      history: History;
      weights: Float32Array[];
      stopped: boolean;
      backend: BackendLabel;
      threads: number;
    }
  | {
      type: 'scratchnet:error';
      id: number;
      name: string;
      message: string;
      stack?: string;
      /** a ScratchnetError's code, so that the caller gets one back */
      code?: ErrorCode;
    };

/** Listen for message data on `endpoint`; returns the function that stops listening. */
export function onMessage(endpoint: MessageEndpoint, handler: (data: unknown) => void): () => void {
  if (typeof endpoint.on === 'function') {
    // Node: Worker and MessagePort emit the value itself
    endpoint.on('message', handler);
    return () => endpoint.off?.('message', handler);
  }
  if (typeof endpoint.addEventListener === 'function') {
    const listener = (event: MessageEvent) => handler(event.data);
    endpoint.addEventListener('message', listener);
    return () => endpoint.removeEventListener?.('message', listener);
  }
  fail('expected a Worker, a MessagePort or a worker scope (something with postMessage and message events)');
}

/** Every distinct ArrayBuffer under these arrays (transferring one buffer twice is an error). */
export function buffersOf(arrays: Iterable<unknown>): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const a of arrays) {
    if (ArrayBuffer.isView(a) && a.buffer instanceof ArrayBuffer) seen.add(a.buffer);
  }
  return [...seen];
}

/** The typed arrays inside a data argument ({ data, shape }, a typed array of labels, or nested lists: none). */
export function typedArraysIn(value: unknown): unknown[] {
  if (ArrayBuffer.isView(value)) return [value];
  if (value && typeof value === 'object' && 'data' in value) return typedArraysIn((value as { data: unknown }).data);
  return [];
}
