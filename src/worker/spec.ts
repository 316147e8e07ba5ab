/**
 * A model described as plain JSON, so that it can be posted to a worker (functions and layer objects cannot be)
 * and rebuilt on either side of the message: `modelFromSpec(spec)` gives the same compiled Sequential everywhere,
 * and with the same seed the same initial weights.
 */
import type { BackendName } from '../backends/backend.js';
import { Activation } from '../layers/activation.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import type { KernelLayer } from '../layers/kernel-layer.js';
import { Sequential } from '../models/sequential.js';
import { optimizers, type Optimizer } from '../optimizers/index.js';
import { fail, resolveName } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import type { ActivationName } from '../activations/index.js';
import type { InitializerName } from '../initializers/index.js';
import type { LossName } from '../losses/index.js';
import type { MetricName } from '../models/metrics.js';
import type { OptimizerName } from '../optimizers/index.js';

const LAYER_KEYS = {
  dense: ['type', 'units', 'activation', 'inputShape', 'useBias', 'kernelInitializer', 'biasInitializer', 'name'],
  dropout: ['type', 'rate', 'name'],
  activation: ['type', 'activation', 'name'],
} as const;

/** `new Dense(units, { inputShape, activation, … })` as JSON. */
export interface DenseSpec {
  type: 'dense';
  units: number;
  /** a built-in name: 'relu', 'sigmoid', 'tanh', 'softmax', 'leaky_relu', 'linear' (default) */
  activation?: ActivationName;
  /** [features]; needed on the first layer unless the data's width decides it */
  inputShape?: [number];
  useBias?: boolean;
  /** 'glorot_uniform' (default), 'he_normal', … */
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
  name?: string;
}

/** `new Dropout(rate)` as JSON. */
export interface DropoutSpec {
  type: 'dropout';
  rate: number;
  name?: string;
}

/** `new Activation(name)` as JSON. */
export interface ActivationSpec {
  type: 'activation';
  activation: ActivationName;
  name?: string;
}

/** One layer of a model spec. */
export type LayerSpec = DenseSpec | DropoutSpec | ActivationSpec;

/** An optimizer by name with Keras's defaults, or with settings: `{ name: 'adam', learningRate: 0.01 }`. */
export type OptimizerSpec =
  | OptimizerName
  | { name: 'adam'; learningRate?: number; beta1?: number; beta2?: number; epsilon?: number }
  | { name: 'sgd'; learningRate?: number; momentum?: number; nesterov?: boolean }
  | { name: 'rmsprop'; learningRate?: number; rho?: number; epsilon?: number };

/** A Sequential model as plain, structured-cloneable JSON. */
export interface ModelSpec {
  layers: LayerSpec[];
  /** what `model.compile` takes, with the optimizer as a name or `{ name, learningRate, … }` */
  compile: { optimizer?: OptimizerSpec; loss: LossName; metrics?: MetricName | MetricName[] };
  /** the same seed gives bit-identical initial weights, shuffles and dropout masks */
  seed?: number;
  /** 'wasm' or 'js'; default: the engine's default (wasm where SIMD exists) */
  backend?: BackendName;
  name?: string;
}

function layerFromSpec(spec: LayerSpec, index: number): KernelLayer {
  if (!spec || typeof spec !== 'object') fail(`model spec layers[${index}] must be an object like { type: 'dense', units: 10 }`);
  if (Object.prototype.hasOwnProperty.call(LAYER_KEYS, spec.type)) checkOptions(spec, `model spec layers[${index}]`, LAYER_KEYS[spec.type]);
  switch (spec.type) {
    case 'dense':
      return new Dense(spec.units, {
        activation: spec.activation,
        inputShape: spec.inputShape,
        useBias: spec.useBias,
        kernelInitializer: spec.kernelInitializer,
        biasInitializer: spec.biasInitializer,
        name: spec.name,
      });
    case 'dropout':
      return new Dropout(spec.rate, { name: spec.name });
    case 'activation':
      return new Activation(spec.activation, undefined, { name: spec.name });
    default:
      fail(`model spec layers[${index}] has type ${JSON.stringify((spec as { type?: unknown }).type)}; expected 'dense', 'dropout' or 'activation'`);
  }
}

function optimizerFromSpec(spec: OptimizerSpec | undefined): Optimizer | OptimizerName {
  if (spec === undefined || typeof spec === 'string') return spec ?? 'rmsprop';
  if (!spec || typeof spec !== 'object' || typeof spec.name !== 'string') {
    fail(`model spec compile.optimizer must be a name ('adam') or { name: 'adam', learningRate: 0.001 }`);
  }
  const { name, ...settings } = spec;
  const make = resolveName('optimizer', name, optimizers) as (options: object) => Optimizer;
  return make(settings);
}

/** Build and compile the Sequential that `spec` describes. */
export function modelFromSpec(spec: ModelSpec): Sequential {
  if (!spec || typeof spec !== 'object' || !Array.isArray(spec.layers)) {
    fail('a model spec is { layers: [{ type: \'dense\', units, activation, inputShape }, …], compile: { optimizer, loss, metrics }, seed }');
  }
  checkOptions(spec, 'the model spec', ['layers', 'compile', 'seed', 'backend', 'name']);
  if (!spec.compile || typeof spec.compile !== 'object') fail("model spec needs compile: { optimizer: 'adam', loss: 'mse' }");
  checkOptions(spec.compile, 'model spec compile', ['optimizer', 'loss', 'metrics']);
  const model = new Sequential(spec.layers.map(layerFromSpec), { seed: spec.seed, backend: spec.backend, name: spec.name });
  model.compile({ optimizer: optimizerFromSpec(spec.compile.optimizer), loss: spec.compile.loss, metrics: spec.compile.metrics });
  return model;
}
