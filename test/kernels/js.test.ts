import { createJsBackend } from '../../src/backends/js/index.js';
import { runKernelSuite } from './kernel-suite.js';

runKernelSuite('js (float32)', () => createJsBackend());
