/** Rows of the comparison, and the table, JSON and markdown made from them. */
import os from 'node:os';
import { SUBJECT_LABELS, getTimer, median, type Measurements, type SubjectId } from './harness.js';

export const COLUMNS: SubjectId[] = ['snWasm', 'snWasmN', 'snJs', 'ceiling', 'tfWasm', 'tfCpu', 'numpy'];

export interface Row {
  section: string;
  name: string;
  unit: string;
  /** false for latencies and memory: smaller is better, and ratios are inverted so that > 1 still means faster */
  higherIsBetter: boolean;
  /** ratios make sense (a speed); false for accuracy and memory rows */
  comparable: boolean;
  values: Partial<Record<SubjectId, number>>;
  /** the same values by the other clock (see harness.ts `Timer`), where measured */
  otherClock?: Partial<Record<SubjectId, number>>;
  /** why a subject has no value: 'skipped: …' or 'failed: …' */
  missing: Partial<Record<SubjectId, string>>;
  notes: string[];
  /** the raw measurements (rates per round, reps, how each subject ran) for results.json */
  raw?: Measurements;
}

/**
 * A row from measurements: `toValue` turns a rate (work per second) into the number shown
 * (e.g. FLOP/s → GFLOP/s, calls/s → µs per call).
 */
export function rowFrom(
  section: string,
  name: string,
  unit: string,
  m: Measurements,
  toValue: (rate: number) => number,
  options: { higherIsBetter?: boolean; notes?: string[] } = {},
): Row {
  const row: Row = {
    section,
    name,
    unit,
    higherIsBetter: options.higherIsBetter ?? true,
    comparable: true,
    values: {},
    otherClock: {},
    missing: {},
    notes: [...(options.notes ?? [])],
    raw: m,
  };
  for (const id of COLUMNS) {
    const r = m[id];
    if (!r) continue;
    if (r.rate !== undefined) row.values[id] = toValue(r.rate);
    const other = getTimer() === 'cpu' ? r.wallRate : r.cpuRate;
    if (other !== undefined) row.otherClock![id] = toValue(other);
    else if (r.error) row.missing[id] = `failed: ${r.error}`;
    else if (r.skipped) row.missing[id] = `skipped: ${r.skipped}`;
    if (r.note) row.notes.push(`${SUBJECT_LABELS[id]}: ${r.note}`);
  }
  return row;
}

/** How many times faster `a` is than `b` for this row (> 1: a is faster), or undefined. */
export function speedup(row: Row, a: SubjectId, b: SubjectId, values = row.values): number | undefined {
  const va = values[a];
  const vb = values[b];
  if (!row.comparable || va === undefined || vb === undefined || va <= 0 || vb <= 0) return undefined;
  return (values === row.values ? pairedSpeedup(row, a, b) : undefined) ?? (row.higherIsBetter ? va / vb : vb / va);
}

/**
 * The median over rounds of a's rate ÷ b's rate in the same round. The harness takes one sample of every subject per
 * round, so the two samples of a round are side by side in time, and a change of the machine's speed from one round
 * to the next (our VMs drift by 15% and more within a minute) falls on both. The ratio of the two medians does not
 * cancel it: in one run the one-thread rate of a row that never splits rose from 8.0 to 8.6 K samples/s over its
 * three rounds, and the N-thread rates, 0.97×, 0.88× and 0.99× the one-thread rates of the same rounds, gave a ratio
 * of medians of 0.90×. Undefined where a subject lacks per-round rates (rows made outside the harness).
 */
function pairedSpeedup(row: Row, a: SubjectId, b: SubjectId): number | undefined {
  const ra = row.raw?.[a]?.rates;
  const rb = row.raw?.[b]?.rates;
  if (!ra || !rb || ra.length === 0 || ra.length !== rb.length) return undefined;
  return median(ra.map((rate, i) => rate / rb[i]));
}

export const RATIOS: { label: string; a: SubjectId; b: SubjectId }[] = [
  { label: 'N thr÷1', a: 'snWasmN', b: 'snWasm' },
  { label: 'wasm÷JS', a: 'snWasm', b: 'snJs' },
  { label: 'wasm÷ceiling', a: 'snWasm', b: 'ceiling' },
  { label: 'wasm÷TFw', a: 'snWasm', b: 'tfWasm' },
  { label: 'JS÷TFw', a: 'snJs', b: 'tfWasm' },
  { label: 'TFc÷TFw', a: 'tfCpu', b: 'tfWasm' },
];

export function fmtNumber(v: number | undefined): string {
  if (v === undefined) return '';
  const abs = Math.abs(v);
  if (abs >= 1e5) return Math.round(v).toLocaleString('en-US');
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 10) return v.toFixed(1);
  if (abs >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

function fmtRatio(v: number | undefined): string {
  if (v === undefined) return '';
  return `${v >= 10 ? v.toFixed(1) : v.toFixed(2)}×`;
}

function cell(row: Row, id: SubjectId): string {
  const v = row.values[id];
  if (v !== undefined) return fmtNumber(v);
  const why = row.missing[id];
  if (!why) return '';
  return why.startsWith('failed') ? 'failed' : '—';
}

/** read when a table is made: the N-threads label is set by the run (harness.ts useThreads) */
const headers = () => ['', 'unit', ...COLUMNS.map((c) => SUBJECT_LABELS[c]), ...RATIOS.map((r) => r.label)];

function cells(row: Row): string[] {
  return [
    row.name,
    row.unit,
    ...COLUMNS.map((c) => cell(row, c)),
    ...RATIOS.map((r) => fmtRatio(speedup(row, r.a, r.b))),
  ];
}

/** The plain-text table for the terminal, grouped by section. */
export function textTable(rows: Row[]): string {
  const HEADERS = headers();
  const table = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...table.map((r) => [...r[i]].length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out: string[] = [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  ')];
  let section = '';
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      out.push(`[${section}]`);
    }
    out.push(line(cells(row)));
  }
  return out.join('\n');
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  v8: string;
  platform: string;
  date: string;
  loadAverageStart: number[];
  loadAverageEnd?: number[];
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    loadAverageStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
}

/** one line naming the machine, for the bench scripts that print a table of their own */
export function machineLine(): string {
  const m = machine();
  return `${m.cpu}, ${m.cores} cores, load ${m.loadAverageStart[0].toFixed(1)}, Node ${m.node}`;
}

const esc = (s: string) => s.replace(/\|/g, '\\|');

export interface ReportContext {
  machine: Machine;
  quick: boolean;
  command: string;
  seconds: number;
  tfjs: {
    version?: string;
    backends: string[];
    errors: Record<string, string>;
    wasmFlags?: { simd: boolean; threads: boolean };
  };
  numpy?: string;
  method: string[];
  skipped: string[];
  /** markdown lines placed before the tables (the targets check) */
  lead?: string[];
}

export function markdown(rows: Row[], c: ReportContext): string {
  const m = c.machine;
  const out: string[] = [];
  out.push('# scratchnet benchmark results', '');
  out.push(
    `\`${c.command}\`${c.quick ? ' (quick run: shorter measurements, smaller data)' : ''}, ${m.date.slice(0, 10)}, ${c.seconds.toFixed(0)} s.`,
    '',
  );
  out.push('| machine | |', '|---|---|');
  out.push(
    `| CPU | ${m.cpu} |`,
    `| cores | ${m.cores} |`,
    `| memory | ${m.memoryGiB} GiB |`,
    `| Node | ${m.node} (V8 ${m.v8}) |`,
  );
  out.push(`| platform | ${m.platform} |`, `| date | ${m.date} |`);
  out.push(
    `| load average (1, 5, 15 min) at start / end | ${m.loadAverageStart.join(', ')} / ${m.loadAverageEnd?.join(', ') ?? '?'} |`,
  );
  const tfText = c.tfjs.version
    ? `${c.tfjs.version}; backends ${c.tfjs.backends.join(', ') || 'none'}${c.tfjs.wasmFlags ? ` (wasm: SIMD ${c.tfjs.wasmFlags.simd ? 'on' : 'off'}, threads ${c.tfjs.wasmFlags.threads ? 'on' : 'off'})` : ''}`
    : 'not loaded';
  out.push(`| TensorFlow.js | ${esc(tfText)} |`);
  for (const [k, v] of Object.entries(c.tfjs.errors)) out.push(`| TF.js ${k} error | ${esc(v)} |`);
  out.push(`| numpy | ${esc(c.numpy ?? 'not run')} |`, '');
  out.push(
    'Ratios are speed-ups: > 1 means the first is faster (for latencies the ratio is inverted, so this still holds). ' +
      "`wasm` and `JS` are scratchnet's two backends, `TFw` and `TFc` TensorFlow.js's wasm and cpu backends. " +
      "`ceiling` is the performance issue's plain packed SIMD128 sgemm (bench/ceiling/sgemm.ts) compiled and timed in the same run. " +
      '— means skipped for this row (see the notes).',
    '',
  );
  if (c.lead) out.push(...c.lead);
  // One table per section, with only the columns that section uses.
  const sections = [...new Set(rows.map((r) => r.section))];
  for (const section of sections) {
    const own = rows.filter((r) => r.section === section);
    const subjects = COLUMNS.filter((c) => own.some((r) => r.values[c] !== undefined || r.missing[c] !== undefined));
    const ratios = RATIOS.filter((q) => own.some((r) => speedup(r, q.a, q.b) !== undefined));
    const headers = ['', 'unit', ...subjects.map((c) => SUBJECT_LABELS[c]), ...ratios.map((q) => q.label)];
    out.push('', `## ${section}`, '');
    out.push(`| ${headers.map(esc).join(' | ')} |`);
    out.push(`|${headers.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`);
    for (const row of own) {
      const line = [
        row.name,
        row.unit,
        ...subjects.map((c) => cell(row, c)),
        ...ratios.map((q) => fmtRatio(speedup(row, q.a, q.b))),
      ];
      out.push(`| ${line.map(esc).join(' | ')} |`);
    }
  }
  const other = getTimer() === 'cpu' ? 'wall' : 'cpu';
  const withOther = rows.filter((r) => r.comparable && r.otherClock && Object.keys(r.otherClock).length > 1);
  if (withOther.length) {
    out.push('', `## The same ratios by the ${other} clock`, '');
    out.push(
      `The table above uses the ${getTimer()} clock. Where the ratios below differ much from it, other processes ` +
        'disturbed the run (see the load average); the CPU clock leaves out the time they took.',
      '',
    );
    out.push(`| | ${RATIOS.map((q) => q.label).join(' | ')} |`, `|---|${RATIOS.map(() => '---:').join('|')}|`);
    for (const row of withOther) {
      out.push(
        `| ${esc(row.name)} | ${RATIOS.map((q) => fmtRatio(speedup(row, q.a, q.b, row.otherClock))).join(' | ')} |`,
      );
    }
  }
  out.push('', '## Notes per row', '');
  for (const row of rows) {
    const notes = [
      ...row.notes,
      ...Object.entries(row.missing).map(([id, why]) => `${SUBJECT_LABELS[id as SubjectId]}: ${why}`),
    ];
    if (notes.length) out.push(`- **${esc(row.name)}** — ${notes.map(esc).join('; ')}`);
  }
  out.push('', '## Method', '', ...c.method.map((l) => `- ${l}`));
  if (c.skipped.length) out.push('', '## Skipped or failed', '', ...c.skipped.map((l) => `- ${l}`));
  out.push('');
  return out.join('\n');
}
