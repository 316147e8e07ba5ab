/**
 * The machine's own scaling, measured after each section that holds a threads target: independent copies of the
 * SIMD128 ceiling sgemm, one on each thread (bench/lib/ceiling.ts, ceilingOnEveryThread), N threads ÷ one. Nothing is
 * shared between the copies, so this is what the host gives a second thread at that moment; a split kernel cannot
 * do better. On our 2-core VMs it is not always 2× (docs/threads.md), and the threads targets are read against it.
 */
import { ceilingOnEveryThread } from '../lib/ceiling.js';
import { measure, threadsInUse } from '../lib/harness.js';
import type { Ctx } from '../lib/context.js';
import { rowFrom } from '../lib/report.js';
import { roundTripNs } from '../lib/round-trip.js';

export const MACHINE_SECTION = "the machine's own scaling (GFLOP/s; the ceiling sgemm 256³, a copy on each thread)";
const SIZE = 256;

/** the row's name for the section it follows */
export const machineRowName = (after: string): string => `the machine, after ${after}`;
/** the name of the row beside it: the round trip between two threads (bench/lib/round-trip.ts) */
export const roundTripRowName = (after: string): string => `the threads' round trip, after ${after}`;

export async function machineCase(ctx: Ctx, after: string): Promise<void> {
  if (threadsInUse() < 2) return;
  const name = machineRowName(after);
  ctx.log(`  ${name}`);
  const m = await measure(
    [{ id: 'snWasm', setup: () => ceilingOnEveryThread(SIZE, SIZE, SIZE) }],
    ctx.profile.kernel,
    ctx.log,
  );
  ctx.addRow(
    rowFrom(MACHINE_SECTION, name, 'GFLOP/s', m, (r) => r / 1e9, {
      notes: [
        "not scratchnet: in this row the one-thread and N-thread columns are the ceiling sgemm's copies, one on each " +
          'thread, in separate memories; N thr÷1 is what this machine gave the extra threads at that moment',
      ],
    }),
  );
  const ns = await roundTripNs();
  ctx.log(`    → ${ns.toFixed(0)} ns a round trip between two threads`);
  ctx.addRow({
    section: MACHINE_SECTION,
    name: roundTripRowName(after),
    unit: 'ns',
    higherIsBetter: false,
    comparable: false,
    values: { snWasmN: ns },
    missing: {},
    notes: [
      'not scratchnet: two threads bounce a counter through shared memory (bench/lib/round-trip.ts); where it is ' +
        'long, the cores are far apart, and kernels whose parts hand data between the cores gain less',
    ],
  });
}
