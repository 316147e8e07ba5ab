// Runs the README's code against the built package, so that the README cannot drift from the code
// (`npm run check:readme`, after `npm run build`; CI runs it).
//
// Every ```ts and ```js block is written to build/readme/ and, as marked (see scripts/readme-blocks.mjs):
//  - run in plain `node` (TypeScript blocks with their types stripped by esbuild), each in a fresh working directory,
//    importing 'scratchnet' by name: build/readme/ is inside this package, so the name resolves through package.json
//    "exports" to dist/, exactly what users install;
//  - or, for blocks that need a browser (a module Worker), only type-checked.
// Every ```ts block is also type-checked with `tsc --strict` against dist/*.d.ts.
//
// README_EPOCHS=n runs the blocks that load MNIST with `epochs: n` instead of what they say (CI uses 1: the Keras
// block trains 5 epochs on 60,000 images as written); any other block runs exactly as written.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { readmeBlocks } from './readme-blocks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build/readme');
const BLOCK_TIMEOUT_MS = 180_000;
const epochsOverride = process.env.README_EPOCHS;
if (epochsOverride !== undefined && !/^[1-9]\d*$/.test(epochsOverride)) {
  console.error(`check-readme: README_EPOCHS must be a positive integer, got '${epochsOverride}'`);
  process.exit(1);
}

const blocks = readmeBlocks(await readFile(join(root, 'README.md'), 'utf8'));
await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'types'), { recursive: true });

const baseName = (b) =>
  (b.fileName ?? `block-${String(b.index).padStart(2, '0')}.${b.lang}`).replace(/\.[cm]?[jt]s$/, '');
const where = (b) => `README.md:${b.line}`;

// Type-check every TypeScript block, each as its own module.
const tsBlocks = blocks.filter((b) => b.lang === 'ts');
for (const b of tsBlocks) await writeFile(join(out, 'types', `${baseName(b)}.ts`), `${b.code}export {};\n`);
await writeFile(
  join(out, 'types', 'tsconfig.json'),
  JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022', 'DOM'],
        types: ['node'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
      include: ['*.ts'],
    },
    null,
    2,
  ),
);
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(out, 'types')], {
  encoding: 'utf8',
});
const problems = [];
if (tsc.status !== 0) {
  // name the README line for each error
  const text = (tsc.stdout + tsc.stderr).replace(/([\w.-]+)\.ts\((\d+),(\d+)\)/g, (m, name, line) => {
    const b = tsBlocks.find((x) => baseName(x) === name.replace(/^.*[\\/]/, ''));
    return b ? `${where({ line: b.line + Number(line) })} (${m})` : m;
  });
  problems.push(`type errors in README blocks:\n${text}`);
}

/** Run one file in node with a fresh working directory; resolves with its exit code and output. */
function runNode(file) {
  return new Promise((resolve) => {
    mkdtemp(join(tmpdir(), 'scratchnet-readme-')).then((cwd) => {
      const child = spawn(process.execPath, [file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d) => {
        output += d;
      });
      child.stderr.on('data', (d) => {
        output += d;
      });
      const timer = setTimeout(() => {
        output += `\n(killed after ${BLOCK_TIMEOUT_MS / 1000} s)`;
        child.kill();
      }, BLOCK_TIMEOUT_MS);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        rm(cwd, { recursive: true, force: true }).then(() => resolve({ code: code ?? signal, output }));
      });
    });
  });
}

// Write the files (later blocks may import or start earlier ones), then run the runnable ones in order.
const runnable = [];
for (const b of blocks) {
  if (b.mode === 'skip' || b.mode === 'browser') continue;
  const overridden = Boolean(epochsOverride) && /loadMnist\(/.test(b.code);
  let code = overridden ? b.code.replace(/\bepochs: \d+/g, `epochs: ${epochsOverride}`) : b.code;
  if (b.lang === 'ts') code = (await transform(code, { loader: 'ts', format: 'esm', target: 'es2022' })).code;
  const file = join(out, `${baseName(b)}.mjs`);
  await writeFile(file, code);
  if (b.mode === 'run') runnable.push({ b, file, overridden });
}

const lastLine = (text) => text.trim().split('\n').at(-1) ?? '';
for (const { b, file, overridden } of runnable) {
  const t0 = Date.now();
  const { code, output } = await runNode(file);
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const note = overridden ? ` (epochs: ${epochsOverride}, from README_EPOCHS)` : '';
  if (code === 0) {
    console.log(`check-readme: ${where(b)} ran in ${seconds} s${note}: ${lastLine(output).slice(0, 100)}`);
  } else {
    problems.push(
      `${where(b)} failed (exit ${code}) after ${seconds} s${note}:\n${output.trim().split('\n').slice(-30).join('\n')}`,
    );
  }
}
for (const b of blocks.filter((x) => x.mode === 'browser'))
  console.log(`check-readme: ${where(b)} needs a browser: type-checked only`);

if (problems.length) {
  console.error(`check-readme: ${problems.length} problem(s):\n\n${problems.join('\n\n')}`);
  process.exit(1);
}
console.log(
  `check-readme: ${runnable.length} blocks ran in node, ${tsBlocks.length} TypeScript blocks type-check, ` +
    `${blocks.filter((x) => x.mode === 'skip').length} shell blocks not run`,
);
