import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import type { PeerEvent } from '../../ts/node/peer.js';
import { PLACEMENTS, connectPair, hubNodes, until } from './helpers.js';

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

function record(node: MeshNode, into: PeerEvent[]): void {
  void (async () => {
    for await (const e of node.peerEvents()) into.push(e);
  })();
}

describe.each(PLACEMENTS)('%s engine', (engine) => {
  describe('heartbeats and the failure detector', () => {
    it('marks a partitioned peer failed within 3 s, recovered after healing, and keeps a third peer healthy', async () => {
      const hub = new MemoryHub({ seed: 11 });
      nodes = await hubNodes(3, hub, { engine, heartbeatIntervalMs: 100, sessionTimeoutMs: 500 });
      const [a, b, c] = nodes as [MeshNode, MeshNode, MeshNode];
      await connectPair(a, b);
      await connectPair(a, c);
      await connectPair(b, c);
      const evA: PeerEvent[] = [];
      const evB: PeerEvent[] = [];
      record(a, evA);
      record(b, evB);

      hub.partition(a.address, b.address);
      const t0 = Date.now();
      const failedOf = (n: MeshNode, id: bigint) => n.peers().find((p) => p.nodeId === id)?.health === 'failed';
      await until(() => failedOf(a, b.nodeId) && failedOf(b, a.nodeId), 3000, 'both sides to report failed');
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(evA.filter((e) => e.nodeId === b.nodeId).map((e) => e.kind)).toEqual(['suspected', 'failed']);
      expect(evB.filter((e) => e.nodeId === a.nodeId).map((e) => e.kind)).toEqual(['suspected', 'failed']);
      // The third peer stays healthy on both sides.
      expect(a.peers().find((p) => p.nodeId === c.nodeId)?.health).toBe('healthy');
      expect(b.peers().find((p) => p.nodeId === c.nodeId)?.health).toBe('healthy');
      expect(evA.some((e) => e.nodeId === c.nodeId)).toBe(false);

      hub.heal(a.address, b.address);
      await until(() => a.peers().find((p) => p.nodeId === b.nodeId)?.health === 'healthy', 3000, 'recovery at a');
      await until(() => b.peers().find((p) => p.nodeId === a.nodeId)?.health === 'healthy', 3000, 'recovery at b');
      await until(() => evA.some((e) => e.nodeId === b.nodeId && e.kind === 'recovered'), 1000, 'recovered event');
    });

    it('emits up when a session is established', async () => {
      const hub = new MemoryHub({ seed: 12 });
      nodes = await hubNodes(2, hub, { engine });
      const [a, b] = nodes as [MeshNode, MeshNode];
      const evA: PeerEvent[] = [];
      const evB: PeerEvent[] = [];
      record(a, evA);
      record(b, evB);
      await connectPair(a, b);
      await until(() => evA.length > 0 && evB.length > 0, 2000, 'up events');
      expect(evA[0]).toMatchObject({ kind: 'up', nodeId: b.nodeId, health: 'healthy' });
      expect(evB[0]).toMatchObject({ kind: 'up', nodeId: a.nodeId });
    });
  });
});
