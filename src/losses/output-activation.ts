/**
 * The one place that decides how the output layer's activation meets the loss: which activation a built-in loss takes
 * over (the engine then runs the output layer without it, `ForwardMode.logits`, and hands the loss the logits), and
 * which pairs deserve a warning at compile.
 */
import type { Loss } from './index.js';
import { fail } from '../util/errors.js';
import { formatShape, type Shape } from '../layers/shape.js';

const CATEGORICAL = new Set(['sparse_categorical_crossentropy', 'categorical_crossentropy']);

/**
 * The output activation `loss` takes over, computing both in one stable step as Keras does on its TensorFlow backend
 * (a saturated sigmoid or softmax still gets its full gradient, p − t), or undefined:
 * - softmax with a categorical cross-entropy;
 * - sigmoid with the binary one;
 * - sigmoid with a categorical cross-entropy: Keras's sigmoid caches its logits (`_keras_logits`) and the categorical
 *   cross-entropies take whatever logits are cached, so Keras on TensorFlow trains a softmax over them. TF.js
 *   normalises the sigmoid's outputs instead; at the seed model's width (4096) they saturate at 1 within 20 Adam steps
 *   and it stops learning (docs/keras-and-tfjs.md).
 * `outputActivation` is the name of a built-in activation only: a user's function called 'sigmoid' is never replaced.
 */
export function fusedActivation(loss: Loss, outputActivation: string | undefined): 'softmax' | 'sigmoid' | undefined {
  if (!loss.builtin || loss.fromLogits) return undefined;
  const categorical = CATEGORICAL.has(loss.name);
  if (outputActivation === 'softmax') return categorical ? 'softmax' : undefined;
  if (outputActivation === 'sigmoid') return categorical || loss.name === 'binary_crossentropy' ? 'sigmoid' : undefined;
  return undefined;
}

/** built-in activations whose outputs are not probabilities */
const NOT_PROBABILITIES = new Set(['linear', 'relu', 'leaky_relu', 'tanh']);

/** How each API sets the output activation: Sequential's Dense option, or the tutorial Network's last layer. */
type Api = 'layers' | 'tutorial';
const activationAdvice = (act: string, api: Api) =>
  api === 'layers' ? `activation: '${act}' on the output layer` : `ActivationLayer('${act}') as the last layer`;

/**
 * What does not fit between the loss and the output layer (undefined: nothing, a custom activation, or a Dropout last):
 * Sequential's compile and the tutorial Network's fit warn with it once. It trains, but not as the user likely meant.
 */
export function outputMismatch(
  loss: Loss,
  act: string | undefined,
  units: number,
  api: Api = 'layers',
): string | undefined {
  if (act === 'softmax' && units === 1) {
    return (
      `the output layer applies 'softmax' to a single unit, so it always outputs 1 and cannot learn. For two ` +
      (api === 'layers'
        ? `classes use Dense(1, { activation: 'sigmoid' }) with 'binary_crossentropy', or Dense(2, { activation: 'softmax' }) ` +
          `with 'sparse_categorical_crossentropy'.`
        : `classes use one output and ActivationLayer('sigmoid') with 'binary_crossentropy', or two outputs and ` +
          `ActivationLayer('softmax') with 'categorical_crossentropy' on one-hot targets.`)
    );
  }
  if (!loss.builtin || act === undefined) return undefined;
  const categorical = CATEGORICAL.has(loss.name);
  if (!categorical && loss.name !== 'binary_crossentropy') return undefined;
  if (loss.fromLogits) {
    if (act !== 'softmax' && act !== 'sigmoid') return undefined;
    return (
      `the output layer applies '${act}', and '${loss.name}' with fromLogits applies ${categorical ? 'softmax' : 'sigmoid'} ` +
      `again to what it is given. With fromLogits, leave the output layer linear (no activation).`
    );
  }
  if (categorical && act === 'sigmoid') {
    return (
      `the output layer uses 'sigmoid' with '${loss.name}'. This trains as Keras on TensorFlow trains it: the loss ` +
      `takes the layer's logits and applies softmax to them, while predict() returns the sigmoid outputs, which do not sum ` +
      `to 1. Softmax is the usual choice: for one label per sample use ${activationAdvice('softmax', api)}; for ` +
      `several labels per sample use 'binary_crossentropy' with one-hot targets.`
    );
  }
  const expected = categorical ? 'softmax' : 'sigmoid';
  if (!NOT_PROBABILITIES.has(act)) return undefined; // softmax, sigmoid, or a custom activation of the user's
  return (
    `the output layer's activation is '${act}', but '${loss.name}' expects probabilities in [0, 1] ` +
    `(it clips the output to [1e-7, 1 − 1e-7], and no gradient passes where it clips, as in Keras), so it will not learn as meant. Use ${activationAdvice(expected, api)}` +
    `, or leave it linear and use losses.create('${loss.name}', { fromLogits: true }).`
  );
}

/**
 * The cross-entropies act on one row of outputs per sample: a model whose samples come out as images ([h, w, c])
 * would have its softmax and loss taken over the whole image, not per pixel. Refuse it, saying what fits.
 */
export function checkOutputRank(loss: Loss, outputShape: Shape): void {
  if (!loss.builtin || outputShape.length <= 1 || loss.name === 'mse' || loss.name === 'mae') return;
  fail(
    `'${loss.name}' takes one row of outputs per sample, but the model outputs samples of shape ` +
      `${formatShape(outputShape)}; end the model with Flatten() or GlobalAveragePooling2D() and a Dense layer`,
    'shape_mismatch',
  );
}
