import type { Logs } from '../models/fit-loop.js';

/**
 * Put the optimizer's learning rate into an epoch's logs as `learning_rate`, as Keras 3's LearningRateScheduler and
 * ReduceLROnPlateau do at each epoch's end, rounded to float32 as Keras's rate variable holds it (so 0.001 is
 * recorded as 0.0010000000474974513, the number Keras's history shows).
 */
export function logRate(logs: Logs, rate: number): void {
  logs.learning_rate = Math.fround(rate);
}
