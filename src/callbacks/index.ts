import { earlyStopping } from './early-stopping.js';
import { learningRateScheduler } from './learning-rate-scheduler.js';
import { modelCheckpoint } from './model-checkpoint.js';
import { reduceLROnPlateau } from './reduce-lr-on-plateau.js';

/**
 * Callbacks for `Sequential.fit({ callbacks: [...] })`: `callbacks.earlyStopping(…)`, `callbacks.modelCheckpoint(…)`,
 * `callbacks.learningRateScheduler(schedule)`, `callbacks.reduceLROnPlateau(…)`.
 */
export const callbacks = Object.freeze({ earlyStopping, modelCheckpoint, learningRateScheduler, reduceLROnPlateau });
export type { EarlyStopping, EarlyStoppingOptions } from './early-stopping.js';
export type { ModelCheckpointOptions } from './model-checkpoint.js';
export type { LearningRateSchedulerOptions } from './learning-rate-scheduler.js';
export type { ReduceLROnPlateau, ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.js';
export type { MonitorName } from './monitor.js';
