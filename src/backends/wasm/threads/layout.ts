/**
 * The control block through which the calling thread hands kernel calls to the pool's workers: one slot per worker
 * in the shared wasm memory (allocated in the arena), each on cache lines of its own. The worker source
 * (worker-source.ts) is generated from these numbers, so the two sides cannot disagree.
 *
 *   int32 [SEQ]     the caller's call counter: a new value means "run the call in this slot" (Atomics.notify)
 *   int32 [DONE]    the worker's answer: the SEQ value it has finished (Atomics.notify)
 *   int32 [STATUS]  STARTING, READY, FAILED (the call threw; message below) or DEAD (the worker stopped)
 *   int32 [KERNEL]  the index of the kernel in the names given at start, or EXIT
 *   int32 [ARGC]    how many arguments
 *   f64   args      from byte ARGS_BYTE, MAX_ARGS of them (pointers, sizes and scalars are all exact in a double)
 *   u16   message   from byte MESSAGE_BYTE, MESSAGE_CHARS UTF-16 units of the error text (0-terminated if shorter)
 */
export const SEQ = 0;
export const DONE = 1;
export const STATUS = 2;
export const KERNEL = 3;
export const ARGC = 4;
export const ARGS_BYTE = 32;
export const MAX_ARGS = 20;
export const MESSAGE_BYTE = ARGS_BYTE + MAX_ARGS * 8;
export const MESSAGE_CHARS = 96;
/** bytes per slot: a multiple of 64, so that no two workers share a cache line */
export const SLOT_BYTES = Math.ceil((MESSAGE_BYTE + MESSAGE_CHARS * 2) / 64) * 64;

export const STARTING = 0;
export const READY = 1;
export const FAILED = 2;
export const DEAD = 3;
/** KERNEL value that ends the worker's loop */
export const EXIT = -1;
