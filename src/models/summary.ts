import { className } from '../layers/registry.js';
import { kerasShape } from '../layers/shape.js';
import type { Engine } from './engine.js';

const group = (n: number) => n.toLocaleString('en-US');

/** Keras's column widths (line length 65), which a column grows past when a cell needs more. */
const MIN_WIDTHS = [28, 26, 10];
const MIN_LINE = 65;

/** Cells in columns as wide as their longest cell (at least Keras's widths), with a space after each but the last. */
function tableOf(rows: string[][]): { lines: string[]; width: number } {
  const widths = MIN_WIDTHS.map((min, c) =>
    Math.max(min, ...rows.map((row) => (c < row.length - 1 ? row[c].length + 1 : row[c].length))),
  );
  const lines = rows.map(
    (row) => ` ${row.map((cell, c) => (c < row.length - 1 ? cell.padEnd(widths[c]) : cell)).join('')}`,
  );
  return { lines, width: Math.max(MIN_LINE, 1 + widths.reduce((a, b) => a + b, 0)) };
}

/**
 * A Keras-style summary table: layer (type), output shape as Keras prints it ((None, 26, 26, 32)), parameter count,
 * totals. Long layer names widen their column (and the rules) rather than run into the next, as Keras's tables do.
 */
export function summarize(name: string, engine: Engine): string {
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  const first = engine.layers[0];
  const inputShape = first ? (first.declaredInputShape ?? (engine.built ? engine.inputShape : undefined)) : undefined;
  if (inputShape === undefined) {
    const { lines, width } = tableOf([header]);
    return [
      `Model: "${name}"`,
      '_'.repeat(width),
      ...lines,
      '='.repeat(width),
      ' This model has not yet been built: give the first layer inputShape, or call fit/predict once.',
    ].join('\n');
  }
  const plan = engine.plan(inputShape);
  const rows = engine.layers.map((layer, i) => [
    `${layer.name} (${className(layer)})`,
    kerasShape(plan.shapes[i].output),
    group(plan.shapes[i].params),
  ]);
  const { lines, width } = tableOf([header, ...rows]);
  return [
    `Model: "${name}"`,
    '_'.repeat(width),
    lines[0],
    '='.repeat(width),
    ...lines.slice(1),
    '='.repeat(width),
    `Total params: ${group(plan.params)} (${formatBytes(plan.params * 4)})`,
    `Trainable params: ${group(plan.params)} (${formatBytes(plan.params * 4)})`,
    'Non-trainable params: 0 (0.00 B)',
    '_'.repeat(width),
  ].join('\n');
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
