// Batch sources for fitDataset and evaluateDataset: an (async) iterable of { xs, ys } batches, or a function that
// returns a fresh one for every epoch, read one batch at a time.
import { fail, notNumber, warn } from '../util/errors.js';
import type { DataInput } from './inputs.js';
import type { LabelInput } from './targets.js';

/** One batch of a batch source: its inputs and targets, each in any form `fit` takes. */
export interface Batch {
  /** the batch's samples: rows, nested arrays, or `{ data, shape: [rows, ...sampleShape] }` */
  xs: DataInput;
  /** their targets: class indices or rows of values, as `fit`'s y */
  ys: LabelInput | DataInput;
}

/** Anything a batch source may be or return: an iterable or async iterable of batches, or an iterator. */
export type BatchIterable = Iterable<Batch> | AsyncIterable<Batch> | Iterator<Batch> | AsyncIterator<Batch>;

/**
 * What `fitDataset` and `evaluateDataset` read batches from, as TF.js's `fitDataset` and Keras's generators:
 * an array or iterable of `{ xs, ys }` batches, an async iterable (an async generator reading a file), or a function
 * returning a fresh one for every epoch (`() => readBatches(path)`). A generator object runs once: for more than one
 * epoch, pass the function that makes it. Shuffling is the source's job.
 */
export type BatchSource = Iterable<Batch> | AsyncIterable<Batch> | (() => BatchIterable);

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

const EXPECTED =
  'an iterable or async iterable of { xs, ys } batches (an array, a generator), or a function that returns one for each epoch';

/** A value as errors name it: its type, or its class. */
function kind(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return notNumber(v);
}

function iteratorOf(v: unknown): AnyIterator | undefined {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return undefined;
  const o = v as Record<symbol | string, unknown>;
  if (typeof o[Symbol.asyncIterator] === 'function') return (o[Symbol.asyncIterator] as () => AnyIterator)();
  if (typeof o[Symbol.iterator] === 'function') return (o[Symbol.iterator] as () => AnyIterator)();
  if (typeof o.next === 'function') return o as unknown as AnyIterator;
  return undefined;
}

/** Fail unless `source` can be a batch source (checked before training starts); `what` names it in errors. */
export function checkBatchSource(source: unknown, what: string, orElse = ''): void {
  if (typeof source === 'function') return; // what it returns is checked when it is called
  if (typeof source === 'string' || iteratorOf(source) === undefined)
    fail(`${what} must be ${EXPECTED}${orElse}; got ${kind(source)}`);
}

/**
 * Reads a batch source epoch by epoch. Without `batchesPerEpoch`, every epoch opens the source afresh and runs to its
 * end; with it, one iterator carries on from epoch to epoch (as TF.js) and an epoch ends after that many batches.
 */
export class BatchStream {
  private iterator: AnyIterator | undefined;
  private held: Batch | undefined;
  private epoch = 0;
  /** batches read in the current epoch */
  private count = 0;
  /** the source ended before an epoch of `batchesPerEpoch` was over: no more epochs can run */
  ended = false;

  constructor(
    private readonly source: unknown,
    /** names the source in errors: 'fitDataset(dataset)' */
    readonly what: string,
    private readonly batchesPerEpoch?: number,
    /** another form the argument may take, for the error when it is not a source: ', or a pair [x, y]' */
    orElse = '',
  ) {
    checkBatchSource(source, what, orElse);
  }

  /** how to give a source that can be read again, for errors */
  private rereadFix =
    'pass a function that returns a fresh one for every epoch, e.g. fitDataset(() => batches(), …), or set batchesPerEpoch';

  /**
   * Fail before training when the source runs once (a generator object, or any iterator) but is read afresh in each
   * of `epochs` epochs (no batchesPerEpoch): it would end in the second epoch, after the first had trained. `fix` says
   * what to pass instead, in the caller's terms.
   */
  checkRereadable(epochs: number, fix = this.rereadFix): void {
    this.rereadFix = fix;
    const o = this.source as { next?: unknown } | null;
    if (epochs < 2 || this.batchesPerEpoch !== undefined || typeof o !== 'object' || o === null) return;
    if (typeof o.next === 'function')
      fail(
        `${this.what} is a generator object (or another iterator), which runs once, but it is read afresh in each ` +
          `of the ${epochs} epochs: ${fix}`,
      );
  }

  /** Where the current batch came from, for errors: 'batch 3 of epoch 2'. */
  where(): string {
    return `batch ${this.count} of epoch ${this.epoch + 1}`;
  }

  /** Get ready for epoch `epoch` (0-based); again for the same epoch does nothing (its first batch may be peeked). */
  beginEpoch(epoch: number): void {
    if (this.iterator !== undefined && epoch === this.epoch) return;
    this.held = undefined;
    this.epoch = epoch;
    this.count = 0;
    if (this.iterator === undefined || this.batchesPerEpoch === undefined) this.iterator = this.open();
  }

  /** The first batch of the epoch, read but not taken: `next` gives it again. */
  async peek(): Promise<Batch | undefined> {
    if (this.held === undefined) {
      this.held = await this.read();
      if (this.held !== undefined) this.count--; // read again by next()
    }
    return this.held;
  }

  /** The epoch's next batch, or undefined when the epoch is over. */
  async next(): Promise<Batch | undefined> {
    if (this.held !== undefined) {
      const b = this.held;
      this.held = undefined;
      this.count++;
      return b;
    }
    if (this.batchesPerEpoch !== undefined && this.count >= this.batchesPerEpoch) return undefined;
    return this.read();
  }

  /**
   * Let go of the source: a generator left mid-way (training stopped early, or a batch was refused) runs its `finally`
   * blocks, closing the files it reads.
   */
  async close(): Promise<void> {
    const it = this.iterator;
    this.iterator = undefined;
    this.held = undefined;
    await it?.return?.();
  }

  private async read(): Promise<Batch | undefined> {
    const step = await this.iterator!.next();
    if (step.done) {
      // a source read on across epochs (batchesPerEpoch) may end at an epoch's start: training then ends there
      if (this.count === 0 && (this.epoch === 0 || this.batchesPerEpoch === undefined)) this.failEmpty();
      if (this.batchesPerEpoch !== undefined) {
        this.ended = true;
        warn(
          `${this.what} ended after ${this.count} batches of epoch ${this.epoch + 1}, ` +
            `short of batchesPerEpoch (${this.batchesPerEpoch}); training stops here, as in TF.js`,
        );
      }
      return undefined;
    }
    this.count++;
    const b = step.value as Partial<Batch> | null;
    if (b === null || typeof b !== 'object' || Array.isArray(b) || !('xs' in b) || !('ys' in b)) {
      const hint = Array.isArray(b) ? " (a Keras generator's (x, y) pair is { xs: x, ys: y } here)" : '';
      fail(`${this.what}: ${this.where()} is ${kind(b)}; expected an object { xs, ys }${hint}`);
    }
    return b as Batch;
  }

  private open(): AnyIterator {
    const made = typeof this.source === 'function' ? (this.source as () => unknown)() : this.source;
    const it = iteratorOf(made);
    if (it === undefined || typeof made === 'string') {
      fail(
        `${this.what}: the function returned ${kind(made)}; expected an iterable, async iterable or iterator of { xs, ys } batches`,
      );
    }
    return it;
  }

  private failEmpty(): never {
    if (this.epoch === 0) fail(`${this.what} yielded no batches; expected at least one { xs, ys } batch`);
    fail(
      `${this.what} yielded no batches in epoch ${this.epoch + 1}: a generator object (or any iterator) runs once; ` +
        this.rereadFix,
    );
  }
}
