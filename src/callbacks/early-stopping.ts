import type { Callbacks, Sequential } from '../models/sequential.js';
import { fail } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import { watch, type MonitorMode, type MonitorName } from './monitor.js';

/** Options of `callbacks.earlyStopping(…)`, as Keras's EarlyStopping. */
export interface EarlyStoppingOptions {
  /** the log to watch: 'val_loss' (default), 'loss', 'val_accuracy', 'accuracy' */
  monitor?: MonitorName;
  /** epochs without improvement before stopping (default 0: stop at the first epoch that does not improve) */
  patience?: number;
  /** the smallest change that counts as an improvement (default 0) */
  minDelta?: number;
  /** 'min' for losses, 'max' for accuracies; 'auto' (default) picks from the name */
  mode?: MonitorMode;
  /** at the end of training, put back the weights of the best epoch (default false) */
  restoreBestWeights?: boolean;
  /** stop if the monitored value does not beat this within `patience` epochs */
  baseline?: number;
  /** epochs to train before watching at all (default 0), for a model that starts slowly (Keras's start_from_epoch) */
  startFromEpoch?: number;
  /** 1: say at the end of training when it stopped, and when it put back the best weights (default 0, silent) */
  verbose?: 0 | 1;
}

/** An early-stopping callback; after fit, `bestEpoch`, `best` and `stoppedEpoch` (0-based, -1 if it never stopped) tell what happened. */
export interface EarlyStopping extends Callbacks {
  readonly best: number;
  readonly bestEpoch: number;
  readonly stoppedEpoch: number;
}

/**
 * Keras's EarlyStopping: stop `fit` once `monitor` has not improved by more than `minDelta` for `patience` epochs
 * (counting from epoch `startFromEpoch`), and with `restoreBestWeights` return the model to the weights of its best
 * epoch when training ends.
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  checkOptions(options, 'earlyStopping(options)', [
    'monitor',
    'patience',
    'minDelta',
    'mode',
    'restoreBestWeights',
    'baseline',
    'startFromEpoch',
    'verbose',
  ]);
  const {
    monitor = 'val_loss',
    patience = 0,
    minDelta = 0,
    mode = 'auto',
    restoreBestWeights = false,
    baseline,
    startFromEpoch = 0,
    verbose = 0,
  } = options;
  const watched = watch('earlyStopping', monitor, patience, minDelta, mode);
  if (baseline !== undefined && (typeof baseline !== 'number' || !Number.isFinite(baseline)))
    fail(`earlyStopping: baseline must be a finite number, got ${baseline}`);
  if (!Number.isInteger(startFromEpoch) || startFromEpoch < 0)
    fail(`earlyStopping: startFromEpoch must be a non-negative integer, got ${String(startFromEpoch)}`);
  if (verbose !== 0 && verbose !== 1) fail(`earlyStopping: verbose must be 0 or 1, got ${String(verbose)}`);

  let model: Sequential | undefined;
  let wait = 0;
  let bestWeights: Float32Array[] | undefined;
  const state = { best: NaN, bestEpoch: -1, stoppedEpoch: -1 };
  return {
    get best() {
      return state.best;
    },
    get bestEpoch() {
      return state.bestEpoch;
    },
    get stoppedEpoch() {
      return state.stoppedEpoch;
    },
    setModel(m) {
      model = m;
    },
    onTrainBegin() {
      wait = 0;
      bestWeights = undefined;
      state.best = watched.worst;
      state.bestEpoch = -1;
      state.stoppedEpoch = -1;
    },
    onEpochEnd(epoch, logs) {
      const value = watched.value(logs);
      if (epoch < startFromEpoch) return; // still warming up: neither a best nor a wait yet
      if (restoreBestWeights && !bestWeights) {
        bestWeights = model!.getWeights();
        state.bestEpoch = epoch;
      }
      wait++;
      if (watched.improves(value, state.best)) {
        state.best = value;
        state.bestEpoch = epoch;
        if (restoreBestWeights) bestWeights = model!.getWeights();
        // patience restarts only once the baseline is beaten too; an improving epoch never stops training (Keras 3)
        if (baseline === undefined || watched.improves(value, baseline)) wait = 0;
        return;
      }
      if (wait >= patience && epoch > 0) {
        state.stoppedEpoch = epoch;
        model!.stopTraining = true;
      }
    },
    onTrainEnd() {
      if (verbose && state.stoppedEpoch >= 0) console.log(`Epoch ${state.stoppedEpoch + 1}: early stopping`);
      if (restoreBestWeights && bestWeights) {
        if (verbose) console.log(`Restoring model weights from the end of the best epoch: ${state.bestEpoch + 1}.`);
        model!.setWeights(bestWeights);
      }
    },
  };
}
