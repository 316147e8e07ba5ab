// A KernelLayer subclass of the user's writes gradients in `backward` and never updates its own weights; the
// tutorial's per-sample training (plain SGD folded into the backward pass where a layer offers `backwardWithSgd`)
// must still train it, exactly as a batch-of-one Sequential with an SGD optimizer does.
import { expect, it } from 'vitest';
import {
  Dense,
  KernelLayer,
  Network,
  Sequential,
  initializers,
  optimizers,
  type ForwardMode,
} from '../../src/index.js';
import type { Param } from '../../src/layers/kernel-layer.js';
import type { Ptr } from '../../src/backends/kernels.js';
import type { Random } from '../../src/util/random.js';
import { BACKENDS } from '../models/backends.js';

/** y = x ⊙ s, one learnt scale per feature; no backwardWithSgd */
class Scale extends KernelLayer {
  static readonly className = 'Scale';
  private s!: Param;
  private x: Ptr = 0;
  private y: Ptr = 0;
  private dx: Ptr = 0;
  computeOutputShape(inputShape: readonly number[]): readonly number[] {
    return inputShape;
  }
  override paramShapes(inputShape: readonly number[]) {
    return [{ name: 'scale', shape: [inputShape[0]] }];
  }
  protected buildParams(rng: Random): void {
    this.s = this.addParam('scale', [this.inputSize], initializers.ones, rng);
  }
  protected allocateActivations(rows: number): void {
    this.y = this.allocActivation(rows * this.inputSize);
    this.dx = this.allocActivation(rows * this.inputSize);
  }
  forward(x: Ptr, rows: number, _mode: ForwardMode): Ptr {
    this.x = x;
    for (let r = 0; r < rows; r++)
      this.backend!.kernels.mul(
        x + r * this.inputSize * 4,
        this.s.value,
        this.y + r * this.inputSize * 4,
        this.inputSize,
      );
    return this.y;
  }
  backward(dy: Ptr, rows: number, needInputGrad: boolean, _mode: ForwardMode): Ptr {
    const { kernels: k, arena } = this.backend!;
    // ds = Σ_rows dy ⊙ x (through dx as scratch), dx = dy ⊙ s
    const n = this.inputSize,
      ds = new Float32Array(n);
    for (let r = 0; r < rows; r++) {
      k.mul(dy + r * n * 4, this.x + r * n * 4, this.dx + r * n * 4, n);
      const part = arena.f32(this.dx + r * n * 4, n);
      for (let j = 0; j < n; j++) ds[j] += part[j];
    }
    arena.write(this.s.grad, ds);
    if (!needInputGrad) return 0;
    for (let r = 0; r < rows; r++) k.mul(dy + r * n * 4, this.s.value, this.dx + r * n * 4, n);
    return this.dx;
  }
}

const x = [
  [0.5, -1, 2],
  [1, 0.25, -0.5],
  [-2, 1, 0.1],
  [0.3, 0.3, 0.3],
];
const y = x.map(([a, b, c]) => [0.2 * a - 0.4 * b + 0.1 * c]);

it.each(BACKENDS)(
  'per-sample SGD trains a custom KernelLayer without backwardWithSgd as batch-of-one SGD does (%s)',
  async (backend) => {
    const net = new Network({ seed: 3, backend });
    net.add(new Scale());
    net.add(new Dense(1));
    net.use('mse');
    await net.fit(x, y, { epochs: 3, learningRate: 0.05, verbose: false });
    const perSample = net.getWeights();

    const seq = new Sequential([new Scale(), new Dense(1)], { seed: 3, backend });
    seq.compile({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss: 'mse' });
    await seq.fit(x, y, { epochs: 3, batchSize: 1, shuffle: false, verbose: 0 });
    const batched = seq.getWeights();

    expect(perSample[0]).not.toEqual(new Float32Array([1, 1, 1])); // the scale trained
    expect(perSample).toEqual(batched);
    seq.dispose();
  },
);
