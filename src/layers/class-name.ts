import { ActivationLayer } from './activation-layer.js';
import { Activation } from './activation.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { FCLayer } from './fc-layer.js';
import type { Layer } from './layer.js';

// The published bundle is minified, which renames classes (Dense.name is 'j' there); keeping every name would cost
// 3 KB gzipped, so the built-in layers' names are spelled out here.
const BUILTIN = new Map<unknown, string>([
  [Dense, 'Dense'], [FCLayer, 'FCLayer'], [Activation, 'Activation'], [ActivationLayer, 'ActivationLayer'], [Dropout, 'Dropout'],
]);

/** A layer's class name for summaries and messages: 'Dense', or a custom subclass's own name. */
export function className(layer: Layer): string {
  return BUILTIN.get(layer.constructor) ?? layer.constructor.name;
}
