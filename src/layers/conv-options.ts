/**
 * The arguments convolution and pooling layers share, checked where they are given: a size or stride as a number or
 * [h, w] (Keras's int-or-tuple), the padding ('valid' | 'same'), and Keras's data_format (channels-last only).
 */
import type { Padding } from '../backends/conv-geometry.js';
import { fail } from '../util/errors.js';
import { own, short, type LayerConfig } from './config.js';
import { formatShape, type Shape } from './shape.js';

/** `3` → [3, 3]; `[3, 2]` → [3, 2]; anything else fails, naming what was expected. */
export function pair(value: unknown, what: string): [number, number] {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1 << 20;
  if (ok(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && ok(value[0]) && ok(value[1])) return [value[0], value[1]];
  return fail(`${what} must be a positive integer or [height, width] of positive integers, got ${short(value)}`);
}

/** 'valid' or 'same' (Keras also spells them in capitals in old files); anything else fails. */
export function padding(value: unknown, what: string): Padding {
  const v = typeof value === 'string' ? value.toLowerCase() : value;
  if (v === 'valid' || v === 'same') return v;
  return fail(`${what} must be 'valid' or 'same', got ${short(value)}`);
}

/** Refuses channels-first data by name: scratchnet's images are [h, w, c]. */
export function checkDataFormat(config: LayerConfig, where: string): void {
  const format = own(config, 'data_format');
  if (format !== undefined && format !== null && format !== 'channels_last') {
    fail(`${where}: data_format ${short(format)} is not supported; scratchnet's images are channels-last ([h, w, c])`);
  }
}

/** A config's `key` read as a pair, `fallback` when absent (null: Keras's "the same as the pool size"). */
export function configPair(
  config: LayerConfig,
  key: string,
  where: string,
  fallback?: [number, number],
): [number, number] | undefined {
  const v = own(config, key);
  if (v === undefined || v === null) return fallback;
  return pair(v, `${where}: ${key}`);
}

/** Image layers take samples [h, w, c]: otherwise fail, naming the layer and the shape it received. */
export function imageShape(inputShape: Shape, layer: string): [number, number, number] {
  if (inputShape.length !== 3) {
    fail(
      `layer ${layer} takes images [height, width, channels] but receives samples of shape ${formatShape(inputShape)}` +
        `${inputShape.length === 1 ? '; put a Reshape([h, w, c]) before it (MNIST: [28, 28, 1])' : ''}`,
    );
  }
  return [inputShape[0], inputShape[1], inputShape[2]];
}
