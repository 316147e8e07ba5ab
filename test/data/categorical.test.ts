import { describe, expect, it } from 'vitest';
import { toCategorical } from '../../src/data/categorical.js';

describe('toCategorical', () => {
  it('one-hot encodes with numClasses = max + 1 by default', () => {
    expect(toCategorical([1, 0, 2])).toEqual({
      data: new Float32Array([0, 1, 0, 1, 0, 0, 0, 0, 1]),
      shape: [3, 3],
    });
  });

  it('uses the given numClasses and accepts any array-like', () => {
    const { data, shape } = toCategorical(new Uint8Array([3, 0]), 5);
    expect(shape).toEqual([2, 5]);
    expect(data).toEqual(new Float32Array([0, 0, 0, 1, 0, 1, 0, 0, 0, 0]));
  });

  it('gives an empty matrix for no labels', () => {
    expect(toCategorical([])).toEqual({ data: new Float32Array(), shape: [0, 0] });
    expect(toCategorical([], 10).shape).toEqual([0, 10]);
  });

  describe('errors', () => {
    it('a label outside [0, numClasses)', () => {
      expect(() => toCategorical([0, 1, 10], 10)).toThrow(
        'scratchnet: toCategorical: labels[2] is 10, expected an integer in [0, 10) (numClasses)',
      );
    });

    it('a negative, fractional or non-finite label', () => {
      expect(() => toCategorical([0, -1])).toThrow(
        'scratchnet: toCategorical: labels[1] is -1, expected a non-negative integer',
      );
      expect(() => toCategorical([0.5])).toThrow(
        'scratchnet: toCategorical: labels[0] is 0.5, expected a non-negative integer',
      );
      expect(() => toCategorical([1, NaN], 3)).toThrow(
        'scratchnet: toCategorical: labels[1] is NaN, expected an integer in [0, 3)',
      );
      // a class name is shown as the string it is
      expect(() => toCategorical(['cat'] as never)).toThrow(
        'scratchnet: toCategorical: labels[0] is the string "cat" (convert text with Number() first), expected a non-negative integer',
      );
    });

    it('a numClasses that is not a positive integer', () => {
      expect(() => toCategorical([0], 0)).toThrow(
        'scratchnet: toCategorical: numClasses must be a positive integer, got 0',
      );
      expect(() => toCategorical([0], 2.5)).toThrow(
        'scratchnet: toCategorical: numClasses must be a positive integer, got 2.5',
      );
    });
  });
});
