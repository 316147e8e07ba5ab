// Memory that frees itself. All models on a backend share its arena: a model dropped without dispose() has its blocks
// freed when the garbage collector collects it (vitest runs the workers with --expose-gc, see vitest.config.ts), an
// out-of-memory error says what the other live models hold, and an arena with no model left starts over.
import { describe, expect, it } from 'vitest';
import { Dense, FCLayer, Network, Sequential, memory } from '../../src/index.js';
import { resolveBackend } from '../../src/backends/index.js';
import { KEEP_ARENA_BYTES, outOfMemoryError, type Backend, type BackendName } from '../../src/backends/backend.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';
import { otherModels } from '../../src/models/live-models.js';
import { BACKENDS } from './backends.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** Collect garbage until the arena's live bytes stop falling (finalizers run in tasks after a collection). */
async function collect(backend: BackendName | Backend): Promise<number> {
  let last = Infinity;
  for (let i = 0; i < 20; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const now = memory(backend).bytesInUse;
    if (now === last && i >= 2) break;
    last = now;
  }
  return memory(backend).bytesInUse;
}

const x = [
  [1, 0, 1, 0],
  [0, 1, 0, 1],
];

/** Models made, used and dropped without dispose(); none stays referenced once this returns. */
function makeAndDrop(backend: 'wasm' | 'js', count: number): void {
  for (let i = 0; i < count; i++) {
    const model = new Sequential([new Dense(64, { inputShape: [4], activation: 'relu' }), new Dense(2)], {
      seed: i,
      backend,
    });
    model.compile({ optimizer: 'adam', loss: 'mse' });
    model.predict(x);
    const net = new Network({ seed: i, backend });
    net.add(new FCLayer(4, 8)).add(new FCLayer(8, 1));
    net.predict(x);
  }
}

describe('the test workers can force a garbage collection', () => {
  it('gc() is exposed (vitest.config.ts: execArgv --expose-gc); without it the tests below could not run', () => {
    expect(typeof gc).toBe('function');
  });
});

describe.each(BACKENDS)('models dropped without dispose() (%s)', (backend) => {
  it('are freed when garbage-collected: the live bytes come back to where they were', async () => {
    const before = await collect(backend);
    makeAndDrop(backend, 40);
    const held = memory(backend).bytesInUse - before;
    // 40 × (a Sequential with Adam's slots + a Network): each weight array is at least 64 bytes
    expect(held).toBeGreaterThan(40 * (4 * (4 * 64 + 64 + 64 * 2 + 2) * 4 + 4 * 64));
    expect(await collect(backend)).toBe(before);
  });

  it('a model in the middle of fit() is not collected, though nothing else references it', async () => {
    const before = await collect(backend);
    const y = [[1], [0]];
    const epochs: number[] = [];
    // the model is referenced only by its own pending fit; the callback collects garbage between epochs
    const fitting = (() => {
      const model = new Sequential([new Dense(8, { inputShape: [4], activation: 'tanh' }), new Dense(1)], {
        seed: 1,
        backend,
      });
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      return model.fit(x, y, {
        epochs: 6,
        batchSize: 1,
        verbose: 0,
        yieldEvery: 0,
        callbacks: {
          onEpochEnd: async (epoch, logs) => {
            gc!();
            await new Promise((resolve) => setTimeout(resolve, 5));
            expect(Number.isFinite(logs.loss)).toBe(true);
            epochs.push(epoch);
          },
        },
      });
    })();
    const history = await fitting;
    expect(epochs).toEqual([0, 1, 2, 3, 4, 5]);
    expect(history.history.loss[5]).toBeLessThan(history.history.loss[0]);
    expect(await collect(backend)).toBe(before);
  });

  it('a layer kept after its model is collected is freed with it and may join a new model', async () => {
    const kept = (() => {
      const layer = new Dense(3, { inputShape: [4] });
      new Sequential([layer], { backend }).predict(x);
      return layer;
    })();
    await collect(backend);
    expect(() => kept.getWeights()).toThrow(/has no weights until it is built/);
    const again = new Sequential([kept], { backend, seed: 1 });
    expect(again.predict(x)).toHaveLength(2);
    again.dispose();
  });
});

describe.each(BACKENDS)('the out-of-memory error and the other live models (%s)', (backend) => {
  it('names how many other models are alive and what they hold, and suggests dispose()', () => {
    const alive = [1, 2].map(
      (seed) => new Sequential([new Dense(256, { inputShape: [64] })], { seed, backend }), // 16,640 weights each
    );
    const arena = resolveBackend(backend).arena;
    const others = otherModels(arena);
    expect(others.count).toBeGreaterThanOrEqual(2);
    expect(others.bytes).toBe(2 * 16_640 * 4 * 2); // weights and gradients of both (no activations before a predict)
    // 8192 × 65,535 weights + 8192 biases: exactly 4 GiB with their gradients. It would fit alone, so the error blames
    // the others, before anything is allocated.
    const needed = arena.bytesInUse + 2 ** 32;
    let message = '';
    try {
      new Sequential([new Dense(8192, { inputShape: [65_535] })], { backend });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      `scratchnet: the arena needs ${needed} bytes (${(needed / 2 ** 30).toFixed(4)} GiB) with this model, but ` +
        `WebAssembly memory stops at 4294967296 bytes (4.00 GiB), and ${others.count} other models alive on this ` +
        `backend hold ${others.bytes} bytes (0.00 GiB) of it. Call dispose() on the models you no longer need (a ` +
        `model you only drop is freed when it is garbage-collected, which may be late or never: the collector does ` +
        `not see the memory it holds), or use smaller layers or a smaller batch size.`,
    );
    // a model too large on its own is told so, without blaming the others
    expect(() => new Sequential([new Dense(8192, { inputShape: [70_000] })], { backend })).toThrow(
      /^scratchnet: the model needs \d+ bytes \(\d+\.\d\d GiB\) of arena memory, but WebAssembly memory stops at 4294967296 bytes \(4\.00 GiB\)\. Use smaller layers/,
    );
    for (const m of alive) m.dispose();
  });
});

describe('outOfMemoryError', () => {
  it('says one model, in the singular, and keeps the code out_of_memory', () => {
    const e = outOfMemoryError(5 * 2 ** 30, 2 ** 32, { count: 1, bytes: 2 ** 30 });
    expect(e.code).toBe('out_of_memory');
    expect(e.message).toContain('and 1 other model alive on this backend hold 1073741824 bytes (1.00 GiB) of it.');
    expect(outOfMemoryError(5 * 2 ** 30, 2 ** 32).message).toMatch(/^scratchnet: the model needs 5368709120 bytes/);
    // just past the limit: as many decimals as it takes to tell the two apart
    expect(outOfMemoryError(4296015872, 2 ** 32).message).toContain(
      'needs 4296015872 bytes (4.001 GiB) of arena memory, but WebAssembly memory stops at 4294967296 bytes (4.00 GiB)',
    );
  });
});

// 'wasm' in Node is the threaded build, whose memory is shared and kept (a dropped shared memory is not collected in
// time: wasm/instance.ts); a wasm backend of one thread has a plain memory, made anew as the JS backend's is
const oneThreadWasm = createWasmBackend();
const startingOver: [string, BackendName | Backend][] = [
  ...BACKENDS.map((b): [string, BackendName] => [b, b]),
  ['wasm of one thread', oneThreadWasm],
];

describe.each(startingOver)('an arena with no model left starts over (%s)', (_, backend) => {
  it(`a memory past ${KEEP_ARENA_BYTES / 2 ** 20} MiB is made anew on the next turn (a shared one is kept); the next model starts at the bottom and computes the same`, async () => {
    await collect(backend);
    const arena = resolveBackend(backend).arena;
    const shared = resolveBackend(backend).pool !== undefined;
    expect(shared).toBe(backend === 'wasm'); // the threaded build in Node
    if (otherModels(arena).count > 0 || arena.bytesInUse > 0) throw new Error('this test needs an empty arena');
    const make = () =>
      new Sequential([new Dense(4096, { inputShape: [2048], activation: 'tanh' }), new Dense(3)], {
        seed: 9,
        backend,
      }); // 8.4 M weights: 67 MB with their gradients
    const input = [Array.from({ length: 2048 }, (_, i) => Math.sin(i))];
    const big = make();
    const first = big.predict(input);
    expect(memory(backend).bytesReserved).toBeGreaterThan(KEEP_ARENA_BYTES);
    const bottom = big.layers[0].params()[0].value;
    const reserved = memory(backend).bytesReserved;
    big.dispose();
    // a model made at once (in the same turn of the event loop) reuses the memory as it is
    const next = make();
    expect(memory(backend).bytesReserved).toBe(reserved);
    expect(next.layers[0].params()[0].value).toBe(bottom);
    next.dispose();
    await new Promise((resolve) => setTimeout(resolve, 1)); // the arena starts over on the next turn
    expect(memory(backend)).toMatchObject({ bytesInUse: 0, bytesReserved: shared ? reserved : 65536 });
    const again = make();
    expect(again.layers[0].params()[0].value).toBe(bottom); // the first block is at the bottom again
    expect(again.predict(input)).toEqual(first); // a fresh memory (and, on wasm, a fresh instance) computes as before
    again.dispose();
  });

  it('a small memory is kept as it is, and nothing starts over while a block is live', async () => {
    const arena = resolveBackend(backend).arena;
    const small = new Sequential([new Dense(8, { inputShape: [4] })], { backend });
    small.predict(x);
    const reserved = memory(backend).bytesReserved;
    const block = arena.alloc(16); // a block outside any model (as a layer used on its own holds)
    arena.f32(block, 16).fill(7);
    small.dispose();
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(memory(backend).bytesReserved).toBe(reserved);
    expect(arena.bytesInUse).toBe(64);
    expect(Array.from(arena.f32(block, 16))).toEqual(new Array(16).fill(7)); // still there: nothing started over
    arena.free(block);
    expect(arena.bytesInUse).toBe(0);
  });
});
