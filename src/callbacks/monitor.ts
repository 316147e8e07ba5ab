// What the callbacks that watch a log share (Keras's MonitorCallback): which way the log improves, what counts as an
// improvement, and the log's value from an epoch's logs.
import type { Logs } from '../models/fit-loop.js';
import type { MetricName } from '../models/metrics.js';
import { fail } from '../util/errors.js';

/**
 * A log a callback can watch: the loss or a metric compile takes (each reported under the name it was asked by), on
 * the training data or, with `val_`, on the validation data. A union, so that a misspelt name ('val_los') fails to
 * compile; a log that a callback of your own adds is watched with a cast (`'my_log' as MonitorName`).
 */
export type MonitorName = 'loss' | 'val_loss' | MetricName | `val_${MetricName}`;

/** Keras's modes: 'min' for losses, 'max' for accuracies; 'auto' picks 'max' for a log whose name holds 'acc' */
export type MonitorMode = 'auto' | 'min' | 'max';

/** Check a callback's `monitor`, `patience`, `minDelta` and `mode`; `where` names the callback in the message. */
function checkMonitor(where: string, monitor: unknown, patience: unknown, minDelta: unknown, mode: unknown): void {
  if (typeof monitor !== 'string') fail(`${where}: monitor must be a log name like 'val_loss', got ${typeof monitor}`);
  if (!Number.isInteger(patience) || (patience as number) < 0)
    fail(`${where}: patience must be a non-negative integer, got ${String(patience)}`);
  if (typeof minDelta !== 'number' || !Number.isFinite(minDelta))
    fail(`${where}: minDelta must be a finite number, got ${String(minDelta)}`);
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max')
    fail(`${where}: mode must be 'auto', 'min' or 'max', got ${String(mode)}`);
}

/** whether `monitor` improves upward in `mode` */
export function maximizes(monitor: string, mode: MonitorMode = 'auto'): boolean {
  return mode === 'max' || (mode === 'auto' && /acc/.test(monitor));
}

/** where the best value starts, before the first epoch: every value improves on it */
export function worst(maximize: boolean): number {
  return maximize ? -Infinity : Infinity;
}

/** whether a value improves on a reference by more than `minDelta` (its sign ignored), as Keras judges it */
export function improvement(maximize: boolean, minDelta = 0): (value: number, reference: number) => boolean {
  const delta = Math.abs(minDelta);
  return maximize ? (value, reference) => value - delta > reference : (value, reference) => value + delta < reference;
}

/** The monitored log of an epoch; an error naming what fit reports when it is not there. */
export function monitored(where: string, monitor: string, logs: Logs): number {
  const value = logs[monitor];
  if (typeof value !== 'number') {
    fail(
      `${where} monitors '${monitor}', which fit does not report; it reports ${Object.keys(logs).join(', ')}` +
        `${monitor.startsWith('val_') ? ' (val_ logs need validationData or validationSplit)' : ''}`,
    );
  }
  return value;
}

/** What a callback that waits `patience` epochs for `monitor` to improve needs from the rules above. */
export interface Watch {
  /** where the best value starts, before the first epoch */
  readonly worst: number;
  /** whether `value` improves on `reference` by more than minDelta */
  improves(value: number, reference: number): boolean;
  /** the monitored log of an epoch (an error naming what fit reports when it is not there) */
  value(logs: Logs): number;
}

/** Check `monitor`, `patience`, `minDelta` and `mode` for the callback `where`, and give the rules that follow. */
export function watch(where: string, monitor: unknown, patience: unknown, minDelta: unknown, mode: unknown): Watch {
  checkMonitor(where, monitor, patience, minDelta, mode);
  const maximize = maximizes(monitor as string, mode as MonitorMode);
  return {
    worst: worst(maximize),
    improves: improvement(maximize, minDelta as number),
    value: (logs) => monitored(where, monitor as string, logs),
  };
}
