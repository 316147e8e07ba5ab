import type { Callbacks, Sequential } from '../models/sequential.js';
import { fail } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import { logRate } from './log-rate.js';

/** Options of `callbacks.learningRateScheduler(schedule, options)`. */
export interface LearningRateSchedulerOptions {
  /** 1: print the rate whenever the schedule changes it (default 0, silent), as Keras's verbose */
  verbose?: 0 | 1;
}

/**
 * Keras's LearningRateScheduler: before every epoch (0-based), set the optimizer's learning rate to
 * `schedule(epoch, rate)`, where `rate` is the current one. The rate stays set after fit, as in Keras; read it as
 * `model.optimizer.learningRate`. Each epoch's rate goes into its logs and the history as `learning_rate`, as Keras
 * 3's callback puts it there.
 *
 * ```ts
 * callbacks.learningRateScheduler((epoch, rate) => (epoch < 10 ? rate : rate * Math.exp(-0.1)))
 * ```
 */
export function learningRateScheduler(
  schedule: (epoch: number, rate: number) => number,
  options: LearningRateSchedulerOptions = {},
): Callbacks {
  if (typeof schedule !== 'function')
    fail(`learningRateScheduler(schedule): schedule must be a function of (epoch, rate), got ${typeof schedule}`);
  checkOptions(options, 'learningRateScheduler(schedule, options)', ['verbose']);
  const { verbose = 0 } = options;
  if (verbose !== 0 && verbose !== 1) fail(`learningRateScheduler: verbose must be 0 or 1, got ${String(verbose)}`);
  let model: Sequential | undefined;
  return {
    setModel(m) {
      model = m;
    },
    onEpochBegin(epoch) {
      const optimizer = model!.optimizer!;
      const rate = schedule(epoch, optimizer.learningRate);
      if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
        fail(
          `learningRateScheduler: the schedule returned ${typeof rate === 'number' ? rate : typeof rate} for epoch ` +
            `${epoch}; it must return a finite learning rate ≥ 0`,
        );
      }
      if (verbose && rate !== optimizer.learningRate)
        console.log(`Epoch ${epoch + 1}: learningRateScheduler setting the learning rate to ${rate}.`);
      optimizer.learningRate = rate;
    },
    onEpochEnd(_epoch, logs) {
      logRate(logs, model!.optimizer!.learningRate);
    },
  };
}
