import type { Ptr } from '../backends/kernels.js';
import { fail } from '../util/errors.js';
import { configName, declaredInputShape, shapeValue, type LayerConfig } from './config.js';
import { KernelLayer, type ForwardMode, type KerasLayerJson } from './kernel-layer.js';
import { formatShape, shapeSize, type Shape } from './shape.js';

/** Options of `new Reshape(targetShape, options)`. */
export interface ReshapeOptions {
  name?: string;
  /** Keras `input_shape`, when this is the first layer */
  inputShape?: readonly number[];
}

/**
 * Keras's Reshape: each sample becomes `targetShape` (without the batch dimension; one entry may be −1, inferred from
 * the others). The values keep their row-major order, so like Flatten it is free: the same row, seen with another
 * shape — forward hands on its input and backward its output gradient.
 */
export class Reshape extends KernelLayer {
  static readonly className: string = 'Reshape';
  static readonly configKeys = ['target_shape'] as const;

  readonly targetShape: readonly number[];

  constructor(targetShape: readonly number[], options: ReshapeOptions = {}) {
    super(options?.name);
    this.targetShape = shapeValue({ targetShape }, 'targetShape', 'Reshape', true);
    this.declareInputShape(options?.inputShape, 'Reshape');
  }

  static fromConfig(config: LayerConfig, where = 'Reshape'): Reshape {
    const declared = declaredInputShape(config, where);
    return newReshape(shapeValue(config, 'target_shape', where, true), {
      name: configName(config, where),
      ...(declared ? { inputShape: declared } : {}),
    });
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), target_shape: [...this.targetShape] };
  }

  /**
   * In a file the −1 is written resolved (the layer is built, so its output shape is known): TensorFlow.js leaves a −1
   * unresolved when it builds a loaded model, and a Flatten or Dense after it then fails there ("not fully defined").
   */
  override toKeras(className: string): KerasLayerJson[] {
    const config = this.getConfig();
    if (this.outputShape.length > 0) config.target_shape = [...this.outputShape];
    return [{ class_name: className, config }];
  }

  computeOutputShape(inputShape: Shape): Shape {
    const size = shapeSize(inputShape);
    const known = this.targetShape.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const inferred = this.targetShape.includes(-1);
    if (inferred ? size % known !== 0 : size !== known) {
      fail(
        `layer '${this.name || this.kind}' (Reshape) cannot reshape inputs of shape ${formatShape(inputShape)} (${size} values) ` +
          `to ${formatShape(this.targetShape)} (${inferred ? `a multiple of ${known}` : known} values); the sizes must match`,
      );
    }
    return this.targetShape.map((d) => (d === -1 ? size / known : d));
  }

  protected buildParams(): void {}

  protected allocateActivations(): void {}

  forward(x: Ptr, _rows: number, _mode: ForwardMode): Ptr {
    return x;
  }

  backward(dy: Ptr, _rows: number, needInputGrad: boolean, _mode: ForwardMode): Ptr {
    return needInputGrad ? dy : 0;
  }
}

/** `new Reshape(…)` for the class's own methods (docs/adding-a-layer.md, "The class's name") */
function newReshape(...args: ConstructorParameters<typeof Reshape>): Reshape {
  return new Reshape(...args);
}
