// Shared body of the Deno and Bun transport smoke scripts (plain code, no test framework, so it runs
// unchanged on every runtime). Each check throws on failure; the scripts exit non-zero.

import type { Datagram, Transport } from '../../ts/transports/transport.js';
import { MAX_DATAGRAM_BYTES } from '../../ts/transports/transport.js';
import { Xoshiro128 } from '../../ts/transports/prng.js';
import { MemoryHub } from '../../ts/transports/memory-hub.js';

export function check(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(`check failed: ${what}`);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface ExchangeResult {
  datagrams: number;
  batches: number;
  ms: number;
}

/**
 * `a` and `b` (bound) exchange `count` datagrams each way, 1..8210 bytes, in batches of `batchSize`,
 * each batch awaited before the next; every datagram's bytes and source address are verified.
 */
export async function exchange(a: Transport, b: Transport, count: number, batchSize: number, seed = 1): Promise<ExchangeResult> {
  let batches = 0;
  const started = performance.now();
  const run = async (from: Transport, to: Transport, s: number): Promise<void> => {
    const rng = new Xoshiro128(s);
    const expected = new Map<number, { n: number; data: Uint8Array }[]>();
    let lastN = -1;
    let waiting = 0;
    let wake: (() => void) | undefined;
    let bad = '';
    to.onReceive((batch: Datagram[]) => {
      batches++;
      for (const d of batch) {
        if (d.address !== from.address) bad ||= `source ${d.address} != ${from.address}`;
        const list = expected.get(d.data.length);
        const k = list ? list.findIndex((e) => equal(e.data, d.data)) : -1;
        if (k < 0) {
          bad ||= `unexpected or corrupt datagram of ${d.data.length} bytes`;
          continue;
        }
        const [{ n }] = list!.splice(k, 1) as [{ n: number; data: Uint8Array }];
        // One sender, loopback: datagrams must leave and arrive in send order.
        if (n < lastN) bad ||= `datagram ${n} arrived after ${lastN}`;
        lastN = n;
        if (--waiting === 0) wake?.();
      }
    });
    for (let sent = 0; sent < count; ) {
      const batch: Datagram[] = [];
      for (let i = 0; i < batchSize && sent < count; i++, sent++) {
        const r = rng.next();
        const size = r < 0.15 ? MAX_DATAGRAM_BYTES : rng.int(1, MAX_DATAGRAM_BYTES);
        const data = new Uint8Array(size);
        for (let j = 0; j < size; j += 4) data[j] = rng.nextU32() & 255;
        const list = expected.get(size) ?? [];
        list.push({ n: sent, data: data.slice() });
        expected.set(size, list);
        batch.push({ data, address: to.address });
      }
      waiting += batch.length;
      const arrived = new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${from.address} → ${to.address}: ${waiting} of a batch lost (after ${sent})`)), 5000);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      from.send(batch);
      await arrived;
      if (bad) throw new Error(`${from.address} → ${to.address}: ${bad}`);
    }
  };
  await Promise.all([run(a, b, seed), run(b, a, seed + 1)]);
  const sa = a.stats();
  const sb = b.stats();
  check(sa.datagramsOut === count && sb.datagramsOut === count, `datagramsOut ${sa.datagramsOut}/${sb.datagramsOut}`);
  check(sa.datagramsIn === count && sb.datagramsIn === count, `datagramsIn ${sa.datagramsIn}/${sb.datagramsIn}`);
  check(sa.bytesOut === sb.bytesIn && sb.bytesOut === sa.bytesIn, 'byte counters agree');
  check(sa.sendErrors + sb.sendErrors + sa.dropped + sb.dropped === 0, `no errors/drops: ${JSON.stringify([sa, sb])}`);
  return { datagrams: 2 * count, batches, ms: performance.now() - started };
}

/** Bind two transports from `make` on 127.0.0.1, exchange, close twice, rebind the freed port. */
export async function smokePair(label: string, make: () => Transport, count: number, batchSize: number): Promise<void> {
  const a = make();
  const b = make();
  await a.bind('127.0.0.1:0');
  await b.bind('127.0.0.1:0');
  check(/^127\.0\.0\.1:[1-9][0-9]*$/.test(a.address), `bound address ${a.address}`);
  const r = await exchange(a, b, count, batchSize);
  const addr = a.address;
  const closing = a.close();
  check(a.close() === closing, 'close() returns the same promise');
  await closing;
  await b.close();
  const again = make();
  check((await again.bind(addr)) === addr, `rebind ${addr} after close`);
  let threw = false;
  try {
    again.send([{ data: new Uint8Array(1), address: 'not-an-address' }]);
  } catch {
    threw = true;
  }
  check(!threw && again.stats().sendErrors === 1, 'a bad destination is counted, not thrown');
  await again.close();
  console.log(`ok ${label}: ${r.datagrams} datagrams in ${r.batches} receive batches, ${r.ms.toFixed(0)} ms`);
}

/** The memory hub on this runtime: determinism for a seed. */
export async function smokeHub(): Promise<void> {
  const runOnce = async (seed: number): Promise<string> => {
    const hub = new MemoryHub({ seed, loss: 0.1, duplicate: 0.1, reorder: 0.2, delayMs: [0, 2] });
    const a = hub.transport();
    const b = hub.transport();
    await a.bind('a:1');
    await b.bind('b:0');
    const log: number[] = [];
    b.onReceive((batch) => log.push(...batch.map((d) => d.data[0]!)));
    a.send(Array.from({ length: 200 }, (_, i) => ({ data: new Uint8Array([i & 255]), address: b.address })));
    await hub.settle();
    await hub.close();
    return log.join(',');
  };
  check((await runOnce(3)) === (await runOnce(3)), 'memory hub: same seed, same deliveries');
  check((await runOnce(3)) !== (await runOnce(4)), 'memory hub: other seed, other deliveries');
  console.log('ok memory hub determinism');
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * A datagram the OS refuses mid-batch (unroutable from 127.0.0.1) is counted and the rest of the
 * batch still goes; a dual-stack "[::]" socket reports IPv4 peers as plain IPv4 and can reply.
 */
export async function smokeEdges(label: string, make: () => Transport): Promise<void> {
  const a = make();
  const b = make();
  const dual = make();
  try {
    await a.bind('127.0.0.1:0');
    await b.bind('127.0.0.1:0');
    await dual.bind('[::]:0');
    const atB: number[] = [];
    b.onReceive((batch) => atB.push(...batch.map((d) => d.data[0]!)));
    a.send([1, 2, 3, 4].map((i) => ({ data: new Uint8Array([i]), address: i === 2 ? '10.255.255.1:9' : i === 3 ? 'bad' : b.address })));
    await until(() => atB.length === 2 && a.stats().sendErrors === 2, 'datagrams 1 and 4 and two send errors');
    check(atB.join() === '1,4', `mid-batch failure isolated: got ${atB.join()}`);
    const atDual: string[] = [];
    dual.onReceive((batch) => atDual.push(...batch.map((d) => d.address)));
    const atA: number[] = [];
    a.onReceive((batch) => atA.push(...batch.map((d) => d.data[0]!)));
    const port = dual.address.slice(dual.address.lastIndexOf(':') + 1);
    a.send([{ data: new Uint8Array([5]), address: `127.0.0.1:${port}` }]);
    await until(() => atDual.length === 1, 'the datagram at the dual-stack socket');
    check(atDual[0] === a.address, `dual-stack source ${atDual[0]} reported as ${a.address}`);
    dual.send([{ data: new Uint8Array([6]), address: a.address }]);
    await until(() => atA.length === 1, 'the reply from the dual-stack socket');
    console.log(`ok ${label}: mid-batch send failure isolated; dual-stack addresses unmapped`);
  } finally {
    await Promise.all([a.close(), b.close(), dual.close()]);
  }
}
