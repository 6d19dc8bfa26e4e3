import { afterEach, describe, expect, it } from 'vitest';
import { ClosedError, InvalidArgumentError, TransportError } from '../../ts/errors.js';
import { NodeDgramTransport } from '../../ts/transports/node-dgram.js';
import { Xoshiro128 } from '../../ts/transports/prng.js';
import { MAX_DATAGRAM_BYTES, type Datagram, type Transport } from '../../ts/transports/transport.js';

const open: Transport[] = [];
async function udp(address = '127.0.0.1:0'): Promise<NodeDgramTransport> {
  const t = new NodeDgramTransport();
  open.push(t);
  await t.bind(address);
  return t;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

// Random bytes that datagrams are cut from; datagram n starts at an offset derived from n and, when
// long enough, carries n in its first 4 bytes.
const SOURCE = (() => {
  const g = new Xoshiro128(99);
  const b = new Uint8Array(2 * MAX_DATAGRAM_BYTES);
  for (let i = 0; i < b.length; i++) b[i] = g.nextU32() & 255;
  return b;
})();
function payload(seed: number, n: number, size: number): Uint8Array {
  const off = (n * 7919 + seed * 104729) % MAX_DATAGRAM_BYTES;
  const d = SOURCE.slice(off, off + size);
  if (size >= 4) new DataView(d.buffer).setUint32(0, n, true);
  return d;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** Polls `cond` every few ms; rejects after `ms` (the test's failure message, not a timing check). */
async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Sends `count` datagrams of 1..8210 bytes from `from` to `to` in batches of `batchSize`, waiting
 * for each batch to arrive before the next; checks every datagram's bytes and source address.
 */
class Stream {
  private outstanding = new Map<number, { n: number; data: Uint8Array }[]>(); // length → expected
  private lastN = -1;
  outOfOrder = 0;
  private waiting = 0;
  private wake: (() => void) | undefined;
  received = 0;
  mismatches = 0;
  wrongSource = 0;

  constructor(
    private readonly from: Transport,
    private readonly to: Transport,
    private readonly seed: number,
  ) {}

  accept(d: Datagram): void {
    if (d.address !== this.from.address) this.wrongSource++;
    const list = this.outstanding.get(d.data.length);
    const k = list?.findIndex((e) => equalBytes(e.data, d.data)) ?? -1;
    if (k < 0) {
      this.mismatches++;
      return;
    }
    const n = list!.splice(k, 1)[0]!.n;
    if (n < this.lastN) this.outOfOrder++;
    this.lastN = n;
    this.received++;
    if (--this.waiting === 0) this.wake?.();
  }

  async run(count: number, batchSize: number): Promise<void> {
    const rng = new Xoshiro128(this.seed);
    for (let sent = 0; sent < count; ) {
      const batch: Datagram[] = [];
      for (let i = 0; i < batchSize && sent < count; i++, sent++) {
        // Mix of full-size, tiny and random sizes.
        const r = rng.next();
        const size = r < 0.1 ? MAX_DATAGRAM_BYTES : r < 0.2 ? 1 + (sent % 8) : rng.int(1, MAX_DATAGRAM_BYTES);
        const data = payload(this.seed, sent, size);
        const list = this.outstanding.get(size) ?? [];
        list.push({ n: sent, data: data.slice() });
        this.outstanding.set(size, list);
        batch.push({ data, address: this.to.address });
      }
      this.waiting += batch.length;
      const arrived = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${this.waiting} datagrams of a batch did not arrive (sent ${sent})`)),
          5000,
        );
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.from.send(batch);
      await arrived;
    }
  }
}

describe('NodeDgramTransport', () => {
  it('exchanges 10,000 datagrams of 1..8210 bytes each way on 127.0.0.1, intact and in batches', async () => {
    const a = await udp();
    const b = await udp();
    expect(a.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(a.address).not.toBe('127.0.0.1:0');
    const ab = new Stream(a, b, 1);
    const ba = new Stream(b, a, 2);
    let batchesAtB = 0;
    let batchesAtA = 0;
    b.onReceive((batch) => {
      batchesAtB++;
      for (const d of batch) ab.accept(d);
    });
    a.onReceive((batch) => {
      batchesAtA++;
      for (const d of batch) ba.accept(d);
    });
    await Promise.all([ab.run(10_000, 64), ba.run(10_000, 64)]);
    for (const s of [ab, ba]) {
      expect(s.received).toBe(10_000);
      expect(s.mismatches).toBe(0);
      expect(s.wrongSource).toBe(0);
      expect(s.outOfOrder).toBe(0); // one sender on loopback: send order is kept
    }
    // Receive batching: far fewer handler calls than datagrams.
    expect(batchesAtB).toBeLessThan(10_000 / 4);
    expect(batchesAtA).toBeLessThan(10_000 / 4);
    const sa = a.stats();
    const sb = b.stats();
    expect(sa.datagramsOut).toBe(10_000);
    expect(sb.datagramsIn).toBe(10_000);
    expect(sa.bytesOut).toBe(sb.bytesIn);
    expect(sb.bytesOut).toBe(sa.bytesIn);
    expect(sa.sendErrors + sb.sendErrors + sa.dropped + sb.dropped).toBe(0);
  });

  it('close() is idempotent and releases the port', async () => {
    const a = await udp();
    const addr = a.address;
    const p = a.close();
    expect(a.close()).toBe(p);
    await p;
    await a.close();
    expect(a.address).toBe(addr);
    const again = await udp(addr);
    expect(again.address).toBe(addr);
    await expect(a.bind(addr)).rejects.toBeInstanceOf(ClosedError);
    a.send([{ data: new Uint8Array(1), address: addr }]);
    expect(a.stats().sendErrors).toBe(1);
  });

  it('reports bind failures and misuse with typed errors', async () => {
    const a = await udp();
    await expect(udp(a.address)).rejects.toThrow(TransportError);
    await expect(udp(a.address)).rejects.toThrow(new RegExp(`cannot bind UDP socket to ${a.address.replace(/\./g, '\\.')}`));
    await expect(a.bind('127.0.0.1:0')).rejects.toThrow(/already bound/);
    // A failed bind can be retried on the same transport.
    const retry = new NodeDgramTransport();
    open.push(retry);
    await expect(retry.bind(a.address)).rejects.toThrow(/EADDRINUSE/);
    expect(retry.address).toBe('');
    expect(await retry.bind('127.0.0.1:0')).toMatch(/^127\.0\.0\.1:\d+$/);
    await expect(new NodeDgramTransport().bind('localhost:0')).rejects.toThrow(InvalidArgumentError);
    await expect(new NodeDgramTransport().bind('127.0.0.1:70000')).rejects.toThrow(/out of range/);
    expect(() => new NodeDgramTransport().send([])).toThrow(/before bind/);
    expect(() => new NodeDgramTransport({ recvBufferSize: -1 })).toThrow(/recvBufferSize/);
  });

  it('counts bad datagrams and sends the rest of the batch', async () => {
    const a = await udp();
    const b = await udp();
    const got: Datagram[] = [];
    b.onReceive((batch) => got.push(...batch));
    a.send([
      { data: new Uint8Array([1]), address: 'not an address' },
      { data: new Uint8Array([2]), address: `${b.address.split(':')[0]}:0` },
      { data: new Uint8Array([3]), address: '[::1]:9' }, // IPv6 from an IPv4 socket
      { data: new Uint8Array(70_000), address: b.address }, // over the UDP maximum: EMSGSIZE
      { data: new Uint8Array([5]), address: b.address },
    ]);
    await waitFor(() => got.length > 0 && a.stats().sendErrors === 4, 'the good datagram and 4 errors');
    expect(got.map((d) => [...d.data])).toEqual([[5]]);
    const s = a.stats();
    expect(s.sendErrors).toBe(4);
    expect(s.lastError).toMatch(/EMSGSIZE/);
  });

  it('counts datagrams that arrive with no handler as dropped', async () => {
    const a = await udp();
    const b = await udp();
    a.send([{ data: new Uint8Array(3), address: b.address }]);
    await waitFor(() => b.stats().datagramsIn === 1, 'the datagram');
    await new Promise((r) => setImmediate(r));
    expect(b.stats()).toMatchObject({ datagramsIn: 1, bytesIn: 3, dropped: 1 });
  });

  it('speaks IPv6 and reports IPv4 peers of a dual-stack socket as plain IPv4', async () => {
    const v6 = await udp('[::1]:0');
    expect(v6.address).toMatch(/^\[::1\]:\d+$/);
    const dual = await udp('[::]:0');
    const v4 = await udp('127.0.0.1:0');
    const got: Datagram[] = [];
    dual.onReceive((b) => got.push(...b));
    const back: Datagram[] = [];
    v4.onReceive((b) => back.push(...b));
    const port = dual.address.slice(dual.address.lastIndexOf(':') + 1);
    v6.send([{ data: new Uint8Array([6]), address: `[::1]:${port}` }]);
    v4.send([{ data: new Uint8Array([4]), address: `127.0.0.1:${port}` }]);
    await waitFor(() => got.length === 2, 'both datagrams');
    const from = new Map(got.map((d) => [d.data[0], d.address]));
    expect(from.get(6)).toBe(v6.address);
    expect(from.get(4)).toBe(v4.address);
    // Replying to the plain IPv4 address works from the IPv6 socket.
    dual.send([{ data: new Uint8Array([7]), address: v4.address }]);
    await waitFor(() => back.length === 1, 'the reply');
    expect(back.map((d) => d.data[0])).toEqual([7]);
    expect(dual.stats().sendErrors).toBe(0);
  });
});
