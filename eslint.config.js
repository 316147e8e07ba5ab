// ESLint for the TypeScript and scripts of the repository. assembly/ is AssemblyScript (decorators on functions,
// its own types): asc and `tsc -p assembly` check it, not ESLint.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'coverage/', 'node_modules/', 'assembly/', 'scratch-tmp/', '**/*.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        WebAssembly: 'readonly',
        Buffer: 'readonly',
        globalThis: 'readonly',
        structuredClone: 'readonly',
        fetch: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
        AbortController: 'readonly',
        atob: 'readonly',
        btoa: 'readonly',
      },
    },
    rules: {
      // unused names are errors, but a leading underscore says "deliberately unused" (interface-shaped parameters)
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // The inverse normal CDF's coefficients are the published ones (Wichura's AS 241), digits beyond float64 included.
    files: ['src/backends/js/random.ts', 'src/backends/kernels.ts'],
    rules: { 'no-loss-of-precision': 'off' },
  },
  {
    // Tests reach into browser pages and worker messages, where values arrive untyped.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
