// Scratch memory for the matmul kernels (packed panels, an edge tile, index lists).
//
// It lies between the module's static data (__heap_base) and the arena: heapBase() in index.ts returns its end, so
// the arena never hands it out. Why not `memory.data(size)`: the memory is imported, so Binaryen cannot assume it
// starts zeroed and would store every zero byte of the region in the module (megabytes of base64). This way the
// region costs nothing in the binary, and asconfig's initialMemory stays one page: a kernel only ever runs on arena
// pointers, which lie above the scratch, so memory already spans it when a kernel writes there.
// With threads (src/backends/wasm/threads/), every worker instantiates this module over the one shared memory: each
// instance then points its own scratch at a block of the arena with `setScratch`, so that no two threads share one.
// NOTE: one scratch per instance: two instances must never run kernels on one scratch at the same time.

/** rows of C per micro-kernel (floats of A per packed step) */
export const MR: i32 = 4;
/** columns of C per micro-kernel (floats of B per packed step: two v128) */
export const NR: i32 = 8;
/** depth of a packed slab: the reduction is cut in blocks of KC, so a KC×NR panel of B stays in L1 */
export const KC: i32 = 256;
/** rows of A packed at once: an MC×KC block (64 KiB) stays in L2 while the B panels sweep it */
export const MC: i32 = 32;
/** columns of B packed at once: a KC×NC slab (512 KiB) */
export const NC: i32 = 512;

const A_BYTES: usize = <usize>MC * KC * 4;
const B_BYTES: usize = <usize>KC * NC * 4;
const TILE_BYTES: usize = <usize>MR * NR * 4;

/** bytes of one scratch region (a worker's, allocated in the arena, is this large) */
export const SCRATCH_BYTES: usize = A_BYTES + B_BYTES + TILE_BYTES;

/** the first byte of the default scratch, right after the static data (64-byte aligned, a cache line) */
// @ts-ignore: decorator
@inline
function defaultStart(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}

/** how far this instance's scratch lies from the default one: a wasm global, so each instance (each thread) has its
 *  own. Zero-initialised (a delta rather than the address), so the module needs no start function. */
let offset: usize = 0;

/** Point this instance's scratch at `ptr` (64-byte aligned, SCRATCH_BYTES long): a worker's own block. */
export function setScratch(ptr: usize): void {
  offset = ptr - defaultStart();
}

/** the first byte of this instance's scratch */
// @ts-ignore: decorator
@inline
function start(): usize {
  return defaultStart() + offset;
}

/** the packed MC×KC block of A */
// @ts-ignore: decorator
@inline
export function aPack(): usize {
  return start();
}

/** the packed KC×NC slab of B; also holds the index lists of the zero-skipping kernels (NC·KC int32) */
// @ts-ignore: decorator
@inline
export function bPack(): usize {
  return start() + A_BYTES;
}

/** an MR×NR tile of C for the edges of a matrix (row stride NR floats) */
// @ts-ignore: decorator
@inline
export function edgeTile(): usize {
  return start() + A_BYTES + B_BYTES;
}

/** int32 entries the index list can hold */
export const LIST_CAPACITY: i32 = KC * NC;

/** the first byte after the default scratch: where the arena starts */
// @ts-ignore: decorator
@inline
export function scratchEnd(): usize {
  return defaultStart() + SCRATCH_BYTES;
}
