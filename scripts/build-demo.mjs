// Builds the browser demo into build/demo/ (gitignored): examples/browser/main.ts → main.js and
// examples/browser/train.worker.ts → worker.js, bundled by esbuild with `scratchnet` resolved to the built package
// (dist/index.js, so run `npm run build` first), plus index.html (with the bundle's gzipped size filled in) and
// style.css. The MNIST subset comes from scripts/prepare-demo-data.mjs.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'examples/browser');
const out = join(root, 'build/demo');
const library = join(root, 'dist/index.js');

if (!(await stat(library).catch(() => null))) {
  console.error('build-demo: dist/index.js is missing; run `npm run build` first');
  process.exit(1);
}

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { main: join(src, 'main.ts'), worker: join(src, 'train.worker.ts') },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  // the package as users get it
  alias: { scratchnet: library },
});

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const bundleGz = gz(await readFile(library));
const html = (await readFile(join(src, 'index.html'), 'utf8')).replace('%BUNDLE_GZ%', (bundleGz / 1000).toFixed(0));
await writeFile(join(out, 'index.html'), html);
await copyFile(join(src, 'style.css'), join(out, 'style.css'));

const sizes = [];
for (const file of ['main.js', 'worker.js'])
  sizes.push(`${file} ${(gz(await readFile(join(out, file))) / 1000).toFixed(1)} KB gz`);
console.log(`build-demo: build/demo/ (${sizes.join(', ')}; dist/index.js ${(bundleGz / 1000).toFixed(1)} KB gz)`);
