// The SAB ring of the app↔engine link (ts/engine/ring.ts): records arrive in order and intact
// across wrap-around, a full ring holds the producer back without losing anything, a slow
// consumer on another thread gets everything, and batches larger than the ring are carried
// across several wake-ups. Both wake-up mechanisms (Atomics.waitAsync and the port doorbell).
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Ring, RingConsumer, RingProducer } from '../../ts/engine/ring.js';
import type { LinkReader } from '../../ts/engine/link-format.js';

const OP = 50;

/** Record i: u32 index, u32 length, then `length` pattern bytes. */
function writeRecord(p: RingProducer, i: number, len: number): void {
  const at = p.begin(OP, 8 + len);
  p.dv.setUint32(at, i, true);
  p.dv.setUint32(at + 4, len, true);
  for (let k = 0; k < len; k++) p.buf[at + 8 + k] = (i * 7 + k) & 0xff;
}

/** Checks record i and returns its index; throws on any corruption. */
function readRecord(r: LinkReader): number {
  if (r.op !== OP) throw new Error(`op ${r.op}`);
  const i = r.u32(0);
  const len = r.u32(4);
  const b = r.bytes(8, len);
  for (let k = 0; k < len; k++) if (b[k] !== ((i * 7 + k) & 0xff)) throw new Error(`record ${i} corrupt at ${k}`);
  return i;
}

const sizeOf = (i: number): number => (i * 131) % 700;

function channelPorts(): { producer: MessagePort; consumer: MessagePort } {
  const ch = new MessageChannel();
  return { producer: ch.port2, consumer: ch.port1 };
}

describe.each([
  ['Atomics.waitAsync', false],
  ['port doorbell', true],
] as const)('ring wake-ups with %s', (_name, doorbell) => {
  it('wraps around many times with records intact and in order', async () => {
    const ring = Ring.create(4096);
    const ports = doorbell ? channelPorts() : undefined;
    const p = new RingProducer(ring, ports?.producer);
    const c = new RingConsumer(ring, ports?.consumer);
    const got: number[] = [];
    const done = c.run((r) => got.push(readRecord(r)));
    const total = 2000; // ≈ 700 KB through a 4 KiB ring
    for (let i = 0; i < total; i++) {
      writeRecord(p, i, sizeOf(i) % 400);
      if (i % 3 === 0) p.publish();
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    p.publish();
    while (got.length < total) await new Promise((r) => setTimeout(r, 1));
    c.stop();
    ring.close();
    p.close();
    await done;
    expect(got).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('a full ring holds the producer back, loses nothing, and resumes when room appears', async () => {
    const ring = Ring.create(4096);
    const ports = doorbell ? channelPorts() : undefined;
    const p = new RingProducer(ring, ports?.producer);
    const c = new RingConsumer(ring, ports?.consumer);
    let drained = 0;
    p.onDrained = () => drained++;
    // More than the ring holds, before anyone reads: the rest waits in order in the producer.
    for (let i = 0; i < 100; i++) writeRecord(p, i, 200);
    p.publish();
    expect(p.backlog).toBeGreaterThan(0);
    const got: number[] = [];
    // A slow consumer: one drain per macrotask.
    while (got.length < 100) {
      c.drain((r) => got.push(readRecord(r)));
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p.backlog).toBe(0);
    expect(drained).toBeGreaterThanOrEqual(1);
    // Writing after the backlog cleared goes straight to the ring again.
    writeRecord(p, 100, 10);
    p.publish();
    expect(p.backlog).toBe(0);
    c.drain((r) => got.push(readRecord(r)));
    expect(got.at(-1)).toBe(100);
    p.close();
    c.stop();
  });

  it('carries a batch larger than the ring across several wake-ups', async () => {
    const ring = Ring.create(8192);
    const ports = doorbell ? channelPorts() : undefined;
    const p = new RingProducer(ring, ports?.producer);
    const c = new RingConsumer(ring, ports?.consumer);
    // One logical batch of 64 KiB, split into records of at most maxRecord bytes.
    const chunk = p.maxRecord - 64;
    const records = Math.ceil((64 << 10) / chunk);
    let wakes = 0;
    const got: number[] = [];
    const done = c.run(
      (r) => got.push(readRecord(r)),
      () => wakes++,
    );
    for (let i = 0; i < records; i++) writeRecord(p, i, chunk);
    p.publish();
    while (got.length < records) await new Promise((r) => setTimeout(r, 1));
    expect(got).toEqual(Array.from({ length: records }, (_, i) => i));
    expect(wakes).toBeGreaterThan(1);
    expect(() => p.begin(OP, ring.capacity)).toThrow(RangeError);
    c.stop();
    ring.close();
    p.close();
    await done;
  });
});

describe('ring across threads', () => {
  it('a slow consumer on this thread receives everything a worker produces, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'net-mesh-ring-'));
    const entry = join(dir, 'producer.ts');
    writeFileSync(
      entry,
      `import { parentPort, workerData } from 'node:worker_threads';
import { Ring, RingProducer } from ${JSON.stringify(join(process.cwd(), 'ts/engine/ring.ts'))};
const p = new RingProducer(new Ring(workerData.sab));
const total = workerData.total;
let i = 0;
function burst() {
  for (let k = 0; k < 37 && i < total; k++, i++) {
    const len = (i * 131) % 700;
    const at = p.begin(50, 8 + len);
    p.dv.setUint32(at, i, true);
    p.dv.setUint32(at + 4, len, true);
    for (let b = 0; b < len; b++) p.buf[at + 8 + b] = (i * 7 + b) & 0xff;
  }
  p.publish();
  if (i < total) setImmediate(burst);
  else parentPort.postMessage({ done: true, backlogSeen: maxBacklog });
  maxBacklog = Math.max(maxBacklog, p.backlog);
}
let maxBacklog = 0;
burst();
setInterval(() => { maxBacklog = Math.max(maxBacklog, p.backlog); p.publish(); }, 5);
`,
    );
    const out = join(dir, 'producer.mjs');
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'error' });
    const ring = Ring.create(16384);
    const total = 20_000;
    const w = new Worker(out, { workerData: { sab: ring.sab, total } });
    const c = new RingConsumer(ring);
    const got: number[] = [];
    let lastPause = performance.now();
    const done = c.run((r) => {
      got.push(readRecord(r));
      // Slow: block this thread now and then so the producer finds the ring full.
      if (performance.now() - lastPause > 20) {
        const until = performance.now() + 5;
        while (performance.now() < until);
        lastPause = performance.now();
      }
    });
    const produced = new Promise<{ backlogSeen: number }>((r) => w.once('message', r));
    const info = await produced;
    while (got.length < total) await new Promise((r) => setTimeout(r, 2));
    await w.terminate();
    c.stop();
    ring.close();
    await done;
    expect(got.length).toBe(total);
    expect(got.every((v, i) => v === i)).toBe(true);
    expect(info.backlogSeen).toBeGreaterThan(0);
  }, 60_000);
});
