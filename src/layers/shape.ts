/**
 * Sample shapes: what one sample looks like, without the batch dimension — [features] for a row, [h, w, c] for an
 * image (channels-last, as in Keras and TensorFlow.js). In the arena every sample is one contiguous row of
 * prod(shape) values in row-major (NHWC) order, so a batch is always a [rows, prod(shape)] block whatever its shape.
 */
import { fail, short } from '../util/errors.js';

/** The shape of one sample: `[features]`, or `[h, w, c]` for images (channels last). */
export type Shape = readonly number[];

/** The number of values in one sample of `shape`. */
export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `[28, 28, 1]`, as shapes are named in errors. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Keras's summary form of a batch of `shape`: `(None, 26, 26, 32)`. */
export function kerasShape(shape: Shape): string {
  return `(None, ${shape.join(', ')})`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A shape given by the user (`inputShape`, a Reshape's target): a non-empty list of positive integers, copied. */
export function checkShape(shape: unknown, what: string): number[] {
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    fail(`${what} must be a non-empty list of positive integers like [28, 28, 1], got ${short(shape)}`);
  }
  return [...shape];
}

/**
 * The shape `model.build(inputShape)` takes: one sample's shape ([features] or [h, w, c]), a number of features, or
 * Keras's and TF.js's form with the batch dimension first as null (`[null, 784]`), which is dropped.
 */
export function checkBuildShape(shape: unknown, what: string): number[] {
  if (typeof shape === 'number') return checkShape([shape], what);
  if (Array.isArray(shape) && shape.length > 1 && shape[0] === null) return checkShape(shape.slice(1), what);
  return checkShape(shape, what);
}

/**
 * Whether samples of shape `data` can go into a model whose input shape is `model`: the same shape, or the same
 * number of values where one of the two is flat (rows of features fed to an image model are taken as its images in
 * NHWC order; images fed to a flat model as their rows — the contiguous layout makes both free).
 */
export function fitsInput(data: Shape, model: Shape): boolean {
  if (sameShape(data, model)) return true;
  return (data.length === 1 || model.length === 1) && shapeSize(data) === shapeSize(model);
}
