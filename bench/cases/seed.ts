/**
 * The seed's Keras model: training speed at batch 64 and peak wasm memory. scratchnet wasm and TF.js wasm each run
 * in a fresh child process (bench/seed-child.ts): this model takes TF.js's wasm heap to the 4 GiB limit, which a
 * heap already grown by the other sections cannot reach. The JS backend trains one batch in this process.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  getTimer,
  measure,
  median,
  threadsInUse,
  type Measurement,
  type Measurements,
  type Trial,
} from '../lib/harness.js';
import { snSubject, tfUnavailable, type Ctx } from '../lib/context.js';
import { rowFrom, type Row } from '../lib/report.js';
import { SEED_BATCH, SEED_FEATURES, seedData, snSeedModel } from './seed-model.js';

/** The JS backend: one batch of 64 per sample, after a warm-up on 8 samples (about 26 GFLOP per batch). */
function snSeedJs(): Trial {
  const model = snSeedModel('js');
  model.build(SEED_FEATURES);
  const pool = seedData(SEED_BATCH);
  const fit = (n: number) =>
    model.fit({ data: pool.x.subarray(0, n * SEED_FEATURES), shape: [n, SEED_FEATURES] }, pool.y.subarray(0, n), {
      epochs: 1,
      batchSize: SEED_BATCH,
      verbose: 0,
    });
  return {
    maxReps: 1,
    async warmup() {
      await fit(8);
    },
    async run() {
      await fit(SEED_BATCH);
      return SEED_BATCH;
    },
    dispose: () => {
      model.dispose();
    },
  };
}

interface ChildRates {
  wall: number[];
  cpu: number[];
}

interface ChildResult {
  rates: ChildRates;
  /** with --interleave: the rates of the batches on N threads (`rates`: those on one thread) */
  ratesN?: ChildRates;
  [key: string]: unknown;
}

function runChild(lib: 'scratchnet' | 'tfjs', rounds: number, threads = 1): { result?: ChildResult; why?: string } {
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'seed-child.ts');
  const args = ['--import', 'tsx', script, '--lib', lib, '--rounds', String(rounds), '--threads', String(threads)];
  if (threads > 1) args.push('--interleave');
  const p = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: 900_000,
  });
  const last = p.stdout?.trim().split('\n').pop() ?? '';
  let parsed: (ChildResult & { error?: string }) | undefined;
  try {
    parsed = JSON.parse(last);
  } catch {
    const why = (p.stderr || String(p.error ?? '') || p.stdout).trim().split('\n').filter(Boolean).pop()?.slice(0, 300);
    return { why: `bench/seed-child.ts --lib ${lib} failed (exit ${p.status}): ${why}` };
  }
  if (parsed!.error) return { why: String(parsed!.error) };
  return { result: parsed };
}

function measurementOf(r: ChildRates, note: string): Measurement {
  const rates = getTimer() === 'cpu' ? r.cpu : r.wall;
  return { rate: median(rates), rates, wallRate: median(r.wall), cpuRate: median(r.cpu), reps: 1, note };
}

export async function seedCases(ctx: Ctx): Promise<void> {
  const section =
    "the seed's Keras model: 34 → Dense 4096 relu + 4 × [Dense 4096 relu, Dropout 0.5] → 7, Adam, batch 64 (67.3 M parameters)";
  const rounds = ctx.profile.seedRounds;
  const fresh = `fresh process, one model.fit: a warm-up batch of 64, then the median of ${rounds} timed batch${rounds > 1 ? 'es' : ''}`;
  const m: Measurements = {};

  // with N threads, one child times both rows, its batches alternating between one thread and N (seed-child.ts)
  const n = threadsInUse();
  ctx.log(
    `  seed model, batch 64, scratchnet wasm${n > 1 ? ` on one thread and on ${n}, batch by batch` : ''} (fresh process)`,
  );
  const sn = runChild('scratchnet', rounds, n);
  const both =
    n > 1
      ? `; a second warm-up batch on one thread, then the batches alternate between one thread and ${n}, in pairs`
      : '';
  m.snWasm = sn.result ? measurementOf(sn.result.rates, fresh + both) : { error: sn.why };
  if (n > 1) m.snWasmN = sn.result?.ratesN ? measurementOf(sn.result.ratesN, fresh + both) : { error: sn.why };

  // --quick: TF.js takes about 10 s per batch of this model, so its child would take half the minute
  const tfWhy =
    tfUnavailable(ctx, 'wasm') ??
    (ctx.quick ? 'in --quick (about 10 s per batch; the full run measures it)' : undefined);
  let tf: ReturnType<typeof runChild> = { why: tfWhy };
  if (tfWhy === undefined) {
    ctx.log('  seed model, batch 64, TF.js wasm (fresh process)');
    tf = runChild('tfjs', rounds);
    m.tfWasm = tf.result ? measurementOf(tf.result.rates, fresh) : { error: tf.why };
  } else {
    m.tfWasm = { skipped: tfWhy };
  }
  m.tfCpu = { skipped: 'not run for a 67 M-parameter model (far too slow)' };

  if (ctx.quick) {
    m.snJs = { skipped: 'in --quick (about 26 GFLOP per batch on plain JS)' };
  } else {
    ctx.log('  seed model, batch 64, scratchnet JS (one batch, in this process)');
    Object.assign(
      m,
      await measure([snSubject('js', snSeedJs)], { ...ctx.profile.train, rounds: 1, fixedReps: 1 }, ctx.log),
    );
    if (m.snJs?.rate !== undefined) m.snJs.note = 'in this process, one timed batch after a warm-up on 8 samples';
  }
  ctx.addRow(rowFrom(section, 'train, batch 64', 'samples/s', m, (r) => r));

  const mem: Row = {
    section,
    name: 'peak memory (wasm)',
    unit: 'MiB',
    higherIsBetter: false,
    comparable: false,
    values: {},
    missing: {},
    notes: [],
  };
  if (sn.result) {
    const r = sn.result;
    mem.values.snWasm = Number(r.capacityMiB);
    mem.notes.push(
      `scratchnet: arena capacity, i.e. the WebAssembly.Memory size, which never shrinks: ${r.capacityMiB} MiB; peak bytesInUse ` +
        `${r.peakBytesInUseMiB} MiB (after build ${r.afterBuildBytesInUseMiB} MiB = weights, gradients, Adam m and v: 4 × ${r.paramBytesMiB} MiB); ` +
        `process RSS ${r.rssMiB} MiB`,
    );
  } else {
    mem.missing.snWasm = `failed: ${sn.why}`;
  }
  if (tf.result) {
    const r = tf.result;
    mem.values.tfWasm = Number(r.heapMiB);
    mem.notes.push(
      `TF.js wasm: Emscripten heap ${r.heapMiB} MiB after training (the wasm32 limit is 4096 MiB); live tensors at batch end ` +
        `${r.peakTensorBytesMiB} MiB; process RSS ${r.rssMiB} MiB`,
    );
  } else {
    mem.missing.tfWasm = tfWhy !== undefined ? `skipped: ${tfWhy}` : `failed: ${tf.why}`;
  }
  ctx.addRow(mem);
}
