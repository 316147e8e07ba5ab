import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

// Built-in names are literal unions (with the custom objects each option also takes), so that a misspelled name fails
// `tsc --strict`. The fixture marks each misspelling with @ts-expect-error: were a name typed as plain `string`
// again, that marker would go unused, which is itself a compile error.
it('misspelled loss, optimizer, activation, initializer and metric names fail tsc --strict; custom objects pass', () => {
  const file = fileURLToPath(new URL('./option-names.fixture.ts', import.meta.url));
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: ['node'],
  });
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) =>
        `${d.file ? `${d.file.fileName.split('/').slice(-2).join('/')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
  expect(diagnostics).toEqual([]);
}, 60_000);
