/**
 * A model described as plain JSON, so that it can be posted to a worker (functions and layer objects cannot be)
 * and rebuilt on either side of the message: `modelFromSpec(spec)` gives the same compiled Sequential everywhere,
 * and with the same seed the same initial weights.
 */
import type { BackendName } from '../backends/backend.js';
import type { Padding } from '../backends/conv-geometry.js';

import type { KernelLayer } from '../layers/kernel-layer.js';
import { layerClassForSpec, specTypes } from '../layers/registry.js';
import { Sequential } from '../models/sequential.js';
import type { OptimizerName, OptimizerSettings } from '../optimizers/index.js';
import { fail, snakeToCamel, suggest, toSnakeCase } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import type { ActivationName } from '../activations/index.js';
import type { InitializerName } from '../initializers/index.js';
import type { LossName } from '../losses/index.js';
import type { MetricName } from '../models/metrics.js';

/** `new Dense(units, { inputShape, activation, … })` as JSON. */
export interface DenseSpec {
  type: 'dense';
  units: number;
  /** a built-in name: 'relu', 'sigmoid', 'tanh', 'softmax', 'leaky_relu', 'linear' (default) */
  activation?: ActivationName;
  /** [features]; needed on the first layer unless the data's shape decides it */
  inputShape?: readonly [number];
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
  inputShape?: readonly number[];
  name?: string;
}

/** `new Activation(name)` as JSON. */
export interface ActivationSpec {
  type: 'activation';
  activation: ActivationName;
  inputShape?: readonly number[];
  name?: string;
}

/** `new Flatten({ inputShape })` as JSON. */
export interface FlattenSpec {
  type: 'flatten';
  /** e.g. [28, 28, 1] on the first layer */
  inputShape?: readonly number[];
  name?: string;
}

/** `new Reshape(targetShape)` as JSON. */
export interface ReshapeSpec {
  type: 'reshape';
  targetShape: readonly number[];
  inputShape?: readonly number[];
  name?: string;
}

/** `new Conv2D(filters, kernelSize, { strides, padding, activation, … })` as JSON. */
export interface Conv2DSpec {
  type: 'conv2d';
  filters: number;
  /** a number or [h, w] */
  kernelSize: number | readonly [number, number];
  /** a number or [h, w]; default 1 */
  strides?: number | readonly [number, number];
  /** 'valid' (default) or 'same' */
  padding?: Padding;
  /** a built-in name; default linear */
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
  /** [height, width, channels] on the first layer */
  inputShape?: readonly [number, number, number];
  name?: string;
}

/** `new MaxPooling2D(poolSize, { strides, padding })` or `new AveragePooling2D(…)` as JSON. */
export interface Pooling2DSpec {
  type: 'max_pooling2d' | 'average_pooling2d';
  /** a number or [h, w]; default 2 */
  poolSize?: number | readonly [number, number];
  /** a number or [h, w]; default the pool size */
  strides?: number | readonly [number, number];
  /** 'valid' (default) or 'same' */
  padding?: Padding;
  inputShape?: readonly [number, number, number];
  name?: string;
}

/** `new GlobalAveragePooling2D({ keepdims })` as JSON. */
export interface GlobalAveragePooling2DSpec {
  type: 'global_average_pooling2d';
  /** keep the output as [1, 1, c] instead of [c]; default false */
  keepdims?: boolean;
  inputShape?: readonly [number, number, number];
  name?: string;
}

/**
 * One layer of a model spec, as JSON: `type` is Keras's snake_case of the layer's class name ('dense', 'conv2d',
 * 'max_pooling2d'), and the other keys are its constructor's options in camelCase (the camelCase of its Keras config
 * keys). A union of every layer a spec can hold, so that a misspelt type or option fails to compile; modelFromSpec
 * checks the same at run time, for JavaScript callers and specs that arrive as messages.
 */
export type LayerSpec =
  | DenseSpec
  | DropoutSpec
  | ActivationSpec
  | FlattenSpec
  | ReshapeSpec
  | Conv2DSpec
  | Pooling2DSpec
  | GlobalAveragePooling2DSpec;

/** An optimizer by name with Keras's defaults, or with settings: `{ name: 'adam', learningRate: 0.01 }`. */
export type OptimizerSpec = OptimizerName | OptimizerSettings;

/** A Sequential model as plain, structured-cloneable JSON. */
export interface ModelSpec {
  layers: readonly LayerSpec[];
  /** what `model.compile` takes, with the optimizer as a name or `{ name, learningRate, … }` */
  compile: { optimizer?: OptimizerSpec; loss: LossName; metrics?: MetricName | readonly MetricName[] };
  /** the same seed gives bit-identical initial weights, shuffles and dropout masks */
  seed?: number;
  /** 'wasm' or 'js'; default: the engine's default (wasm where SIMD exists) */
  backend?: BackendName;
  name?: string;
}

/** A layer from its spec, through the layer registry: the spec's camelCase keys are its class's Keras config keys. */
function layerFromSpec(spec: LayerSpec, index: number): KernelLayer {
  const where = `model spec layers[${index}]`;
  if (!spec || typeof spec !== 'object') fail(`${where} must be an object like { type: 'dense', units: 10 }`);
  const cls = typeof spec.type === 'string' ? layerClassForSpec(spec.type) : undefined;
  if (!cls) {
    const type = (spec as { type?: unknown }).type;
    const hint = typeof type === 'string' ? suggest(toSnakeCase(type), specTypes()) : undefined;
    fail(
      `${where} has type ${JSON.stringify(type)};${hint ? ` did you mean '${hint}'?` : ''} expected one of ${specTypes()
        .map((t) => `'${t}'`)
        .join(', ')}`,
    );
  }
  checkOptions(spec, where, ['type', ...cls.configKeys.map(snakeToCamel), 'inputShape', 'name']);
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) if (key !== 'type') config[toSnakeCase(key)] = value;
  return cls.fromConfig(config, where);
}

/** Build and compile the Sequential that `spec` describes. */
export function modelFromSpec(spec: ModelSpec): Sequential {
  if (!spec || typeof spec !== 'object' || !Array.isArray(spec.layers)) {
    fail(
      "a model spec is { layers: [{ type: 'dense', units, activation, inputShape }, …], compile: { optimizer, loss, metrics }, seed }",
    );
  }
  checkOptions(spec, 'the model spec', ['layers', 'compile', 'seed', 'backend', 'name']);
  if (!spec.compile || typeof spec.compile !== 'object')
    fail("model spec needs compile: { optimizer: 'adam', loss: 'mse' }");
  checkOptions(spec.compile, 'model spec compile', ['optimizer', 'loss', 'metrics']);
  const model = new Sequential(spec.layers.map(layerFromSpec), {
    seed: spec.seed,
    backend: spec.backend,
    name: spec.name,
  });
  model.compile({
    optimizer: spec.compile.optimizer ?? 'rmsprop',
    loss: spec.compile.loss,
    metrics: spec.compile.metrics,
  });
  return model;
}
