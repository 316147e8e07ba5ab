/**
 * Importing this module makes the debug build of the kernels available to `createWasmBackend({ debug: true })`.
 * The debug bytes (about twice the release size, with assertions and names) are kept out of the main bundle, so
 * browsers never download them; tests and kernel work import this file.
 */
import { DEBUG_WASM_BASE64 } from './debug-bytes.generated.js';
import { registerWasmVariant } from './index.js';

registerWasmVariant('debug', DEBUG_WASM_BASE64);
