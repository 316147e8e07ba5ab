import { fail } from '../util/errors.js';
import { WeightBytes } from './bytes.js';
import { artifactsInfo } from './model-json.js';
import type { IOHandler, ModelArtifacts, SaveResult } from './types.js';

/** An IOHandler that keeps the artifacts in memory: `save` stores them in `.artifacts`, `load` returns them. */
export interface MemoryHandler extends IOHandler {
  artifacts: ModelArtifacts | undefined;
  save(artifacts: ModelArtifacts): Promise<SaveResult>;
  load(): Promise<ModelArtifacts>;
}

/**
 * Save to or load from memory, everywhere: `const h = memoryHandler(); await model.save(h); h.artifacts` gives
 * TensorFlow.js's `io.ModelArtifacts` (`tf.loadLayersModel(tf.io.fromMemory(h.artifacts))` reads them), and
 * `loadModel(memoryHandler(artifacts))` — or simply `loadModel(artifacts)` — loads them.
 */
export function memoryHandler(artifacts?: ModelArtifacts): MemoryHandler {
  return {
    artifacts,
    async save(a: ModelArtifacts): Promise<SaveResult> {
      this.artifacts = a;
      return { modelArtifactsInfo: artifactsInfo(a, a.weightData ? new WeightBytes(a.weightData).byteLength : 0) };
    },
    async load(): Promise<ModelArtifacts> {
      if (!this.artifacts) fail('memoryHandler: nothing has been saved to it yet');
      return this.artifacts;
    },
  };
}
