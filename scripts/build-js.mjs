// Bundles the library into dist/ as ES modules with esbuild: dist/index.js (browsers and Node; the wasm bytes are
// inlined, so nothing else is fetched at run time) and dist/node.js (the Node-only helpers).
// Types come from `tsc -p tsconfig.build.json` (npm run build:types).
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, legalComments: 'none', logLevel: 'warning' };
await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', platform: 'neutral', minify: true });
// The Node entry holds only the file loaders and the IDX parsing they need (a few KiB).
await build({ ...common, entryPoints: ['src/node.ts'], outfile: 'dist/node.js', platform: 'node' });
// The opt-in relaxed-SIMD kernels, with their own bytes: a backend object to pass as a model's `backend` option.
await build({ ...common, entryPoints: ['src/relaxed.ts'], outfile: 'dist/relaxed.js', platform: 'neutral', minify: true });

const main = await readFile('dist/index.js');
console.log(`build-js: dist/index.js ${(main.length / 1024).toFixed(1)} KiB (${(gzipSync(main).length / 1024).toFixed(1)} KiB gzipped), dist/node.js`);
