// Scratch memory for the matmul kernels (packed panels, an edge tile, index lists).
//
// It lies between the module's static data (__heap_base) and the arena: heapBase() in index.ts returns its end, so
// the arena never hands it out. Why not `memory.data(size)`: the memory is imported, so Binaryen cannot assume it
// starts zeroed and would store every zero byte of the region in the module (megabytes of base64). This way the
// region costs nothing in the binary, and asconfig's initialMemory stays one page: a kernel only ever runs on arena
// pointers, which lie above the scratch, so memory already spans it when a kernel writes there.
// NOTE: one scratch per instance: two instances must never run kernels on one (shared) memory at the same time.

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

/** the first byte of the scratch (64-byte aligned, a cache line) */
// @ts-ignore: decorator
@inline
function start(): usize {
  return (__heap_base + 63) & ~(<usize>63);
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

/** the first byte after the scratch: where the arena starts */
// @ts-ignore: decorator
@inline
export function scratchEnd(): usize {
  return start() + A_BYTES + B_BYTES + TILE_BYTES;
}
