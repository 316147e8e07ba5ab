/** Test helper: encode values as an IDX file (big-endian), independently of the parser under test. */
const WRITERS = {
  0x08: { size: 1, write: (v: DataView, o: number, x: number) => v.setUint8(o, x) },
  0x09: { size: 1, write: (v: DataView, o: number, x: number) => v.setInt8(o, x) },
  0x0b: { size: 2, write: (v: DataView, o: number, x: number) => v.setInt16(o, x) },
  0x0c: { size: 4, write: (v: DataView, o: number, x: number) => v.setInt32(o, x) },
  0x0d: { size: 4, write: (v: DataView, o: number, x: number) => v.setFloat32(o, x) },
  0x0e: { size: 8, write: (v: DataView, o: number, x: number) => v.setFloat64(o, x) },
} as const;

export type IdxTypeCode = keyof typeof WRITERS;

/** The bytes of an IDX file with the given type code, dims and row-major values. */
export function buildIdx(typeCode: IdxTypeCode, dims: number[], values: ArrayLike<number>): Uint8Array {
  const { size, write } = WRITERS[typeCode];
  const header = 4 + 4 * dims.length;
  const bytes = new Uint8Array(header + size * values.length);
  const view = new DataView(bytes.buffer);
  bytes.set([0, 0, typeCode, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  for (let i = 0; i < values.length; i++) write(view, header + size * i, values[i]!);
  return bytes;
}
