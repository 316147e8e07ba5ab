import { fail, suggest } from './errors.js';

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
    const camel = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    const hint = keys.includes(camel) ? camel : suggest(key, keys);
    fail(`${what} has no option '${key}'.${hint ? ` Did you mean '${hint}'?` : ''} Its options: ${keys.join(', ')}.`);
  }
}
