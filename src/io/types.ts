/**
 * The TensorFlow.js layers-model format, as plain types (the same shapes as `tf.io.ModelArtifacts` and friends), so
 * that artifacts pass between scratchnet and TensorFlow.js unchanged: `tf.loadLayersModel(tf.io.fromMemory(a))`
 * takes what `toArtifacts` makes, and `loadModel` takes what a TensorFlow.js save handler receives.
 */

/** One weight array in a manifest: its name, shape and type; its bytes follow the previous weight's. */
export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  /** 'optimizer' for optimizer slots (TensorFlow.js `includeOptimizer`); absent or 'model' for the model's weights */
  group?: string;
  /** set on quantised weights (the converter's --quantize_* flags); scratchnet refuses them */
  quantization?: { dtype: string; scale?: number; min?: number };
}

/** A group of weights stored across one or more files (shards), read one after another. */
export interface WeightsManifestGroupConfig {
  paths: string[];
  weights: WeightsManifestEntry[];
}

/** Keras's training configuration, as TensorFlow.js writes it. */
export interface TrainingConfig {
  loss: unknown;
  metrics?: unknown;
  optimizer_config: { class_name: string; config: Record<string, unknown> };
  [key: string]: unknown;
}

/** Raw weight bytes: one buffer, or several (shards) to be read as one. A Node Buffer or Uint8Array works too. */
export type WeightData = ArrayBuffer | ArrayBuffer[] | ArrayBufferView;

/** A whole model in memory: TensorFlow.js's `io.ModelArtifacts` for layers models. */
export interface ModelArtifacts {
  /** Keras's model config: { class_name: 'Sequential', config: { name, layers } } (or wrapped in model_config) */
  modelTopology?: unknown;
  weightSpecs?: WeightsManifestEntry[];
  weightData?: WeightData;
  trainingConfig?: TrainingConfig;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  userDefinedMetadata?: Record<string, unknown>;
}

/** The content of a model.json file. */
export interface ModelJSON {
  modelTopology: unknown;
  weightsManifest: WeightsManifestGroupConfig[];
  trainingConfig?: TrainingConfig;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  userDefinedMetadata?: Record<string, unknown>;
}

export interface ModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON';
  modelTopologyBytes?: number;
  weightSpecsBytes?: number;
  weightDataBytes?: number;
}

/** What a save handler reports after `model.save(…)`, as in TF.js. */
export interface SaveResult {
  modelArtifactsInfo: ModelArtifactsInfo;
}

/**
 * Where a model goes or comes from: TensorFlow.js's `io.IOHandler`. Handlers from `scratchnet/node` (`fileHandler`),
 * the browser handlers, `memoryHandler()`, or an object of your own with `save` and/or `load`.
 */
export interface IOHandler {
  save?(artifacts: ModelArtifacts): Promise<SaveResult>;
  load?(): Promise<ModelArtifacts>;
}

/** Options of `model.save` and `toArtifacts`. */
export interface SaveOptions {
  /** Also save the optimizer's state (its slots and step count) so that training resumes exactly. Default false. */
  includeOptimizer?: boolean;
}
