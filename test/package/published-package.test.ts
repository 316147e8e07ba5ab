import { describe, expect, it } from 'vitest';
import { readFile, readdir } from 'node:fs/promises';
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
