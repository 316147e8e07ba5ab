import type { SaveTarget } from '../io/source.js';
import type { Callbacks, Sequential } from '../models/sequential.js';
import type { Logs } from '../models/fit-loop.js';
import { fail } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import { improvement, maximizes, monitored, worst, type MonitorName } from './monitor.js';

/** Options of `callbacks.modelCheckpoint(…)`, as Keras's ModelCheckpoint. */
export interface ModelCheckpointOptions {
  /**
   * Where to save: any save target ('file://ckpt', a path with scratchnet/node, 'indexeddb://ckpt', an IOHandler).
   * In a string, `{epoch}` becomes the 1-based epoch number ('ckpt/epoch-{epoch}'); or pass a function of (epoch, logs).
   */
  path: SaveTarget | ((epoch: number, logs: Logs) => SaveTarget);
  /** save every this many epochs (default 1) */
  every?: number;
  /** save only when `monitor` improves (default false) */
  saveBestOnly?: boolean;
  /** for saveBestOnly: the log to watch (default 'val_loss'; 'loss' without validation data) */
  monitor?: MonitorName;
  /** with the optimizer's state, so that training resumes exactly (default true) */
  includeOptimizer?: boolean;
}

/**
 * Save the model during `fit`, every `every` epochs (Keras's ModelCheckpoint with `save_freq` in epochs). Saves to
 * files are atomic, so a crash mid-save keeps the previous checkpoint. Resume with `loadModel(path)` and fit again.
 */
export function modelCheckpoint(options: ModelCheckpointOptions): Callbacks & { readonly saved: number } {
  checkOptions(options, 'modelCheckpoint(options)', ['path', 'every', 'saveBestOnly', 'monitor', 'includeOptimizer']);
  const { path, every = 1, saveBestOnly = false, monitor, includeOptimizer = true } = options;
  if (path === undefined || path === null || path === '')
    fail("modelCheckpoint needs a path, e.g. { path: 'file://checkpoints' }");
  const placeholder = typeof path === 'string' ? path.match(/\{(?!epoch\})[^}]*\}/) : null;
  if (placeholder)
    fail(
      `modelCheckpoint path '${path}' has ${placeholder[0]}; the only placeholder is {epoch} (or pass a function of (epoch, logs))`,
    );
  if (!Number.isInteger(every) || every < 1)
    fail(`modelCheckpoint: every must be a positive integer (epochs), got ${every}`);
  const maximize = maximizes(monitor ?? '');
  const better = improvement(maximize);
  let model: Sequential | undefined;
  let best = NaN;
  let saved = 0;
  return {
    get saved() {
      return saved;
    },
    setModel(m) {
      model = m;
    },
    onTrainBegin() {
      best = worst(maximize);
    },
    async onEpochEnd(epoch, logs) {
      if ((epoch + 1) % every !== 0) return;
      if (saveBestOnly) {
        const key = monitor ?? ('val_loss' in logs ? 'val_loss' : 'loss');
        const value = monitored('modelCheckpoint', key, logs);
        if (!better(value, best)) return;
        best = value;
      }
      const target =
        typeof path === 'function'
          ? path(epoch + 1, logs)
          : typeof path === 'string'
            ? path.replaceAll('{epoch}', String(epoch + 1))
            : path;
      await model!.save(target, { includeOptimizer });
      saved++;
    },
  };
}
