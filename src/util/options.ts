import { fail, snakeToCamel, suggest } from './errors.js';

/**
 * An options argument must be an object (or left out), and every key in it one the function reads: JavaScript
 * callers get no type check, and an unknown key would be ignored in silence (Keras's `validation_split` in a fit,
 * `activaton` in a Dense). Keras's snake_case names point to their camelCase forms.
 */
export function checkOptions(options: unknown, what: string, keys: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(
      `${what} must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (keys.includes(key)) continue;
    const hint = likelyName(key, keys);
    const lacking = KERAS_OPTIONS_WE_LACK.get(snakeToCamel(key));
    fail(
      `${what} has no option '${key}'` +
        (hint ? `. Did you mean '${hint}'?` : lacking ? ` (${lacking}).` : '.') +
        ` Its options: ${keys.join(', ')}.`,
    );
  }
}

/** Keras options no scratchnet function has, and why: said where one is given, so the user knows not to look further. */
const KERAS_OPTIONS_WE_LACK = new Map<string, string>([
  ['dataFormat', "scratchnet's images are channels-last, [h, w, c], always"],
  ['noiseShape', "scratchnet's Dropout drops every value independently"],
  ['seed', "random choices come from the model's seed: new Sequential(layers, { seed })"],
  ['kernelRegularizer', 'scratchnet has no regularizers'],
  ['biasRegularizer', 'scratchnet has no regularizers'],
  ['activityRegularizer', 'scratchnet has no regularizers'],
  ['kernelConstraint', 'scratchnet has no constraints'],
  ['biasConstraint', 'scratchnet has no constraints'],
  ['trainable', 'every layer of a scratchnet model trains'],
  ['dilationRate', "scratchnet's convolutions are not dilated"],
  ['weightedMetrics', "scratchnet's metrics are not weighted: sampleWeight and classWeight weight the loss"],
]);

/** The name of `names` that `key` most likely meant: its camelCase form (Keras's snake_case), or the nearest spelling. */
export function likelyName(key: string, names: readonly string[]): string | undefined {
  const camel = snakeToCamel(key);
  return names.includes(camel) ? camel : suggest(key, names);
}
