// Issue 9 finding 7: `announcedEntity` was never pruned, and nothing capped the origins tracked.
// Now per-origin state (announced entity, forwarding budget, held forward) leaves with the fold
// entry (expiry sweep, peer death), per-peer state (pinned entity, origin_node, budget) with the
// peer, and the fold tracks at most `maxOrigins` origins.
import { describe, expect, it } from 'vitest';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { buildAnnouncement, encodeAnnouncementBytes, lowerCapabilities, withHopCount } from '../../ts/fold/index.js';
import { CapabilityService, type AnnouncementPeer } from '../../ts/node/capability-service.js';
import { Identity } from '../../ts/identity/identity.js';
import { PLACEMENTS, until } from '../node/helpers.js';
import { announceLine, closedAfterEach } from './announce-helpers.js';

const live = closedAfterEach();

const serviceOf = (n: MeshNode): CapabilityService => (n as unknown as { capabilities: CapabilityService }).capabilities;

describe.each(PLACEMENTS)('%s engine', (engine) => {
  it("a relayed origin's announced entity is dropped when its entry expires", async () => {
    live.nodes = await announceLine(engine, 98);
    const [a, , c] = live.nodes as [MeshNode, MeshNode, MeshNode];
    await a.announceCapabilities({ tags: ['brief'] }, { ttlSecs: 1 });
    await until(() => serviceOf(c).announcedEntity.has(a.nodeId), 5000, "A's entity at C");
    await until(() => !c.fold.has(a.nodeId), 5000, "A's entry expiring at C");
    expect(serviceOf(c).announcedEntity.has(a.nodeId)).toBe(false);
  });
});

describe('CapabilityService bookkeeping (time passed in)', () => {
  let now = 1_800_000_000_000;
  const me = Identity.fromSeed(new Uint8Array(32).fill(20));
  const stamp = (): bigint => BigInt(now) * 1_000_000n;
  const service = (opts: ConstructorParameters<typeof CapabilityService>[1] = {}) => {
    const sent: bigint[] = [];
    const peers: AnnouncementPeer[] = [];
    const svc = new CapabilityService({ identity: me, peers: () => peers, sendTo: (p) => sent.push(p.nodeId) }, { clock: () => now, autoRefresh: false, ...opts });
    return { svc, sent, peers };
  };
  const relayedBy = (who: Identity, version = 1n, ttlSecs = 300) =>
    encodeAnnouncementBytes(withHopCount(buildAnnouncement(who, lowerCapabilities({ tags: ['o'] }), { version, ttlSecs, timestampNs: stamp() }), 1));
  const direct = (who: Identity, version = 1n) => encodeAnnouncementBytes(buildAnnouncement(who, lowerCapabilities({ tags: ['d'] }), { version, timestampNs: stamp() }));

  it('expiry and peer death clear per-origin and per-peer state', () => {
    const { svc, peers } = service();
    const p = Identity.fromSeed(new Uint8Array(32).fill(21));
    const peer: AnnouncementPeer = { nodeId: p.nodeId, health: 'healthy' };
    peers.push(peer, { nodeId: 5n, health: 'healthy' });
    const o = Identity.fromSeed(new Uint8Array(32).fill(22));
    svc.onMessage(peer, [direct(p), relayedBy(o, 1n, 10)]);
    expect(svc.peerEntity.has(p.nodeId)).toBe(true);
    expect(svc.originNode.size).toBe(1);
    expect([...svc.announcedEntity.keys()].sort()).toEqual([p.nodeId, o.nodeId].sort());
    now += 10_000;
    svc.sweep();
    expect(svc.fold.has(o.nodeId)).toBe(false);
    expect(svc.announcedEntity.has(o.nodeId)).toBe(false);
    svc.onPeerFailed(p.nodeId);
    expect(svc.peerEntity.size).toBe(0);
    expect(svc.originNode.size).toBe(0);
    expect(svc.announcedEntity.size).toBe(0);
    svc.close();
  });

  it('caps the origins tracked; a new one is refused, counted and not forwarded', () => {
    const { svc, sent, peers } = service({ receivePolicy: { maxOrigins: 3 } });
    const peer: AnnouncementPeer = { nodeId: 7n, health: 'healthy' };
    peers.push(peer, { nodeId: 8n, health: 'healthy' });
    const ids = [30, 31, 32, 33].map((i) => Identity.fromSeed(new Uint8Array(32).fill(i)));
    svc.onMessage(peer, ids.map((id) => relayedBy(id)));
    expect(svc.fold.size).toBe(3);
    expect(svc.announcedEntity.size).toBe(3);
    expect(svc.stats().rejected).toEqual({ too_many_origins: 1 });
    expect(sent.length).toBe(3);
    svc.close();
  });

  it('budgets a peer per second and drops the excess as rate_limited', () => {
    const { svc, peers } = service({ peerBudget: { burst: 2, perSecond: 1 } });
    const peer: AnnouncementPeer = { nodeId: 9n, health: 'healthy' };
    peers.push(peer);
    const ids = [40, 41, 42, 43, 44].map((i) => Identity.fromSeed(new Uint8Array(32).fill(i)));
    svc.onMessage(peer, ids.slice(0, 4).map((id) => relayedBy(id)));
    expect(svc.stats()).toMatchObject({ accepted: 2, rejected: { rate_limited: 2 } });
    now += 1000;
    svc.onMessage(peer, [relayedBy(ids[4]!), relayedBy(ids[3]!)]);
    expect(svc.stats()).toMatchObject({ accepted: 3, rejected: { rate_limited: 3 } });
    // Peer death forgets its bucket: a reconnected peer starts with a full burst.
    svc.onPeerFailed(peer.nodeId);
    svc.onMessage(peer, [relayedBy(ids[3]!)]);
    expect(svc.stats().accepted).toBe(4);
    svc.close();
  });

  it('a held-back forward is dropped (and counted) when its origin leaves the fold', () => {
    const { svc, sent, peers } = service({ originForwardBudget: { burst: 1, perSecond: 0.01 } });
    const peer: AnnouncementPeer = { nodeId: 11n, health: 'healthy' };
    peers.push(peer, { nodeId: 12n, health: 'healthy' });
    const o = Identity.fromSeed(new Uint8Array(32).fill(50));
    svc.onMessage(peer, [relayedBy(o, 1n, 5), relayedBy(o, 2n, 5), relayedBy(o, 3n, 5)]);
    expect(sent).toEqual([12n]);
    expect(svc.stats().forwardDropped).toBe(1); // version 2 superseded by 3 while held
    now += 5000;
    svc.sweep();
    expect(svc.stats().forwardDropped).toBe(2);
    expect(sent).toEqual([12n]);
    svc.close();
  });
});
