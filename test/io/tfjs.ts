// TensorFlow.js in Node on its cpu backend (tfjs-node is not installed): the reference the interop tests compare with.
import * as tf from '@tensorflow/tfjs';
import type { ModelArtifacts } from '../../src/io/types.js';

let ready: Promise<typeof tf> | undefined;

/** TensorFlow.js with the cpu backend, its Node banner silenced. */
export function tfjs(): Promise<typeof tf> {
  return (ready ??= (async () => {
    const log = console.log,
      warn = console.warn;
    console.log = console.warn = () => {};
    try {
      await tf.setBackend('cpu');
      await tf.ready();
    } finally {
      console.log = log;
      console.warn = warn;
    }
    return tf;
  })());
}

/** What TensorFlow.js hands a save handler for `model`. */
export async function captureArtifacts(model: tf.LayersModel, includeOptimizer = false): Promise<ModelArtifacts> {
  let captured: ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      captured = a as unknown as ModelArtifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer },
  );
  return captured!;
}

/** A model TensorFlow.js loads from scratchnet's artifacts (through tf.io.fromMemory, the in-memory bridge). */
export async function tfLoad(artifacts: ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(artifacts as unknown as tf.io.ModelArtifacts));
}

export function tfPredict(model: tf.LayersModel, x: number[][]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor2d(x)) as tf.Tensor).dataSync() as Float32Array);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
