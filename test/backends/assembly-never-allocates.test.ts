// assembly/ never allocates: its kernels are functions over pointers into the arena, which TypeScript owns.
//
// Why it matters here: asconfig.json builds with AssemblyScript's `stub` runtime, a bump allocator that never frees.
// Its first block would start at __heap_base, which is exactly where the matmul scratch and then the arena begin
// (assembly/lib/scratch.ts), so any `new`, array or string built in a kernel would overwrite packed panels and weights
// in silence; and when the bump pointer passed the end of memory it would call memory.grow, which detaches every view
// TypeScript holds (only src/backends/wasm/arena.ts may grow the memory).
//
// The test reads the text format asc writes beside each build (build/*.wat, asconfig.json's textFile) and checks
// that no runtime function, allocator call, memory.grow, start function or mutable global is in it. A self-check
// compiles a small allocating module with the same runtime to show that the rules catch one.
import asc from 'assemblyscript/asc';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RELEASE_WASM_BASE64, decodeBase64 } from '../../src/backends/wasm/bytes.generated.js';
import { DEBUG_WASM_BASE64 } from '../../src/backends/wasm/debug-bytes.generated.js';
import { RELAXED_WASM_BASE64 } from '../../src/backends/wasm/relaxed-bytes.generated.js';

const root = new URL('../../', import.meta.url);
const config = JSON.parse(readFileSync(new URL('asconfig.json', root), 'utf8'));
const builds = { release: RELEASE_WASM_BASE64, debug: DEBUG_WASM_BASE64, relaxed: RELAXED_WASM_BASE64 };

/** Everything in a module's text that allocates or keeps state; empty for a module of pure kernels. `own`: the
 *  prefix of the module's own function names (asc names them by source file). */
function allocationsIn(wat: string, own = 'assembly/'): string[] {
  const problems: string[] = [];
  const functions = [...wat.matchAll(/^ \(func \$(\S+)/gm)].map((m) => m[1]);
  const strays = functions.filter((name) => !name.startsWith(own) && !name.startsWith('~lib/math/'));
  if (strays.length) problems.push(`functions from outside ${own} and ~lib/math/: ${strays.join(', ')}`);
  const allocator = wat.match(
    /\$\S*(~lib\/rt\/|__new|__alloc|__renew|__realloc|__free|__pin|__unpin|__collect|__link)\S*/g,
  );
  if (allocator) problems.push(`the runtime's allocator: ${[...new Set(allocator)].join(', ')}`);
  if (/\bmemory\.grow\b/.test(wat)) problems.push('memory.grow (only src/backends/wasm/arena.ts may grow the memory)');
  if (/^ \(start /m.test(wat))
    problems.push('a start function (code run at instantiation, such as the runtime setting up its heap)');
  // One mutable global is by design: each instance's scratch (assembly/lib/scratch.ts), set once by a pool worker.
  const mutable = [...wat.matchAll(/^ \(global \$(\S+) \(mut /gm)]
    .map((m) => m[1])
    .filter((name) => name !== 'assembly/lib/scratch/offset');
  if (mutable.length) problems.push(`mutable globals (state kept between calls): ${mutable.join(', ')}`);
  const imports = [...wat.matchAll(/^ \(import "(\w+)" "(\w+)"/gm)].map((m) => `${m[1]}.${m[2]}`);
  const foreign = imports.filter((name) => name !== 'env.memory' && name !== 'env.abort');
  if (foreign.length) problems.push(`imports other than env.memory and env.abort: ${foreign.join(', ')}`);
  return problems;
}

function readBuilt(path: string): Buffer {
  try {
    return readFileSync(new URL(path, root));
  } catch {
    throw new Error(`${path} is missing: run \`npm run build:wasm\` (npm test does it first)`);
  }
}

describe('assembly/ never allocates', () => {
  it('builds with the stub runtime, and writes the text format of every target', () => {
    expect(config.options.runtime).toBe('stub');
    for (const target of Object.keys(builds)) expect(config.targets[target].textFile, target).toMatch(/\.wat$/);
  });

  it.each(Object.keys(builds) as (keyof typeof builds)[])(
    '%s build: no allocator, memory.grow, start function or state',
    (target) => {
      const { outFile, textFile } = config.targets[target];
      // the text must belong to the module the package embeds: asc writes both in one run, build-wasm embeds the binary
      expect(
        readBuilt(outFile).equals(decodeBase64(builds[target])),
        `${outFile} is not the embedded build: rebuild`,
      ).toBe(true);
      const wat = readBuilt(textFile).toString('utf8');
      expect(wat).toMatch(/^ \(func \$assembly\/matmul\/matmul /m);
      expect(allocationsIn(wat)).toEqual([]);
    },
  );

  it('the rules catch a kernel that allocates, and pass one that does not (same runtime and options)', async () => {
    const options = { runtime: 'stub', importMemory: true, optimizeLevel: 3, noAssert: true, enable: ['simd'] };
    const compile = async (source: string) => {
      const { error, text } = await asc.compileString(source, options);
      if (error || !text) throw new Error(`asc: ${error?.message}`);
      return text;
    };
    const allocating = await compile(`export function sumSquares(x: usize, n: i32): f32 {
      const squares = new Array<f32>(n); let s: f32 = 0;
      for (let i = 0; i < n; i++) { const v = load<f32>(x + (<usize>i << 2)); squares[i] = v * v; s += squares[i]; }
      return s;
    }`);
    const problems = allocationsIn(allocating, 'input/').join('\n');
    expect(problems).toMatch(/__new/);
    expect(problems).toMatch(/memory\.grow/);
    expect(problems).toMatch(/start function/);
    expect(problems).toMatch(/mutable globals .*~lib\/rt\/stub\/offset/);
    const pure = await compile(`export function sumSquares(x: usize, n: i32): f32 {
      let s: f32 = 0;
      for (let i = 0; i < n; i++) { const v = load<f32>(x + (<usize>i << 2)); s += v * v; }
      return s;
    }`);
    expect(allocationsIn(pure, 'input/')).toEqual([]);
  });
});
