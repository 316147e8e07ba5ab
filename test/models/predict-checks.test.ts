// predict checks every value once: inputs given as arrays while they are copied into float32 (src/data/inputs.ts),
// inputs given as { data, shape } and every output with the allFinite kernel in the arena (evaluate-loop.ts); a bad
// value is still named with its sample, its feature or output, and the way it was given.
import { describe, expect, it } from 'vitest';
import { Dense, FCLayer, Flatten, Network, Sequential, memory } from '../../src/index.js';
import type { BackendName } from '../../src/backends/backend.js';
import { BACKENDS } from './backends.js';

/** Dense(2) on one input with kernel [1e30, 1]: an input of 1e10 gives 1e40, Infinity in float32, at output 0 */
function overflowing(backend: BackendName): Sequential {
  const model = new Sequential([new Dense(2, { inputShape: [1] })], { seed: 1, backend });
  model.predict([[1]]); // builds it
  model.setWeights([new Float32Array([1e30, 1]), new Float32Array([0, 0])]);
  return model;
}

describe.each(BACKENDS)('predict checks each value once (%s)', (backend) => {
  it('an output that overflows float32 is named with its sample and output, in any chunk, and nothing leaks', () => {
    const model = overflowing(backend);
    const x = { data: new Float32Array(7).fill(1), shape: [7, 1] };
    model.predict(x, { batchSize: 2 });
    const before = memory(backend).bytesInUse;
    for (const row of [0, 5, 6]) {
      const data = new Float32Array(7).fill(1);
      data[row] = 1e10;
      expect(() => model.predict({ data, shape: [7, 1] }, { batchSize: 2 })).toThrow(
        `predict: output 0 of sample ${row} is Infinity: the inputs or the weights are too large for float32`,
      );
    }
    expect(memory(backend).bytesInUse - before).toBe(0);
  });

  it("the tutorial's Network names an overflowing output too", () => {
    const net = new Network({ seed: 1, backend });
    net.add(new FCLayer(1, 2));
    net.predict([[1]]); // builds it
    net.setWeights([new Float32Array([1e30, 1]), new Float32Array([0, 0])]);
    expect(() => net.predict([[1], [2], [1e10]])).toThrow('predict: output 0 of sample 2 is Infinity');
    expect(() => net.predict([[1], [NaN]])).toThrow(
      'x has NaN at sample 1, feature 0; every value must be a finite number',
    );
  });

  it('a flat typed array, or an object with data but no shape, is named with the form that would take it', () => {
    const model = new Sequential([new Dense(2, { inputShape: [3] })], { seed: 1, backend });
    expect(() => model.predict(new Float32Array(3) as never)).toThrow(
      'got a Float32Array of 3 values, which says nothing of how many samples it holds: give it with its shape, ' +
        '{ data: x, shape: [samples, …] } (one sample of 3 features: shape [1, 3])',
    );
    expect(() => model.predict({ data: new Float32Array(3) } as never)).toThrow('got an object with data but no shape');
    expect(() => model.predict(3 as never)).toThrow('or { data, shape }; got number');
    expect(model.predict({ data: new Float32Array(3), shape: [1, 3] }).shape).toEqual([1, 2]);
  });

  it('rows, the tutorial nesting and images: non-numbers, NaN, ±Inf and float32 overflow are named where they are', () => {
    const model = new Sequential([new Dense(2, { inputShape: [3] })], { seed: 1, backend });
    const rows = (bad: unknown) => [
      [1, 2, 3],
      [4, bad, 6],
    ];
    expect(() => model.predict(rows('5') as number[][])).toThrow('x[1][1] is the string "5"');
    expect(() => model.predict(rows(NaN) as number[][])).toThrow('x has NaN at sample 1, feature 1;');
    expect(() => model.predict(rows(-Infinity) as number[][])).toThrow('x has -Infinity at sample 1, feature 1;');
    expect(() => model.predict(rows(1e39) as number[][])).toThrow("x[1][1] is 1e+39, beyond float32's range");
    const tutorial = (bad: number) => [[[1, 2, 3]], [[4, 5, bad]]];
    expect(() => model.predict(tutorial(Infinity) as never)).toThrow('x has Infinity at sample 1, feature 2;');
    expect(() => model.predict(tutorial(-1e39) as never)).toThrow("x[1][2] is -1e+39, beyond float32's range");

    const images = new Sequential([new Flatten({ inputShape: [2, 2, 1] }), new Dense(2)], { seed: 1, backend });
    const image = (bad: unknown) => [
      [
        [[1], [2]],
        [[3], [4]],
      ],
      [
        [[5], [6]],
        [[bad], [8]],
      ],
    ];
    expect(() => images.predict(image(NaN) as number[][][][])).toThrow('x has NaN at sample 1, feature 2;');
    expect(() => images.predict(image(3e38 * 10) as number[][][][])).toThrow(
      "x[1][1][0][0] is 3e+39, beyond float32's range",
    );
    expect(() => images.predict(image(null) as number[][][][])).toThrow('x[1][1][0][0] is null; expected a number');
    expect(() => images.predict(image([7, 7]) as number[][][][])).toThrow('x[1][1][0][0] is an array (7,7)');
    const ragged = [
      [
        [[1], [2]],
        [[3], [4]],
      ],
      [
        [[5], [6]],
        [[7, 7], [8]],
      ],
    ];
    expect(() => images.predict(ragged)).toThrow('x[1][1][0] has 2 entries but should have 1');
  });

  it('outputs come back as rows, or tutorial-nested rows, with the values of the Float32Array form', () => {
    const model = new Sequential([new Dense(5, { inputShape: [3], activation: 'tanh' })], { seed: 3, backend });
    const x = [
      [0.1, -2, 3],
      [4, 0.5, -6],
      [7, 8, 0.25],
    ];
    const flat = model.predict({ data: new Float32Array(x.flat()), shape: [3, 3] }, { batchSize: 2 });
    const want = [0, 1, 2].map((i) => Array.from(flat.data.subarray(i * 5, (i + 1) * 5)));
    expect(model.predict(x, { batchSize: 2 })).toEqual(want);
    expect(model.predict(x.map((r) => [r]) as never, { batchSize: 2 })).toEqual(want.map((r) => [r]));
  });
});
