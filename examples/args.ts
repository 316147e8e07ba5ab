import type { BackendName } from 'scratchnet';

/** Read `--name value` flags of the examples (`--backend js|wasm`, `--epochs 5`, …). */
export function flag(name: string): string | undefined {
  const args = process.argv.slice(2);
  const at = args.indexOf(`--${name}`);
  if (at >= 0) return args[at + 1];
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

export function numberFlag(name: string, fallback: number): number {
  const v = flag(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${v}'`);
  return n;
}

export function backendFlag(): BackendName | undefined {
  const v = flag('backend');
  if (v === undefined) return undefined;
  if (v !== 'js' && v !== 'wasm') throw new Error(`--backend must be 'js' or 'wasm', got '${v}'`);
  return v;
}
