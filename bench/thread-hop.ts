// The floor under the worker placement's round trip, measured in the same run: a bare ping-pong
// between this thread and a worker thread through a SharedArrayBuffer, woken with
// Atomics.waitAsync/notify exactly as the engine's rings are, with no engine work at all. A
// MeshNode round trip in the worker placement makes this crossing twice (app → engine and back on
// each side), besides the UDP round trip between the two engines' threads.
import { Worker } from 'node:worker_threads';

const WORKER = `
const { workerData } = require('node:worker_threads');
const c = new Int32Array(workerData);
const keep = setInterval(() => {}, 1 << 30);
(async () => {
  let seen = 0;
  for (;;) {
    const r = Atomics.waitAsync(c, 0, seen);
    if (r.async) await r.value;
    seen = Atomics.load(c, 0);
    if (seen < 0) break;
    Atomics.store(c, 1, seen);
    Atomics.notify(c, 1);
  }
  clearInterval(keep);
})();
`;

type WaitAsync = (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string };

/** `count` round trips (after `warmup`), each a sample in µs. */
export async function threadHopRoundTrips(count: number, warmup = 500): Promise<number[]> {
  const sab = new SharedArrayBuffer(8);
  const c = new Int32Array(sab);
  const w = new Worker(WORKER, { eval: true, workerData: sab });
  const keep = setInterval(() => {}, 1 << 30); // a pending waitAsync does not keep the loop alive
  const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
  const samples: number[] = [];
  try {
    await new Promise((r) => w.once('online', r));
    for (let i = 1; i <= warmup + count; i++) {
      const t = performance.now();
      Atomics.store(c, 0, i);
      Atomics.notify(c, 0);
      for (;;) {
        const cur = Atomics.load(c, 1);
        if (cur === i) break;
        const r = waitAsync(c, 1, cur);
        if (r.async) await r.value;
      }
      if (i > warmup) samples.push((performance.now() - t) * 1000);
    }
  } finally {
    Atomics.store(c, 0, -1);
    Atomics.notify(c, 0);
    clearInterval(keep);
    await w.terminate();
  }
  return samples;
}
