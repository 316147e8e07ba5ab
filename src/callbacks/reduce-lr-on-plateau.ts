import type { Callbacks, Sequential } from '../models/sequential.js';
import { fail } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import { watch, type MonitorMode, type MonitorName } from './monitor.js';
import { logRate } from './log-rate.js';

/** Options of `callbacks.reduceLROnPlateau(…)`, with Keras's names and defaults. */
export interface ReduceLROnPlateauOptions {
  /** the log to watch: 'val_loss' (default), 'loss', 'val_accuracy', 'accuracy' */
  monitor?: MonitorName;
  /** the rate is multiplied by this (default 0.1; below 1) */
  factor?: number;
  /** epochs without improvement before the rate is reduced (default 10) */
  patience?: number;
  /** 'min' for losses, 'max' for accuracies; 'auto' (default) picks from the name */
  mode?: MonitorMode;
  /** the smallest change that counts as an improvement (default 1e-4) */
  minDelta?: number;
  /** epochs to wait after a reduction before counting again (default 0) */
  cooldown?: number;
  /** the rate is never reduced below this (default 0) */
  minLr?: number;
  /** 1: print each reduction (default 0, silent) */
  verbose?: 0 | 1;
}

/** A reduceLROnPlateau callback; `reductions` counts the times it lowered the rate in its last fit. */
export interface ReduceLROnPlateau extends Callbacks {
  readonly reductions: number;
}

/**
 * Keras's ReduceLROnPlateau: multiply the optimizer's learning rate by `factor` once `monitor` has not improved by
 * more than `minDelta` for `patience` epochs, then wait `cooldown` epochs before counting again, never going below
 * `minLr`. The rate stays lowered after fit, as in Keras; read it as `model.optimizer.learningRate`. Each epoch's
 * rate goes into its logs and the history as `learning_rate`, as Keras 3's callback puts it there.
 */
export function reduceLROnPlateau(options: ReduceLROnPlateauOptions = {}): ReduceLROnPlateau {
  checkOptions(options, 'reduceLROnPlateau(options)', [
    'monitor',
    'factor',
    'patience',
    'mode',
    'minDelta',
    'cooldown',
    'minLr',
    'verbose',
  ]);
  const {
    monitor = 'val_loss',
    factor = 0.1,
    patience = 10,
    mode = 'auto',
    minDelta = 1e-4,
    cooldown = 0,
    minLr = 0,
    verbose = 0,
  } = options;
  const where = 'reduceLROnPlateau';
  const watched = watch(where, monitor, patience, minDelta, mode);
  if (typeof factor !== 'number' || !(factor >= 0 && factor < 1))
    fail(`${where}: factor must be a number in [0, 1) (the rate is multiplied by it), got ${factor}`);
  if (!Number.isInteger(cooldown) || cooldown < 0)
    fail(`${where}: cooldown must be a non-negative integer, got ${cooldown}`);
  if (typeof minLr !== 'number' || !(minLr >= 0) || !Number.isFinite(minLr))
    fail(`${where}: minLr must be a finite number ≥ 0, got ${minLr}`);
  if (verbose !== 0 && verbose !== 1) fail(`${where}: verbose must be 0 or 1, got ${String(verbose)}`);

  let model: Sequential | undefined;
  let best = NaN,
    wait = 0,
    cooling = 0,
    reductions = 0;
  return {
    get reductions() {
      return reductions;
    },
    setModel(m) {
      model = m;
    },
    onTrainBegin() {
      best = watched.worst;
      wait = 0;
      cooling = 0;
      reductions = 0;
    },
    onEpochEnd(epoch, logs) {
      const value = watched.value(logs);
      const optimizer = model!.optimizer!;
      logRate(logs, optimizer.learningRate); // the rate the epoch ran at, before any reduction (as Keras 3 logs it)
      // Keras's order: a cooldown epoch counts down and resets the wait, an improvement resets it, and only outside
      // a cooldown does an epoch without improvement count towards a reduction
      if (cooling > 0) {
        cooling--;
        wait = 0;
      }
      if (watched.improves(value, best)) {
        best = value;
        wait = 0;
        return;
      }
      if (cooling > 0) return;
      wait++;
      if (wait < patience) return;
      const old = optimizer.learningRate;
      // Keras compares with min_lr in float32, as the optimizer holds its rate
      if (old > Math.fround(minLr)) {
        const rate = Math.max(old * factor, minLr);
        optimizer.learningRate = rate;
        reductions++;
        if (verbose) console.log(`Epoch ${epoch + 1}: reduceLROnPlateau reducing the learning rate to ${rate}.`);
        cooling = cooldown;
        wait = 0;
      }
    },
  };
}
