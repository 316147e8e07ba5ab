import { createJsBackend } from '../../src/backends/js/index.js';
import { runKernelSuite } from './kernel-suite.js';

runKernelSuite('js (float64)', () => createJsBackend({ precision: 'float64' }), { precision: 'float64' });
