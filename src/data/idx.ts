/**
 * The IDX file format (the format of the MNIST files): a 4-byte magic number `0x00 0x00 <type> <ndims>`, then
 * `ndims` big-endian uint32 dimension sizes, then the values in row-major order, big-endian.
 * Browser-safe: no Node imports.
 */
import { fail } from '../util/errors.js';

/** The element types IDX can hold. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** A parsed IDX file; `data` is row-major over `dims` and its array type matches `type`. */
export type IdxArray =
  | { type: 'uint8'; dims: number[]; data: Uint8Array }
  | { type: 'int8'; dims: number[]; data: Int8Array }
  | { type: 'int16'; dims: number[]; data: Int16Array }
  | { type: 'int32'; dims: number[]; data: Int32Array }
  | { type: 'float32'; dims: number[]; data: Float32Array }
  | { type: 'float64'; dims: number[]; data: Float64Array };

/** Options for `parseIdx`. */
export interface ParseIdxOptions {
  /** Prefix for error messages, e.g. the file name. Default `'parseIdx'`. */
  name?: string;
}

const TYPE_CODES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'uint8', size: 1 },
  0x09: { type: 'int8', size: 1 },
  0x0b: { type: 'int16', size: 2 },
  0x0c: { type: 'int32', size: 4 },
  0x0d: { type: 'float32', size: 4 },
  0x0e: { type: 'float64', size: 8 },
};

/**
 * Parse an IDX file. Every size is checked before anything is allocated; errors name what was found and what was
 * expected. `uint8` and `int8` data are views into `bytes` (no copy), so they change if `bytes` does.
 */
export function parseIdx(bytes: ArrayBufferLike | ArrayBufferView, options: ParseIdxOptions = {}): IdxArray {
  const name = options.name ?? 'parseIdx';
  const u8 = asBytes(bytes, name);

  if (u8.length < 4) {
    fail(
      `${name}: truncated header: found ${u8.length} byte(s), but an IDX file starts with the 4 bytes ` +
        `0x00 0x00 <type> <ndims>`,
    );
  }
  if (u8[0] !== 0 || u8[1] !== 0) {
    const gzip = u8[0] === 0x1f && u8[1] === 0x8b;
    fail(
      `${name}: not an IDX file: it starts with ${hexBytes(u8.subarray(0, 4))}, but IDX starts with ` +
        `0x00 0x00 <type> <ndims>` +
        (gzip ? ` (0x1F 0x8B is the gzip signature: decompress the file first, e.g. with gunzip)` : ''),
    );
  }
  const code = u8[2]!;
  const element = TYPE_CODES[code];
  if (element === undefined) {
    const known = Object.entries(TYPE_CODES).map(([c, t]) => `${hex(Number(c))} ${t.type}`);
    fail(`${name}: unknown IDX type code ${hex(code)} (byte 2); expected one of ${known.join(', ')}`);
  }

  const ndims = u8[3]!;
  const headerBytes = 4 + 4 * ndims;
  if (u8.length < headerBytes) {
    fail(
      `${name}: truncated header: ${ndims} dimension(s) need a ${headerBytes}-byte header (4 + 4 × ${ndims}), ` +
        `found ${u8.length} bytes`,
    );
  }
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i));

  // BigInt so that absurd dimensions (a corrupt header) still give an exact count instead of rounding.
  const count = dims.reduce((n, d) => n * BigInt(d), 1n);
  const expected = count * BigInt(element.size);
  const found = u8.length - headerBytes;
  if (expected !== BigInt(found)) {
    const problem = BigInt(found) < expected ? 'truncated data' : 'data too long';
    fail(
      `${name}: ${problem}: expected ${expected} bytes of data for dims [${dims.join(', ')}] ` +
        `(${element.type}, ${element.size} byte(s) each), found ${found}`,
    );
  }

  return decode(element.type, view, headerBytes, Number(count), dims);
}

function decode(type: IdxType, view: DataView, offset: number, count: number, dims: number[]): IdxArray {
  const start = view.byteOffset + offset;
  switch (type) {
    case 'uint8':
      return { type, dims, data: new Uint8Array(view.buffer, start, count) };
    case 'int8':
      return { type, dims, data: new Int8Array(view.buffer, start, count) };
    // Wider types are big-endian in the file; DataView reads them on any host and at any alignment.
    case 'int16': {
      const data = new Int16Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(offset + 2 * i);
      return { type, dims, data };
    }
    case 'int32': {
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(offset + 4 * i);
      return { type, dims, data };
    }
    case 'float32': {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(offset + 4 * i);
      return { type, dims, data };
    }
    case 'float64': {
      const data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(offset + 8 * i);
      return { type, dims, data };
    }
  }
}

function asBytes(bytes: unknown, name: string): Uint8Array {
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The tag rather than instanceof: an ArrayBuffer from another realm (iframe, worker, vm) fails instanceof.
  const tag = Object.prototype.toString.call(bytes);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]')
    return new Uint8Array(bytes as ArrayBuffer);
  fail(`${name}: expected the file's bytes as an ArrayBuffer or a typed array/Buffer, got ${tag}`);
}

function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, hex).join(' ');
}
