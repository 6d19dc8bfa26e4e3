import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import { encodeRoutingHeader } from '../../ts/core/routing-header.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { PLACEMENTS, connectPair, hubNodes, patterned, take, until } from './helpers.js';

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

describe.each(PLACEMENTS)('%s engine', (engine) => {
  describe('MeshNode on the memory hub', () => {
    it('connects and exchanges events both ways with content intact', async () => {
      const hub = new MemoryHub({ seed: 1 });
      nodes = await hubNodes(2, hub, { engine });
      const [a, b] = nodes as [MeshNode, MeshNode];
      await connectPair(a, b);
      expect(a.peers().map((p) => p.nodeId)).toEqual([b.nodeId]);
      expect(b.peers().map((p) => p.nodeId)).toEqual([a.nodeId]);
      const sa = a.openStream(b.nodeId, 7n);
      const sb = b.openStream(a.nodeId, 7n);
      const gotB = take(b.events({ stream: 7n }), 500);
      const gotA = take(a.events({ stream: 7n }), 500);
      for (let i = 0; i < 500; i += 50) {
        await sa.send(Array.from({ length: 50 }, (_, k) => patterned(i + k, 300)));
        await sb.send(Array.from({ length: 50 }, (_, k) => patterned(10_000 + i + k, 300)));
      }
      const [rb, ra] = await Promise.all([gotB, gotA]);
      expect(rb.map((e) => new DataView(e.payload.buffer, e.payload.byteOffset).getUint32(0, true))).toEqual(Array.from({ length: 500 }, (_, i) => i));
      rb.forEach((e, i) => expect(e.payload).toEqual(patterned(i, 300)));
      ra.forEach((e, i) => expect(e.payload).toEqual(patterned(10_000 + i, 300)));
      expect(rb[0]!.from).toBe(a.nodeId);
      expect(rb[0]!.streamId).toBe(7n);
    });
  });

  describe('MeshNode receive-path drops', () => {
    it('counts tampered, replayed and short datagrams without disturbing the session', async () => {
      const hub = new MemoryHub({ seed: 7 });
      nodes = await hubNodes(2, hub, { engine, heartbeatIntervalMs: 60_000 });
      const [a, b] = nodes as [MeshNode, MeshNode];
      await connectPair(a, b);
      const s = a.openStream(b.nodeId, 1n);
      const got = b.events({ stream: 1n })[Symbol.asyncIterator]();

      // 1. Tamper with the next data datagram from a to b: one ciphertext byte flipped.
      let mode: 'tamper' | 'replay' | 'pass' = 'tamper';
      hub.tap((d, from, to) => {
        if (from !== a.address || to !== b.address || d.data.length < 100) return 'pass';
        if (mode === 'tamper') {
          mode = 'pass';
          const bad = d.data.slice();
          bad[80]! ^= 0x01;
          return bad;
        }
        if (mode === 'replay') {
          mode = 'pass';
          return 'duplicate';
        }
        return 'pass';
      });
      await s.send([patterned(1, 200)]);
      await until(() => b.stats().dropped.authFailure === 1, 5000, 'auth failure count');

      // 2. The session still works; a duplicated datagram is refused by the replay window.
      mode = 'replay';
      await s.send([patterned(2, 200)]);
      await until(() => b.stats().dropped.replay === 1, 5000, 'replay count');
      const first = await got.next();
      expect(first.value.payload).toEqual(patterned(2, 200));

      // 3. A datagram shorter than a header, from a stranger.
      const stranger = hub.transport();
      await stranger.bind('10.9.9.9:1');
      stranger.send([{ data: new Uint8Array([0x45, 0x4e, 1, 0, 0]), address: b.address }]);
      await until(() => b.stats().dropped.malformed === 1, 5000, 'malformed count');
      await stranger.close();

      // The session is undisturbed.
      await s.send([patterned(3, 200)]);
      const next = await got.next();
      expect(next.value.payload).toEqual(patterned(3, 200));
      expect(b.stats().dropped).toMatchObject({ authFailure: 1, replay: 1, malformed: 1 });
      expect(b.peers()[0]!.health).toBe('healthy');
    });
  });

  describe('other datagram classes (wire.md §1)', () => {
    it('consumes keep-alives, refuses a stranger\'s pingwave and drops unroutable routed packets by reason, not as malformed', async () => {
      const hub = new MemoryHub({ seed: 9 });
      nodes = await hubNodes(1, hub, { engine });
      const [b] = nodes as [MeshNode];
      const stranger = hub.transport();
      await stranger.bind('10.9.9.8:1');
      const keepAlive = new Uint8Array(14);
      keepAlive.set([0x50, 0x48]);
      const pingwave = new Uint8Array(72);
      pingwave[0] = 7; // origin node id, low byte
      const routed = (ttl: number, src: number, dest: bigint): Uint8Array => {
        const d = new Uint8Array(18 + 100);
        d.set(encodeRoutingHeader({ ttl, hopCount: 0, flags: 0, srcId: src, destId: dest }));
        return d;
      };
      const own = Number(b.nodeId & 0xffffffffn);
      const datagrams = [keepAlive, pingwave, routed(0, 5, 77n), routed(8, 5, 77n), routed(8, own, 77n), new Uint8Array([1, 2, 3])];
      stranger.send(datagrams.map((data) => ({ data, address: b.address })));
      await until(() => b.stats().packetsIn === 6, 5000, 'six datagrams');
      expect(b.stats().dropped).toMatchObject({ unsupported: 0, malformed: 1, other: 1, ttlExpired: 1, noRoute: 1, loop: 1 });
      expect(b.stats().forwarded).toBe(0);
      await stranger.close();
    });
  });
});
