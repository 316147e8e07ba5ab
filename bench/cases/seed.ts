/** The seed's Keras model: training speed at batch 64, and scratchnet's peak arena memory (in a fresh process). */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendName } from '../../src/index.js';
import { resolveBackend } from '../../src/backends/index.js';
import { measure, type Measurements, type Trial } from '../lib/harness.js';
import { snSubject, tfSubject, type Ctx } from '../lib/context.js';
import { rowFrom, type Row } from '../lib/report.js';
import type { Tf } from '../lib/tfjs.js';
import { SEED_BATCH, SEED_FEATURES, seedData, snSeedModel, tfSeedModel } from './seed-model.js';

const POOL_BATCHES = 8;

/**
 * One rep is one batch of 64: model.fit on the first `reps` batches of a small synthetic pool. The warm-up trains
 * `warmupSamples` samples (a smaller batch in --quick: the first step of each library allocates its optimizer state).
 */
function snSeed(backend: BackendName, warmupSamples: number, memory?: { baseline: number; peak: number }): Trial {
  const arena = resolveBackend(backend).arena;
  if (memory) memory.baseline = memory.peak = arena.bytesInUse;
  const model = snSeedModel(backend);
  model.build(SEED_FEATURES);
  const pool = seedData(SEED_BATCH * POOL_BATCHES);
  const callbacks = { onBatchEnd: () => { if (memory) memory.peak = Math.max(memory.peak, arena.bytesInUse); } };
  const fit = (n: number) => model.fit({ data: pool.x.subarray(0, n * SEED_FEATURES), shape: [n, SEED_FEATURES] },
    pool.y.subarray(0, n), { epochs: 1, batchSize: SEED_BATCH, verbose: 0, callbacks: memory ? callbacks : undefined });
  return {
    maxReps: POOL_BATCHES,
    async warmup() {
      await fit(warmupSamples);
    },
    async run(reps) {
      await fit(reps * SEED_BATCH);
      return reps * SEED_BATCH;
    },
    dispose: () => { model.dispose(); },
  };
}

function tfSeed(tf: Tf, warmupSamples: number): Trial {
  const model = tfSeedModel(tf);
  const pool = seedData(SEED_BATCH * POOL_BATCHES);
  const x = tf.tensor2d(pool.x, [SEED_BATCH * POOL_BATCHES, SEED_FEATURES]);
  const y = tf.tensor1d(Float32Array.from(pool.y));
  return {
    maxReps: POOL_BATCHES,
    note: 'model.fit',
    async warmup() {
      const xs = x.slice([0, 0], [warmupSamples, SEED_FEATURES]);
      const ys = y.slice([0], [warmupSamples]);
      await model.fit(xs, ys, { batchSize: SEED_BATCH, epochs: 1, verbose: 0 });
      xs.dispose(); ys.dispose();
    },
    async run(reps) {
      const n = reps * SEED_BATCH;
      const xs = x.slice([0, 0], [n, SEED_FEATURES]);
      const ys = y.slice([0], [n]);
      await model.fit(xs, ys, { batchSize: SEED_BATCH, epochs: 1, verbose: 0 });
      xs.dispose(); ys.dispose();
      return n;
    },
    dispose: () => { x.dispose(); y.dispose(); model.optimizer?.dispose(); model.dispose(); },
  };
}

interface ChildMemory { [key: string]: number | string }

function memoryInChild(lib: 'scratchnet' | 'tfjs'): { result?: ChildMemory; why?: string } {
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'seed-memory.ts');
  const p = spawnSync(process.execPath, ['--import', 'tsx', script, '--lib', lib], { encoding: 'utf8', timeout: 600_000 });
  if (p.status !== 0) return { why: `bench/seed-memory.ts failed: ${(p.stderr || String(p.error)).trim().split('\n').pop()?.slice(0, 300)}` };
  try {
    const result = JSON.parse(p.stdout.trim().split('\n').pop()!) as ChildMemory;
    if (result.error) return { why: String(result.error) };
    return { result };
  } catch {
    return { why: `bench/seed-memory.ts printed no JSON: ${p.stdout.slice(0, 200)}` };
  }
}

export async function seedCases(ctx: Ctx): Promise<void> {
  const section = 'the seed\'s Keras model: 34 → Dense 4096 relu + 4 × [Dense 4096 relu, Dropout 0.5] → 7, Adam, batch 64 (67.3 M parameters)';
  const o = { ...ctx.profile.train, rounds: ctx.profile.seedRounds, fixedReps: 1 };
  const warm = ctx.quick ? 8 : SEED_BATCH;
  ctx.log('  seed model, batch 64');
  const inProcess = { baseline: 0, peak: 0 };
  const m: Measurements = await measure([
    snSubject('wasm', () => snSeed('wasm', warm, inProcess)),
    tfSubject(ctx, 'wasm', (tf) => tfSeed(tf, warm)),
    tfSubject(ctx, 'cpu', () => { throw new Error('unreachable'); }, 'not run for a 67 M-parameter model (far too slow)'),
  ], o, ctx.log);
  if (ctx.quick) {
    m.snJs = { skipped: 'in --quick (about 26 GFLOP per batch on plain JS)' };
  } else {
    ctx.log('  seed model, batch 64, scratchnet JS (one batch)');
    Object.assign(m, await measure([snSubject('js', () => snSeed('js', 8))], { ...o, rounds: 1 }, ctx.log));
    if (m.snJs?.rate !== undefined) m.snJs.note = 'one timed batch, after a warm-up on 8 samples';
  }
  ctx.addRow(rowFrom(section, 'train, batch 64', 'samples/s', m, (r) => r, {
    notes: [`one timed batch of 64 per round, ${o.rounds} round${o.rounds > 1 ? 's' : ''}, after a warm-up on ${warm} samples; scratchnet model.fit, TF.js model.fit`],
  }));

  const mem: Row = { section, name: ctx.quick ? 'peak arena bytes in use, growth' : 'peak memory (wasm)', unit: 'MiB', higherIsBetter: false, comparable: false, values: {}, missing: {}, notes: [] };
  const MiB = 2 ** 20;
  if (ctx.quick) {
    // The default wasm backend is shared by everything in this process, so its capacity says nothing about this
    // model; the growth of the bytes in live blocks while the model was built and trained does.
    if (m.snWasm?.rate !== undefined) {
      mem.values.snWasm = Math.round(((inProcess.peak - inProcess.baseline) / MiB) * 10) / 10;
      mem.notes.push('scratchnet (--quick, in this process): peak growth of the arena\'s bytesInUse while the model was built and trained ' +
        '(weights, gradients, Adam m and v, activations, staged data); the full run measures the whole WebAssembly.Memory in a fresh process');
    } else {
      mem.missing.snWasm = 'skipped: the training measurement failed';
    }
  } else {
    ctx.log('  seed model memory (fresh child processes)');
    const sn = memoryInChild('scratchnet');
    if (sn.result) {
      const r = sn.result;
      mem.values.snWasm = Number(r.capacityMiB);
      mem.notes.push(`scratchnet (fresh process): arena capacity, i.e. the WebAssembly.Memory size, which never shrinks: ${r.capacityMiB} MiB; peak bytesInUse ${r.peakBytesInUseMiB} MiB ` +
        `(after build ${r.afterBuildBytesInUseMiB} MiB = weights, gradients, Adam m and v: 4 × ${r.paramBytesMiB} MiB); process RSS ${r.rssMiB} MiB`);
    } else {
      mem.missing.snWasm = `failed: ${sn.why}`;
      ctx.skipped(`seed memory (scratchnet): ${sn.why}`);
    }
  }
  if (ctx.quick) {
    mem.missing.tfWasm = 'skipped: in --quick (its child process takes about 25 s)';
  } else if (ctx.tf.backends.includes('wasm')) {
    const t = memoryInChild('tfjs');
    if (t.result) {
      const r = t.result;
      mem.values.tfWasm = Number(r.heapMiB);
      mem.notes.push(`TF.js wasm: Emscripten heap ${r.heapMiB} MiB after two batches; live tensors at batch end ${r.peakTensorBytesMiB} MiB; process RSS ${r.rssMiB} MiB`);
    } else {
      mem.missing.tfWasm = `failed: ${t.why}`;
    }
  } else {
    mem.missing.tfWasm = `skipped: TF.js wasm unavailable`;
  }
  ctx.addRow(mem);
}
