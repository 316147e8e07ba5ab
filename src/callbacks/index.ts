import { earlyStopping } from './early-stopping.js';
import { modelCheckpoint } from './model-checkpoint.js';

/** Callbacks for `Sequential.fit({ callbacks: [...] })`: `callbacks.earlyStopping(…)`, `callbacks.modelCheckpoint(…)`. */
export const callbacks = Object.freeze({ earlyStopping, modelCheckpoint });
export type { EarlyStopping, EarlyStoppingOptions } from './early-stopping.js';
export type { ModelCheckpointOptions } from './model-checkpoint.js';
