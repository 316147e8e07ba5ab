import { describe, expect, it } from 'vitest';
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';

// What users install: package.json's scripts, and the declarations tsc makes of the generated wasm modules.
const root = new URL('../../', import.meta.url);

describe('the published package', () => {
  it('has no install-time script, while npm ci in the repository still builds (through preprepare)', async () => {
    const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8'));
    // npm runs (or, for tarballs and git, asks users to allow) these when the package is installed as a dependency
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare'])
      expect(pkg.scripts[script], script).toBeUndefined();
    // npm ci and npm install run preprepare only for the project itself; npm pack and publish run prepack
    expect(pkg.scripts.preprepare).toBe('npm run build');
    expect(pkg.scripts.prepack).toBe('npm run build');
  });

  it('every relative link in its markdown leads to a file it ships (in node_modules, not only in the repository)', async () => {
    const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { files: string[] };
    /** the files `files` names: whole folders, `folder/*.ext` and single files (the forms package.json uses) */
    const shipped = new Set<string>();
    const folders: string[] = [];
    for (const entry of pkg.files) {
      const star = /^(.*)\/\*(\.\w+)$/.exec(entry);
      if (star) {
        for (const f of await readdir(new URL(`${star[1]}/`, root)))
          if (f.endsWith(star[2])) shipped.add(`${star[1]}/${f}`);
      } else if (/\.\w+$/.test(entry)) shipped.add(entry);
      else folders.push(`${entry}/`);
    }
    expect(folders).toEqual(['dist/']);
    // the screenshots stay in the repository (the README says so where it shows them); npm's page shows neither
    const repositoryOnly = new Set(['docs/demo.png', 'docs/demo-phone.png']);
    const dead: string[] = [];
    for (const file of [...shipped].filter((f) => f.endsWith('.md'))) {
      const text = await readFile(new URL(file, root), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
        const path = normalize(join(dirname(file), target)).replaceAll('\\', '/');
        if (path.startsWith('dist/') || shipped.has(path) || repositoryOnly.has(path)) continue;
        dead.push(
          `${file} → ${target}${existsSync(new URL(path, root)) ? ' (in the repository, not in the package)' : ' (nowhere)'}`,
        );
      }
    }
    expect(dead).toEqual([]);
  });

  it('declares the embedded wasm as string, not as a string-literal type holding the base64', async () => {
    const dir = new URL('src/backends/wasm/', root);
    const generated = (await readdir(dir)).filter((f) => f.endsWith('.generated.ts'));
    expect(generated.sort()).toEqual(['bytes.generated.ts', 'debug-bytes.generated.ts', 'relaxed-bytes.generated.ts']);
    for (const file of generated) {
      const source = await readFile(new URL(file, dir), 'utf8');
      expect(source.length, file).toBeGreaterThan(30_000); // the base64 is there
      const { outputText } = ts.transpileDeclaration(source, {
        fileName: file,
        compilerOptions: { declaration: true },
      });
      expect(outputText, file).toMatch(/_WASM_BASE64: string;/);
      expect(outputText.length, file).toBeLessThan(1000);
    }
  });
});
