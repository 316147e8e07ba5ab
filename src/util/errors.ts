/** Every error scratchnet raises on bad input starts with "scratchnet:" and says what was expected. */
export function fail(message: string): never {
  throw new Error(`scratchnet: ${message}`);
}

/** A value as an error message shows it: a string in quotes, so that '3' is not mistaken for 3. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The closest of `options` to `name`, if it is close enough to be a likely typo. */
export function suggest(name: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const option of options) {
    const d = distance(name.toLowerCase(), option.toLowerCase());
    if (d < bestDistance) { best = option; bestDistance = d; }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

/** Look `name` up in a registry of Keras names, accepting camelCase too; unknown names list the valid ones. */
export function resolveName<T>(kind: string, name: string, registry: Record<string, T>): T {
  const key = toSnakeCase(name);
  if (Object.prototype.hasOwnProperty.call(registry, key)) return registry[key];
  const names = Object.keys(registry);
  const hint = suggest(key, names);
  const plural = kind.endsWith('s') ? `${kind}es` : `${kind}s`;
  fail(`unknown ${kind} '${name}'.${hint ? ` Did you mean '${hint}'?` : ''} Valid ${plural}: ${names.map((n) => `'${n}'`).join(', ')}.`);
}

/** 'sparseCategoricalCrossentropy' → 'sparse_categorical_crossentropy'; snake_case passes through. */
export function toSnakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
