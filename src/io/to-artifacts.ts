/** A model → TensorFlow.js layers-model artifacts (topology, weight specs, one little-endian float32 buffer). */
import { KernelLayer } from '../layers/kernel-layer.js';
import type { Layer } from '../layers/layer.js';
import type { Shape } from '../layers/shape.js';
import type { Loss } from '../losses/index.js';
import type { Optimizer } from '../optimizers/index.js';
import { fail } from '../util/errors.js';
import type { Random } from '../util/random.js';
import { packWeights } from './bytes.js';
import { writeTopology } from './topology.js';
import {
  optimizerSlotNames,
  toTfjsSlot,
  velocityScale,
  writeOptimizerConfig,
  writeTrainingConfig,
} from './training-config.js';
import type { ModelArtifacts, SaveOptions, WeightsManifestEntry } from './types.js';

/** What a model hands to `toArtifacts`: both Sequential and Network describe themselves this way. */
export interface SaveSource {
  api: 'sequential' | 'network';
  name: string;
  layers: readonly Layer[];
  built: boolean;
  /** the shape of one input sample */
  inputShape: Shape;
  loss?: Loss;
  metrics?: string[];
  optimizer?: Optimizer;
  rng: Random;
}

export const GENERATED_BY = 'scratchnet 0.1.0';

/** scratchnet's own notes in `userDefinedMetadata.scratchnet`: enough to resume training exactly. */
export interface ScratchnetMetadata {
  version: 1;
  api: 'sequential' | 'network';
  /** the model's random generator state (shuffling, dropout) */
  rng: number;
  loss?: { name: string; fromLogits: boolean };
  metrics?: string[];
  optimizer?: { class_name: string; config: Record<string, unknown> };
  /** what the momentum's velocity was divided by in the file when that is not the learning rate (a rate of 0) */
  velocityScale?: number;
}

export function toArtifacts(source: SaveSource, options: SaveOptions = {}): ModelArtifacts {
  if (options === null || typeof options !== 'object')
    fail(`save options must be an object like { includeOptimizer: true }, got ${options}`);
  if (source.layers.length === 0) fail('the model has no layers to save');
  const modelTopology = writeTopology(source.name, source.layers, source.inputShape);
  if (!source.built) {
    fail(
      'the model has no weights to save until it is built: fit or predict once, call build(inputShape), or give the first layer an inputShape',
    );
  }
  const weightSpecs: WeightsManifestEntry[] = [];
  const arrays: (Float32Array | { int32: number })[] = [];
  const paramNames: string[] = [];
  for (const layer of source.layers) {
    if (!(layer instanceof KernelLayer)) continue; // writeTopology has refused custom layers already
    const values = layer.getWeights();
    layer.params().forEach((p, i) => {
      const name = `${layer.name}/${p.name}`;
      weightSpecs.push({ name, shape: [...p.shape], dtype: 'float32' });
      arrays.push(values[i]);
      paramNames.push(name);
    });
  }

  const meta: ScratchnetMetadata = { version: 1, api: source.api, rng: source.rng.getState() };
  const { loss, optimizer } = source;
  if (loss?.builtin) meta.loss = { name: loss.name, fromLogits: loss.fromLogits };
  if (source.metrics?.length) meta.metrics = source.metrics;
  const optimizerConfig = optimizer && writeOptimizerConfig(optimizer);
  if (optimizerConfig) meta.optimizer = optimizerConfig;

  if (options.includeOptimizer) {
    if (!optimizer) fail('includeOptimizer: the model has no optimizer to save; compile it first');
    const slots = optimizerSlotNames(optimizer);
    if (!slots || !optimizer.getState || !optimizerConfig)
      fail(`includeOptimizer: the optimizer '${optimizer.name}' is not a built-in one, so its state cannot be saved`);
    const state = optimizer.getState();
    const scale = velocityScale(optimizer);
    if (scale !== optimizer.learningRate) meta.velocityScale = scale;
    weightSpecs.push({ name: 'iter', shape: [], dtype: 'int32', group: 'optimizer' });
    arrays.push({ int32: state.iterations });
    slots.names.forEach((slotName, s) => {
      paramNames.forEach((name, p) => {
        const ours = slots.ours[s];
        const values =
          ours >= 0
            ? toTfjsSlot(optimizer, state.slots[p][ours], scale)
            : new Float32Array(arrays[p] instanceof Float32Array ? (arrays[p] as Float32Array).length : 0);
        weightSpecs.push({
          name: `${name}/${slotName}`,
          shape: weightSpecs[p].shape,
          dtype: 'float32',
          group: 'optimizer',
        });
        arrays.push(values);
      });
    });
  }

  const artifacts: ModelArtifacts = {
    modelTopology,
    weightSpecs,
    weightData: packWeights(arrays),
    format: 'layers-model',
    generatedBy: GENERATED_BY,
    convertedBy: null,
    userDefinedMetadata: { scratchnet: meta },
  };
  const trainingConfig = loss && optimizer ? writeTrainingConfig(loss, optimizer, source.metrics ?? []) : undefined;
  if (trainingConfig) artifacts.trainingConfig = trainingConfig;
  return artifacts;
}
