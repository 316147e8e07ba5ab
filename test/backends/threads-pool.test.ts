// The worker pool's behaviour around the kernels: the threaded module is the release module with a shared memory,
// a kernel that fails in a worker or a worker that dies becomes a ScratchnetError in the caller (never a hang),
// setThreads(1) stops every worker, bad counts are refused, and a Node script exits by itself with workers started.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { availableParallelism } from 'node:os';
import { Dense, ScratchnetError, Sequential, getThreads, setThreads } from '../../src/index.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';
import { KEEP_ARENA_BYTES } from '../../src/backends/backend.js';
import { RELEASE_WASM_BASE64, decodeBase64 } from '../../src/backends/wasm/bytes.generated.js';
import { withSharedMemory } from '../../src/backends/wasm/threads/shared-module.js';
import { GATHER_AHEAD, STEPS_NOT_LEARNT, adaptive, bounds, steps } from '../../src/backends/wasm/threads/split.js';
import { CHUNKS, CLAIM, FINISHED, unclaimedChunks } from '../../src/backends/wasm/threads/layout.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');

// These tests look at the splitting itself: every call large enough is split (no learning whether it pays).
adaptive.enabled = false;

afterAll(async () => {
  adaptive.enabled = true;
  await setThreads('auto');
});

describe('the threaded build', () => {
  it('is the release build with the memory import declared shared: byte for byte what asc --enable threads emits', () => {
    const release = decodeBase64(RELEASE_WASM_BASE64);
    const threads = new Uint8Array(readFileSync(join(root, 'build/scratchnet.threads.wasm')));
    expect(Buffer.from(withSharedMemory(release)).equals(Buffer.from(threads))).toBe(true);
    expect(Buffer.from(release).equals(Buffer.from(threads))).toBe(false);
  });

  it('splits into blocks of whole units, none shorter than the unit when there is room', () => {
    expect(bounds(64, 2, 4)).toEqual([0, 32, 64]);
    expect(bounds(63, 3, 16)).toEqual([0, 16, 32, 63]);
    for (let total = 32; total < 200; total++) {
      for (let parts = 2; parts <= Math.floor(total / 16); parts++) {
        const b = bounds(total, parts, 16);
        for (let i = 0; i + 1 < b.length; i++) expect(b[i + 1] - b[i]).toBeGreaterThanOrEqual(16);
      }
    }
  });
});

describe('the pool', () => {
  const backend = createWasmBackend({ threads: true });
  const { arena, kernels } = backend;
  const m = 64,
    k = 256,
    n = 256;
  const x = arena.alloc(m * k),
    w = arena.alloc(k * n),
    y = arena.alloc(m * n);
  arena.f32(x, m * k).fill(0.5);
  arena.f32(w, k * n).fill(0.25);

  it('refuses thread counts that are not whole numbers from 1 to 256', () => {
    for (const bad of [0, -1, 1.5, 257, NaN, '2' as unknown as number]) {
      expect(() => setThreads(bad)).toThrow(/setThreads expects 'auto' or a whole number from 1 to 256/);
    }
  });

  it('a kernel that traps in a worker throws a ScratchnetError in the caller naming the kernel, and the pool goes on', async () => {
    await setThreads(2);
    expect(backend.pool!.ready()).toBe(1);
    const pool = backend.pool as unknown as {
      head: Int32Array;
      names: string[];
      run(kernel: number, chunks: number[][], run: (args: number[]) => void): void;
    };
    // two chunks whose y lies past the end of memory. This thread runs a stand-in for the chunk it claims, which
    // waits until the worker has claimed the other one: so the chunk that fails is the worker's.
    const bad = arena.capacity;
    const chunks = [
      [x, w, bad, m / 2, k, n],
      [x, w, bad, m / 2, k, n],
    ];
    const waitForWorker = () => {
      const until = performance.now() + 10_000;
      while (unclaimedChunks(Atomics.load(pool.head, CLAIM)) > 0 && performance.now() < until);
    };
    let error: unknown;
    try {
      pool.run(pool.names.indexOf('matmul'), chunks, waitForWorker);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScratchnetError);
    expect((error as Error).message).toMatch(/^scratchnet: a worker thread running matmul threw: .*out of bounds/);
    // through the kernels: whichever thread meets the bad rows, the call throws and the pool goes on
    expect(() => kernels.matmul(x, w, bad - (m / 2) * n * 4, m, k, n)).toThrow(/out of bounds/);
    const before = backend.pool!.splitCalls;
    kernels.matmul(x, w, y, m, k, n);
    expect(backend.pool!.splitCalls).toBe(before + 1);
    expect(arena.f32(y, m * n)[m * n - 1]).toBe(k * 0.125);
  });

  it('a pipelined product whose first stage traps throws in the caller, the waiting stage ends, and the pool goes on', async () => {
    await setThreads(2);
    expect(backend.pool!.ready()).toBe(1);
    // inputs four-fifths zeros, so that the product skips them and is pipelined once Adam has split its weights
    const xs = arena.alloc(m * k),
      ws = arena.alloc(k * n),
      dy = arena.alloc(m * n),
      dw = arena.alloc(k * n),
      moments = [arena.alloc(k * n), arena.alloc(k * n)];
    arena.f32(xs, m * k).forEach((_, i, v) => (v[i] = i % 5 === 1 ? 0.5 : 0));
    arena.f32(ws, k * n).fill(0.25);
    arena.f32(dy, m * n).fill(0);
    const stepWeights = () => {
      kernels.matmulTransASkipZeros(xs, dy, dw, m, k, n);
      kernels.adamStep(ws, dw, moments[0], moments[1], k * n, 0.001, 0.9, 0.999, 1e-7);
    };
    const pipelined = () => backend.pool!.splitsByKernel.matmulSkipZerosStage ?? 0;
    const before = pipelined();
    stepWeights();
    // y past the end of memory: the caller's first stage traps at its first row, while the worker's stage waits for
    // rows that will never come, unless the caller releases it
    expect(() => kernels.matmulSkipZeros(xs, ws, arena.capacity, m, k, n)).toThrow(/out of bounds/);
    expect(pipelined(), 'the failed product was pipelined').toBe(before + 1);
    stepWeights();
    kernels.matmulSkipZeros(xs, ws, y, m, k, n);
    expect(pipelined()).toBe(before + 2);
    // a zero gradient leaves the weights at 0.25: each output sums its row's non-zeros times 0.5 · 0.25, exactly
    const out = arena.f32(y, m * n),
      xv = arena.f32(xs, m * k);
    for (const i of [0, 1, m - 1]) {
      const terms = xv.subarray(i * k, (i + 1) * k).filter((v) => v !== 0).length;
      expect(out[i * n + n - 1], `row ${i}`).toBe(terms * 0.125);
    }
  });

  it('chained conv gradients whose first stage traps throw in the caller, the waiting stage ends, and the pool goes on', async () => {
    await setThreads(2);
    expect(backend.pool!.ready()).toBe(1);
    // 4 images 12×12×16 → 10×10×32, 3×3 'valid': large enough to split, every window inside the image
    const g = [4, 12, 12, 16, 3, 3, 32, 10, 10, 1, 1, 0, 0] as const;
    const [xSize, wSize, ySize] = [4 * 144 * 16, 9 * 16 * 32, 4 * 100 * 32];
    const xs = arena.alloc(xSize),
      ws = arena.alloc(wSize),
      dy = arena.alloc(ySize),
      dx = arena.alloc(xSize),
      dw = arena.alloc(wSize),
      db = arena.alloc(32),
      scratch = arena.alloc(1 << 16);
    arena.f32(xs, xSize).forEach((_, i, v) => (v[i] = Math.sin(i)));
    arena.f32(ws, wSize).forEach((_, i, v) => (v[i] = Math.cos(i)));
    arena.f32(dy, ySize).forEach((_, i, v) => (v[i] = Math.sin(i * 0.3)));
    const chained = () => backend.pool!.splitsByKernel.conv2dBackwardStage ?? 0;
    const before = chained();
    // dw past the end of memory: the caller's first stage traps as it clears dw, while the worker's stage, its half
    // of dx done, waits for the first half of dw, unless the caller releases it
    expect(() => kernels.conv2dBackward(xs, dy, ws, dx, arena.capacity, scratch, ...g, db)).toThrow(/out of bounds/);
    expect(chained(), 'the failed call was chained').toBe(before + 1);
    kernels.conv2dBackward(xs, dy, ws, dx, dw, scratch, ...g, db);
    expect(chained()).toBe(before + 2);
    // the bias's gradient sums dy's rows: the same as sumRows on one thread, bit for bit
    const sums = arena.alloc(32);
    kernels.sumRows(dy, sums, 400, 32);
    expect(Array.from(arena.f32(db, 32))).toEqual(Array.from(arena.f32(sums, 32)));
  });

  it('a split called from inside a chunk of another throws a ScratchnetError, and the pool goes on', async () => {
    await setThreads(2);
    const pool = backend.pool as unknown as {
      names: string[];
      run(kernel: number, chunks: number[][], run: (args: number[]) => void): void;
    };
    // chunks of fill(buffer part, floats, 0), whose first one this thread runs: its chunk calls a split kernel (as a
    // bench once did), and that inner call must throw, not take over the pool. The workers claim from the back; in
    // the rare call where they take every chunk before this thread claims one, the call is made again.
    const part = 1 << 18,
      parts = 8,
      buffer = arena.alloc(parts * part);
    const chunks = Array.from({ length: parts }, (_, c) => [buffer + c * part * 4, part, 0]);
    let ranHere = 0,
      thrown: unknown;
    for (let attempt = 0; attempt < 20 && ranHere === 0; attempt++) {
      try {
        pool.run(pool.names.indexOf('fill'), chunks, () => {
          ranHere++;
          kernels.matmul(x, w, y, m, k, n);
        });
      } catch (e) {
        thrown = e;
      }
    }
    arena.free(buffer);
    expect(ranHere, 'this thread ran a chunk').toBeGreaterThan(0);
    expect(thrown).toBeInstanceOf(ScratchnetError);
    expect((thrown as Error).message).toMatch(
      /^scratchnet: matmul was split from inside a chunk of another split call/,
    );
    const before = backend.pool!.splitCalls;
    kernels.matmul(x, w, y, m, k, n);
    expect(backend.pool!.splitCalls, 'the pool goes on').toBe(before + 1);
    expect(arena.f32(y, m * n)[m * n - 1]).toBe(k * 0.125);
  });

  it('a worker that dies surfaces as a ScratchnetError, then the calls run on the threads left; setThreads restarts it', async () => {
    await setThreads(2);
    const workers = (backend.pool as unknown as { workers: { handle: { terminate(): Promise<number> } }[] }).workers;
    await workers[0].handle.terminate();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the exit event
    let error: unknown;
    try {
      kernels.matmul(x, w, y, m, k, n);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'ScratchnetError', code: 'worker_failed' });
    expect((error as Error).message).toMatch(/a kernel worker thread stopped .*goes on with 1 threads/);
    const before = backend.pool!.splitCalls;
    kernels.matmul(x, w, y, m, k, n); // one thread now, and right
    expect(backend.pool!.splitCalls).toBe(before);
    expect(arena.f32(y, m * n)[0]).toBe(k * 0.125);
    await setThreads(2);
    kernels.matmul(x, w, y, m, k, n);
    expect(backend.pool!.splitCalls).toBe(before + 1);
  });

  it("a zero-skipping product counts its work as dense where its x is not sparse enough to skip (the MLP's second layer at batch 128)", async () => {
    await setThreads(2);
    await new Promise((r) => setTimeout(r, 50)); // the workers have started
    const [m, k, n] = [128, 128, 64]; // 1 M multiply-adds: 2 × MIN_WORK.matmul, under 2 × MIN_WORK.sparse
    const xsOf = [arena.alloc(m * k), arena.alloc(m * k)], // one x each: what a pointer held is remembered for some calls
      ws = arena.alloc(k * n),
      ys = arena.alloc(m * n),
      ref = arena.alloc(m * n);
    arena.f32(ws, k * n).forEach((_, i, v) => (v[i] = ((i * 7) % 13) / 8 - 0.75));
    const splits = () => backend.pool!.splitsByKernel.matmulSkipZeros ?? 0;
    for (const [share, splitsWhen, xs] of [
      [0.5, true, xsOf[0]], // a relu's output: the kernel runs the dense product, so the call is large enough to split
      [0.1, false, xsOf[1]], // sparse enough to skip: a tenth of the work, too little to split
    ] as const) {
      arena.f32(xs, m * k).forEach((_, i, v) => (v[i] = (i * 0.618) % 1 < share ? 1 + (i % 5) : 0));
      const before = splits();
      for (let call = 0; call < 3; call++) kernels.matmulSkipZeros(xs, ws, ys, m, k, n);
      expect(splits() - before, `${share * 100}% non-zero`).toBe(splitsWhen ? 3 : 0);
      await setThreads(1);
      kernels.matmulSkipZeros(xs, ws, ref, m, k, n);
      expect(Array.from(arena.f32(ys, m * n))).toEqual(Array.from(arena.f32(ref, m * n)));
      await setThreads(2);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const p of [...xsOf, ws, ys, ref]) arena.free(p);
  });

  it("the batch's gather splits by blocks of rows from 2 × MIN_WORK.gather floats on (a batch of 64 MNIST images), without learning, the same copy", async () => {
    await setThreads(2);
    await new Promise((r) => setTimeout(r, 50)); // the workers have started
    const cols = 784,
      source = 500;
    const src = arena.alloc(source * cols),
      idx = arena.alloc(64), // int32 row numbers, 4 bytes each as floats are
      whole = arena.alloc(64 * cols),
      split = arena.alloc(64 * cols);
    arena.f32(src, source * cols).forEach((_, i, v) => (v[i] = i));
    arena.i32(idx, 64).forEach((_, i, v) => (v[i] = (i * 37 + 11) % source));
    const gathers = () => backend.pool!.splitsByKernel.gatherRows ?? 0;
    const before = gathers();
    kernels.gatherRows(src, idx, split, 64, cols);
    expect(gathers(), '64 rows of 784').toBe(before + 1);
    kernels.gatherRows(src, idx, whole, 32, cols); // 25 K floats: whole
    expect(gathers(), '32 rows of 784').toBe(before + 1);
    // not learnt: with the learner on, every call splits and the learner never counts one
    const learnt = () =>
      adaptive
        .summary()
        .filter((r) => r.key.startsWith('gatherRows:'))
        .reduce((sum, r) => sum + r.calls, 0);
    adaptive.enabled = true;
    try {
      const learntBefore = learnt();
      for (let i = 0; i < 40; i++) kernels.gatherRows(src, idx, split, 64, cols);
      expect([learnt(), gathers()]).toEqual([learntBefore, before + 41]);
    } finally {
      adaptive.enabled = false;
    }
    await setThreads(1);
    kernels.gatherRows(src, idx, whole, 64, cols);
    expect(Array.from(arena.f32(split, 64 * cols))).toEqual(Array.from(arena.f32(whole, 64 * cols)));
    expect(arena.f32(split, 64 * cols)[63 * cols + 5]).toBe(((63 * 37 + 11) % source) * cols + 5);
    for (const p of [src, idx, whole, split]) arena.free(p);
  });

  it('a gather handed over ahead (defer) waits for the next split call, runs on the workers after it, and settles to the same copy', async () => {
    await setThreads(2);
    await new Promise((r) => setTimeout(r, 50)); // the workers have started
    const pool = backend.pool as unknown as {
      ahead: boolean;
      settle(): void;
      splitsByKernel: Record<string, number>;
    };
    const cols = 784,
      source = 300;
    const src = arena.alloc(source * cols),
      idx = arena.alloc(64),
      ahead = arena.alloc(64 * cols);
    arena.f32(src, source * cols).forEach((_, i, v) => (v[i] = i + 1));
    arena.i32(idx, 64).forEach((_, i, v) => (v[i] = (i * 53 + 7) % source));
    const gatherAhead = (dst: number) => {
      pool.ahead = true;
      try {
        kernels.gatherRows(src, idx, dst, 64, cols);
      } finally {
        pool.ahead = false;
      }
    };
    const rowsOf = arena.i32(idx, 64);
    const expected = Array.from({ length: 64 * cols }, (_, i) => rowsOf[Math.floor(i / cols)] * cols + (i % cols) + 1);
    const gathers = () => pool.splitsByKernel.gatherRows ?? 0;
    try {
      // handed over: nothing runs until a split call, after which the workers copy it while this thread waits here
      arena.f32(ahead, 64 * cols).fill(0);
      const before = gathers();
      gatherAhead(ahead);
      expect(gathers(), 'not posted before a split call').toBe(before);
      expect(arena.f32(ahead, 64 * cols).every((v) => v === 0)).toBe(true);
      kernels.matmul(x, w, y, m, k, n);
      expect(gathers(), 'posted after it').toBe(before + 1);
      const head = (pool as unknown as { head: Int32Array }).head;
      const until = performance.now() + 10_000;
      while (Atomics.load(head, FINISHED) < Atomics.load(head, CHUNKS) && performance.now() < until);
      expect(Atomics.load(head, CHUNKS), 'in blocks of GATHER_AHEAD.rows').toBe(64 / GATHER_AHEAD.rows);
      expect(Array.from(arena.f32(ahead, 64 * cols)), 'copied by the workers alone').toEqual(expected);
      pool.settle();

      // taken back at once by the next split call (chunks no worker had claimed), posted again after it, settled
      for (let trial = 0; trial < 20; trial++) {
        arena.f32(ahead, 64 * cols).fill(0);
        gatherAhead(ahead);
        kernels.matmul(x, w, y, m, k, n);
        kernels.matmul(x, w, y, m, k, n);
        pool.settle();
        expect(Array.from(arena.f32(ahead, 64 * cols)), `trial ${trial}`).toEqual(expected);
      }
      // with no split call before it, settle runs it
      arena.f32(ahead, 64 * cols).fill(0);
      gatherAhead(ahead);
      pool.settle();
      expect(Array.from(arena.f32(ahead, 64 * cols))).toEqual(expected);
      expect(arena.f32(y, m * n)[0], 'the split calls between computed their own').toBe(k * 0.125);

      // two gathers handed over before a split call (a batch's inputs and its targets) are posted as one call
      const second = arena.alloc(64 * cols);
      try {
        arena.f32(ahead, 64 * cols).fill(0);
        arena.f32(second, 64 * cols).fill(0);
        const posts = gathers();
        gatherAhead(ahead);
        gatherAhead(second);
        kernels.matmul(x, w, y, m, k, n);
        expect(gathers(), 'one call').toBe(posts + 1);
        pool.settle();
        expect(Array.from(arena.f32(ahead, 64 * cols))).toEqual(expected);
        expect(Array.from(arena.f32(second, 64 * cols))).toEqual(expected);
      } finally {
        arena.free(second);
      }

      // a chunk that traps on a worker: the next call throws naming the gather, and the pool goes on
      pool.ahead = true;
      try {
        kernels.gatherRows(src, idx, arena.capacity - 4 * cols * 8, 64, cols); // its last rows past the end
      } finally {
        pool.ahead = false;
      }
      kernels.matmul(x, w, y, m, k, n); // posts it; a worker claims the last chunk first, and traps
      const until2 = performance.now() + 10_000;
      while (Atomics.load(head, FINISHED) === 0 && performance.now() < until2);
      expect(() => kernels.matmul(x, w, y, m, k, n)).toThrow(
        /^scratchnet: a worker thread running gatherRows threw: .*out of bounds/,
      );
      pool.settle();
      kernels.matmul(x, w, y, m, k, n);
      expect(arena.f32(y, m * n)[m * n - 1]).toBe(k * 0.125);
    } finally {
      for (const p of [src, idx, ahead]) arena.free(p);
    }
  });

  /**
   * A weight gradient and Adam's step over it, on two threads: dw [256, 256] = xᵀ · dy, 64 × 256 × 256 multiply-adds
   * split by rows of dw (over 8 rows, kept whole). Resolves once the workers have started.
   */
  async function gradientAndStep() {
    await setThreads(2);
    const dy = arena.alloc(m * n),
      dw = arena.alloc(k * n),
      moments = [arena.alloc(k * n), arena.alloc(k * n)];
    arena.f32(dy, m * n).fill(0.125);
    await new Promise((r) => setTimeout(r, 50));
    return {
      gradient: (rows = m) => kernels.matmulTransA(x, dy, dw, rows, k, n),
      adam: () => kernels.adamStep(w, dw, moments[0], moments[1], k * n, 0.001, 0.9, 0.999, 1e-7),
    };
  }

  it('an optimizer step splits only over a gradient that was written split (its blocks are then in place)', async () => {
    const { gradient, adam } = await gradientAndStep();
    const splits = () => backend.pool!.splitsByKernel.adamStep ?? 0;
    gradient(8);
    const before = splits();
    adam();
    expect(splits(), 'over a gradient written on one thread').toBe(before);
    gradient();
    expect(backend.pool!.splitsByKernel.matmulTransARows, 'the gradient').toBeGreaterThan(0);
    adam();
    expect(splits(), 'over a gradient written split').toBe(before + 1);
  });

  it('a weight gradient whose last optimizer step split over it splits again without learning; a whole step ends that', async () => {
    const { gradient, adam } = await gradientAndStep();
    /** calls of the gradient's kernel the learner chose a way for, and the calls split by rows of dw */
    const learnt = () =>
      adaptive
        .summary()
        .filter((r) => r.key.startsWith('matmulTransA:'))
        .reduce((sum, r) => sum + r.calls, 0);
    const split = () => backend.pool!.splitsByKernel.matmulTransARows ?? 0;
    adaptive.enabled = true;
    try {
      const [learntBefore, splitBefore] = [learnt(), split()];
      gradient(); // learnt: a size's first call splits
      expect([learnt(), split()]).toEqual([learntBefore + 1, splitBefore + 1]);
      for (let step = 1; step <= 4; step++) {
        adam(); // split over the split gradient
        gradient(); // so this one splits, not learnt (the learner's second call runs whole)
        expect([learnt(), split()], `step ${step}`).toEqual([learntBefore + 1, splitBefore + 1 + step]);
      }
      // a gradient of 8 rows stays whole, and the step over it too: the next full gradient is learnt again
      gradient(8);
      adam();
      gradient();
      expect(learnt()).toBe(learntBefore + 2);
    } finally {
      adaptive.enabled = false;
    }
  });

  it("a training step's large calls split without learning whether it pays; predict's are learnt", async () => {
    await setThreads(2);
    await new Promise((r) => setTimeout(r, 50)); // the workers have started
    /** calls the learner chose a way for, over every kernel and size */
    const learnt = () => adaptive.summary().reduce((sum, r) => sum + r.calls, 0);
    const model = new Sequential(
      [new Dense(256, { inputShape: [512], activation: 'relu' }), new Dense(10, { activation: 'softmax' })],
      { seed: 2, backend },
    );
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const x = { data: Float32Array.from({ length: 256 * 512 }, (_, i) => Math.sin(i * 0.37)), shape: [256, 512] };
    const y = Int32Array.from({ length: 256 }, (_, i) => i % 10);
    adaptive.enabled = true;
    try {
      const [learntBefore, splitBefore] = [learnt(), backend.pool!.splitCalls];
      await model.fit(x, y, { epochs: 2, batchSize: 64, verbose: 0 });
      expect(backend.pool!.splitCalls - splitBefore, 'calls split in fit').toBeGreaterThan(8 * 3);
      expect(learnt(), 'calls learnt in fit').toBe(learntBefore);
      expect(backend.pool!.training, 'the flag is down after fit').toBe(false);
      model.predict(x); // the first layer's product pipelined: each thread still holds its part of W from Adam
      model.predict(x);
      expect(learnt(), 'predict learns').toBeGreaterThan(learntBefore);
    } finally {
      adaptive.enabled = false;
      model.dispose();
    }
    expect(STEPS_NOT_LEARNT.enabled).toBe(true);
  });

  it('fit gathers each next batch ahead on the workers, with the bits of one thread, also when stopped part way through an epoch', async () => {
    const x = { data: Float32Array.from({ length: 256 * 512 }, (_, i) => Math.cos(i * 0.11)), shape: [256, 512] };
    const y = Int32Array.from({ length: 256 }, (_, i) => (i * 7) % 10);
    const train = async (threads: number, ahead: boolean, stopAt?: number) => {
      await setThreads(threads);
      await new Promise((r) => setTimeout(r, 50)); // the workers have started
      GATHER_AHEAD.enabled = ahead;
      const model = new Sequential(
        [new Dense(64, { inputShape: [512], activation: 'relu' }), new Dense(10, { activation: 'softmax' })],
        { seed: 4, backend },
      );
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      const defer = vi.spyOn(backend.pool as unknown as { defer(): void }, 'defer');
      try {
        const history = await model.fit(x, y, {
          epochs: 2,
          batchSize: 64, // 32 K floats a batch: gathered ahead in 8 blocks of 8 rows
          verbose: 0,
          validationData: [x, y],
          callbacks: {
            onBatchEnd: (batch) => {
              if (batch === stopAt) model.stopTraining = true;
            },
          },
        });
        return { weights: model.getWeights().map((t) => Array.from(t)), history, deferred: defer.mock.calls.length };
      } finally {
        GATHER_AHEAD.enabled = true;
        defer.mockRestore();
        model.dispose();
      }
    };
    const one = await train(1, true);
    const two = await train(2, true);
    expect(two.deferred, 'each batch of two epochs but the first').toBe(2 * 3);
    expect(two.weights).toEqual(one.weights);
    expect(two.history.history).toEqual(one.history.history);
    expect((await train(2, false)).deferred, 'with GATHER_AHEAD off').toBe(0);
    // stopped after the second batch: the third batch's gather was running; validation then uses the loop's buffers
    const stopped = await train(2, true, 1);
    expect(stopped.history.history.loss).toHaveLength(1);
    expect(stopped.weights).toEqual((await train(1, true, 1)).weights);
    expect(stopped.history.history).toEqual((await train(1, true, 1)).history.history);
  });

  it('a training step the step learner runs whole splits no call, with the same bits, and the next step splits again', async () => {
    await setThreads(2);
    await new Promise((r) => setTimeout(r, 50)); // the workers have started
    const x = { data: Float32Array.from({ length: 256 * 512 }, (_, i) => Math.sin(i * 0.23)), shape: [256, 512] };
    const y = Int32Array.from({ length: 256 }, (_, i) => (i * 3) % 10);
    const train = async (whole: (step: number) => boolean) => {
      const model = new Sequential(
        [new Dense(64, { inputShape: [512], activation: 'relu' }), new Dense(10, { activation: 'softmax' })],
        { seed: 5, backend },
      );
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      let step = 0;
      const begin = vi.spyOn(steps, 'begin').mockImplementation(() => !whole(step++));
      const splits: number[] = [];
      try {
        await model.fit(x, y, {
          epochs: 1,
          batchSize: 64,
          verbose: 0,
          callbacks: { onBatchEnd: () => void splits.push(backend.pool!.splitCalls) },
        });
        // four batches, and the loop's look for a fifth (fit chooses before it asks the feed for the next batch,
        // whose gather ahead follows the choice)
        expect(begin).toHaveBeenCalledTimes(5);
        return { weights: model.getWeights().map((w) => Array.from(w)), splits };
      } finally {
        begin.mockRestore();
        model.dispose();
      }
    };
    const split = await train(() => false);
    const mixed = await train((step) => step === 1 || step === 2);
    // steps 1 and 2 whole: no call split in them (the gather of step 2's batch, handed over in step 1, neither)
    const perStep = (s: number[]) => s.map((v, i) => v - (i ? s[i - 1] : 0)).slice(1);
    expect(perStep(mixed.splits).slice(0, 2)).toEqual([0, 0]);
    expect(perStep(mixed.splits)[2], 'the last step splits again').toBeGreaterThan(0);
    expect(perStep(split.splits).every((n) => n > 0)).toBe(true);
    expect(mixed.weights).toEqual(split.weights);
    expect((backend.pool as unknown as { stepWhole: boolean }).stepWhole).toBe(false);
  });

  it('more threads than cores are allowed, with one warning that they make large calls slower', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      (globalThis as Record<symbol, { beyondCoresShown?: boolean }>)[
        Symbol.for('scratchnet.threads')
      ].beyondCoresShown = false; // as in a fresh process
      const cores = availableParallelism();
      await setThreads(cores);
      expect(warn).not.toHaveBeenCalled();
      await setThreads(cores + 1);
      await setThreads(cores + 2);
      expect(getThreads()).toBe(cores + 2);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        `scratchnet: warning: setThreads(${cores + 1}) on a machine with ${cores} core(s): threads beyond the cores ` +
          "take turns on them and make large kernel calls slower, not faster ('auto' uses one per core)",
      ]);
    } finally {
      warn.mockRestore();
      await setThreads('auto');
    }
  });

  it('setThreads(1) stops every worker; getThreads reports the count', async () => {
    await setThreads(4);
    expect(getThreads()).toBe(4);
    expect(backend.pool!.size).toBe(3);
    await setThreads(1);
    expect(backend.pool!.size).toBe(0);
    expect(getThreads()).toBe(1);
  });
});

describe('a threaded arena that starts over (Arena.startOver)', () => {
  // A dropped shared memory is not collected in time (V8 does not count it as heap pressure: twenty dropped 200 MiB
  // shared memories left Node at 4 GB resident), so a threaded arena keeps its memory and its workers, and starts
  // again from the bottom of the same memory.
  it("keeps the pool's blocks out of its live bytes, and keeps its shared memory and workers, with the same bits", async () => {
    await setThreads(2);
    const backend = createWasmBackend({ threads: true });
    const { arena } = backend;
    const pool = backend.pool!;
    await pool.whenReady();
    expect(pool.ready()).toBe(1);
    expect(arena.bytesInUse).toBe(0); // the control block and the workers' scratch lie below the arena
    const m = 64,
      k = 256,
      n = 256;
    /** a split matmul on fresh blocks, its output, the split calls it made and where its first block lay */
    const product = () => {
      const x = arena.alloc(m * k),
        w = arena.alloc(k * n),
        y = arena.alloc(m * n);
      arena.f32(x, m * k).forEach((_, i, a) => (a[i] = Math.sin(i)));
      arena.f32(w, k * n).forEach((_, i, a) => (a[i] = Math.cos(i)));
      const before = pool.splitCalls;
      backend.kernels.matmul(x, w, y, m, k, n);
      const out = arena.read(y, m * n);
      for (const p of [x, w, y]) arena.free(p);
      return { out, split: pool.splitCalls - before, first: x };
    };
    const big = arena.alloc(17 * 2 ** 20, false); // past the 64 MiB an empty arena of one thread gives back
    const first = product();
    expect(first.split).toBe(1);
    arena.free(big);
    const old = (arena as unknown as { memory: WebAssembly.Memory }).memory;
    const reserved = arena.capacity;
    expect(reserved).toBeGreaterThan(KEEP_ARENA_BYTES);
    arena.startOver();
    expect((arena as unknown as { memory: WebAssembly.Memory }).memory).toBe(old);
    expect(arena.capacity).toBe(reserved);
    expect(pool.size).toBe(1); // the workers stay on the memory they share
    expect(pool.ready()).toBe(1);
    const again = product();
    expect(again.first).toBeLessThan(first.first); // from the bottom again: the 68 MB block lay below the first one
    expect(again.split).toBe(1);
    expect(Array.from(again.out)).toEqual(Array.from(first.out));
    expect((pool as unknown as { failures(): string[] }).failures()).toEqual([]);
    pool.dispose();
  });
});

/** run a fixture in a child Node (with tsx); resolves with its exit code and output */
async function child(file: string, args: string[], nodeArgs: string[] = []) {
  const p = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(here, 'fixtures', file), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => p.on('exit', resolve));
  return { code, out, err };
}

describe('the relaxed-SIMD build on threads', () => {
  it('splits its calls too, with the same bits on 1 and 2 threads (Node 20: --experimental-wasm-relaxed-simd)', async () => {
    // Node ≥ 22 ships relaxed SIMD; before, V8 needs the flag
    const flags = Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [];
    const { code, out, err } = await child('threads-relaxed-child.ts', [], flags);
    expect(err).toBe('');
    expect(code).toBe(0);
    const seen = JSON.parse(out.trim()) as { supported: boolean; same?: boolean; split?: number; name?: string };
    expect(seen.supported, 'this Node validates relaxed SIMD with the flag').toBe(true);
    expect(seen).toEqual({ supported: true, same: true, split: 3, name: 'wasm-relaxed' });
  }, 60_000);
});

describe('a Node script', () => {
  it('where worker threads cannot start, setThreads resolves, training runs on one thread, and the console says why once', async () => {
    for (const mode of ['throws', 'errors']) {
      const { code, out, err } = await child('threads-refused-child.ts', [mode]);
      expect(code, err).toBe(0);
      expect(JSON.parse(out.trim()), mode).toEqual({ afterSet: 1, threads: 1, split: 0, workers: 0, loss: 2 });
      const warnings = err.trim().split('\n');
      expect(warnings, mode).toHaveLength(1);
      expect(warnings[0]).toMatch(
        /^scratchnet: warning: running on one thread: its worker threads could not start \(refused for the test/,
      );
    }
  }, 60_000);

  it('exits by itself after training with workers started, having split calls', async () => {
    // no timeout of our own: a process kept alive by its workers would fail the test by vitest's timeout
    const { code, out, err } = await child('threads-exit-child.ts', ['2']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const seen = JSON.parse(out.trim()) as { threads: number; split: number };
    expect(seen.threads).toBe(2);
    expect(seen.split).toBeGreaterThan(0);
  }, 60_000);
});
