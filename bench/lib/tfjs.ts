/**
 * Loading TensorFlow.js for the comparison: its wasm backend (XNNPACK, SIMD) from the .wasm files in node_modules,
 * never from a CDN, and its plain-JS cpu backend. If anything fails the bench goes on without it and says why.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { errorText } from './harness.js';

export type Tf = typeof TF;
export type TfBackend = 'wasm' | 'cpu';

export interface TfStatus {
  tf?: Tf;
  version?: string;
  /** the backends that initialised; a missing one has its reason in `errors` */
  backends: TfBackend[];
  errors: Partial<Record<TfBackend | 'import', string>>;
  wasmDir?: string;
  wasmFlags?: { simd: boolean; threads: boolean };
}

export async function loadTfjs(): Promise<TfStatus> {
  const status: TfStatus = { backends: [], errors: {} };
  let tf: Tf;
  try {
    tf = (await import('@tensorflow/tfjs')) as Tf;
    status.tf = tf;
    status.version = tf.version.tfjs;
  } catch (e) {
    status.errors.import = `cannot import @tensorflow/tfjs: ${errorText(e)} (run npm install)`;
    return status;
  }
  // Production mode drops TF.js's debugging checks (and its "install tfjs-node" notice): what its users deploy.
  tf.enableProdMode();
  try {
    await tf.setBackend('cpu');
    status.backends.push('cpu');
  } catch (e) {
    status.errors.cpu = errorText(e);
  }
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
      if (!existsSync(join(dir, f))) throw new Error(`${f} is missing from ${dir}`);
    }
    // A folder path (with the trailing slash) makes Emscripten read the files with fs: no download, no fetch.
    wasm.setWasmPaths(`${dir}/`);
    status.wasmDir = dir;
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error(`tf.setBackend('wasm') returned false`);
    status.backends.push('wasm');
    status.wasmFlags = {
      simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
      threads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
    };
  } catch (e) {
    status.errors.wasm = errorText(e);
  }
  return status;
}

/** Switch TF.js to `backend` (cheap once both are initialised). */
export async function useBackend(tf: Tf, backend: TfBackend): Promise<void> {
  if (tf.getBackend() !== backend) {
    const ok = await tf.setBackend(backend);
    if (!ok) throw new Error(`tf.setBackend('${backend}') failed`);
  }
}
