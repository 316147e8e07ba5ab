/**
 * Where a threaded backend's pool keeps its blocks: a region between the module's own data (heapBase) and the arena,
 * as the default matmul scratch is, so that they never count as live arena blocks: an arena with no model left can
 * then start over (Arena.startOver) from its bottom.
 *
 * The region holds the control block (layout.ts, slots for every worker the pool may hold), the calling thread's
 * block for SCRATCH_ARG, and the matmul scratch and SCRATCH_ARG block of the first `workers` workers. A pool asked
 * for more workers than that (setThreads above the count the region was sized for) takes their blocks from the arena,
 * where they count as live: the arena then does not start over while they run, which is safe.
 */
import { controlBytes } from './layout.js';

/** 64-byte alignment: a cache line, and what setScratch expects */
const align = (bytes: number): number => Math.ceil(bytes / 64) * 64;

export interface PoolRegion {
  control: number;
  /** the calling thread's SCRATCH_ARG block (0 without one) */
  ownExtra: number;
  /** workers whose blocks lie in the region */
  workers: number;
  /** worker `i`'s (i < workers) matmul scratch and SCRATCH_ARG block */
  scratch(i: number): number;
  extra(i: number): number;
  /** the first byte after the region: where the arena starts */
  end: number;
}

export function poolRegion(
  heapBase: number,
  maxWorkers: number,
  workers: number,
  scratchBytes: number,
  extraFloats: number,
): PoolRegion {
  const control = align(heapBase);
  const ownExtra = extraFloats > 0 ? align(control + controlBytes(maxWorkers)) : 0;
  const blocks = align(ownExtra > 0 ? ownExtra + extraFloats * 4 : control + controlBytes(maxWorkers));
  const scratchSpan = align(scratchBytes),
    extraSpan = align(extraFloats * 4);
  const perWorker = scratchSpan + extraSpan;
  return {
    control,
    ownExtra,
    workers,
    scratch: (i) => blocks + i * perWorker,
    extra: (i) => (extraFloats > 0 ? blocks + i * perWorker + scratchSpan : 0),
    end: blocks + workers * perWorker,
  };
}
