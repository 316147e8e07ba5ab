import { fail } from '../util/errors.js';
import { describe } from './bytes.js';
import { handlerFor } from './router.js';
import type { IOHandler, ModelArtifacts, SaveResult } from './types.js';

/** Where a model can be loaded from: a URL string, an IOHandler, or the artifacts themselves. */
export type ModelSource = string | IOHandler | ModelArtifacts;
/** Where a model can be saved to: a URL string or an IOHandler. */
export type SaveTarget = string | IOHandler;

/** The artifacts behind a source (loading them through its handler when it is one). */
export async function readSource(source: unknown): Promise<ModelArtifacts> {
  if (
    source !== null &&
    typeof source === 'object' &&
    'modelTopology' in source &&
    typeof (source as IOHandler).load !== 'function'
  ) {
    return source as ModelArtifacts;
  }
  if (typeof source !== 'string' && (source === null || typeof source !== 'object')) {
    fail(
      `loadModel takes a URL string, an IOHandler or model artifacts { modelTopology, weightSpecs, weightData }, got ${describe(source)}`,
    );
  }
  const artifacts = await handlerFor(source, 'load').load!();
  if (artifacts === null || typeof artifacts !== 'object')
    fail(`the load handler returned ${describe(artifacts)} instead of model artifacts`);
  return artifacts;
}

export async function writeTarget(artifacts: ModelArtifacts, target: unknown): Promise<SaveResult> {
  return handlerFor(target, 'save').save!(artifacts);
}
