/**
 * `loadModel(source)`: a TensorFlow.js layers model — saved by scratchnet, by TensorFlow.js, or converted from Keras
 * — as a Sequential. The artifacts are read and checked in full first (see from-artifacts.ts); only then is the model
 * built, so a bad file allocates nothing. A model saved with its training config comes back compiled, and with
 * `includeOptimizer` and scratchnet's metadata it resumes training exactly where it stopped.
 */
import type { BackendName } from '../backends/backend.js';
import type { MetricName } from '../models/metrics.js';
import { Sequential } from '../models/sequential.js';
import { checkOptions } from '../util/options.js';
import { readArtifacts } from './from-artifacts.js';
import { kerasLayers } from './layers-from-plan.js';
import { readSource, type ModelSource } from './source.js';

/** Options of `loadModel(source, options)`. */
export interface LoadModelOptions {
  /** 'wasm' or 'js'; default: the active backend */
  backend?: BackendName;
  /** seed for later shuffling and dropout; default: the saved generator state, so training resumes exactly */
  seed?: number;
  /**
   * compile with the saved loss, metrics and optimizer, and restore its state (default true). A model saved with a
   * loss or optimizer scratchnet does not have (or a setting it does not follow) is then refused, naming it; `false`
   * loads the layers and weights alone. Metrics scratchnet does not have are left out.
   */
  compile?: boolean;
  name?: string;
}

/** Load a model saved by scratchnet, TF.js or Keras (layers format) from a path, URL, handler or artifacts, as a Sequential. */
export async function loadModel(source: ModelSource, options: LoadModelOptions = {}): Promise<Sequential> {
  checkOptions(options, 'loadModel(source, options): options', ['backend', 'seed', 'compile', 'name']);
  const artifacts = await readSource(source);
  const plan = readArtifacts(artifacts, { compile: options.compile !== false });
  const model = new Sequential(kerasLayers(plan.topology), {
    backend: options.backend,
    seed: options.seed,
    name: options.name ?? plan.topology.name,
  });
  try {
    const { training } = plan;
    if (training?.optimizer)
      model.compile({ loss: training.loss, optimizer: training.optimizer, metrics: training.metrics as MetricName[] }); // readMetrics keeps only names we know
    // the loaded layers declare no input shape (the file's is the model's): build with it
    model.build(plan.inputShape);
    model.setWeights(plan.weights);
    if (plan.optimizerState) training!.optimizer!.setState!(plan.optimizerState);
    if (plan.rngState !== undefined && options.seed === undefined) model.internals.rng.setState(plan.rngState);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
