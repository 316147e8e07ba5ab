// loadModel from artifacts, at random: random models round-trip bit for bit (both APIs); random damage to a model's
// topology, manifest or bytes is refused with a scratchnet error and leaves the arena as it was — or, if the damage
// happens to leave a loadable model, it loads and predicts sound numbers of the right shape.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Activation,
  ActivationLayer,
  Dense,
  Dropout,
  FCLayer,
  Network,
  Sequential,
  activations,
  memory,
  type ActivationName,
} from '../../src/index.js';
import { loadModel } from '../../src/io/load-model.js';
import { memoryHandler } from '../../src/io/memory-handler.js';
import type { ModelArtifacts } from '../../src/io/types.js';
import {
  asyncResultOrScratchnetError,
  dataValue,
  expectAllFinite,
  junk,
  reportCases,
  resultOrScratchnetError,
  runAsyncProperty,
} from './harness.js';

reportCases('load-model');

const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'leaky_relu'] as const;
const model = fc.record({
  inputs: fc.integer({ min: 1, max: 7 }),
  layers: fc.array(
    fc.oneof(
      fc.record({
        type: fc.constant('dense'),
        units: fc.integer({ min: 1, max: 7 }),
        activation: fc.constantFrom(...ACTIVATIONS),
        useBias: fc.boolean(),
        alpha: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      fc.record({ type: fc.constant('dropout'), rate: fc.double({ min: 0, max: 0.9, noNaN: true }) }),
      fc.record({
        type: fc.constant('activation'),
        activation: fc.constantFrom(...ACTIVATIONS),
        alpha: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
    ),
    { minLength: 1, maxLength: 4 },
  ),
  backend: fc.constantFrom('wasm' as const, 'js' as const),
  seed: fc.integer({ min: 0, max: 10_000 }),
});
type ModelSpec = typeof model extends fc.Arbitrary<infer T> ? T : never;

function build(m: ModelSpec): Sequential {
  const act = (name: string, alpha: number) =>
    name === 'leaky_relu' ? activations.leakyRelu(alpha) : (name as ActivationName);
  const seq = new Sequential(
    m.layers.map((l, i) => {
      if (l.type === 'dense')
        return new Dense(l.units as number, {
          activation: act(l.activation as string, l.alpha as number),
          useBias: l.useBias as boolean,
          ...(i === 0 ? { inputShape: [m.inputs] } : {}),
        });
      if (l.type === 'dropout') return new Dropout(l.rate as number);
      return new Activation(act(l.activation as string, l.alpha as number));
    }),
    { seed: m.seed, backend: m.backend },
  );
  seq.build(m.inputs);
  return seq;
}

async function artifactsOf(m: Sequential | Network): Promise<ModelArtifacts> {
  const h = memoryHandler();
  await m.save(h);
  return h.artifacts!;
}

const rowsFor = (width: number) =>
  Array.from({ length: 3 }, (_, r) => Array.from({ length: width }, (_, c) => Math.sin(r * 3 + c)));

describe('random models', () => {
  it('Sequential: save → load gives bit-identical weights and predictions', async () => {
    await runAsyncProperty(
      'Sequential save → load',
      fc.asyncProperty(model, async (m) => {
        const a = build(m);
        const b = await loadModel(await artifactsOf(a), { backend: m.backend });
        expect(b.getWeights()).toEqual(a.getWeights());
        const x = rowsFor(m.inputs);
        expect(b.predict(x)).toEqual(a.predict(x));
        a.dispose();
        b.dispose();
      }),
      80,
    );
  });

  it('Network: save → Network.load gives bit-identical weights and predictions', async () => {
    const net = fc.record({
      sizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 4 }),
      activations: fc.array(fc.constantFrom('relu', 'tanh', 'sigmoid', 'linear'), { minLength: 3, maxLength: 3 }),
      backend: fc.constantFrom('wasm' as const, 'js' as const),
      seed: fc.integer({ min: 0, max: 1000 }),
    });
    await runAsyncProperty(
      'Network save → load',
      fc.asyncProperty(net, async (s) => {
        const a = new Network({ seed: s.seed, backend: s.backend });
        for (let i = 0; i + 1 < s.sizes.length; i++) {
          a.add(new FCLayer(s.sizes[i], s.sizes[i + 1]));
          a.add(new ActivationLayer(s.activations[i]));
        }
        a.use('mse');
        const x = rowsFor(s.sizes[0]);
        a.predict(x);
        const b = await Network.load(await artifactsOf(a), { backend: s.backend });
        expect(b.getWeights()).toEqual(a.getWeights());
        expect(b.predict(x)).toEqual(a.predict(x));
        a.dispose();
        b.dispose();
      }),
      60,
    );
  });
});

describe('random damage', () => {
  type Damage = (a: ModelArtifacts, pick: number, value: unknown) => ModelArtifacts;
  /** every place in a JSON value, as a path */
  function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    out.push(at);
    if (v && typeof v === 'object')
      for (const [k, c] of Object.entries(v)) paths(c, [...at, Array.isArray(v) ? Number(k) : k], out);
    return out;
  }
  function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
    if (path.length === 0) return value;
    const copy = structuredClone(root) as Record<string | number, unknown>;
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[path[path.length - 1]] = value;
    return copy;
  }
  const damages: Record<string, Damage> = {
    topology: (a, pick, value) => {
      const all = paths(a.modelTopology);
      return { ...a, modelTopology: setAt(a.modelTopology, all[pick % all.length], value) };
    },
    manifest: (a, pick, value) => {
      const all = paths(a.weightSpecs);
      return { ...a, weightSpecs: setAt(a.weightSpecs, all[pick % all.length], value) as never };
    },
    truncate: (a, pick) => {
      const b = new Uint8Array(a.weightData as ArrayBuffer);
      return { ...a, weightData: b.slice(0, pick % Math.max(1, b.length)).buffer };
    },
    extend: (a, pick) => {
      const b = new Uint8Array(a.weightData as ArrayBuffer);
      const c = new Uint8Array(b.length + 1 + (pick % 9));
      c.set(b);
      return { ...a, weightData: c.buffer };
    },
    flipByte: (a, pick, value) => {
      const b = new Uint8Array(a.weightData as ArrayBuffer).slice();
      if (b.length) b[pick % b.length] = Number(value) & 255;
      return { ...a, weightData: b.buffer };
    },
    special: (a, pick, value) => {
      const bytes = a.weightData as ArrayBuffer;
      if (!(bytes instanceof ArrayBuffer) || bytes.byteLength % 4 !== 0) return a;
      const f = new Float32Array(bytes.slice(0));
      if (f.length) f[pick % f.length] = typeof value === 'number' ? value : NaN;
      return { ...a, weightData: f.buffer };
    },
    dropSpec: (a, pick) => ({ ...a, weightSpecs: a.weightSpecs!.filter((_, i) => i !== pick % a.weightSpecs!.length) }),
    shards: (a, pick) => {
      const b = new Uint8Array(a.weightData as ArrayBuffer);
      const cut = pick % (b.length + 1);
      return { ...a, weightData: [b.slice(0, cut).buffer, b.slice(cut).buffer] };
    },
  };
  const damage = fc.record({
    kind: fc.constantFrom(...Object.keys(damages)),
    pick: fc.nat({ max: 10_000 }),
    value: fc.oneof(
      junk,
      dataValue,
      fc.constantFrom('Conv2D', 'float16', 'int32', 'swish', 'dense', -1, 2 ** 31, [2 ** 31, 2 ** 31], [1, 1, 1]),
      fc.integer({ min: 0, max: 300 }),
    ),
  });

  let baseline: Record<'wasm' | 'js', number>;
  beforeAll(() => {
    baseline = { wasm: memory('wasm').bytesInUse, js: memory('js').bytesInUse };
  });

  it('is refused with a scratchnet error and nothing allocated, or loads a sound model', async () => {
    await runAsyncProperty(
      'loadModel of damaged artifacts',
      fc.asyncProperty(model, fc.array(damage, { minLength: 1, maxLength: 2 }), async (m, ds) => {
        const original = build(m);
        let artifacts = await artifactsOf(original);
        original.dispose();
        for (const d of ds) {
          try {
            artifacts = damages[d.kind](artifacts, d.pick, d.value);
          } catch {
            // this damage does not apply to what an earlier one left (e.g. no list to drop from)
          }
        }
        const before = memory(m.backend).bytesInUse;
        await asyncResultOrScratchnetError(
          () => loadModel(artifacts, { backend: m.backend }),
          (loaded) => {
            const width = loaded.internals.engine.inputSize;
            try {
              // Damaged weights may be finite but huge: then predict refuses the overflow, which is right too.
              resultOrScratchnetError(
                () => loaded.predict(rowsFor(width)),
                (out) => {
                  expect(out).toHaveLength(3);
                  for (const row of out) {
                    expect(row).toHaveLength(loaded.internals.engine.outputSize);
                    expectAllFinite(row, 'prediction');
                  }
                },
              );
            } finally {
              loaded.dispose();
            }
          },
        );
        expect(memory(m.backend).bytesInUse).toBe(before);
      }),
      400,
    );
    expect(memory('wasm').bytesInUse).toBe(baseline.wasm);
    expect(memory('js').bytesInUse).toBe(baseline.js);
  });
});
