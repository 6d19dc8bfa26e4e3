// Issue 9 finding 7: every announcement cost a signature check on the node's thread, with no bound
// on how many one peer could make it do. Now each direct peer has a budget of announcements the
// node decodes and verifies (PEER_ANNOUNCE_BUDGET; excess dropped as `rate_limited`), and copies
// that are stale, expired or duplicate are dropped before any signature work.
import { describe, expect, it, vi } from 'vitest';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { buildAnnouncement, encodeAnnouncementBytes, lowerCapabilities, withHopCount, type CapabilityAnnouncement } from '../../ts/fold/index.js';
import { CapabilityService, PEER_ANNOUNCE_BUDGET, type AnnouncementPeer } from '../../ts/node/capability-service.js';
import { Identity } from '../../ts/identity/identity.js';
import { PLACEMENTS, until } from '../node/helpers.js';
import { announceLine, sendRawAnnouncement, closedAfterEach } from './announce-helpers.js';

const live = closedAfterEach();

describe.each(PLACEMENTS)('%s engine', (engine) => {
  it('a peer relaying a flood of fresh origins gets at most its budget of verifications', async () => {
    live.nodes = await announceLine(engine, 97);
    const [, b, c] = live.nodes as [MeshNode, MeshNode, MeshNode];
    const n = 900;
    const flood: CapabilityAnnouncement[] = [];
    for (let i = 0; i < n; i++) flood.push(withHopCount(buildAnnouncement(Identity.generate(), lowerCapabilities({ tags: ['flood'] }), { version: 1n }), 1));
    const t0 = Date.now();
    for (const ann of flood) sendRawAnnouncement(b, c, ann);
    await until(() => c.stats().announcements.received >= n, 20_000, `C receiving all ${n}`);
    const elapsedS = (Date.now() - t0) / 1000;
    const s = c.stats().announcements;
    const allowed = PEER_ANNOUNCE_BUDGET.burst + Math.ceil(elapsedS * PEER_ANNOUNCE_BUDGET.perSecond) + 1;
    expect(s.accepted).toBeGreaterThan(0);
    expect(s.accepted).toBeLessThanOrEqual(allowed);
    expect(s.rejected.rate_limited ?? 0).toBe(n - s.accepted);
    expect(c.fold.size).toBe(s.accepted);
  });
});

describe('the receive path spends no signature work on copies it would drop', () => {
  const now = 1_800_000_000_000;
  const stamp = BigInt(now) * 1_000_000n;
  const me = Identity.fromSeed(new Uint8Array(32).fill(9));
  const origin = Identity.fromSeed(new Uint8Array(32).fill(10));
  const peer: AnnouncementPeer = { nodeId: 77n, health: 'healthy' };
  const sent: bigint[] = [];
  const svc = new CapabilityService({ identity: me, peers: () => [peer, { nodeId: 78n, health: 'healthy' }], sendTo: (p) => sent.push(p.nodeId) }, { clock: () => now, autoRefresh: false });
  const relayed = (version: bigint, extra: { timestampNs?: bigint } = {}) =>
    encodeAnnouncementBytes(withHopCount(buildAnnouncement(origin, lowerCapabilities({ tags: ['x'] }), { version, timestampNs: stamp, ...extra }), 1));

  it('verifies a fresh one once; duplicates, stale and expired copies are dropped unverified and unforwarded', () => {
    const verify = vi.spyOn(Identity, 'verify');
    try {
      svc.onMessage(peer, [relayed(5n)]);
      expect(verify).toHaveBeenCalledTimes(1);
      expect(sent).toEqual([78n]);
      svc.onMessage(peer, [relayed(5n), relayed(4n), relayed(3n), relayed(6n, { timestampNs: stamp - 3_600_000_000_000n })]);
      expect(verify).toHaveBeenCalledTimes(1);
      expect(sent).toEqual([78n]);
      expect(svc.stats().rejected).toEqual({ duplicate: 1, stale_generation: 2, expired: 1 });
    } finally {
      verify.mockRestore();
      svc.close();
    }
  });
});
