import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { hostOf } from '../../ts/node/host.js';
import { Identity } from '../../ts/identity/identity.js';
import { buildAnnouncement, encodeAnnouncementBytes, lowerCapabilities, withHopCount, ANNOUNCEMENT_SUBPROTOCOL } from '../../ts/fold/index.js';
import { type Placement, PLACEMENTS, connectPair, hubNodes, until } from './helpers.js';

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

/** A–B–C in a line: A and C share no session. */
async function line(engine: Placement, opts = {}): Promise<[MeshNode, MeshNode, MeshNode]> {
  const hub = new MemoryHub({ seed: 31 });
  nodes = await hubNodes(3, hub, { engine, minAnnounceIntervalMs: 0, ...opts });
  const [a, b, c] = nodes as [MeshNode, MeshNode, MeshNode];
  await connectPair(a, b);
  await connectPair(b, c);
  return [a, b, c];
}

describe.each(PLACEMENTS)('%s engine', (engine) => {
  describe('capability announcements across the mesh', () => {
    it('an announcement from A reaches C through B within 1 s, and a changed one replaces it', async () => {
      const [a, b, c] = await line(engine);
      const t0 = Date.now();
      await a.announceCapabilities({ tags: ['inference'], memoryGb: 64, gpu: { vendor: 'nvidia', model: 'RTX 4090', vramGb: 24 } });
      await until(() => c.findNodes({ tags: ['inference'] }).includes(a.nodeId), 1000, "A in C's fold");
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(c.findNodes({ requireGpu: true, gpuVendor: 'nvidia', minVramGb: 16 })).toEqual([a.nodeId]);
      expect(b.findNodes({ minMemoryGb: 64 })).toEqual([a.nodeId]);
      expect(a.findNodes({ tags: ['inference'] })).toEqual([a.nodeId]); // self-indexed
      const gen1 = c.fold.generation(a.nodeId)!;

      await a.announceCapabilities({ tags: ['training'], memoryGb: 32 });
      await until(() => c.findNodes({ tags: ['training'] }).includes(a.nodeId), 1000, 'the changed announcement');
      expect(c.findNodes({ tags: ['inference'] })).toEqual([]);
      expect(c.findNodes({ minMemoryGb: 64 })).toEqual([]);
      expect(c.fold.generation(a.nodeId)! > gen1).toBe(true);
    });

    it('an older generation is ignored and forged announcements are rejected and counted', async () => {
      const [a, b, c] = await line(engine);
      await a.announceCapabilities({ tags: ['current'] });
      await until(() => c.fold.has(a.nodeId), 1000, 'first announcement');
      const gen = c.fold.generation(a.nodeId)!;
      const before = c.stats().announcements.rejected;
      const send = (ann: Parameters<typeof encodeAnnouncementBytes>[0]) => hostOf(b).sendSubprotocol(c.nodeId, ANNOUNCEMENT_SUBPROTOCOL, encodeAnnouncementBytes(ann));

      // An older generation, validly signed by A, relayed by B.
      send(withHopCount(buildAnnouncement(a.identity, lowerCapabilities({ tags: ['stale'] }), { version: gen - 1n }), 1));
      // A bad signature: A's announcement with its tags changed after signing.
      const good = buildAnnouncement(a.identity, lowerCapabilities({ tags: ['forged'] }), { version: gen + 10n });
      send(withHopCount({ ...good, capabilities: { ...good.capabilities, tags: ['evil'] } }, 1));
      // A node id not derived from the key: X signs an announcement claiming A's node id.
      const x = Identity.generate();
      const liar = { publicKey: x.publicKey, nodeId: a.nodeId, sign: (m: Uint8Array) => x.sign(m) };
      send(withHopCount(buildAnnouncement(liar, lowerCapabilities({ tags: ['liar'] }), { version: gen + 20n }), 1));

      await until(() => {
        const r = c.stats().announcements.rejected;
        return (r.stale_generation ?? 0) > (before.stale_generation ?? 0) && (r.bad_signature ?? 0) > 0 && (r.node_id_mismatch ?? 0) > 0;
      }, 2000, 'three rejections');
      expect(c.fold.generation(a.nodeId)).toBe(gen);
      expect(c.findNodes({ tags: ['current'] })).toEqual([a.nodeId]);
      for (const t of ['stale', 'forged', 'evil', 'liar']) expect(c.findNodes({ tags: [t] })).toEqual([]);
    });

    it('an announcement disappears after its TTL', async () => {
      // Default 10 s broadcast limit: A's ttl/3 refresh cannot reach C before the entry expires.
      const [a, , c] = await line(engine, { minAnnounceIntervalMs: 10_000 });
      await a.announceCapabilities({ tags: ['ephemeral'] }, { ttlSecs: 1 });
      await until(() => c.fold.has(a.nodeId), 1000, 'arrival');
      await until(() => !c.fold.has(a.nodeId), 3000, 'expiry');
      expect(c.findNodes({ tags: ['ephemeral'] })).toEqual([]);
    });

    it('re-announces at ttl/3 so a live node stays in its peers\' folds', async () => {
      const [a, , c] = await line(engine);
      await a.announceCapabilities({ tags: ['refreshed'] }, { ttlSecs: 1 });
      await until(() => c.fold.has(a.nodeId), 1000, 'arrival');
      const gen = c.fold.generation(a.nodeId)!;
      await new Promise((r) => setTimeout(r, 1500));
      expect(c.findNodes({ tags: ['refreshed'] })).toEqual([a.nodeId]);
      expect(c.fold.generation(a.nodeId)! > gen).toBe(true);
    });

    it('evicts a failed peer\'s entries', async () => {
      const hub = new MemoryHub({ seed: 33 });
      nodes = await hubNodes(2, hub, { engine, heartbeatIntervalMs: 100, sessionTimeoutMs: 300 });
      const [a, b] = nodes as [MeshNode, MeshNode];
      await connectPair(a, b);
      await a.announceCapabilities({ tags: ['doomed'] });
      await until(() => b.fold.has(a.nodeId), 1000, 'arrival');
      hub.partition(a.address, b.address);
      await until(() => !b.fold.has(a.nodeId), 3000, 'eviction on failure');
      expect(b.peerEntity(a.nodeId)).toBeUndefined();
    });

    it('pins the first verified direct announcement and refuses a rebind', async () => {
      const [a, b] = await line(engine);
      await a.announceCapabilities({ tags: ['x'] });
      await until(() => b.peerEntity(a.nodeId) !== undefined, 1000, 'pin');
      expect(b.peerEntity(a.nodeId)).toEqual(a.identity.publicKey);
    });

    it('pushes the local announcement when a session opens later', async () => {
      const hub = new MemoryHub({ seed: 32 });
      nodes = await hubNodes(2, hub, { engine });
      const [a, b] = nodes as [MeshNode, MeshNode];
      await a.announceCapabilities({ tags: ['early'] });
      await connectPair(a, b);
      await until(() => b.findNodes({ tags: ['early'] }).includes(a.nodeId), 1000, 'session-open push');
    });

    it('holds back a second announce inside the rate limit and sends the latest state afterwards', async () => {
      const [a, , c] = await line(engine, { minAnnounceIntervalMs: 400 });
      await a.announceCapabilities({ tags: ['one'] });
      await until(() => c.fold.has(a.nodeId), 1000, 'first');
      await a.announceCapabilities({ tags: ['two'] });
      await a.announceCapabilities({ tags: ['three'] });
      expect(c.findNodes({ tags: ['one'] })).toEqual([a.nodeId]);
      await until(() => c.findNodes({ tags: ['three'] }).includes(a.nodeId), 2000, 'trailing flush');
      expect(c.findNodes({ tags: ['two'] })).toEqual([]);
    });
  });
});
