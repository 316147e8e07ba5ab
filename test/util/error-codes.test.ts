import { describe, expect, it } from 'vitest';
import { createJsBackend } from '../../src/backends/js/index.js';
import {
  Dense,
  FCLayer,
  Network,
  Random,
  ScratchnetError,
  Sequential,
  loadModel,
  memoryHandler,
  type ErrorCode,
} from '../../src/index.js';

/** The error `run` throws (or rejects with). */
async function caught(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

async function expectCode(run: () => unknown, code: ErrorCode, message: RegExp): Promise<void> {
  const e = await caught(run);
  expect(e).toBeInstanceOf(ScratchnetError);
  expect(e).toBeInstanceOf(Error);
  expect((e as ScratchnetError).name).toBe('ScratchnetError');
  expect((e as ScratchnetError).message).toMatch(/^scratchnet: /);
  expect((e as ScratchnetError).message).toMatch(message);
  expect((e as ScratchnetError).code, (e as Error).message).toBe(code);
}

const small = () =>
  new Sequential([new Dense(2, { inputShape: [3], activation: 'softmax' })], { seed: 1, backend: 'js' });

describe('ScratchnetError', () => {
  it('is recognised by instanceof from any copy of the package (each entry bundles its own copy of the class)', () => {
    // what another copy's constructor leaves on its errors: the brand shared through Symbol.for
    const fromAnotherCopy = Object.defineProperty(new Error('scratchnet: x'), Symbol.for('scratchnet.error'), {
      value: true,
    });
    expect(fromAnotherCopy).toBeInstanceOf(ScratchnetError);
    expect(new ScratchnetError('scratchnet: y')).toBeInstanceOf(ScratchnetError);
    expect(new Error('scratchnet: z')).not.toBeInstanceOf(ScratchnetError);
    expect(null).not.toBeInstanceOf(ScratchnetError);
    expect('scratchnet: a string').not.toBeInstanceOf(ScratchnetError);
    class Narrower extends ScratchnetError {}
    expect(new Narrower('scratchnet: n')).toBeInstanceOf(Narrower);
    expect(new ScratchnetError('scratchnet: w')).not.toBeInstanceOf(Narrower);
  });
});

describe('ScratchnetError codes', () => {
  it("'bad_input' for names, options and values (the default)", async () => {
    await expectCode(
      () => small().compile({ optimizer: 'adam', loss: 'mser' as never }),
      'bad_input',
      /unknown loss 'mser'/,
    );
    await expectCode(() => new Dense(0), 'bad_input', /units must be a positive integer/);
    await expectCode(() => new Random(0.5), 'bad_input', /a seed must be an integer/);
  });

  it("'shape_mismatch' where sizes do not fit together", async () => {
    const model = small();
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    await expectCode(
      () => model.predict([[1, 2]]),
      'shape_mismatch',
      /2 features per sample but the model's input size is 3/,
    );
    await expectCode(
      () =>
        model.fit(
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          [0],
        ),
      'shape_mismatch',
      /x has 2 samples but y has 1/,
    );
    await expectCode(
      () => model.setWeights([new Float32Array(5), new Float32Array(2)]),
      'shape_mismatch',
      /kernel needs 6 values/,
    );
    // the count of setWeights arrays, and one-hot targets as wide as no output
    await expectCode(
      () => model.setWeights([new Float32Array(6)]),
      'shape_mismatch',
      /the model has 2 weight arrays \(a kernel and a bias per dense layer\), but 1 was given$/,
    );
    await expectCode(() => model.layers[0].setWeights([]), 'shape_mismatch', /\(kernel, bias\), but none were given$/);
    const oneHot = small();
    oneHot.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    await expectCode(
      () => oneHot.fit([[1, 2, 3]], [[0, 1, 0]]),
      'shape_mismatch',
      /y has 3 values per sample but the model outputs 2/,
    );
    oneHot.dispose();
    const net = new Network({ backend: 'js' });
    net.add(new FCLayer(3, 2));
    await expectCode(() => net.add(new FCLayer(4, 1)), 'shape_mismatch', /do not chain/);
    model.dispose();
  });

  it("'out_of_memory' when the arena cannot hold the model", async () => {
    // 40,000 × 40,000 float32 weights are 6.4 GB: refused before anything is allocated, as the model is made (built
    // then, since its first layer declares inputShape)
    await expectCode(
      () => new Sequential([new Dense(40_000, { inputShape: [40_000] })], { backend: 'js' }),
      'out_of_memory',
      /WebAssembly memory stops at/,
    );
  });

  it("'corrupt_file' for a truncated weights file and one holding a NaN", async () => {
    const model = small();
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const h = memoryHandler();
    await model.save(h);
    const a = h.artifacts!;
    await expectCode(
      () => loadModel({ ...a, weightData: (a.weightData as ArrayBuffer).slice(0, 8) }),
      'corrupt_file',
      /truncated/,
    );
    const nan = (a.weightData as ArrayBuffer).slice(0);
    new Float32Array(nan)[1] = NaN;
    await expectCode(
      () => loadModel({ ...a, weightData: nan }),
      'corrupt_file',
      /has NaN at .*; weights must be finite/,
    );
    model.dispose();
  });

  it("'disposed' for a model used after dispose()", async () => {
    const model = small();
    model.dispose();
    await expectCode(() => model.predict([[1, 2, 3]]), 'disposed', /the model was disposed/);
  });

  it("'internal' for a scratchnet bug (freeing a block twice)", async () => {
    const arena = createJsBackend().arena;
    const p = arena.alloc(4);
    arena.free(p);
    await expectCode(() => arena.free(p), 'internal', /internal error: freeing/);
  });
});
