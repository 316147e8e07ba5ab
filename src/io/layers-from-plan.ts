/** A checked plan → the layers of a model: Keras-style as read (Sequential), or in the tutorial's forms (Network). */
import type { KernelLayer } from '../layers/kernel-layer.js';
import { kerasClassOf, tutorialClassOf } from '../layers/registry.js';
import type { Shape } from '../layers/shape.js';
import { chainShapes, type TopologyPlan } from './topology.js';

/** Sequential's layers: the plan's own, set not to draw initial weights (the saved ones replace them right after building). */
export function kerasLayers(plan: TopologyPlan): KernelLayer[] {
  for (const layer of plan.layers) layer.initializeWeights = false;
  return plan.layers;
}

/**
 * The tutorial's layers for a Network: each layer in the tutorial form the registry gives its class (a Dense becomes
 * an FCLayer and an ActivationLayer, a Flatten a FlattenLayer, …); a layer without one stays as it is.
 */
export function tutorialLayers(plan: TopologyPlan, inputShape: Shape): KernelLayer[] {
  const shapes = chainShapes(plan.layers, inputShape);
  const out = plan.layers.flatMap((layer, i) => {
    const cls = kerasClassOf(layer);
    const tutorial = cls && tutorialClassOf(cls);
    return tutorial ? tutorial.fromKeras(layer, shapes[i]) : [layer];
  });
  for (const layer of out) layer.initializeWeights = false;
  return out;
}
