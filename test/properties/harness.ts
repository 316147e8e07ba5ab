// Running properties with fast-check: a seed from FC_SEED or the clock, printed with the replay command on failure;
// the number of cases that ran, counted per file and printed at the end.
import fc from 'fast-check';
import { afterAll, expect } from 'vitest';

const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : Date.now() % 2 ** 31;
const counts = new Map<string, number>();

/** Print the cases that ran in this file (call once at the top of a test file). */
export function reportCases(file: string): void {
  afterAll(() => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(
      `${file}: ${total} property cases ran (seed ${SEED}): ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
  });
}

function check(name: string, out: fc.RunDetails<unknown>): void {
  counts.set(name, (counts.get(name) ?? 0) + out.numRuns);
  if (out.failed) {
    const cause = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    throw new Error(
      `property '${name}' failed. Replay with FC_SEED=${out.seed} (path ${JSON.stringify(out.counterexamplePath)}).\n` +
        `${fc.defaultReportMessage(out)}\nError: ${cause}`,
      { cause: out.errorInstance },
    );
  }
}

export function runProperty<T extends unknown[]>(name: string, property: fc.IProperty<T>, numRuns: number): void {
  check(name, fc.check(property, { seed: SEED, numRuns }) as fc.RunDetails<unknown>);
}

export async function runAsyncProperty<T extends unknown[]>(
  name: string,
  property: fc.IAsyncProperty<T>,
  numRuns: number,
): Promise<void> {
  check(name, (await fc.check(property, { seed: SEED, numRuns })) as fc.RunDetails<unknown>);
}

/**
 * The contract of every public entry point: it returns (and then `verify` checks the result) or it throws an Error
 * whose message starts with 'scratchnet:'. A TypeError, a RangeError or a wasm trap is a bug.
 */
export function resultOrScratchnetError<R>(run: () => R, verify: (result: R) => void): void {
  let result: R;
  try {
    result = run();
  } catch (e) {
    expectScratchnetError(e);
    return;
  }
  verify(result);
}

export async function asyncResultOrScratchnetError<R>(
  run: () => Promise<R>,
  verify: (result: R) => void | Promise<void>,
): Promise<void> {
  let result: R;
  try {
    result = await run();
  } catch (e) {
    expectScratchnetError(e);
    return;
  }
  await verify(result);
}

export function expectScratchnetError(e: unknown): void {
  if (!(e instanceof Error) || !e.message.startsWith('scratchnet: ')) {
    throw new Error(
      `expected a result or a 'scratchnet:' error, got ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`,
    );
  }
}

/** Every value finite, else say where. */
export function expectAllFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) expect.fail(`${what}[${i}] is ${values[i]}`);
}

// ---- arbitraries shared by the property files ------------------------------------------------------------------

/**
 * Values that are not what anything expects. No Symbols or BigInts: interpolating a Symbol, or JSON.stringify of a
 * BigInt, in an error message throws a TypeError before the scratchnet error can be raised (see the report).
 */
export const junk = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.string({ maxLength: 6 }),
  fc.double(),
  fc.integer({ min: -3, max: 20 }),
  fc.constant({}),
  fc.constant([]),
  fc.array(fc.double(), { maxLength: 3 }),
  fc.constant(() => 1),
);

/** Numbers from the ordinary to the edges of float32 and float64. */
export const anyNumber = fc.oneof(
  fc.integer({ min: -3, max: 12 }),
  fc.double({ min: -4, max: 4, noNaN: true }),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    1e-45,
    3.4e38,
    -3.4e38,
    1e39,
    1e308,
    Number.MAX_SAFE_INTEGER,
    2 ** 32,
    NaN,
    Infinity,
    -Infinity,
  ),
);

/** Mostly moderate numbers (the sort a model sees), sometimes huge, tiny or non-finite. */
export const dataValue = fc.oneof(
  { weight: 20, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 3.4e38, -1e30, 1e-40) },
);
