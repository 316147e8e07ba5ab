/** What every case of the comparison shares: the mode, TF.js, the data, the timing profile, logging. */
import type { BackendName } from '../../src/index.js';
import type { MnistData } from '../../src/node.js';
import type { MeasureOptions, Subject, SubjectId, Trial } from './harness.js';
import type { Row } from './report.js';
import { useBackend, type Tf, type TfBackend, type TfStatus } from './tfjs.js';

export interface Profile {
  /** kernels: many short calls */
  kernel: MeasureOptions;
  /** training and predict measurements ("a few seconds" each in the full run) */
  train: MeasureOptions;
  /** how long each candidate way of running TF.js is timed before the fastest is chosen */
  probeSeconds: number;
  /** rounds for the big seed model (one batch per sample) */
  seedRounds: number;
}

export const FULL: Profile = {
  kernel: { rounds: 5, minSampleSeconds: 0.25, warmupSeconds: 0.4 },
  train: { rounds: 3, minSampleSeconds: 1.5, warmupSeconds: 0.5 },
  probeSeconds: 0.5,
  seedRounds: 4,
};

export const QUICK: Profile = {
  kernel: { rounds: 3, minSampleSeconds: 0.05, warmupSeconds: 0.05 },
  train: { rounds: 2, minSampleSeconds: 0.15, warmupSeconds: 0.1 },
  probeSeconds: 0.1,
  seedRounds: 1,
};

export interface Ctx {
  quick: boolean;
  profile: Profile;
  tf: TfStatus;
  mnist: MnistData;
  log: (line: string) => void;
  /** add a finished row (printed at once, tabulated at the end) */
  addRow: (row: Row) => void;
  /** record something skipped or failed for the report */
  skipped: (text: string) => void;
}

export const SN: Record<BackendName, SubjectId> = { wasm: 'snWasm', js: 'snJs' };
export const TF: Record<TfBackend, SubjectId> = { wasm: 'tfWasm', cpu: 'tfCpu' };

/** A scratchnet subject; `skip` gives a reason to leave it out of this row. */
export function snSubject(backend: BackendName, setup: () => Trial | Promise<Trial>, skip?: string): Subject {
  return skip !== undefined ? { id: SN[backend], skip } : { id: SN[backend], setup };
}

/** Why TF.js `backend` cannot run, or undefined if it can. */
export function tfUnavailable(ctx: Ctx, backend: TfBackend): string | undefined {
  if (!ctx.tf.tf) return `TF.js failed to load: ${ctx.tf.errors.import}`;
  if (!ctx.tf.backends.includes(backend))
    return `TF.js ${backend} backend failed to initialise: ${ctx.tf.errors[backend]}`;
  return undefined;
}

/**
 * A TF.js subject on `backend`: TF.js switches to that backend before setup and before each of its turns, so its
 * tensors and variables live on that backend only.
 */
export function tfSubject(
  ctx: Ctx,
  backend: TfBackend,
  setup: (tf: Tf) => Trial | Promise<Trial>,
  skip?: string,
): Subject {
  const id = TF[backend];
  const why = tfUnavailable(ctx, backend) ?? skip;
  if (why !== undefined) return { id, skip: why };
  const tf = ctx.tf.tf!;
  return {
    id,
    setup: async () => {
      await useBackend(tf, backend);
      return withBackend(tf, backend, await setup(tf));
    },
  };
}

/** Make every use of a TF.js trial run on its backend. */
export function withBackend(tf: Tf, backend: TfBackend, trial: Trial): Trial {
  const { enter, dispose } = trial;
  trial.enter = async () => {
    await useBackend(tf, backend);
    await enter?.call(trial);
  };
  trial.dispose = async () => {
    await useBackend(tf, backend);
    await dispose?.call(trial);
  };
  return trial;
}
