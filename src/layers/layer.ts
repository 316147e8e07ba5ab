import { fail, givenArrays, shown } from '../util/errors.js';

/**
 * The tutorial's abstract layer. Subclass it with `forwardPropagation(input)` and
 * `backwardPropagation(outputError, learningRate)` over Float32Arrays (one sample: a row of features) to write
 * a layer of your own; it mixes with the built-in layers in a `Network`, which then trains sample by sample.
 */
export abstract class Layer {
  /** the last input seen by forwardPropagation (the tutorial's `self.input`) */
  input: Float32Array | null = null;
  /** the last output of forwardPropagation (the tutorial's `self.output`) */
  output: Float32Array | null = null;
  /** a name for summaries, errors and saved weights */
  name: string;

  constructor(name?: string) {
    const given: unknown = name;
    // saved weights are named '<layer>/<weight>' (TF.js's and Keras's format): a '/' in the layer's own name would
    // save a file whose weights cannot be found again. Keras 3 refuses it too.
    if (given !== undefined && (typeof given !== 'string' || given.includes('/')))
      fail(
        `a layer name must be a string without '/' (saved weights are named '<layer>/<weight>'), got ${shown(given)}`,
      );
    this.name = name ?? '';
  }

  /** Compute the output Y of the layer for an input X. */
  abstract forwardPropagation(input: Float32Array): Float32Array;

  /** Given dE/dY, update the layer's parameters (if any) and return dE/dX. */
  abstract backwardPropagation(outputError: Float32Array, learningRate: number): Float32Array;

  /** The layer's weights as copies, in Keras order (kernel, then bias). Custom layers without weights return []. */
  getWeights(): Float32Array[] {
    return [];
  }

  /** Replace the layer's weights (same order and sizes as getWeights). */
  setWeights(weights: Float32Array[]): void {
    if (weights.length !== 0)
      fail(`layer '${this.name}' has no weights, but ${givenArrays(weights)}`, 'shape_mismatch');
  }
}
