// The public surface of scratchnet: every export is named here.
export { Network } from './models/network.js';
export type { NetworkOptions, NetworkFitOptions } from './models/network.js';
export { Sequential } from './models/sequential.js';
export type {
  SequentialOptions,
  CompileOptions,
  FitOptions,
  InferenceOptions,
  EvaluateOptions,
  Callbacks,
  EvaluateResult,
} from './models/sequential.js';
export type { SampleWeightInput, ClassWeightInput } from './data/sample-weights.js';
export type { MetricName } from './models/metrics.js';
export type { History, Logs } from './models/fit-loop.js';
export { Layer } from './layers/layer.js';
export { KernelLayer } from './layers/kernel-layer.js';
export type { Param, ParamShape, ForwardMode, FusedPool } from './layers/kernel-layer.js';
export { FCLayer } from './layers/fc-layer.js';
export { ActivationLayer } from './layers/activation-layer.js';
export { Dense } from './layers/dense.js';
export type { DenseOptions } from './layers/dense.js';
export { Activation } from './layers/activation.js';
export { Dropout } from './layers/dropout.js';
export { Flatten } from './layers/flatten.js';
export type { FlattenOptions } from './layers/flatten.js';
export { Reshape } from './layers/reshape.js';
export type { ReshapeOptions } from './layers/reshape.js';
export { FlattenLayer } from './layers/flatten-layer.js';
export { Conv2D } from './layers/conv2d.js';
export type { Conv2DOptions } from './layers/conv2d.js';
export { ConvLayer } from './layers/conv-layer.js';
export { MaxPooling2D } from './layers/max-pooling2d.js';
export { AveragePooling2D } from './layers/average-pooling2d.js';
export type { Pooling2DOptions } from './layers/pooling2d.js';
export { GlobalAveragePooling2D } from './layers/global-average-pooling2d.js';
export type { GlobalAveragePooling2DOptions } from './layers/global-average-pooling2d.js';
export type { Shape } from './layers/shape.js';
export type { LayerConfig } from './layers/config.js';
export { activations } from './activations/index.js';
export type {
  Activation as ActivationFunction,
  ActivationInput,
  ActivationName,
  BuiltinActivationName,
} from './activations/index.js';
export { losses } from './losses/index.js';
export type { Loss, LossInput, LossName, BuiltinLossName } from './losses/index.js';
export { optimizers, SGD, Adam, RMSprop } from './optimizers/index.js';
export type {
  Optimizer,
  OptimizerInput,
  OptimizerName,
  OptimizerSettings,
  SgdOptions,
  AdamOptions,
  RmspropOptions,
} from './optimizers/index.js';
export { initializers } from './initializers/index.js';
export type { Initializer, InitializerInput, InitializerName } from './initializers/index.js';
export { setBackend, getBackend, memory } from './backends/index.js';
export type { Backend, BackendName, BackendLabel, ThreadPool } from './backends/backend.js';
export { setThreads, getThreads } from './backends/wasm/threads/settings.js';
export { Random } from './util/random.js';
export { ScratchnetError } from './util/errors.js';
export type { ErrorCode } from './util/errors.js';
export { parseIdx } from './data/idx.js';
export type { IdxArray, IdxType } from './data/idx.js';
export { mnistFromIdx } from './data/mnist.js';
export type { MnistData, MnistImageData, MnistImages, MnistIdxFiles, MnistOptions } from './data/mnist.js';
export { toCategorical } from './data/categorical.js';
export { matrix } from './data/matrix.js';
export type { Matrix } from './data/matrix.js';
export type { DataInput } from './data/inputs.js';
export type { LabelInput } from './data/targets.js';
export type { Batch, BatchIterable, BatchSource } from './data/batch-source.js';
export type { FitDatasetOptions, EvaluateDatasetOptions } from './models/fit-dataset.js';
export { ready } from './backends/index.js';
export { trainInWorker } from './worker/train-in-worker.js';
export type { TrainInWorkerOptions, TrainInWorkerResult } from './worker/train-in-worker.js';
export { serveTraining } from './worker/serve.js';
export type { MessageEndpoint, WorkerFitOptions } from './worker/protocol.js';
export { modelFromSpec } from './worker/spec.js';
export type {
  ModelSpec,
  LayerSpec,
  DenseSpec,
  DropoutSpec,
  ActivationSpec,
  FlattenSpec,
  ReshapeSpec,
  Conv2DSpec,
  Pooling2DSpec,
  GlobalAveragePooling2DSpec,
  OptimizerSpec,
} from './worker/spec.js';
export { benchmark } from './benchmark/index.js';
export type { BenchmarkRow, BenchmarkOptions } from './benchmark/index.js';
export { loadModel } from './io/load-model.js';
export type { LoadModelOptions } from './io/load-model.js';
export { memoryHandler } from './io/memory-handler.js';
export type { MemoryHandler } from './io/memory-handler.js';
export { indexedDbHandler } from './io/indexeddb.js';
export { downloadHandler, browserFiles } from './io/download.js';
export { httpHandler } from './io/http.js';
export type {
  ModelArtifacts,
  IOHandler,
  SaveOptions,
  SaveResult,
  WeightsManifestEntry,
  ModelJSON,
  TrainingConfig,
} from './io/types.js';
export type { ModelSource, SaveTarget } from './io/source.js';
export { callbacks } from './callbacks/index.js';
export type {
  EarlyStopping,
  EarlyStoppingOptions,
  ModelCheckpointOptions,
  LearningRateSchedulerOptions,
  ReduceLROnPlateau,
  ReduceLROnPlateauOptions,
  MonitorName,
} from './callbacks/index.js';
export { checkGradients } from './check-gradients/index.js';
export type {
  GradientCheckOptions,
  GradientCheckReport,
  LayerGradientReport,
  GradientComparison,
} from './check-gradients/index.js';
export type { OptimizerState } from './optimizers/index.js';
