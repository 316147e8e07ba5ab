import { fail } from '../util/errors.js';
import type { WeightData } from './types.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Weight bytes as one logical little-endian buffer, whether they came as one ArrayBuffer, a view (a Node Buffer),
 * or several shards. Shards may split a weight anywhere (the converter cuts every 4 MB), so reads across a shard
 * boundary copy; reads inside one aligned buffer are views.
 */
export class WeightBytes {
  readonly parts: Uint8Array[];
  readonly byteLength: number;

  constructor(data: WeightData) {
    const list = Array.isArray(data) ? data : [data];
    this.parts = list.map((d, i) => {
      if (d instanceof ArrayBuffer) return new Uint8Array(d);
      if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      fail(
        `weightData${Array.isArray(data) ? `[${i}]` : ''} must be an ArrayBuffer (or a list of them, or a Uint8Array), got ${describe(d)}`,
      );
    });
    this.byteLength = this.parts.reduce((s, p) => s + p.byteLength, 0);
  }

  /** `count` float32 values starting at byte `offset` (the caller has checked that they lie inside). */
  float32(offset: number, count: number): Float32Array {
    const bytes = this.slice(offset, count * 4);
    if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    const out = new Float32Array(count);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }

  /** a little-endian int32 at byte `offset` */
  int32(offset: number): number {
    const bytes = this.slice(offset, 4);
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, true);
  }

  /** `length` bytes from `offset`: a view when they lie in one part, else a copy. */
  private slice(offset: number, length: number): Uint8Array {
    let start = offset;
    for (const part of this.parts) {
      if (start < part.byteLength) {
        if (start + length <= part.byteLength) return part.subarray(start, start + length);
        break;
      }
      start -= part.byteLength;
    }
    const out = new Uint8Array(length);
    let at = 0;
    let skip = offset;
    for (const part of this.parts) {
      if (at === length) break;
      if (skip >= part.byteLength) {
        skip -= part.byteLength;
        continue;
      }
      const take = Math.min(part.byteLength - skip, length - at);
      out.set(part.subarray(skip, skip + take), at);
      at += take;
      skip = 0;
    }
    return out;
  }
}

/** Concatenate float32 arrays (and int32 scalars) into one little-endian ArrayBuffer. */
export function packWeights(arrays: (Float32Array | { int32: number })[]): ArrayBuffer {
  const total = arrays.reduce((s, a) => s + ('int32' in a ? 4 : a.length * 4), 0);
  const buffer = new ArrayBuffer(total);
  const view = new DataView(buffer);
  let at = 0;
  for (const a of arrays) {
    if ('int32' in a) {
      view.setInt32(at, a.int32, true);
      at += 4;
    } else if (LITTLE_ENDIAN) {
      new Float32Array(buffer, at, a.length).set(a);
      at += a.length * 4;
    } else {
      for (let i = 0; i < a.length; i++, at += 4) view.setFloat32(at, a[i], true);
    }
  }
  return buffer;
}

/** Join byte buffers into one ArrayBuffer (for stores that keep one buffer, like IndexedDB). */
export function joinBytes(data: WeightData): ArrayBuffer {
  const bytes = new WeightBytes(data);
  if (
    bytes.parts.length === 1 &&
    bytes.parts[0].byteOffset === 0 &&
    bytes.parts[0].byteLength === bytes.parts[0].buffer.byteLength &&
    bytes.parts[0].buffer instanceof ArrayBuffer
  ) {
    return bytes.parts[0].buffer;
  }
  const out = new Uint8Array(bytes.byteLength);
  let at = 0;
  for (const p of bytes.parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out.buffer;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v;
}
