/** A checked plan → fresh layers: Keras-style (Dense, Activation, Dropout) or the tutorial's (FCLayer, ActivationLayer). */
import { activations, type Activation as ActivationFn } from '../activations/index.js';
import { ActivationLayer } from '../layers/activation-layer.js';
import { Activation } from '../layers/activation.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { FCLayer } from '../layers/fc-layer.js';
import type { KernelLayer } from '../layers/kernel-layer.js';
import type { ActivationPlan, TopologyPlan } from './topology.js';

function activationOf(a: ActivationPlan): ActivationFn {
  return a.name === 'leaky_relu' ? activations.leakyRelu(a.alpha) : activations[a.name];
}

/** Sequential's layers: a Dense keeps its activation; the first layer declares the input size. */
export function kerasLayers(plan: TopologyPlan, inputSize: number): KernelLayer[] {
  return plan.layers.map((l, i) => {
    if (l.type === 'dense') {
      // Weights are overwritten right after building, so initialise them with zeros (cheap, no random draws).
      return new Dense(l.units, { name: l.name, activation: activationOf(l.activation), useBias: l.useBias,
        kernelInitializer: 'zeros', biasInitializer: 'zeros', ...(i === 0 ? { inputDim: inputSize } : {}) });
    }
    if (l.type === 'dropout') return new Dropout(l.rate, { name: l.name });
    return new Activation(activationOf(l.activation), undefined, { name: l.name });
  });
}

/**
 * The tutorial's layers for a Network: a Dense becomes an FCLayer (named as the Dense, so its weights keep their
 * names) followed, when it has an activation, by an ActivationLayer named `<dense>_activation`.
 */
export function tutorialLayers(plan: TopologyPlan, inputSize: number): KernelLayer[] {
  const out: KernelLayer[] = [];
  let size = inputSize;
  for (const l of plan.layers) {
    if (l.type === 'dense') {
      if (!l.useBias) {
        out.push(new Dense(l.units, { name: l.name, useBias: false, kernelInitializer: 'zeros', inputDim: size }));
      } else {
        out.push(new FCLayer(size, l.units, { name: l.name }));
      }
      if (l.activation.name !== 'linear') out.push(new ActivationLayer(activationOf(l.activation), undefined, { name: `${l.name}_activation` }));
      size = l.units;
    } else if (l.type === 'dropout') {
      out.push(new Dropout(l.rate, { name: l.name }));
    } else {
      out.push(new ActivationLayer(activationOf(l.activation), undefined, { name: l.name }));
    }
  }
  return out;
}
