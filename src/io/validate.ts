import { MAX_ARENA_BYTES } from '../backends/backend.js';
import { fail, short } from '../util/errors.js';
import { describe } from './bytes.js';

/** The most float32 values one weight array may have: all of wasm's 4 GiB. */
export const MAX_WEIGHT_VALUES = MAX_ARENA_BYTES / 4;

export type JsonObject = Record<string, unknown>;

/** A plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is JsonObject {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer)
  );
}

/** An own property of a parsed JSON object (never one inherited from Object.prototype, like `constructor`). */
export function own(obj: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

export function requireObject(v: unknown, what: string): JsonObject {
  if (!isObject(v)) fail(`${what} must be an object, got ${describe(v)}`);
  return v;
}

/**
 * The number of values of a weight `shape`, checked: a list of non-negative integers whose product (checked for
 * overflow at every step) fits the arena. `what` names the weight in the error.
 */
export function shapeSize(shape: unknown, what: string): number {
  if (!Array.isArray(shape)) fail(`${what}: shape must be a list of sizes, got ${describe(shape)}`);
  if (shape.length > 8)
    fail(`${what}: shape ${short(shape)} has ${shape.length} dimensions; dense weights have 1 or 2`);
  let size = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
      fail(`${what}: shape ${short(shape)} must hold non-negative integers, got ${short(d)}`);
    size *= d;
    if (size > MAX_WEIGHT_VALUES) {
      fail(
        `${what}: shape ${short(shape)} has more than ${MAX_WEIGHT_VALUES} values (4 GiB of float32), more than WebAssembly memory holds`,
      );
    }
  }
  return size;
}

/** A short rendering of a value for an error message (util/errors.ts). */
export { short };

/** Parse JSON text, with a scratchnet error naming the source. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    fail(`${what} is not valid JSON (${(e as Error).message})`, 'corrupt_file');
  }
}
