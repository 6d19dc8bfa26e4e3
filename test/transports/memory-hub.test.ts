import { afterEach, describe, expect, it } from 'vitest';
import { ClosedError, InvalidArgumentError, TransportError } from '../../ts/errors.js';
import { MemoryHub, type MemoryHubOptions, type MemoryTransport } from '../../ts/transports/memory-hub.js';
import { Xoshiro128 } from '../../ts/transports/prng.js';
import type { Datagram } from '../../ts/transports/transport.js';

const hubs: MemoryHub[] = [];
function hub(opts: MemoryHubOptions): MemoryHub {
  const h = new MemoryHub(opts);
  hubs.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function bound(h: MemoryHub, address: string): Promise<MemoryTransport> {
  const t = h.transport();
  await t.bind(address);
  return t;
}

/** Collects received batches. */
function collect(t: MemoryTransport): Datagram[][] {
  const batches: Datagram[][] = [];
  t.onReceive((b) => batches.push(b));
  return batches;
}

/** Datagram i: 4-byte little-endian id then a fill byte. */
function tagged(id: number, size = 16): Uint8Array {
  const d = new Uint8Array(Math.max(4, size));
  new DataView(d.buffer).setUint32(0, id, true);
  d.fill(id & 255, 4);
  return d;
}
const idOf = (d: Uint8Array) => new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(0, true);

describe('MemoryHub transports', () => {
  it('binds virtual addresses, allocates ports and delivers one batch per turn', async () => {
    const h = hub({ seed: 1 });
    const a = await bound(h, 'mem-1:1');
    const b = h.transport();
    expect(b.address).toBe('');
    expect(await b.bind('10.0.0.2:0')).toBe('10.0.0.2:49152');
    expect(b.address).toBe('10.0.0.2:49152');
    const c = await bound(h, '10.0.0.2:0');
    expect(c.address).toBe('10.0.0.2:49153');
    const got = collect(b);
    a.send(Array.from({ length: 100 }, (_, i) => ({ data: tagged(i), address: '10.0.0.2:49152' })));
    expect(got).toEqual([]); // never synchronous
    await h.settle();
    expect(got.length).toBe(1);
    expect(got[0]!.map((d) => idOf(d.data))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(got[0]!.every((d) => d.address === 'mem-1:1')).toBe(true);
    expect(a.stats()).toMatchObject({ datagramsOut: 100, bytesOut: 1600, sendErrors: 0, dropped: 0 });
    expect(b.stats()).toMatchObject({ datagramsIn: 100, bytesIn: 1600, dropped: 0 });
    expect(h.stats()).toMatchObject({ sent: 100, delivered: 100, dropped: 0, inFlight: 0 });
  });

  it('copies bytes at send time, like a socket', async () => {
    const h = hub({ seed: 1 });
    const a = await bound(h, 'a:1');
    const b = await bound(h, 'b:1');
    const got = collect(b);
    const buf = new Uint8Array([1, 2, 3]);
    a.send([{ data: buf, address: 'b:1' }]);
    buf.fill(9);
    await h.settle();
    expect([...got[0]![0]!.data]).toEqual([1, 2, 3]);
  });

  it('enforces bind/send/close rules', async () => {
    const h = hub({ seed: 1 });
    const a = h.transport();
    expect(() => a.send([{ data: new Uint8Array(1), address: 'b:1' }])).toThrow(TransportError);
    await a.bind('a:1');
    await expect(a.bind('a:2')).rejects.toBeInstanceOf(TransportError);
    await expect(h.transport().bind('a:1')).rejects.toThrow(/already in use/);
    await expect(h.transport().bind('a:99999')).rejects.toBeInstanceOf(InvalidArgumentError);
    // Bad destinations are counted, not thrown, and the rest of the batch goes out.
    const b = await bound(h, 'b:1');
    const got = collect(b);
    a.send([
      { data: new Uint8Array(1), address: 'nonsense' },
      { data: new Uint8Array(2), address: 'b:0' },
      { data: new Uint8Array(3), address: 'b:1' },
    ]);
    await h.settle();
    expect(a.stats().sendErrors).toBe(2);
    expect(a.stats().lastError).toMatch(/port 0/);
    expect(got.flat().map((d) => d.data.length)).toEqual([3]);
    // close is idempotent, frees the address and counts later sends.
    const p1 = a.close();
    expect(a.close()).toBe(p1);
    await p1;
    a.send([{ data: new Uint8Array(1), address: 'b:1' }]);
    expect(a.stats().sendErrors).toBe(3);
    await expect(a.bind('a:1')).rejects.toBeInstanceOf(ClosedError);
    const again = await bound(h, 'a:1');
    expect(again.address).toBe('a:1');
  });

  it('counts datagrams with no handler or no destination as dropped', async () => {
    const h = hub({ seed: 1 });
    const a = await bound(h, 'a:1');
    const b = await bound(h, 'b:1');
    a.send([{ data: new Uint8Array(1), address: 'b:1' }, { data: new Uint8Array(1), address: 'nobody:1' }]);
    await h.settle();
    expect(b.stats()).toMatchObject({ datagramsIn: 1, dropped: 1 });
    expect(a.stats().dropped).toBe(1);
    expect(h.stats()).toMatchObject({ droppedUnreachable: 1, delivered: 1 });
    // In flight to a transport that closes before delivery: unreachable.
    a.send([{ data: new Uint8Array(1), address: 'b:1' }]);
    await b.close();
    await h.settle();
    expect(h.stats().droppedUnreachable).toBe(2);
  });

  it('normalises addresses so equivalent spellings meet', async () => {
    const h = hub({ seed: 1 });
    const a = await bound(h, '[::1]:5');
    const b = await bound(h, '[0:0::2]:5');
    expect(b.address).toBe('[::2]:5');
    const got = collect(b);
    a.send([{ data: new Uint8Array(1), address: '[0::2]:5' }]);
    await h.settle();
    expect(got.flat()[0]!.address).toBe('[::1]:5');
  });

  it('rejects bad options, naming the field', () => {
    expect(() => new MemoryHub({ seed: 1, loss: 1.5 })).toThrow(/loss must be a probability/);
    expect(() => new MemoryHub({ seed: 1, delayMs: [5, 1] })).toThrow(/delayMs/);
    expect(() => new MemoryHub({ seed: 1, delayMs: 1.5 })).toThrow(/delayMs/);
    expect(() => new MemoryHub({ seed: 1, mtu: 0 })).toThrow(/mtu/);
    expect(() => new MemoryHub({ seed: Number.NaN })).toThrow(/seed/);
    const h = hub({ seed: 1 });
    expect(() => h.setLink('a:1', 'b:1', { reorder: -1 })).toThrow(/link a:1 → b:1: reorder/);
    expect(() => h.partition('a', 'b:1')).toThrow(InvalidArgumentError);
  });
});

describe('MemoryHub impairments', () => {
  /** Three nodes relay datagrams around a ring; every step is driven by deliveries. */
  /**
   * Blocks the event loop for 0..2 ms at pseudo-random moments (its own seed), so real timers fire
   * late and out of step with immediates: the hub's delivery sequence must not change.
   */
  function eventLoopNoise(seed: number): () => void {
    let stop = false;
    const rng = new Xoshiro128(seed);
    const tick = (): void => {
      if (stop) return;
      const until = performance.now() + rng.next() * 2;
      while (performance.now() < until) {
        // busy
      }
      if (rng.next() < 0.5) setImmediate(tick);
      else setTimeout(tick, rng.int(0, 2));
    };
    tick();
    return () => {
      stop = true;
    };
  }

  async function ringLog(seed: number, noiseSeed?: number): Promise<string[]> {
    const stopNoise = noiseSeed === undefined ? () => undefined : eventLoopNoise(noiseSeed);
    const h = hub({ seed, loss: 0.05, duplicate: 0.05, reorder: 0.1, delayMs: [0, 3] });
    const names = ['n0:1', 'n1:1', 'n2:1'];
    const ts = await Promise.all(names.map((n) => bound(h, n)));
    const log: string[] = [];
    ts.forEach((t, i) => {
      t.onReceive((batch) => {
        const fwd: Datagram[] = [];
        for (const d of batch) {
          const hops = d.data[4]!;
          log.push(`${names[i]}<${d.address}#${idOf(d.data)}/${hops}@${h.now}`);
          if (hops < 6) {
            const next = d.data.slice();
            next[4] = hops + 1;
            fwd.push({ data: next, address: names[(i + 1) % 3]! });
          }
        }
        t.send(fwd);
      });
    });
    ts[0]!.send(Array.from({ length: 200 }, (_, k) => ({ data: tagged(k, 8).fill(0, 4), address: names[1]! })));
    await h.settle();
    stopNoise();
    return log;
  }

  it('gives the same delivery sequence for the same seed, another for another seed', async () => {
    const a = await ringLog(1234);
    const b = await ringLog(1234);
    const c = await ringLog(999);
    expect(a.length).toBeGreaterThan(500);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('keeps the delivery sequence when real timers fire late or out of step', async () => {
    const quiet = await ringLog(4321);
    expect(await ringLog(4321, 1)).toEqual(quiet);
    expect(await ringLog(4321, 2)).toEqual(quiet);
  });

  it('loses, duplicates and reorders near the configured rates', async () => {
    const h = hub({ seed: 77, loss: 0.1, duplicate: 0.05, reorder: 0.1 });
    const a = await bound(h, 'a:1');
    const b = await bound(h, 'b:1');
    const got = collect(b);
    const n = 20_000;
    a.send(Array.from({ length: n }, (_, i) => ({ data: tagged(i), address: 'b:1' })));
    await h.settle();
    const s = h.stats();
    const received = got.flat();
    expect(s.sent).toBe(n);
    expect(Math.abs(s.droppedByLoss / n - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(s.duplicated / (n - s.droppedByLoss) - 0.05)).toBeLessThan(0.008);
    expect(s.delivered).toBe(n - s.droppedByLoss + s.duplicated);
    expect(received.length).toBe(s.delivered);
    expect(Math.abs(s.reordered / s.delivered - 0.1)).toBeLessThan(0.01);
    expect(s.dropped).toBe(s.droppedByLoss);
    // Check the counters against what actually arrived.
    const ids = received.map((d) => idOf(d.data));
    let outOfOrder = 0;
    let maxSeen = -1;
    for (const id of ids) {
      if (id < maxSeen) outOfOrder++;
      else maxSeen = id;
    }
    expect(outOfOrder).toBe(s.reordered);
    expect(ids.length - new Set(ids).size).toBe(s.duplicated);
    expect(received.every((d) => d.data.every((x, i) => i < 4 || x === (idOf(d.data) & 255)))).toBe(true);
    // Delay 0: the batch arrives at hub time 0, held-back (reordered) datagrams 1 ms later.
    expect(got.length).toBe(2);
    expect(h.now).toBe(1);
  });

  it('delays by the configured range on the hub clock', async () => {
    const h = hub({ seed: 5, delayMs: [10, 30] });
    const a = await bound(h, 'a:1');
    const b = await bound(h, 'b:1');
    const arrivals: number[] = [];
    b.onReceive((batch) => {
      for (let i = 0; i < batch.length; i++) arrivals.push(h.now);
    });
    a.send(Array.from({ length: 500 }, (_, i) => ({ data: tagged(i), address: 'b:1' })));
    await h.settle();
    expect(arrivals.length).toBe(500);
    expect(Math.min(...arrivals)).toBe(10);
    expect(Math.max(...arrivals)).toBe(30);
    expect(new Set(arrivals).size).toBe(21); // every integer delay drawn
    expect(h.stats().reordered).toBeGreaterThan(0); // jitter reorders
  });

  it('drops datagrams over the MTU', async () => {
    const h = hub({ seed: 5, mtu: 1000 });
    const a = await bound(h, 'a:1');
    const b = await bound(h, 'b:1');
    const got = collect(b);
    a.send([1000, 1001, 10].map((n) => ({ data: new Uint8Array(n), address: 'b:1' })));
    await h.settle();
    expect(got.flat().map((d) => d.data.length)).toEqual([1000, 10]);
    expect(h.stats().droppedByMtu).toBe(1);
    expect(a.stats().dropped).toBe(1);
  });

  it('partitions both directions until healed', async () => {
    const h = hub({ seed: 5 });
    const [a, b, c] = await Promise.all(['a:1', 'b:1', 'c:1'].map((n) => bound(h, n)));
    const inbox = new Map<string, string[]>();
    for (const t of [a!, b!, c!]) {
      inbox.set(t.address, []);
      t.onReceive((batch) => inbox.get(t.address)!.push(...batch.map((d) => d.address)));
    }
    const ping = (from: MemoryTransport, to: string) => from.send([{ data: new Uint8Array(1), address: to }]);
    h.partition('a:1', 'b:1');
    expect(h.isPartitioned('b:1', 'a:1')).toBe(true);
    ping(a!, 'b:1');
    ping(b!, 'a:1');
    ping(a!, 'c:1');
    await h.settle();
    expect(inbox.get('a:1')).toEqual([]);
    expect(inbox.get('b:1')).toEqual([]);
    expect(inbox.get('c:1')).toEqual(['a:1']);
    expect(h.stats().droppedByPartition).toBe(2);
    h.heal('b:1', 'a:1');
    ping(a!, 'b:1');
    ping(b!, 'a:1');
    await h.settle();
    expect(inbox.get('a:1')).toEqual(['b:1']);
    expect(inbox.get('b:1')).toEqual(['a:1']);
  });

  it('applies per-link and per-destination overrides', async () => {
    const h = hub({ seed: 5 });
    const [a, b, c] = await Promise.all(['a:1', 'b:1', 'c:1'].map((n) => bound(h, n)));
    const counts = new Map<string, number>();
    for (const t of [a!, b!, c!]) t.onReceive((batch) => counts.set(t.address, (counts.get(t.address) ?? 0) + batch.length));
    const burst = (from: MemoryTransport, to: string) =>
      from.send(Array.from({ length: 10 }, () => ({ data: new Uint8Array(1), address: to })));
    h.setLink('a:1', 'b:1', { loss: 1 }, { oneWay: true });
    h.setDestination('c:1', { duplicate: 1 });
    burst(a!, 'b:1');
    burst(b!, 'a:1');
    burst(a!, 'c:1');
    await h.settle();
    expect(counts.get('b:1')).toBeUndefined();
    expect(counts.get('a:1')).toBe(10);
    expect(counts.get('c:1')).toBe(20);
    // The link override wins over the destination override; null removes it.
    h.setLink('a:1', 'c:1', { duplicate: 0 });
    burst(a!, 'c:1');
    burst(c!, 'a:1');
    await h.settle();
    expect(counts.get('c:1')).toBe(30);
    expect(counts.get('a:1')).toBe(20);
    h.setLink('a:1', 'b:1', null);
    h.setDestination('c:1', null);
    h.setLink('a:1', 'c:1', null);
    burst(a!, 'b:1');
    burst(b!, 'c:1');
    await h.settle();
    expect(counts.get('b:1')).toBe(10);
    expect(counts.get('c:1')).toBe(40);
  });

  it('lets a tap tamper with, drop and duplicate chosen datagrams', async () => {
    const h = hub({ seed: 5 });
    const a = await bound(h, 'a:1');
    const b = await bound(h, 'b:1');
    const got = collect(b);
    const seen: string[] = [];
    const remove = h.tap((dg, from, to) => {
      const id = idOf(dg.data);
      seen.push(`${from}>${to}#${id}`);
      if (id === 1) return 'drop';
      if (id === 2) {
        const t = dg.data.slice();
        t[5] ^= 0xff;
        return t;
      }
      if (id === 3) return 'duplicate';
      if (id === 4) return [tagged(40), tagged(41), tagged(42)];
      return 'pass';
    });
    a.send([0, 1, 2, 3, 4, 5].map((i) => ({ data: tagged(i), address: 'b:1' })));
    await h.settle();
    expect(seen).toEqual([0, 1, 2, 3, 4, 5].map((i) => `a:1>b:1#${i}`));
    const r = got.flat();
    expect(r.map((d) => idOf(d.data))).toEqual([0, 2, 3, 3, 40, 41, 42, 5]);
    expect(r[1]!.data[5]).toBe(2 ^ 0xff);
    expect(r[1]!.data[6]).toBe(2);
    expect(h.stats()).toMatchObject({ droppedByTap: 1, tampered: 2, duplicated: 3, delivered: 8 });
    remove();
    a.send([{ data: tagged(1), address: 'b:1' }]);
    await h.settle();
    expect(got.flat().map((d) => idOf(d.data)).at(-1)).toBe(1);
  });

  it('surfaces a throwing handler without breaking other receivers', async () => {
    const h = hub({ seed: 5 });
    const [a, b, c] = await Promise.all(['a:1', 'b:1', 'c:1'].map((n) => bound(h, n)));
    b!.onReceive(() => {
      throw new Error('handler bug');
    });
    const got = collect(c!);
    const errors: unknown[] = [];
    const onErr = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onErr);
    try {
      a!.send([{ data: new Uint8Array(1), address: 'b:1' }, { data: new Uint8Array(1), address: 'c:1' }]);
      await h.settle();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('uncaughtException', onErr);
    }
    expect(got.flat().length).toBe(1);
    expect(errors.map((e) => (e as Error).message)).toEqual(['handler bug']);
  });

  it('close() closes every transport and drops what is in flight', async () => {
    const h = new MemoryHub({ seed: 5, delayMs: 50 });
    const a = await bound(h, 'a:1');
    await bound(h, 'b:1');
    a.send([{ data: new Uint8Array(1), address: 'b:1' }]);
    await h.close();
    expect(h.stats()).toMatchObject({ inFlight: 0, droppedUnreachable: 1 });
    expect(() => h.transport()).toThrow(ClosedError);
    a.send([{ data: new Uint8Array(1), address: 'b:1' }]);
    expect(a.stats().sendErrors).toBe(1);
    await h.settle();
  });
});
