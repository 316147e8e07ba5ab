// Bundles the library into dist/ as ES modules with esbuild: dist/index.js (browsers and Node; the wasm bytes are
// inlined, so nothing else is fetched at run time), dist/node.js (the Node-only helpers) and dist/relaxed.js.
// Types come from `tsc -p tsconfig.build.json` (npm run build:types).
//
// dist/ is readable, not minified: Node prints the source line of the frame that throws before an uncaught error's
// message, and a minified bundle's line 1 is the whole library (an error filled the terminal with 128 KB of code).
// Users' bundlers minify for their pages. What a page downloads after minification is measured on
// build/index.min.js, built here from the same entry, and `npm run check:exports` holds it to the size budget.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
};
await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', platform: 'neutral' });
// The Node entry holds only the file loaders and the IDX parsing they need (a few KiB).
await build({ ...common, entryPoints: ['src/node.ts'], outfile: 'dist/node.js', platform: 'node' });
// The opt-in relaxed-SIMD kernels, with their own bytes: a backend object to pass as a model's `backend` option.
await build({ ...common, entryPoints: ['src/relaxed.ts'], outfile: 'dist/relaxed.js', platform: 'neutral' });
// Not published: the main entry as a minifying bundler would serve it, for the size budget.
await build({
  ...common,
  sourcemap: false,
  entryPoints: ['src/index.ts'],
  outfile: 'build/index.min.js',
  platform: 'neutral',
  minify: true,
});

// sizes in KB (1,000 bytes) and gzip level 9, as check-exports.mjs and the README give them
const kb = (bytes) => (bytes.length / 1000).toFixed(1);
const gz = (bytes) => gzipSync(bytes, { level: 9 });
const main = await readFile('dist/index.js');
const min = await readFile('build/index.min.js');
console.log(
  `build-js: dist/index.js ${kb(main)} KB (${kb(gz(main))} KB gzipped; minified ${kb(min)} KB, ` +
    `${kb(gz(min))} KB gzipped), dist/node.js, dist/relaxed.js`,
);
