/**
 * The round trip between two threads: the calling thread and a worker bounce a counter through a SharedArrayBuffer,
 * each spinning on Atomics.load until the other's write arrives; the median over rounds of the time per exchange.
 *
 * What it shows on our 2-core VMs: the host places the two vCPUs where it likes, and the round trip reads 400–600 ns
 * most of the time and some 150–250 ns at others (docs/threads.md, seventh round). The MNIST MLP's split calls,
 * which hand 1.6 MB of weights and moments between the cores every step, gain with the short round trip and lose
 * with the long one, while the ceiling sgemm's copies (nothing shared) read the same; so the machine rows give both.
 */
import { Worker } from 'node:worker_threads';

const WORKER = `
const { workerData } = require('node:worker_threads');
const a = new Int32Array(workerData.buffer);
for (let i = 0; i < workerData.exchanges; i++) {
  while (Atomics.load(a, 0) !== 2 * i + 1);
  Atomics.store(a, 0, 2 * i + 2);
}`;

/** nanoseconds per round trip: the median of `rounds` rounds of `perRound` exchanges, after one round of warm-up */
export async function roundTripNs(rounds = 5, perRound = 20_000): Promise<number> {
  const buffer = new SharedArrayBuffer(64);
  const a = new Int32Array(buffer);
  const exchanges = (rounds + 1) * perRound;
  const worker = new Worker(WORKER, { eval: true, workerData: { buffer, exchanges } });
  const exited = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', () => resolve());
  });
  const times: number[] = [];
  let i = 0;
  for (let r = 0; r <= rounds; r++) {
    const t = performance.now();
    for (const end = i + perRound; i < end; i++) {
      Atomics.store(a, 0, 2 * i + 1);
      while (Atomics.load(a, 0) !== 2 * i + 2);
    }
    if (r > 0) times.push(((performance.now() - t) * 1e6) / perRound);
  }
  await exited;
  times.sort((x, y) => x - y);
  return times[times.length >> 1];
}
