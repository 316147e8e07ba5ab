import { describe, expect, it } from 'vitest';
import { parseIdx } from '../../src/data/idx.js';
import { buildIdx } from './build-idx.js';

describe('parseIdx', () => {
  it('reads big-endian values written out byte by byte', () => {
    // Literal bytes, so the parser is not only checked against the test's own encoder.
    const int16 = parseIdx(new Uint8Array([0, 0, 0x0b, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x02]));
    expect(int16).toEqual({ type: 'int16', dims: [2], data: new Int16Array([-2, 0x0102]) });

    const int32 = parseIdx(new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0x12, 0x34, 0x56, 0x78]));
    expect(int32).toEqual({ type: 'int32', dims: [2], data: new Int32Array([-2, 0x12345678]) });

    const float32 = parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 2, 0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0]));
    expect(float32).toEqual({ type: 'float32', dims: [2], data: new Float32Array([1.5, -2]) });

    const float64 = parseIdx(new Uint8Array([0, 0, 0x0e, 1, 0, 0, 0, 1, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]));
    expect(float64).toEqual({ type: 'float64', dims: [1], data: new Float64Array([1.5]) });

    const int8 = parseIdx(new Uint8Array([0, 0, 0x09, 1, 0, 0, 0, 2, 0xff, 0x7f]));
    expect(int8).toEqual({ type: 'int8', dims: [2], data: new Int8Array([-1, 127]) });
  });

  it('reads every type with several dims', () => {
    const cases = [
      [0x08, 'uint8', Uint8Array, [0, 1, 128, 255, 7, 9]],
      [0x09, 'int8', Int8Array, [-128, -1, 0, 1, 127, 5]],
      [0x0b, 'int16', Int16Array, [-32768, -1, 0, 1, 32767, 300]],
      [0x0c, 'int32', Int32Array, [-2147483648, -1, 0, 1, 2147483647, 70000]],
      [0x0d, 'float32', Float32Array, [-1.5, 0, 0.1, 3.4e38, -Infinity, 1e-40]],
      [0x0e, 'float64', Float64Array, [-1.5, 0, 0.1, 1.7e308, Infinity, 5e-324]],
    ] as const;
    for (const [code, type, Ctor, values] of cases) {
      for (const dims of [[6], [2, 3], [3, 1, 2], [1, 1, 1, 6]]) {
        const parsed = parseIdx(buildIdx(code, dims, values));
        expect(parsed.type).toBe(type);
        expect(parsed.dims).toEqual(dims);
        expect(parsed.data).toBeInstanceOf(Ctor);
        expect(Array.from(parsed.data)).toEqual(Array.from(new Ctor(values)));
      }
    }
  });

  it('reads NaN and -0 from float data', () => {
    const data = parseIdx(buildIdx(0x0d, [2], [NaN, -0])).data;
    expect(data[0]).toBeNaN();
    expect(Object.is(data[1], -0)).toBe(true);
  });

  it('reads empty dims and zero-size data', () => {
    expect(parseIdx(buildIdx(0x08, [0, 28, 28], []))).toEqual({
      type: 'uint8',
      dims: [0, 28, 28],
      data: new Uint8Array(),
    });
    expect(parseIdx(buildIdx(0x0c, [], [42]))).toEqual({ type: 'int32', dims: [], data: new Int32Array([42]) });
  });

  it('accepts an ArrayBuffer, a typed array at an offset, a DataView and a Buffer', () => {
    const file = buildIdx(0x0d, [2], [1.25, -3]);
    const expected = { type: 'float32', dims: [2], data: new Float32Array([1.25, -3]) };
    expect(parseIdx(file.buffer)).toEqual(expected);
    // 3 bytes in: the float data is not 4-byte aligned in the underlying buffer.
    const shifted = new Uint8Array(3 + file.length + 5);
    shifted.set(file, 3);
    expect(parseIdx(shifted.subarray(3, 3 + file.length))).toEqual(expected);
    expect(parseIdx(new DataView(shifted.buffer, 3, file.length))).toEqual(expected);
    expect(parseIdx(Buffer.from(file))).toEqual(expected);
  });

  it('returns uint8 data as a view into the input, without copying', () => {
    const outer = new Uint8Array(2 + 13 + 3);
    outer.set(buildIdx(0x08, [5], [1, 2, 3, 4, 5]), 2);
    const { data } = parseIdx(outer.subarray(2, 15));
    expect(data.buffer).toBe(outer.buffer);
    expect(data.byteOffset).toBe(2 + 8);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5]);
  });

  describe('errors', () => {
    it('a header shorter than the magic number', () => {
      expect(() => parseIdx(new Uint8Array([0, 0, 8]))).toThrow(
        'scratchnet: parseIdx: truncated header: found 3 byte(s), but an IDX file starts with the 4 bytes 0x00 0x00 <type> <ndims>',
      );
      expect(() => parseIdx(new ArrayBuffer(0))).toThrow('truncated header: found 0 byte(s)');
    });

    it('a wrong magic number, with the bytes found', () => {
      expect(() => parseIdx(new TextEncoder().encode('PK\x03\x04rest'))).toThrow(
        'scratchnet: parseIdx: not an IDX file: it starts with 0x50 0x4B 0x03 0x04, but IDX starts with 0x00 0x00 <type> <ndims>',
      );
      expect(() => parseIdx(new TextEncoder().encode('PK\x03\x04rest'))).not.toThrow(/gzip/);
    });

    it('a gzipped file, with a hint to decompress it', () => {
      expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 0x08, 0x08, 0, 0]))).toThrow(
        'scratchnet: parseIdx: not an IDX file: it starts with 0x1F 0x8B 0x08 0x08, but IDX starts with 0x00 0x00 <type> <ndims> ' +
          '(0x1F 0x8B is the gzip signature: decompress the file first, e.g. with gunzip)',
      );
    });

    it('an unknown type code', () => {
      expect(() => parseIdx(new Uint8Array([0, 0, 0x0a, 1, 0, 0, 0, 0]))).toThrow(
        'scratchnet: parseIdx: unknown IDX type code 0x0A (byte 2); expected one of ' +
          '0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64',
      );
    });

    it('dimension sizes cut short', () => {
      expect(() => parseIdx(buildIdx(0x08, [2, 3, 4], new Array(24).fill(0)).subarray(0, 10))).toThrow(
        'scratchnet: parseIdx: truncated header: 3 dimension(s) need a 16-byte header (4 + 4 × 3), found 10 bytes',
      );
    });

    it('data cut short', () => {
      const file = buildIdx(0x0c, [2, 3], [1, 2, 3, 4, 5, 6]);
      expect(() => parseIdx(file.subarray(0, file.length - 1))).toThrow(
        'scratchnet: parseIdx: truncated data: expected 24 bytes of data for dims [2, 3] (int32, 4 byte(s) each), found 23',
      );
    });

    it('data longer than the dims say', () => {
      const file = buildIdx(0x08, [2, 2], [1, 2, 3, 4, 5]);
      file[7] = 2; // dims [2, 2] but five bytes of data
      expect(() => parseIdx(file)).toThrow(
        'scratchnet: parseIdx: data too long: expected 4 bytes of data for dims [2, 2] (uint8, 1 byte(s) each), found 5',
      );
    });

    it('dims too large to exist, with the exact byte count', () => {
      const file = buildIdx(0x0e, [0xffffffff, 0xffffffff], []);
      expect(() => parseIdx(file)).toThrow(
        'scratchnet: parseIdx: truncated data: expected 147573952520956936200 bytes of data for dims [4294967295, 4294967295]',
      );
    });

    it('input that is not bytes', () => {
      expect(() => parseIdx('0000' as never)).toThrow(
        "scratchnet: parseIdx: expected the file's bytes as an ArrayBuffer or a typed array/Buffer, got [object String]",
      );
    });

    it('uses the given name as the prefix', () => {
      expect(() => parseIdx(new Uint8Array([1, 2, 3, 4]), { name: 'labels.idx' })).toThrow(
        /^scratchnet: labels\.idx: not an IDX file/,
      );
    });
  });
});
