import { fail, shown } from '../util/errors.js';

/** A batch size for predict/evaluate: a positive integer (0 would never advance). */
export function checkBatchSize(batchSize: unknown, fallback: number): number {
  if (batchSize === undefined) return fallback;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1)
    fail(`batchSize must be a positive integer, got ${shown(batchSize)}`);
  return batchSize;
}

/**
 * Finite inputs and weights can still overflow float32; say so rather than hand back Infinity or NaN. `data` holds
 * rows of `cols` outputs, the first being sample `firstRow`.
 */
export function checkOutputsFinite(data: ArrayLike<number>, cols: number, firstRow = 0): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      fail(
        `predict: output ${i % cols} of sample ${firstRow + Math.floor(i / cols)} is ${data[i]}: the inputs or the weights are too large ` +
          'for float32 (values overflowed). Scale the inputs (e.g. to [0, 1]) or check the weights.',
      );
    }
  }
}

/** fit's shuffle, checked alike in both model APIs: a boolean (a string such as 'false' would read as true). */
export function checkShuffle(shuffle: unknown): void {
  if (typeof shuffle === 'boolean') return;
  fail(
    `shuffle must be true or false, got ${shown(shuffle)}` +
      (shuffle === 'batch'
        ? " (Keras's 'batch' shuffles HDF5 data in batch-sized chunks; scratchnet's data is in memory, so use true)"
        : ''),
  );
}

/** fit's epochs and batchSize, checked alike in both model APIs. */
/**
 * Keras's initial_epoch (TF.js's initialEpoch), for resuming a run: a non-negative integer. Epochs initialEpoch …
 * epochs − 1 run, so `epochs` is the index the run ends at, not a count; none run when it is `epochs` or more, as in
 * Keras. Returns how many epochs run.
 */
export function checkInitialEpoch(initialEpoch: unknown, epochs: number): number {
  if (!Number.isSafeInteger(initialEpoch) || (initialEpoch as number) < 0)
    fail(`initialEpoch must be a non-negative integer (the epoch to start at, 0-based), got ${shown(initialEpoch)}`);
  return Math.max(0, epochs - (initialEpoch as number));
}

export function checkEpochsAndBatchSize(epochs: unknown, batchSize: unknown): void {
  if (!Number.isSafeInteger(epochs) || (epochs as number) < 1)
    fail(`epochs must be a positive integer, got ${shown(epochs)}`);
  if (!Number.isInteger(batchSize) || (batchSize as number) < 1)
    fail(`batchSize must be a positive integer, got ${shown(batchSize)}`);
}

/** Keras's verbose: 0 silent, 1 a progress bar, 2 a line per epoch (predict and evaluate take it and print nothing). */
export function checkVerbose(verbose: unknown): asserts verbose is 0 | 1 | 2 | undefined {
  if (verbose !== undefined && verbose !== 0 && verbose !== 1 && verbose !== 2)
    fail(`verbose must be 0, 1 or 2, got ${shown(verbose)}`);
}
