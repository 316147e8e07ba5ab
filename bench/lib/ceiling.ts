/**
 * The SIMD128 ceiling of the performance issue, measured on this machine: bench/ceiling/sgemm.ts compiled with asc
 * at bench time (release options of asconfig.json: -O3, SIMD, no assertions) into its own WebAssembly.Memory.
 * Before it is timed, its product is checked against a float64 reference, so the bar is a real sgemm.
 */
import asc from 'assemblyscript/asc';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '../../src/index.js';
import type { Trial } from './harness.js';
import { activeThreads } from '../../src/backends/wasm/threads/settings.js';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', 'ceiling', 'sgemm.ts');
const PAGE = 65536;

interface Exports {
  sgemm(a: number, b: number, c: number, M: number, N: number, K: number, scratch: number): void;
  scratchBytes(N: number): number;
}

let compiled: Promise<WebAssembly.Module> | undefined;

async function compile(): Promise<WebAssembly.Module> {
  const { binary, error, stderr } = await asc.compileString(
    { 'sgemm.ts': readFileSync(SOURCE, 'utf8') },
    {
      optimizeLevel: 3,
      shrinkLevel: 0,
      noAssert: true,
      runtime: 'stub',
      enable: ['simd'],
      importMemory: true,
      initialMemory: 1,
      maximumMemory: 65536,
    },
  );
  if (error || !binary)
    throw new Error(`asc could not compile bench/ceiling/sgemm.ts: ${error?.message ?? ''} ${stderr.toString()}`);
  return WebAssembly.compile(new Uint8Array(binary));
}

/** An instance with room for A[m,k], B[k,n], C[m,n] and the packing scratch; returns their byte offsets. */
async function instantiate(m: number, k: number, n: number) {
  compiled ??= compile();
  const module = await compiled;
  const floats = m * k + k * n + m * n;
  const probe = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
  const sizing = (await WebAssembly.instantiate(module, { env: { memory: probe, abort() {} } }))
    .exports as unknown as Exports;
  const base = PAGE; // the module's own data (none beyond constants) stays in page 0
  const bytes = base + floats * 4 + sizing.scratchBytes(n) + 64;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE), maximum: 65536 });
  const exports = (
    await WebAssembly.instantiate(module, {
      env: {
        memory,
        abort() {
          throw new Error('sgemm aborted');
        },
      },
    })
  ).exports as unknown as Exports;
  const a = base,
    b = a + m * k * 4,
    c = b + k * n * 4,
    scratch = c + m * n * 4;
  return { exports, memory, a, b, c, scratch, module };
}

/** Throws unless the ceiling kernel computes a 64×320·320×128 product right (K = 320 spans two 256-deep slabs). */
async function selfCheck(): Promise<void> {
  const [m, k, n] = [64, 320, 128];
  const { exports, memory, a, b, c, scratch } = await instantiate(m, k, n);
  const rng = new Random(2);
  const f = new Float32Array(memory.buffer);
  for (let i = 0; i < m * k; i++) f[a / 4 + i] = rng.uniform(-1, 1);
  for (let i = 0; i < k * n; i++) f[b / 4 + i] = rng.uniform(-1, 1);
  exports.sgemm(a, b, c, m, n, k, scratch);
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let ref = 0;
      for (let p = 0; p < k; p++) ref += f[a / 4 + i * k + p] * f[b / 4 + p * n + j];
      worst = Math.max(worst, Math.abs(f[c / 4 + i * n + j] - ref));
    }
  }
  if (!(worst < 1e-3)) throw new Error(`the ceiling sgemm is wrong: max |error| ${worst} on ${m}×${k}·${k}×${n}`);
}

let checked: Promise<void> | undefined;

/** C = A·B on squares or MLP shapes (m a multiple of 4, n of 8), in GFLOP-countable work units. */
export async function ceilingMatmul(m: number, k: number, n: number): Promise<Trial> {
  if (m % 4 || n % 8) throw new Error(`the ceiling sgemm needs m % 4 == 0 and n % 8 == 0, got ${m}×${k}·${k}×${n}`);
  checked ??= selfCheck();
  await checked;
  const { exports, memory, a, b, c, scratch } = await instantiate(m, k, n);
  const rng = new Random(1);
  const f = new Float32Array(memory.buffer);
  for (let i = 0; i < m * k + k * n; i++) f[a / 4 + i] = rng.uniform(-1, 1);
  const flops = 2 * m * k * n;
  return {
    run(reps) {
      for (let r = 0; r < reps; r++) exports.sgemm(a, b, c, m, n, k, scratch);
      return reps * flops;
    },
  };
}

/**
 * What this machine gives a second thread right now: the ceiling sgemm (m·k·n, in cache) run as independent copies,
 * one on each thread the kernels may use when this is set up (activeThreads(): the bench's one-thread or N-thread
 * subject), each in its own memory, with no data shared and nothing to wait for. On an idle N-core machine N copies do
 * N times the work of one; on our VMs the host often gives less, and no split kernel can beat that. run(reps): the
 * calling thread does reps products while the other copies run; they then finish the product they are in, and every
 * product counts.
 */
export async function ceilingOnEveryThread(m: number, k: number, n: number): Promise<Trial> {
  const one = await ceilingMatmul(m, k, n);
  const { module, memory, a, b, c, scratch } = await instantiate(m, k, n);
  const flops = 2 * m * k * n;
  const others = activeThreads() - 1;
  // control words: 0 the run's number (bumped to start one), 1 running, 2 products the others did, 3 others that
  // stopped, 4 others ready, 5 exit
  const control = new Int32Array(new SharedArrayBuffer(24));
  const source = `const { workerData: d } = require('node:worker_threads');
    const memory = new WebAssembly.Memory({ initial: d.pages, maximum: 65536 });
    const env = { memory, abort() { throw new Error('sgemm aborted'); } };
    const { sgemm } = new WebAssembly.Instance(d.module, { env }).exports;
    const f = new Float32Array(memory.buffer);
    for (let i = 0; i < d.m * d.k + d.k * d.n; i++) f[d.a / 4 + i] = Math.sin(i);
    const ctl = new Int32Array(d.control);
    let seen = Atomics.load(ctl, 0);
    Atomics.add(ctl, 4, 1);
    for (;;) {
      Atomics.wait(ctl, 0, seen);
      seen = Atomics.load(ctl, 0);
      if (Atomics.load(ctl, 5) === 1) break;
      let done = 0;
      while (Atomics.load(ctl, 1) === 1) { sgemm(d.a, d.b, d.c, d.m, d.n, d.k, d.scratch); done++; }
      Atomics.add(ctl, 2, done);
      Atomics.add(ctl, 3, 1);
      Atomics.notify(ctl, 3);
    }`;
  const workerData = {
    module,
    pages: memory.buffer.byteLength / PAGE,
    a,
    b,
    c,
    scratch,
    m,
    k,
    n,
    control: control.buffer,
  };
  const workers = Array.from({ length: others }, () => new Worker(source, { eval: true, workerData }));
  while (Atomics.load(control, 4) < others) await new Promise((resolve) => setTimeout(resolve, 5));
  return {
    run(reps) {
      if (others === 0) return one.run(reps);
      Atomics.store(control, 2, 0);
      Atomics.store(control, 3, 0);
      Atomics.store(control, 1, 1);
      Atomics.add(control, 0, 1);
      Atomics.notify(control, 0);
      one.run(reps);
      Atomics.store(control, 1, 0);
      for (let stopped; (stopped = Atomics.load(control, 3)) < others;) Atomics.wait(control, 3, stopped, 50);
      return (reps + Atomics.load(control, 2)) * flops;
    },
    async dispose() {
      Atomics.store(control, 5, 1);
      Atomics.add(control, 0, 1);
      Atomics.notify(control, 0);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
