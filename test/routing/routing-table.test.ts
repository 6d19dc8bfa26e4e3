// The sans-IO routing pieces with time passed in: the routing table (wire.md §16), pingwave
// receipt and relaying, and the pingwave / keep-alive codecs.
import { describe, expect, it } from 'vitest';
import { RoutingTable, ROUTE_MAX_AGE_MS } from '../../ts/routing/routing-table.js';
import { PingwaveRelay, type DirectPeers } from '../../ts/routing/pingwave-relay.js';
import { encodePingwave, parsePingwave, PINGWAVE_SIZE, type Pingwave } from '../../ts/routing/pingwave.js';
import { encodeKeepAlive, parseKeepAlive } from '../../ts/routing/keepalive.js';
import { classifyDatagram, DatagramClass } from '../../ts/core/header.js';
import { decodeRoutingHeader, encodeRoutingHeader, forwardedCopy } from '../../ts/core/routing-header.js';

const wave = (over: Partial<Pingwave> = {}): Pingwave => ({
  origin: 0x0102_0304_0506_0708n,
  seq: 1n,
  ttl: 3,
  hopCount: 0,
  timestampUs: 1_700_000_000_000_000n,
  capabilityHash: 0xaan,
  capabilityVersion: 2,
  load: 9,
  health: 1,
  hasGpu: 1,
  modelSlots: 4,
  memoryTier: 5,
  tools: 0x0f,
  capabilityFlags: 0xdead_beef,
  ...over,
});

const peersAt = (...addrs: string[]): DirectPeers => ({ has: (a) => addrs.includes(a), addresses: () => addrs });

describe('RoutingTable', () => {
  it('prefers the lowest live metric, keeps alternates, skips a down hop until it recovers, and ages routes out', () => {
    const t = new RoutingTable();
    t.learn(9n, 'r1:1', 4, 0);
    t.learn(9n, 'r2:1', 5, 0);
    expect(t.nextHop(9n, 10)).toBe('r1:1');
    t.learn(9n, 'r1:1', 6, 20); // not lower: refreshes only
    expect(t.lookup(9n, 20)).toMatchObject({ nextHop: 'r1:1', metric: 4, updatedAt: 20 });
    t.installDirect(9n, 'r2:1', 30); // metric 1 unconditionally
    expect(t.nextHop(9n, 30)).toBe('r2:1');
    t.setDown('r2:1', true);
    expect(t.nextHop(9n, 30)).toBe('r1:1');
    t.setDown('r2:1', false);
    expect(t.nextHop(9n, 30)).toBe('r2:1');
    expect(t.nextHop(9n, 30 + ROUTE_MAX_AGE_MS + 1)).toBeUndefined();
    t.sweep(30 + ROUTE_MAX_AGE_MS + 1);
    expect(t.size).toBe(0);
  });

  it('forgets every route through a removed hop', () => {
    const t = new RoutingTable();
    t.learn(1n, 'x:1', 2, 0);
    t.learn(2n, 'x:1', 3, 0);
    t.learn(2n, 'y:1', 4, 0);
    t.removeHop('x:1');
    expect(t.nextHop(1n, 0)).toBeUndefined();
    expect(t.nextHop(2n, 0)).toBe('y:1');
  });
});

describe('PingwaveRelay', () => {
  it('learns origin → source at hop_count + 2, passes a copy on to every other peer but the next hop toward the origin, once per (origin, seq)', () => {
    const t = new RoutingTable();
    const r = new PingwaveRelay(1n, t);
    const b = encodePingwave(wave({ origin: 7n, seq: 5n, hopCount: 1, ttl: 2 }));
    const out = r.receive(b, 'p1:1', peersAt('p1:1', 'p2:1', 'p3:1'), 0);
    expect(out.dropped).toBeUndefined();
    expect(t.lookup(7n, 0)).toMatchObject({ nextHop: 'p1:1', metric: 3 });
    expect(out.forward.map(([, a]) => a)).toEqual(['p2:1', 'p3:1']);
    expect(parsePingwave(out.forward[0]![0])).toMatchObject({ ttl: 1, hopCount: 2, origin: 7n, seq: 5n });
    // The same wave from another peer: a route, but no second copy.
    const again = r.receive(b, 'p2:1', peersAt('p1:1', 'p2:1', 'p3:1'), 1);
    expect(again).toEqual({ dropped: 'duplicate', forward: [] });
    expect(t.lookup(7n, 1)?.nextHop).toBe('p1:1');
  });

  it('drops its own waves, waves of 16+ hops and waves from non-peers; stops at ttl 0', () => {
    const t = new RoutingTable();
    const r = new PingwaveRelay(1n, t);
    const peers = peersAt('p1:1', 'p2:1');
    expect(r.receive(encodePingwave(wave({ origin: 1n })), 'p1:1', peers, 0).dropped).toBe('self');
    expect(r.receive(encodePingwave(wave({ hopCount: 16 })), 'p1:1', peers, 0).dropped).toBe('hops');
    expect(r.receive(encodePingwave(wave()), 'stranger:1', peers, 0).dropped).toBe('notPeer');
    expect(t.size).toBe(0);
    expect(r.receive(encodePingwave(wave({ ttl: 0, seq: 9n })), 'p1:1', peers, 0)).toEqual({ forward: [] });
    expect(t.size).toBe(1);
  });

  it('remembers seen seqs within a window per origin', () => {
    const r = new PingwaveRelay(1n, new RoutingTable());
    const peers = peersAt('p1:1');
    const seen = (seq: bigint): boolean => r.receive(encodePingwave(wave({ seq, ttl: 0 })), 'p1:1', peers, 0).dropped === 'duplicate';
    expect([seen(10n), seen(12n), seen(11n), seen(10n), seen(12n), seen(200n), seen(100n)]).toEqual([false, false, false, true, true, false, true]);
  });

  it('originates 72-byte waves with ttl 3, hop 0 and a rising seq', () => {
    const r = new PingwaveRelay(42n, new RoutingTable());
    const w1 = parsePingwave(r.originate(5n))!;
    const w2 = parsePingwave(r.originate(6n))!;
    expect(w1).toMatchObject({ origin: 42n, seq: 1n, ttl: 3, hopCount: 0, timestampUs: 5n, health: 0 });
    expect(w2.seq).toBe(2n);
  });
});

describe('pingwave, keep-alive and routing-header bytes', () => {
  it('round-trips every pingwave field at its offset; a health above 3 is no pingwave', () => {
    const b = encodePingwave(wave());
    expect(b.length).toBe(PINGWAVE_SIZE);
    expect(parsePingwave(b)).toEqual(wave());
    expect(b.subarray(8, 32).every((x) => x === 0)).toBe(true);
    expect([b[40], b[41], b[62], b[63], b[64], b[65], b[66], b[67]]).toEqual([3, 0, 9, 1, 1, 4, 5, 0x0f]);
    expect(classifyDatagram(b)).toBe(DatagramClass.PINGWAVE);
    b[63] = 4;
    expect(parsePingwave(b)).toBeUndefined();
  });

  it('round-trips a keep-alive (14 bytes, magic 0x4850)', () => {
    const b = encodeKeepAlive({ nodeId: 0x1122_3344_5566_7788n, punchId: 0xabcdef01 });
    expect(Array.from(b.subarray(0, 3))).toEqual([0x50, 0x48, 0x88]);
    expect(classifyDatagram(b)).toBe(DatagramClass.KEEPALIVE);
    expect(parseKeepAlive(b)).toEqual({ nodeId: 0x1122_3344_5566_7788n, punchId: 0xabcdef01 });
    expect(parseKeepAlive(b.subarray(0, 13))).toBeUndefined();
  });

  it('forwarding rewrites ttl − 1 and hop_count + 1 (saturating), clears the flags’ high nibble and keeps every other byte', () => {
    const h = encodeRoutingHeader({ ttl: 8, hopCount: 255, flags: 0xf4, srcId: 0x01020304, destId: 99n });
    const d = new Uint8Array(18 + 86);
    d.set(h);
    d.fill(0x33, 18);
    const f = forwardedCopy(d);
    expect(decodeRoutingHeader(f)).toEqual({ ttl: 7, hopCount: 255, flags: 0x04, srcId: 0x01020304, destId: 99n });
    expect(f[4]).toBe(0x04);
    expect(f.subarray(18)).toEqual(d.subarray(18));
    expect(d[2]).toBe(8); // the original is untouched
    expect(classifyDatagram(f)).toBe(DatagramClass.ROUTED);
  });
});
