// What Sequential's fit and fitDataset share around the training loop: their common options, checked, and Keras's
// callbacks wired to the loop's hooks.
import { fail, shown } from '../util/errors.js';
import { checkVerbose } from './checks.js';
import { likelyName } from '../util/options.js';
import type { Engine } from './engine.js';
import type { History, Logs, TrainConfig } from './fit-loop.js';
import { defaultVerbose } from './progress.js';
import type { Callbacks, Sequential } from './sequential.js';

/** The options fit and fitDataset both take, checked and with their defaults. */
export interface TrainOptions {
  verbose: 0 | 1 | 2;
  yieldEvery: number;
  callbacks: Callbacks[];
}

/** Check `verbose`, `yieldEvery` and `callbacks` (one object or a list), giving their defaults. */
export function checkTrainOptions(options: {
  verbose?: unknown;
  yieldEvery?: unknown;
  callbacks?: Callbacks | Callbacks[];
}): TrainOptions {
  const { verbose = defaultVerbose(), yieldEvery = 50 } = options;
  checkVerbose(verbose);
  if (typeof yieldEvery !== 'number' || !(yieldEvery >= 0))
    fail(`yieldEvery must be a number of milliseconds ≥ 0, got ${shown(yieldEvery)}`);
  const callbacks =
    options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
  callbacks.forEach((cb, i) => {
    if (cb === null || typeof cb !== 'object')
      fail(
        `callbacks[${i}] must be an object with onEpochEnd/onBatchEnd/… methods, got ${cb === null ? 'null' : typeof cb}`,
      );
    for (const key of HOOKS) {
      if (cb[key] !== undefined && typeof cb[key] !== 'function')
        fail(`callbacks[${i}].${key} must be a function, got ${typeof cb[key]}`);
    }
    checkHookNames(cb, i);
  });
  return { verbose: verbose as 0 | 1 | 2, yieldEvery, callbacks };
}

/** the hooks fit calls on a callback object */
const HOOKS = [
  'setModel',
  'onTrainBegin',
  'onTrainEnd',
  'onEpochBegin',
  'onEpochEnd',
  'onBatchBegin',
  'onBatchEnd',
] as const;

/**
 * A name on a callback object that reads as a hook but is none of HOOKS (`onEpochend`, Keras's `on_epoch_end`,
 * TF.js's `onYield`) would never be called, and the training it was meant to watch or stop would run on in
 * silence; so it is refused. Other names are the callback's own state (earlyStopping's `stoppedEpoch`, a class's
 * fields) and pass. Methods of a class instance are looked up along its prototypes.
 */
function checkHookNames(cb: object, i: number): void {
  const names = new Set<string>();
  for (let o: object | null = cb; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null)
    for (const name of Object.getOwnPropertyNames(o)) names.add(name);
  for (const name of names) {
    if ((HOOKS as readonly string[]).includes(name)) continue;
    const hint = likelyName(name, HOOKS);
    if (!hint && !/^on[A-Z_]/.test(name)) continue;
    fail(
      `callbacks[${i}] has a method '${name}' that fit never calls.${hint ? ` Did you mean '${hint}'?` : ''} ` +
        `The hooks fit calls: ${HOOKS.join(', ')}.`,
    );
  }
}

/** The training loop's hooks that Keras callbacks and `stopTraining` drive. */
export type CallbackHooks = Pick<
  TrainConfig,
  'onTrainBegin' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd' | 'shouldStop'
>;

/**
 * Run `train` with `callbacks` wired in, as Keras does: setModel first, onTrainBegin once the data is ready,
 * onEpochBegin before every epoch, a check for non-finite weights and then onEpochEnd after every epoch, onBatchBegin
 * and onBatchEnd around every batch, `model.stopTraining`
 * polled, and onTrainEnd with the last epoch's logs. `lossName` goes into the divergence hint.
 */
export async function withCallbacks(
  model: Sequential,
  engine: Engine,
  lossName: string,
  callbacks: Callbacks[],
  train: (hooks: CallbackHooks) => Promise<History>,
): Promise<History> {
  model.stopTraining = false;
  for (const cb of callbacks) cb.setModel?.(model);
  /** every callback of every kind, one after another, each inside engine.inCallback */
  const run = async (call: (cb: Callbacks) => void | Promise<void>) => {
    for (const cb of callbacks) await engine.inCallback(() => call(cb));
  };
  const history = await train({
    onTrainBegin: () => run((cb) => cb.onTrainBegin?.()),
    onEpochBegin: callbacks.some((cb) => cb.onEpochBegin)
      ? (epoch) => run((cb) => cb.onEpochBegin?.(epoch))
      : undefined,
    onEpochEnd: async (epoch, logs) => {
      engine.failIfDiverged(epoch + 1, `check the data (targets of ${lossName} should be of moderate size)`);
      await run((cb) => cb.onEpochEnd?.(epoch, logs));
    },
    onBatchBegin: callbacks.some((cb) => cb.onBatchBegin)
      ? (batch) => run((cb) => cb.onBatchBegin?.(batch))
      : undefined,
    onBatchEnd: callbacks.some((cb) => cb.onBatchEnd)
      ? (batch, logs) => run((cb) => cb.onBatchEnd?.(batch, logs))
      : undefined,
    shouldStop: () => model.stopTraining,
  });
  const last = history.epoch.length - 1;
  const logs =
    last < 0 ? undefined : (Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, v![last]])) as Logs);
  await run((cb) => cb.onTrainEnd?.(logs));
  return history;
}
