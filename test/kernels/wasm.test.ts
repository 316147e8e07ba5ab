import { createWasmBackend } from '../../src/backends/wasm/index.js';
import { runKernelSuite } from './kernel-suite.js';

runKernelSuite('wasm', () => createWasmBackend());
