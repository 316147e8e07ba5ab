/**
 * Keras-style layer configs: the plain object a layer's `getConfig()` returns and its class's static `fromConfig()`
 * takes, in Keras's snake_case keys (`units`, `use_bias`, `target_shape`, `batch_input_shape`), so that a config is
 * what a model.json holds for that layer. The readers here check a value and name the layer and key when it is wrong.
 */
import { activations, getActivation, type Activation, type ActivationName } from '../activations/index.js';
import { fail } from '../util/errors.js';
import { MAX_WEIGHT_VALUES, isObject, own, short } from '../io/validate.js';
import { checkShape, type Shape } from './shape.js';

/** A layer's Keras config: snake_case keys, as `getConfig()` returns it and `fromConfig()` reads it. */
export type LayerConfig = Record<string, unknown>;

/** Keras's to_snake_case of a class name, which is also its default layer name: Dense → dense, Conv2D → conv2d,
 * MaxPooling2D → max_pooling2d, FCLayer → fc_layer. */
export function kerasSnakeCase(className: string): string {
  return className
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Keras config keys → camelCase option names: input_shape → inputShape (the other way: toSnakeCase in util/errors.ts). */
export { snakeToCamel } from '../util/errors.js';

/** A layer's `name` in a config, if it has one. */
export function configName(config: LayerConfig, where: string): string | undefined {
  const name = own(config, 'name');
  if (name === undefined || name === null || name === '') return undefined;
  if (typeof name !== 'string') fail(`${where}: name must be a string, got ${short(name)}`);
  return name;
}

/**
 * The input shape a config declares, without the batch dimension: Keras's `batch_input_shape` / `batch_shape`
 * ([null, ...shape]), `input_shape` or `input_dim`. Every dimension must be known.
 */
export function declaredInputShape(config: LayerConfig, where: string): number[] | undefined {
  const batch = own(config, 'batch_input_shape') ?? own(config, 'batch_shape');
  let dims: unknown[] | undefined;
  if (batch !== undefined && batch !== null) {
    if (!Array.isArray(batch) || batch.length < 2)
      fail(`${where}: the batch input shape must be [batch, features...], got ${short(batch)}`);
    dims = batch.slice(1);
  } else if (own(config, 'input_shape') !== undefined && own(config, 'input_shape') !== null) {
    const shape = own(config, 'input_shape');
    if (!Array.isArray(shape)) fail(`${where}: input_shape must be a list like [28, 28, 1], got ${short(shape)}`);
    dims = shape;
  } else if (own(config, 'input_dim') !== undefined && own(config, 'input_dim') !== null) {
    dims = [own(config, 'input_dim')];
  }
  if (!dims) return undefined;
  if (dims.length === 0) fail(`${where}: the input shape has no feature dimension`);
  let size = 1;
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > MAX_WEIGHT_VALUES) {
      fail(
        `${where}: input shape ${short(dims)} must hold positive integers (scratchnet needs every feature dimension known), got ${short(d)}`,
      );
    }
    size *= d;
    if (size > MAX_WEIGHT_VALUES)
      fail(`${where}: the input shape ${short(dims)} has more than ${MAX_WEIGHT_VALUES} values per sample`);
  }
  return dims as number[];
}

/** The `batch_input_shape` entry of a config for a layer that declares `shape` (nothing when it declares none). */
export function inputShapeEntry(shape: Shape | undefined): LayerConfig {
  return shape ? { batch_input_shape: [null, ...shape] } : {};
}

/** A positive integer config value (units, filters). */
export function positiveInt(config: LayerConfig, key: string, where: string): number {
  const v = own(config, key);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_WEIGHT_VALUES)
    fail(`${where}: ${key} must be a positive integer, got ${short(v)}`);
  return v;
}

/** A boolean config value, `fallback` when absent. */
export function bool(config: LayerConfig, key: string, fallback: boolean, where: string): boolean {
  const v = own(config, key) ?? fallback;
  if (typeof v !== 'boolean') fail(`${where}: ${key} must be true or false, got ${short(v)}`);
  return v;
}

/** A finite number config value, `fallback` when absent. */
export function finite(config: LayerConfig, key: string, fallback: number, where: string): number {
  const v = own(config, key) ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${where}: ${key} must be a finite number, got ${short(v)}`);
  return v;
}

/** A shape config value (target_shape); `allowInferred` lets one dimension be −1, as Keras's Reshape does. */
export function shapeValue(config: LayerConfig, key: string, where: string, allowInferred = false): number[] {
  const v = own(config, key);
  if (allowInferred && Array.isArray(v) && v.filter((d) => d === -1).length === 1) {
    checkShape(
      v.map((d) => (d === -1 ? 1 : d)),
      `${where}: ${key}`,
    );
    return [...(v as number[])];
  }
  return checkShape(v, `${where}: ${key}${allowInferred ? ' (one dimension may be −1)' : ''}`);
}

/** Keras 3 may wrap a registered name as { class_name: 'function', config: 'relu' }; older files write the name. */
export function plainName(v: unknown): unknown {
  return isObject(v) && typeof own(v, 'config') === 'string' ? own(v, 'config') : v;
}

export { own, isObject, short };

const ACTIVATION_NAMES = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'leaky_relu'] as const;

/**
 * An `activation` config value: a built-in name (Keras's snake_case or camelCase; Keras 3's { class_name: 'function',
 * config: name }), or an activation object itself (what getConfig holds for a custom or a parametrised one).
 * 'leaky_relu' is Keras 3's activation, slope 0.2.
 */
export function configActivation(v: unknown, where: string): Activation {
  if (v === undefined || v === null) return activations.linear;
  if (isObject(v) && typeof own(v, 'fn') === 'function' && typeof own(v, 'fnPrime') === 'function')
    return v as unknown as Activation;
  const name = plainName(v);
  if (typeof name !== 'string') fail(`${where}: activation must be a name, got ${short(v)}`);
  const key = name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  if (!(ACTIVATION_NAMES as readonly string[]).includes(key))
    fail(`${where}: activation '${name}' is not one scratchnet has (${ACTIVATION_NAMES.join(', ')})`);
  return getActivation(key as ActivationName);
}

/** An activation as a config holds it: its name when the name alone says it all, else the activation object. */
export function activationConfig(a: Activation): string | Activation {
  if (!a.builtin) return a;
  if (a.name === 'leaky_relu' && (a.alpha ?? 0.2) !== 0.2) return a;
  return a.name;
}
