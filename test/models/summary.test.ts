import { describe, expect, it } from 'vitest';
import { Conv2D, Dense, Flatten, Sequential } from '../../src/index.js';

// summary()'s table: Keras's 65-character layout while every cell fits, wider columns (and rules) when one does not.

function linesOf(model: Sequential): string[] {
  const lines: string[] = [];
  model.summary((line) => {
    lines.push(line);
  });
  return lines;
}

/** Where each column starts in a table line: the offsets of the header's titles. */
function columnStarts(header: string): number[] {
  return ['Layer (type)', 'Output Shape', 'Param #'].map((title) => header.indexOf(title));
}

describe('summary()', () => {
  it("keeps Keras's 65-character layout when every cell fits", () => {
    const model = new Sequential([new Dense(3, { inputShape: [2] }), new Dense(1)], { backend: 'js' });
    const lines = linesOf(model);
    expect(lines[1]).toBe('_'.repeat(65));
    expect(lines[2]).toBe(' Layer (type)                Output Shape              Param #');
    expect(lines[4]).toBe(' dense (Dense)               (None, 3)                 9');
    expect(lines.at(-1)).toBe('_'.repeat(65));
    model.dispose();
  });

  it('widens a column to its longest cell, so a long layer name never runs into the output shape', () => {
    const long = 'first_convolution_of_the_encoder_block';
    const model = new Sequential(
      [
        new Conv2D(4, 3, { inputShape: [6, 6, 1], name: long }),
        new Flatten({ name: 'flatten_the_feature_maps_before_the_head' }),
        new Dense(2, { name: 'head' }),
      ],
      { backend: 'js' },
    );
    const lines = linesOf(model);
    const [, shapeAt, paramAt] = columnStarts(lines[2]);
    const rows = lines.slice(4, 7);
    const label = `${long} (Conv2D)`;
    expect(rows[0].startsWith(` ${label} `)).toBe(true);
    // every row's cells start under their titles, with at least one space before each
    expect(shapeAt).toBe(' flatten_the_feature_maps_before_the_head (Flatten)'.length + 1);
    for (const [row, shape, params] of [
      [rows[0], '(None, 4, 4, 4)', '40'],
      [rows[1], '(None, 64)', '0'],
      [rows[2], '(None, 2)', '130'],
    ]) {
      expect(row.slice(shapeAt, shapeAt + shape.length)).toBe(shape);
      expect(row[shapeAt - 1]).toBe(' ');
      expect(row.slice(paramAt)).toBe(params);
    }
    // the rules span the widened table: one length, past 65, no row longer
    const rules = [1, 3, 7, lines.length - 1].map((i) => lines[i]);
    for (const rule of rules) expect(rule).toMatch(/^(_+|=+)$/);
    const width = rules[0].length;
    expect(rules.map((r) => r.length)).toEqual([width, width, width, width]);
    expect(width).toBeGreaterThan(65);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(width);
    model.dispose();
  });

  it('still says when the model is not built, under a header of the same layout', () => {
    const model = new Sequential([new Dense(3)], { backend: 'js' });
    const lines = linesOf(model);
    expect(lines[2]).toBe(' Layer (type)                Output Shape              Param #');
    expect(lines.at(-1)).toMatch(/has not yet been built/);
    model.dispose();
  });
});
