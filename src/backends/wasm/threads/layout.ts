/**
 * The control block through which the calling thread hands a kernel call to the pool's workers, in the shared wasm
 * memory (allocated in the arena). The worker source (worker-source.ts) is generated from these numbers, so the two
 * sides cannot disagree.
 *
 * A call is cut into CHUNKS (blocks of outputs) that the threads claim one at a time with a compare-and-swap on
 * CLAIM: the caller from the front (chunk 0 up), the workers from the back (the last chunk down), until the two meet.
 * So a worker that the OS has not scheduled yet costs nothing but its share of chunks done by the others (the machine
 * we measure on is shared), and the results do not depend on who ran which chunk: each chunk is a fixed block of
 * outputs. Claiming from the two ends keeps each thread on the same part of every array from kernel to kernel (with
 * two threads the caller computes the first half of a layer's outputs, of its weight gradient, and of the Adam step
 * that reads it), so the data a kernel reads is mostly in its own core's cache.
 *
 * Header, int32 words:
 *   [SEQ]          wake-up counter: a new value means "a new call, or a worker told to exit" (Atomics.notify)
 *   [CLAIM]        (call tag << 16) | (back << 8) | front: chunks front … back − 1 are unclaimed (MAX_CHUNKS fits in
 *                  8 bits); the tag (SEQ & 0xffff) stops a worker that woke for an earlier call from claiming chunks
 *                  of a later one with that call's bounds
 *   [FINISHED]     chunks finished (Atomics.notify when the last one is)
 *   [CHUNKS]       chunks in this call
 *   [KERNEL]       the kernel's index in the names given at start
 *   [ARGC]         arguments per chunk
 *   [SCRATCH_ARG]  the argument that each thread replaces with its own scratch block (the conv patch matrix), or −1
 * Then one slot per worker (a cache line or more each): int32 [STATUS], [HOLDING] (1 while running a chunk), [EXIT],
 * and MESSAGE_CHARS UTF-16 units of error text. Then the chunks' arguments: MAX_CHUNKS × MAX_ARGS f64. Then a cache
 * line of its own whose first int32 is a chained call's progress (split.ts: matmulSkipZerosStage,
 * conv2dBackwardStage): the stage that waits on it polls it, and it must not share a line with the words every call
 * writes.
 */
/** chunks of a call not yet claimed, read from a CLAIM word (the worker source reads it the same way) */
export const unclaimedChunks = (claim: number): number => ((claim >>> 8) & 0xff) - (claim & 0xff);

export const SEQ = 0;
export const CLAIM = 1;
export const FINISHED = 2;
export const CHUNKS = 3;
export const KERNEL = 4;
export const ARGC = 5;
export const SCRATCH_ARG = 6;
export const HEADER_BYTES = 64;

export const STATUS = 0;
export const HOLDING = 1;
export const EXIT = 2;
export const MESSAGE_BYTE = 16;
export const MESSAGE_CHARS = 120;
export const SLOT_BYTES = Math.ceil((MESSAGE_BYTE + MESSAGE_CHARS * 2) / 64) * 64;

/** most arguments of a chunk: conv2dRows has 21 (the 17 of conv2d, bias, activation and a row range) */
export const MAX_ARGS = 24;
/** most chunks per call (the claim index has 16 bits) */
export const MAX_CHUNKS = 64;
export const ARGS_BYTES = MAX_CHUNKS * MAX_ARGS * 8;

/** where the progress line lies in the control block for `workers` slots (a multiple of 64) */
export function progressByte(workers: number): number {
  return HEADER_BYTES + workers * SLOT_BYTES + ARGS_BYTES;
}

/** the control block for `workers` slots: header, slots, arguments, the progress line */
export function controlBytes(workers: number): number {
  return progressByte(workers) + 64;
}

export const STARTING = 0;
export const READY = 1;
export const FAILED = 2;
export const DEAD = 3;
