/**
 * `indexeddb://name`: a model in the browser's IndexedDB, in TensorFlow.js's own database layout (database
 * 'tensorflowjs', stores 'models_store' and 'model_info_store', keyed by modelPath), so that a model saved here
 * loads with `tf.loadLayersModel('indexeddb://name')` and the other way round. Both stores are written in one
 * transaction: a failed save leaves the previous model as it was.
 */
import { fail, scratchnetError } from '../util/errors.js';
import { joinBytes } from './bytes.js';
import { artifactsInfo } from './model-json.js';
import type { IOHandler, ModelArtifacts, SaveResult } from './types.js';

const DATABASE = 'tensorflowjs';
const VERSION = 1;
const MODELS = 'models_store';
const INFO = 'model_info_store';

export interface IndexedDbOptions {
  /** the IndexedDB factory (an `IDBFactory`); default `globalThis.indexedDB`. Typed loosely here, so that these types
   *  compile without the DOM library (a Node or worker project). */
  indexedDB?: { open(name: string, version?: number): unknown };
}

/** A handler that saves to and loads from the browser's IndexedDB, compatible with TF.js's `indexeddb://`. */
export function indexedDbHandler(name: string, options: IndexedDbOptions = {}): Required<IOHandler> {
  if (typeof name !== 'string' || name === '') fail(`indexeddb:// needs a model name, e.g. 'indexeddb://my-model'`);
  const factory = (): IDBFactory => {
    const idb = (options.indexedDB as IDBFactory | undefined) ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!idb)
      fail(
        `indexeddb://${name}: this environment has no IndexedDB (it exists in browsers and workers); in Node use a file:// target from 'scratchnet/node'`,
      );
    return idb;
  };
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      const weightData = artifacts.weightData ? joinBytes(artifacts.weightData) : new ArrayBuffer(0);
      const stored: ModelArtifacts = { ...artifacts, weightData };
      const modelArtifactsInfo = artifactsInfo(stored, weightData.byteLength);
      const db = await open(factory(), name);
      try {
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction([MODELS, INFO], 'readwrite');
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(storeError(name, 'save', tx.error));
          tx.onabort = () => reject(storeError(name, 'save', tx.error));
          try {
            tx.objectStore(INFO).put({ modelPath: name, modelArtifactsInfo });
            tx.objectStore(MODELS).put({ modelPath: name, modelArtifacts: stored, modelArtifactsInfo });
          } catch (e) {
            tx.abort();
            reject(storeError(name, 'save', e));
          }
        });
      } finally {
        db.close();
      }
      return { modelArtifactsInfo };
    },
    async load(): Promise<ModelArtifacts> {
      const db = await open(factory(), name);
      try {
        const record = await new Promise<unknown>((resolve, reject) => {
          const tx = db.transaction(MODELS, 'readonly');
          const request = tx.objectStore(MODELS).get(name);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(storeError(name, 'load', request.error));
        });
        const artifacts = (record as { modelArtifacts?: ModelArtifacts } | undefined)?.modelArtifacts;
        if (!artifacts) fail(`indexeddb://${name}: there is no model saved under this name`);
        return artifacts;
      } finally {
        db.close();
      }
    },
  };
}

function open(idb: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = idb.open(DATABASE, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(MODELS)) db.createObjectStore(MODELS, { keyPath: 'modelPath' });
      if (!db.objectStoreNames.contains(INFO)) db.createObjectStore(INFO, { keyPath: 'modelPath' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(storeError(name, 'open the database for', request.error));
    request.onblocked = () =>
      reject(storeError(name, 'open the database for', new Error('blocked by another open connection')));
  });
}

function storeError(name: string, action: string, cause: unknown): Error {
  const message =
    cause instanceof Error || (cause && typeof cause === 'object' && 'message' in cause)
      ? (cause as Error).message
      : String(cause ?? 'unknown error');
  // as a file system's failures (node-files.ts): the storage refused (its quota, a blocked database)
  return scratchnetError(`indexeddb://${name}: could not ${action} the model: ${message}`, 'io_failed', cause);
}
