import { className } from '../layers/registry.js';
import { kerasShape } from '../layers/shape.js';
import type { Engine } from './engine.js';

const group = (n: number) => n.toLocaleString('en-US');

/** A Keras-style summary table: layer (type), output shape as Keras prints it ((None, 26, 26, 32)), parameter count, totals. */
export function summarize(name: string, engine: Engine): string {
  const width = 65;
  const lines = [
    `Model: "${name}"`,
    '_'.repeat(width),
    ` ${'Layer (type)'.padEnd(28)}${'Output Shape'.padEnd(26)}Param #`,
    '='.repeat(width),
  ];
  const first = engine.layers[0];
  const inputShape = first ? (first.declaredInputShape ?? (engine.built ? engine.inputShape : undefined)) : undefined;
  if (inputShape === undefined) {
    lines.push(' This model has not yet been built: give the first layer inputShape, or call fit/predict once.');
    return lines.join('\n');
  }
  const plan = engine.plan(inputShape);
  engine.layers.forEach((layer, i) => {
    const type = className(layer);
    const label = `${layer.name} (${type})`;
    lines.push(
      ` ${`${label} `.padEnd(28)}${`${kerasShape(plan.shapes[i].output)} `.padEnd(26)}${group(plan.shapes[i].params)}`,
    );
  });
  lines.push('='.repeat(width));
  lines.push(`Total params: ${group(plan.params)} (${formatBytes(plan.params * 4)})`);
  lines.push(`Trainable params: ${group(plan.params)} (${formatBytes(plan.params * 4)})`);
  lines.push('Non-trainable params: 0 (0.00 B)');
  lines.push('_'.repeat(width));
  return lines.join('\n');
}

function formatBytes(b: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i++;
  }
  return `${b.toFixed(2)} ${units[i]}`;
}
