// Relay failure and the `via` option on the memory hub (wire.md §11.4, §16): with two paths from
// A to B (A – R1 – B and A – R2 – R3 – B), a routed session runs over the shorter one; when R1
// fails the failure detector notices, traffic moves to the other path, and it moves back when R1
// recovers. connect(null, …, { via }) routes the handshake through the named relay.
import { afterEach, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import { InvalidArgumentError } from '../../ts/errors.js';
import { PLACEMENTS, until } from '../node/helpers.js';
import { closeAll, mesh, routedConnect } from './helpers.js';

describe.each(PLACEMENTS)('%s engine: relay failure and via', (engine) => {
  let nodes: MeshNode[] = [];
  afterEach(async () => {
    await closeAll(nodes);
    nodes = [];
  });

  it('notices a failed relay and moves the routed session to the second path, and back once it recovers', async () => {
    const hub = new MemoryHub({ seed: 21 });
    nodes = await mesh(hub, 5, [[0, 1], [1, 2], [0, 3], [3, 4], [4, 2]], engine);
    const [a, r1, b, r2, r3] = nodes as [MeshNode, MeshNode, MeshNode, MeshNode, MeshNode];
    hub.partition(a.address, b.address);
    await routedConnect(a, b);

    const s = a.openStream(b.nodeId, 3n);
    const received = new Set<number>();
    const reader = (async () => {
      for await (const e of b.events({ from: a.nodeId, stream: 3n })) received.add(new DataView(e.payload.buffer, e.payload.byteOffset).getUint32(0, true));
    })();
    let sent = 0;
    let sending = true;
    const sender = (async () => {
      while (sending) {
        const ev = new Uint8Array(64);
        new DataView(ev.buffer).setUint32(0, sent++, true);
        s.trySend([ev]);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const after = (from: number): number => [...received].filter((i) => i >= from).length;

    await until(() => received.size >= 20, 5000, 'events over the first path');
    expect(r1.stats().forwarded).toBeGreaterThan(0);
    expect(r2.stats().forwarded).toBe(0); // the longer path is idle

    // R1 fails for both of its neighbours.
    hub.partition(r1.address, a.address);
    hub.partition(r1.address, b.address);
    const failedAt = sent;
    await until(() => a.peers().find((p) => p.nodeId === r1.nodeId)?.health === 'failed', 5000, 'A noticing R1 failed');
    await until(() => after(failedAt) >= 20, 5000, 'events over the second path');
    expect(r2.stats().forwarded).toBeGreaterThan(0);
    expect(r3.stats().forwarded).toBeGreaterThan(0);
    expect(a.peers().find((p) => p.nodeId === b.nodeId)).toBeDefined(); // the session survived

    // R1 recovers: the old (shorter) route is used again.
    hub.heal(r1.address, a.address);
    hub.heal(r1.address, b.address);
    await until(() => a.peers().find((p) => p.nodeId === r1.nodeId)?.health === 'healthy', 5000, 'R1 recovering');
    await until(() => b.peers().find((p) => p.nodeId === r1.nodeId)?.health === 'healthy', 5000, 'R1 recovering at B');
    const r1Before = r1.stats().forwarded;
    await until(() => r1.stats().forwarded > r1Before + 10, 5000, 'traffic through R1 again');

    sending = false;
    await sender;
    s.close();
    void reader;
  }, 30_000);

  it('routes the handshake through the relay named by via; refuses a relay that is not a direct peer', async () => {
    const hub = new MemoryHub({ seed: 22 });
    nodes = await mesh(hub, 4, [[0, 1], [1, 2], [0, 3], [3, 2]], engine);
    const [a, r1, b, r2] = nodes as [MeshNode, MeshNode, MeshNode, MeshNode];
    hub.partition(a.address, b.address);
    // No route known yet is fine: via names the relay.
    await a.connect(null, { publicKey: b.noisePublicKey, nodeId: b.nodeId }, { via: r2.nodeId });
    expect(a.peers().find((p) => p.nodeId === b.nodeId)?.address).toBe(r2.address);
    const s = a.openStream(b.nodeId, 4n, { reliability: 'reliable' });
    await s.send([new Uint8Array(100).fill(4)]);
    await s.closeGraceful(5000);
    // Counters reach the app with the engine's next stats record (at most 10 ms apart).
    await until(() => r2.stats().forwarded > 0, 5000, 'R2 counting what it relayed');
    // R1 may have carried msg2 only: B answers through its routing table's next hop toward A
    // (wire.md §11.4), then installs the route through the relay the handshake came from.
    expect(r1.stats().forwarded).toBeLessThanOrEqual(1);

    const c = nodes[3]!;
    await expect(r1.connect(null, { publicKey: c.noisePublicKey, nodeId: c.nodeId }, { via: 0x1234n })).rejects.toMatchObject({ code: 'HANDSHAKE_NO_ROUTE' });
    await expect(a.connect(null, { publicKey: b.noisePublicKey, nodeId: 0x77n })).rejects.toMatchObject({ code: 'HANDSHAKE_NO_ROUTE' });
    await expect(a.connect(null, { publicKey: b.noisePublicKey, nodeId: b.nodeId }, { via: 5 as unknown as bigint })).rejects.toBeInstanceOf(InvalidArgumentError);
  }, 30_000);
});
