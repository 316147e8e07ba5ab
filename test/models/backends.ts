import type { BackendName } from '../../src/backends/backend.js';

/** Every backend, so that model tests run on each. */
export const BACKENDS: BackendName[] = ['wasm', 'js'];
