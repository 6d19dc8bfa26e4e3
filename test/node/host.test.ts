// The MeshHost seam (ts/node/host.ts) that channels, rpc and dataforts build on: claimed
// subprotocols and streams bypass events(), stream headers reach the wire, peer and close hooks fire.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import { hostOf, type InboundPacket } from '../../ts/node/host.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import type { PeerEvent } from '../../ts/node/peer.js';
import { PLACEMENTS, connectPair, hubNodes, take, until } from './helpers.js';

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

describe.each(PLACEMENTS)('%s engine', (engine) => {
  describe('MeshHost', () => {
    it('claimed subprotocol frames go to their handler, not to events() (0xf001: layers own 0xf001 and friends)', async () => {
      const hub = new MemoryHub({ seed: 1 });
      nodes = await hubNodes(2, hub, { engine });
      const [a, b] = nodes as [MeshNode, MeshNode];
      const got: { from: bigint; frames: number[][] }[] = [];
      hostOf(b).onSubprotocol(0xf001, (from, frames) => got.push({ from, frames: frames.map((f) => [...f]) }));
      expect(() => hostOf(b).onSubprotocol(0xf001, () => {})).toThrow(/already claimed/);
      await connectPair(a, b);
      hostOf(a).sendSubprotocol(b.nodeId, 0xf001, new Uint8Array([2, 1, 0]));
      await until(() => got.length === 1, 5000, 'experimental frame');
      expect(got[0]).toEqual({ from: a.nodeId, frames: [[2, 1, 0]] });
    });

    it('a stream opened with a header carries channel and origin hash; claimed packets skip events()', async () => {
      const hub = new MemoryHub({ seed: 2 });
      nodes = await hubNodes(2, hub, { engine });
      const [a, b] = nodes as [MeshNode, MeshNode];
      const packets: InboundPacket[] = [];
      const channelStream = (1n << 48n) | 0xabcdef0123n;
      hostOf(b).claimStreams((id) => (id & (1n << 48n)) !== 0n, { packet: (p) => packets.push(p) });
      await connectPair(a, b);
      const s = hostOf(a).openStream(b.nodeId, channelStream, { reliability: 'reliable' }, { channelHash: 0x0123, originHash: 0xfeedn });
      await s.send([new Uint8Array([7]), new Uint8Array([8, 9])]);
      const plain = a.openStream(b.nodeId, 5n);
      await plain.send([new Uint8Array([42])]);
      const [e] = await take(b.events(), 1);
      expect(e!.streamId).toBe(5n);
      await until(() => packets.length === 1, 5000, 'channel packet');
      const p = packets[0]!;
      expect(p).toMatchObject({ from: a.nodeId, streamId: channelStream, seq: 0n, channelHash: 0x0123, originHash: 0xfeedn });
      expect(p.events.map((x) => [...x])).toEqual([[7], [8, 9]]);
      // Claimed events own their bytes.
      expect(p.events[0]!.buffer.byteLength).toBe(1);
    });

    it('peer and close hooks fire', async () => {
      const hub = new MemoryHub({ seed: 3 });
      nodes = await hubNodes(2, hub, { engine });
      const [a, b] = nodes as [MeshNode, MeshNode];
      const seen: PeerEvent['kind'][] = [];
      hostOf(a).onPeerEvent((e) => seen.push(e.kind));
      let closed = 0;
      hostOf(a).onClose(() => closed++);
      await connectPair(a, b);
      expect(seen).toEqual(['up']);
      expect(hostOf(a).closed).toBe(false);
      await a.close();
      expect(closed).toBe(1);
      expect(hostOf(a).closed).toBe(true);
    });
  });

  it('a subprotocol handler sees the packet header\'s stream id and seq', async () => {
    const hub = new MemoryHub({ seed: 4 });
    nodes = await hubNodes(2, hub, { serveBlobs: false });
    const [a, b] = nodes as [MeshNode, MeshNode];
    const got: { streamId: bigint; seq: bigint }[] = [];
    hostOf(b).onSubprotocol(0x7e01, (_from, _frames, packet) => got.push(packet));
    await connectPair(a, b);
    hostOf(a).sendPacket(b.nodeId, { flags: 1, subprotocol: 0x7e01, streamId: 0xabcdn, sequence: 7n }, [new Uint8Array([1])]);
    await until(() => got.length === 1, 5000, 'the packet');
    expect(got[0]).toEqual({ streamId: 0xabcdn, seq: 7n });
  });

  it('a contribution slot\'s tags join every announcement the node makes, and a change re-announces', async () => {
    const hub = new MemoryHub({ seed: 5 });
    nodes = await hubNodes(2, hub, { minAnnounceIntervalMs: 1 });
    const [a, b] = nodes as [MeshNode, MeshNode];
    await connectPair(a, b);
    const slot = hostOf(a).contributeCapabilities();
    slot.set({ tags: ['dataforts.blob.has=00ff'] });
    expect(b.fold.tagsOf(a.nodeId)).toBeUndefined(); // no announcement before the app announces
    await a.announceCapabilities({ tags: ['app-tag'] });
    await until(() => b.fold.tagsOf(a.nodeId)?.includes('dataforts.blob.has=00ff') === true, 5000, 'the layer tag');
    expect(b.fold.tagsOf(a.nodeId)).toEqual(expect.arrayContaining(['app-tag', 'dataforts.blob.serve']));
    slot.set({ tags: ['dataforts.blob.has=11ee'] });
    await until(() => b.fold.tagsOf(a.nodeId)?.includes('dataforts.blob.has=11ee') === true, 5000, 'the changed layer tag');
    expect(b.fold.tagsOf(a.nodeId)).not.toContain('dataforts.blob.has=00ff');
  });
});
