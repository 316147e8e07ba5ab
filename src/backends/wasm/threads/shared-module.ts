/**
 * The threaded build of the kernels is the release build with its imported memory declared `shared`.
 *
 * asconfig.json's 'threads' target (`--enable threads`, `sharedMemory: true`) compiles assembly/ to a binary that
 * differs from the release binary in one byte: the limits flag of the `env.memory` import (0x01 "has a maximum" →
 * 0x03 "has a maximum, shared"); the kernels use no atomic instruction, so the code is the same. scripts/build-wasm.mjs
 * builds both and fails if they ever differ in anything else, and test/backends/threads-build.test.ts compares this
 * function's output with build/scratchnet.threads.wasm byte for byte. Deriving it here keeps the bundle to one
 * embedded binary (the threaded one would add about 18 KB gzipped) and serves the relaxed-SIMD build the same way.
 */
import { fail } from '../../../util/errors.js';

/** an unsigned LEB128 at `at`: its value and the offset after it */
function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0,
    shift = 0,
    byte: number;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** the offset of the limits flag of the module's imported memory, or -1 if it imports none */
export function memoryImportFlagOffset(bytes: Uint8Array): number {
  let at = 8; // magic and version
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, body] = leb(bytes, at + 1);
    if (id === 2) {
      let [count, p] = leb(bytes, body);
      for (; count > 0; count--) {
        for (let name = 0; name < 2; name++) {
          const [len, after] = leb(bytes, p);
          p = after + len;
        }
        const kind = bytes[p++];
        if (kind === 2) return p;
        if (kind === 0) p = leb(bytes, p)[1];
        else if (kind === 1) {
          const flags = bytes[p + 1];
          p = leb(bytes, p + 2)[1];
          if (flags & 1) p = leb(bytes, p)[1];
        } else if (kind === 3) p += 2;
        else break;
      }
      return -1;
    }
    at = body + size;
  }
  return -1;
}

/** A copy of a kernels binary whose imported memory is declared shared (it must declare a maximum). */
export function withSharedMemory(bytes: Uint8Array): Uint8Array {
  const at = memoryImportFlagOffset(bytes);
  if (at < 0 || (bytes[at] !== 0x01 && bytes[at] !== 0x03)) {
    fail('internal error: the kernels module does not import a memory with a maximum', 'internal');
  }
  const shared = bytes.slice();
  shared[at] = 0x03;
  return shared;
}
