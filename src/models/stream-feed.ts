// fitDataset's batches: read from a batch source one at a time and copied into the loop's batch buffers, so the arena
// holds one batch, never the data set.
import type { Ptr } from '../backends/kernels.js';
import type { Batch, BatchStream } from '../data/batch-source.js';
import type { Matrix } from '../data/matrix.js';
import type { Loss } from '../losses/index.js';
import { BatchBuffers } from './batch-buffers.js';
import { BatchMeasure, type Means } from './batch-measure.js';
import type { Engine } from './engine.js';
import type { BatchFeed } from './fit-loop.js';
import type { MetricKind } from './metrics.js';
import type { Targets } from './staging.js';
import { Turns } from './turns.js';

/**
 * A batch as the kernels take it, checked against the model: `where` names it in errors ('batch 3 of epoch 1').
 * x's values are left to the allFinite kernel as they are copied in (named `${where} xs`).
 */
export type ParseBatch = (batch: Batch, where: string) => { x: Matrix; y: Targets };

/** The batches of a batch source, each parsed, checked and copied into the training loop's buffers. */
export class StreamFeed implements BatchFeed {
  x: Ptr = 0;
  y: Ptr = 0;
  w: Ptr = 0;
  private empty = false;
  /** batches in the last epoch run: the next epoch's count for the progress bar */
  private last: number | undefined;
  private count = 0;

  constructor(
    private readonly stream: BatchStream,
    private readonly parse: ParseBatch,
    /** rows of the first batch: the buffers are planned for it, and grow only for a larger one */
    readonly rows: number,
    readonly inCols: number,
    readonly tCols: number,
    private readonly batchesPerEpoch?: number,
    /** the parsed batches have sample weights (fitDataset's classWeight) */
    readonly weighted = false,
  ) {}

  get ended(): boolean {
    return this.stream.ended;
  }

  batchesIn(): number | undefined {
    if (this.empty) return 0;
    return this.batchesPerEpoch ?? this.last;
  }

  async beginEpoch(epoch: number): Promise<void> {
    if (epoch > 0) this.last = this.count;
    this.count = 0;
    this.stream.beginEpoch(epoch);
    this.empty = (await this.stream.peek()) === undefined;
  }

  async next(buffers: BatchBuffers): Promise<number> {
    const batch = await this.stream.next();
    if (batch === undefined) return 0;
    this.w = stageBatch(this.stream, this.parse, batch, buffers);
    this.x = buffers.x;
    this.y = buffers.y;
    this.count++;
    return buffers.rowsStaged;
  }

  /** Nothing to free: the batches live in the loop's buffers (the stream is closed by whoever opened it). */
  free(): void {}
}

/**
 * Parse and check one batch of `stream`, and copy it into `buffers` (making room for it if it is the largest yet).
 * Returns where its weights went (0: it has none).
 */
function stageBatch(stream: BatchStream, parse: ParseBatch, batch: Batch, buffers: BatchBuffers): Ptr {
  const where = `${stream.what}: ${stream.where()}`;
  const { x, y } = parse(batch, where);
  return buffers.stage(x.data, y, x.shape[0], `${where} xs`);
}

/**
 * Mean loss and metrics of the model, in inference mode, over every batch of `stream` (its `epoch`: validation reads
 * the source afresh after every training epoch), each copied into `shared` (or buffers made here), giving the event loop a turn at least every `yieldEvery` ms.
 */
export async function evaluateStream(
  engine: Engine,
  loss: Loss,
  metrics: readonly MetricKind[],
  stream: BatchStream,
  parse: ParseBatch,
  tCols: number,
  yieldEvery: number,
  epoch = 0,
  shared?: BatchBuffers,
): Promise<Means> {
  const buffers = shared ?? new BatchBuffers(engine, 0, engine.inputSize, tCols);
  try {
    const measure = new BatchMeasure(engine, loss, metrics, false);
    const turns = new Turns(yieldEvery);
    stream.beginEpoch(epoch);
    for (let batch = await stream.next(); batch !== undefined; batch = await stream.next()) {
      const w = stageBatch(stream, parse, batch, buffers);
      measure.measure(buffers, buffers.x, buffers.y, buffers.rowsStaged, w);
      await turns.maybe();
    }
    return measure.means();
  } finally {
    if (!shared) buffers.free();
    await stream.close();
  }
}
