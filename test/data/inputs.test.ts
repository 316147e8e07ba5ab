// Inputs a fuzzer sent (helper pass of 2026-12-04): every one fails as a ScratchnetError naming the problem, never a
// raw TypeError or RangeError, a V8 abort (an array that holds itself) or a silent shift of samples (a hole).
import { describe, expect, it } from 'vitest';
import { Dense, Sequential, ScratchnetError } from '../../src/index.js';
import { toMatrix } from '../../src/data/inputs.js';
import { short, shown } from '../../src/util/errors.js';

/** toMatrix's error for `input`, which must be a ScratchnetError */
function refusal(input: unknown): string {
  try {
    toMatrix(input, 'x');
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(ScratchnetError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

let deep: unknown = 1;
for (let i = 0; i < 10_000; i++) deep = [deep];

describe('inputs that are not data', () => {
  it('an array that contains itself is refused by its depth (it would nest forever)', () => {
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(refusal([cycle])).toMatch(/x\[0\] is nested more than 8 levels deep.*does an array contain itself/);
    expect(refusal([[cycle, 1, 2]])).toMatch(/nested more than 8 levels deep/);
    expect(refusal(cycle)).toMatch(/nested more than 8 levels deep/);
  });

  it('a hole among image samples is named; the samples after it do not move up', () => {
    const img = [
      [[0.1], [0.2]],
      [[0.3], [0.4]],
    ];
    // eslint-disable-next-line no-sparse-arrays
    expect(refusal([img, , img])).toBe(
      'scratchnet: x[1] is undefined; expected 2 entries: every sample must have the shape of x[0], [2, 2, 1]',
    );
    const sparse: unknown[] = [];
    sparse.length = 1_000_000;
    sparse[0] = img;
    expect(refusal(sparse)).toMatch(/^scratchnet: x\[1\] is undefined/);
  });

  it('inputs too large for wasm memory are refused by their size before anything is allocated', () => {
    const huge: unknown[] = [];
    huge.length = 2 ** 32 - 1;
    huge[0] = [1, 2, 3];
    expect(refusal(huge)).toMatch(/x has 4294967295 samples of 3 values, .* more than the 1073741824 float32 values/);
    expect(refusal({ data: { length: 2 ** 31 }, shape: [2 ** 21, 1024] })).toMatch(/more than the 1073741824/);
  });

  it('{ data, shape }: 64-bit integer data, text, holes and shapes that cannot be printed say what they are', () => {
    expect(refusal({ data: new BigInt64Array(6), shape: [2, 3] })).toMatch(
      /x\.data must be a Float32Array or an array of numbers, got a BigInt64Array \(64-bit integers are not taken/,
    );
    expect(refusal({ data: ['1', '2'], shape: [1, 2] })).toBe(
      'scratchnet: x.data[0] is the string "1" (convert text with Number() first); expected a number',
    );
    // eslint-disable-next-line no-sparse-arrays
    expect(refusal({ data: [1, , 3], shape: [1, 3] })).toBe('scratchnet: x.data[1] is undefined; expected a number');
    expect(refusal({ data: new Float32Array(6), shape: [2n, 3n] })).toMatch(/x\.shape must be .* got \["2n","3n"\]/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(refusal({ data: new Float32Array(6), shape: cyclic })).toMatch(/x\.shape must be/);
    expect(refusal({ data: new Float32Array(6), shape: deep })).toMatch(/x\.shape must be/);
  });

  it('values that String() cannot print (no prototype, a throwing toString, 10,000 levels) are still named', () => {
    expect(refusal([[Object.create(null), 1]])).toBe(
      'scratchnet: x[0][0] is an object (an unprintable object); expected a number',
    );
    const throwing = {
      toString() {
        throw new Error('no');
      },
    };
    expect(refusal([[throwing, 1]])).toMatch(/x\[0\]\[0\] is an object \(an unprintable object\)/);
    expect(refusal([[deep, 1]])).toMatch(/nested more than 8 levels deep|x\[0\]\[0\] is an array/);
    expect(shown(Symbol('s'))).toBe('Symbol(s)');
    expect(short(deep)).toMatch(/cannot be printed/);
    expect(short(10n)).toBe('"10n"');
  });

  it('model options of the wrong kind are named, not String()-ed into an exception', async () => {
    const m = new Sequential([new Dense(2, { inputShape: [3] })], { backend: 'js' });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = [[1, 2, 3]],
      y = [[1, 0]];
    await expect(m.fit(x, y, { batchSize: Object.create(null), verbose: 0 })).rejects.toThrow(
      'batchSize must be a positive integer, got an unprintable object',
    );
    await expect(m.fit(x, y, { validationSplit: Symbol('v') as never, verbose: 0 })).rejects.toThrow(
      'validationSplit must be in [0, 1), got Symbol(v)',
    );
    await expect(m.fit(x, y, { batchSize: '32' as never, verbose: 0 })).rejects.toThrow('got "32"');
    expect(() => m.predict(x, { verbose: 'loud' as never })).toThrow('verbose must be 0, 1 or 2, got "loud"');
    expect(() => m.evaluate(x, y, { verbose: 7 as never })).toThrow('verbose must be 0, 1 or 2, got 7');
    expect(() => new Dense(4, { inputShape: [3n] as never })).toThrow(ScratchnetError);
    m.dispose();
  });
});
