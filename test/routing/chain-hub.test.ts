// Multi-hop relaying on the memory hub (wire.md §7, §11.4, §16): a chain A – R1 – R2 – B where A
// and B have no direct path. Routes come from pingwaves, the handshake is routed, a 16 MiB reliable
// transfer crosses both relays under loss byte for byte, and the relays neither hold the A–B
// session nor ever carry its plaintext.
import { afterEach, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import { encodeRoutingHeader } from '../../ts/core/routing-header.js';
import { PLACEMENTS } from '../node/helpers.js';
import { closeAll, mesh, routedConnect } from './helpers.js';

const MARKER = Buffer.from('net-mesh routed plaintext marker|');
const EVENT = 8000;
const COUNT = 2048; // 2048 × 8000 B ≈ 16 MiB

/** Event `i`: its index, then the marker repeated from a rotation that depends on `i`. */
function event(i: number): Uint8Array {
  const b = Buffer.alloc(EVENT);
  b.writeUInt32LE(i, 0);
  for (let k = 4; k < EVENT; k++) b[k] = MARKER[(k + i) % MARKER.length]!;
  return b;
}

function carriesMarker(d: Uint8Array): boolean {
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength).indexOf(MARKER) >= 0;
}

describe.each(PLACEMENTS)('%s engine: chain A – R1 – R2 – B', (engine) => {
  let nodes: MeshNode[] = [];
  afterEach(async () => {
    await closeAll(nodes);
    nodes = [];
  });

  it('learns routes from pingwaves, handshakes through both relays and moves 16 MiB A → B byte for byte under 5% loss; relays hold no A–B session and never see plaintext', async () => {
    const hub = new MemoryHub({ seed: 14 });
    nodes = await mesh(hub, 4, [[0, 1], [1, 2], [2, 3]], engine);
    const [a, r1, r2, b] = nodes as [MeshNode, MeshNode, MeshNode, MeshNode];
    hub.partition(a.address, b.address);
    let routed = 0;
    let leaked = 0;
    hub.tap((d) => {
      if (d.data[0] === 0x52 && d.data[1] === 0x54) routed++;
      if (carriesMarker(d.data)) leaked++;
    });
    expect(carriesMarker(event(5))).toBe(true); // the search finds plaintext where there is some

    await routedConnect(a, b);
    expect(a.peers().find((p) => p.nodeId === b.nodeId)?.address).toBe(r1.address);
    expect(b.peers().map((p) => p.nodeId)).toContain(a.nodeId);

    for (const [x, y] of [[a, r1], [r1, r2], [r2, b]] as const) hub.setLink(x.address, y.address, { loss: 0.05 });
    const s = a.openStream(b.nodeId, 7n, { reliability: 'reliable', maxRetries: 12 });
    // Reliable delivery is in arrival order (wire.md §18 (a)): each event is checked by its index.
    let got = 0;
    let wrong = 0;
    const seen = new Uint8Array(COUNT);
    const reader = (async () => {
      for await (const e of b.events({ from: a.nodeId, stream: 7n })) {
        const i = Buffer.from(e.payload).readUInt32LE(0);
        if (i >= COUNT || seen[i] || Buffer.compare(Buffer.from(e.payload), Buffer.from(event(i))) !== 0) wrong++;
        else seen[i] = 1;
        if (++got === COUNT) break;
      }
    })();
    for (let i = 0; i < COUNT; i += 16) await s.send(Array.from({ length: 16 }, (_, k) => event(i + k)));
    await s.closeGraceful(120_000);
    await reader;
    expect({ got, wrong, failed: s.failed }).toEqual({ got: COUNT, wrong: 0, failed: false });
    expect(s.stats().retransmits).toBeGreaterThan(0);

    // Both relays carried the session's packets (each of ≥ 2048 data packets crossed three hops).
    expect(r1.stats().forwarded).toBeGreaterThan(COUNT);
    expect(r2.stats().forwarded).toBeGreaterThan(COUNT);
    expect(routed).toBeGreaterThan(3 * COUNT);
    expect(leaked).toBe(0);
    // The relays hold no session for A–B: only their direct neighbours.
    expect(r1.peers().map((p) => p.nodeId).sort()).toEqual([a.nodeId, r2.nodeId].sort());
    expect(r2.peers().map((p) => p.nodeId).sort()).toEqual([r1.nodeId, b.nodeId].sort());
    expect(hub.stats().droppedByPartition).toBe(0); // nothing ever tried the direct path
  }, 180_000);

  it('drops routed packets whose TTL ran out, that loop back to their source, or that have no route, and counts each', async () => {
    const hub = new MemoryHub({ seed: 15 });
    nodes = await mesh(hub, 4, [[0, 1], [1, 2], [2, 3]], engine);
    const [, r1, r2, b] = nodes as [MeshNode, MeshNode, MeshNode, MeshNode];
    // Wait until R1 has a route to B (pingwaves from R2 carry B's).
    const stranger = hub.transport();
    await stranger.bind('10.9.9.9:1');
    const rid = (n: MeshNode): number => Number(n.nodeId & 0xffffffffn);
    const routedTo = (ttl: number, srcId: number, destId: bigint): Uint8Array => {
      const d = new Uint8Array(18 + 100);
      d.set(encodeRoutingHeader({ ttl, hopCount: 0, flags: 0, srcId, destId }));
      d[18] = 0x45; // an inner Net magic: it is never opened on the way anyway
      d[19] = 0x4e;
      return d;
    };
    // A probe to B with a healthy TTL: once it reaches B (malformed inside), R1 and R2 route to B.
    const t0 = Date.now();
    while (b.stats().dropped.malformed === 0) {
      if (Date.now() - t0 > 5000) throw new Error('no route to B after 5 s');
      stranger.send([{ data: routedTo(8, 0x1234, b.nodeId), address: r1.address }]);
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = { r1: r1.stats(), r2: r2.stats(), b: b.stats() };
    stranger.send([
      // TTL 1: R1 forwards it with TTL 0, R2 (not the destination) drops it.
      { data: routedTo(1, 0x1234, b.nodeId), address: r1.address },
      // Claims R2 as its source: R1 forwards it to R2, which recognises a loop.
      { data: routedTo(8, rid(r2), b.nodeId), address: r1.address },
      // TTL 0 on arrival at R1.
      { data: routedTo(0, 0x1234, b.nodeId), address: r1.address },
      // Nobody knows this destination.
      { data: routedTo(8, 0x1234, 0xdead_beef_0000_0001n), address: r1.address },
    ]);
    const r1d = (): number => r1.stats().dropped.ttlExpired + r1.stats().dropped.noRoute;
    const r2d = (): number => r2.stats().dropped.ttlExpired + r2.stats().dropped.loop;
    const t1 = Date.now();
    while (r1d() < before.r1.dropped.ttlExpired + before.r1.dropped.noRoute + 2 || r2d() < before.r2.dropped.ttlExpired + before.r2.dropped.loop + 2) {
      if (Date.now() - t1 > 5000) throw new Error('drops not counted within 5 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(r1.stats().dropped.ttlExpired - before.r1.dropped.ttlExpired).toBe(1);
    expect(r1.stats().dropped.noRoute - before.r1.dropped.noRoute).toBe(1);
    expect(r1.stats().forwarded - before.r1.forwarded).toBe(2);
    expect(r2.stats().dropped.ttlExpired - before.r2.dropped.ttlExpired).toBe(1);
    expect(r2.stats().dropped.loop - before.r2.dropped.loop).toBe(1);
    expect(r2.stats().forwarded - before.r2.forwarded).toBe(0);
    expect(b.stats().dropped.malformed).toBe(before.b.dropped.malformed);
    await stranger.close();
  }, 30_000);
});
