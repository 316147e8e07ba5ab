import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/data/matrix.js';

describe('matrix', () => {
  it('wraps the data without copying', () => {
    const data = new Float32Array(6);
    const m = matrix(data, 2, 3);
    expect(m.shape).toEqual([2, 3]);
    expect(m.data).toBe(data);
  });

  it('rejects a length that does not match the shape', () => {
    expect(() => matrix(new Float32Array(5), 2, 3)).toThrow(
      'scratchnet: matrix: shape [2, 3] needs 6 values (rows × cols), but data has 5',
    );
  });

  it('rejects bad sizes and non-Float32Array data', () => {
    expect(() => matrix(new Float32Array(0), -1, 0)).toThrow(
      'scratchnet: matrix: rows must be a non-negative integer, got -1',
    );
    expect(() => matrix(new Float32Array(3), 1, 3.5)).toThrow(
      'scratchnet: matrix: cols must be a non-negative integer, got 3.5',
    );
    expect(() => matrix([1, 2] as never, 1, 2)).toThrow('scratchnet: matrix: data must be a Float32Array, got Array');
  });
});
