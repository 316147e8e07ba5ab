/**
 * What kind of failure a ScratchnetError is, stable across versions so that programs can branch on it:
 * - 'bad_input': an argument, option, name or value is not what was expected (the default)
 * - 'shape_mismatch': sizes do not fit together (features vs the first layer, x vs y samples, layer sizes, weights)
 * - 'out_of_memory': the arena cannot grow to what the model and its batch need
 * - 'corrupt_file': a saved model's files are truncated, malformed or do not match their manifest
 * - 'disposed': the model was disposed
 * - 'diverged': training's loss, outputs or weights became NaN or infinite
 * - 'worker_failed': a training worker or a kernel worker thread failed, stopped or did not answer
 * - 'io_failed': the system refused to read or write (a full disk, no access, a failed fetch, a storage quota)
 * - 'internal': a bug in scratchnet (please report it)
 */
export type ErrorCode =
  | 'bad_input'
  | 'shape_mismatch'
  | 'out_of_memory'
  | 'corrupt_file'
  | 'disposed'
  | 'diverged'
  | 'worker_failed'
  | 'io_failed'
  | 'internal';

/** The mark every ScratchnetError carries, the same in every copy of this module (see Symbol.hasInstance below). */
const BRAND = Symbol.for('scratchnet.error');

/** The class of every error scratchnet raises; its message starts with "scratchnet:" and says what was expected. */
export class ScratchnetError extends Error {
  override readonly name = 'ScratchnetError';
  constructor(
    message: string,
    readonly code: ErrorCode = 'bad_input',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * `e instanceof ScratchnetError` holds for an error from any copy of scratchnet: each entry of the package
 * (`scratchnet`, `scratchnet/node`, `scratchnet/relaxed`) is a bundle with its own copy of this class, and an
 * application may load two installs of the package. Subclasses keep the usual prototype check. (Set here, not as a
 * static method: a class body that names its class makes esbuild rename it, and errors would print another name.)
 */
Object.defineProperty(ScratchnetError, Symbol.hasInstance, {
  value(this: unknown, value: unknown): boolean {
    if (this !== ScratchnetError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: boolean })[BRAND] === true;
  },
});

/** The error `fail` throws, for code that rejects a promise with it or returns it instead of throwing. */
export function scratchnetError(message: string, code: ErrorCode = 'bad_input', cause?: unknown): ScratchnetError {
  return new ScratchnetError(`scratchnet: ${message}`, code, cause === undefined ? undefined : { cause });
}

/** Throw a ScratchnetError: the one place scratchnet's errors are made. */
export function fail(message: string, code: ErrorCode = 'bad_input', cause?: unknown): never {
  throw scratchnetError(message, code, cause);
}

/** Print a warning on the console: the one place scratchnet's warnings are worded (something runs, but likely not as
 *  meant). */
export function warn(message: string): void {
  console.warn(`scratchnet: warning: ${message}`);
}

/**
 * `String(value)` for an error message, never throwing and at most `max` characters: String() throws on an object
 * without a prototype (Object.create(null)), on one whose toString throws, and on an array nested thousands deep or
 * containing itself; an error about bad input must not fail in its own message.
 */
export function text(value: unknown, max = 40): string {
  try {
    return String(value).slice(0, max);
  } catch {
    return Array.isArray(value) ? 'an array that cannot be printed (nested too deep?)' : 'an unprintable object';
  }
}

/**
 * A short rendering of a value (JSON where it can: a shape, a config entry) for an error message, never throwing:
 * BigInts print as `3n`, and a value JSON cannot hold (a cycle, thousands of levels) falls back to `text`.
 */
export function short(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) ?? text(v, 80);
  } catch {
    s = text(v, 80);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** A value as an error message shows it: a string in quotes, so that '3' is not mistaken for 3. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : text(value, 80);
}

/**
 * A value where a number was expected, named with its type when it is not one: `the string "64" (convert it with
 * Number())`, `a boolean (true)`, or the number itself — so "got 64" never hides that 64 was text.
 */
export function notNumber(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.slice(0, 40))} (convert text with Number() first)`;
  if (value === null || value === undefined) return String(value);
  return `${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`} (${text(value)})`;
}

/** "2 were given", "1 was given", "none were given", "no list was given": the tail of a setWeights count error */
export function givenArrays(weights: unknown): string {
  if (!Array.isArray(weights)) return 'no list was given';
  return weights.length === 0 ? 'none were given' : `${weights.length} ${weights.length === 1 ? 'was' : 'were'} given`;
}

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The closest of `options` to `name`, if it is close enough to be a likely typo. */
export function suggest(name: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const option of options) {
    const d = distance(name.toLowerCase(), option.toLowerCase());
    if (d < bestDistance) {
      best = option;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

/** Look `name` up in a registry of Keras names, accepting camelCase too; unknown names list the valid ones. */
export function resolveName<T>(kind: string, name: string, registry: Record<string, T>): T {
  const key = toSnakeCase(name);
  if (Object.prototype.hasOwnProperty.call(registry, key)) return registry[key];
  const names = Object.keys(registry);
  const hint = suggest(key, names);
  const plural = kind.endsWith('s') ? `${kind}es` : `${kind}s`;
  fail(
    `unknown ${kind} '${name}'.${hint ? ` Did you mean '${hint}'?` : ''} Valid ${plural}: ${names.map((n) => `'${n}'`).join(', ')}.`,
  );
}

/** Keras's snake_case option names → ours: input_shape → inputShape. */
export const snakeToCamel = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** 'sparseCategoricalCrossentropy' → 'sparse_categorical_crossentropy'; snake_case passes through. */
export function toSnakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
