// What `npm run typecheck` needs before tsc can run on a fresh clone, made only if it is missing:
//   src/backends/wasm/*.generated.ts  the embedded wasm bytes (npm run build:wasm)
//   dist/*.d.ts                       the package's types, which examples/ and bench/ import as 'scratchnet'
//                                     (npm run build:types)
// Existence is enough: the generated modules' types do not depend on the bytes. dist/ types are as fresh as the last
// build, as they are for a user of the package; `npm run build` refreshes them.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const missing = (paths) => paths.some((path) => !existsSync(join(root, path)));
const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });

if (missing(['bytes', 'debug-bytes', 'relaxed-bytes'].map((name) => `src/backends/wasm/${name}.generated.ts`))) {
  run(['scripts/build-wasm.mjs']);
}
if (missing(['index', 'node', 'relaxed'].map((name) => `dist/${name}.d.ts`))) {
  run([createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
}
