// Runtime smoke (Deno, Bun): large hashes run in a hashing worker and equal the inline core; a
// terminated worker fails its pending hash with a typed error and the next call recovers; and the
// idle workers left running at the end do not keep the process alive (the runner's timeout would
// catch a hang).
import { blake3, initCore } from '../../ts/core/index.js';
import { Blake3Async, blake3Async, blake3Moved, offloads, terminateHashWorkers } from '../../ts/core/hash-worker.js';

const runtime = typeof (globalThis as { Deno?: unknown }).Deno === 'object' ? 'deno' : typeof (globalThis as { Bun?: unknown }).Bun === 'object' ? 'bun' : 'node';
function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`${runtime} hash worker smoke: ${what}`);
}
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

await initCore();
const data = Uint8Array.from({ length: 9 * 1024 * 1024 + 5 }, (_, i) => (i * 31 + (i >>> 11)) & 0xff);
const want = hex(blake3(data));
check(offloads(data.length), 'workers are used for large inputs');
check(hex(await blake3Async(data)) === want, 'blake3Async');
const moved = await blake3Moved(data.slice());
check(hex(moved.hash) === want && moved.bytes.length === data.length && moved.bytes[12345] === data[12345], 'blake3Moved');
const h = new Blake3Async();
h.update(data.subarray(0, 5_000_000));
await h.hashAndUpdate(data.subarray(5_000_000));
check(hex(await h.digest()) === want, 'Blake3Async');
h.dispose();

const pending = blake3Async(data);
terminateHashWorkers();
const failure = await pending.then(() => undefined, (e: unknown) => e as { code?: string });
check(failure?.code === 'HASH_WORKER_FAILED', `typed failure (got ${String(failure)})`);
check(hex(await blake3Async(data)) === want, 'recovery after a dead worker');
console.log(`${runtime} hash worker smoke: ok`);
