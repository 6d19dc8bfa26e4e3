// Issue 9 finding 7: stale versions were forwarded before being rejected, and nothing bounded how
// often one origin's announcements were passed on. Now only what the fold installs is forwarded,
// and each origin has a forwarding budget (excess held back, the latest sent once budget returns).
import { describe, expect, it } from 'vitest';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { buildAnnouncement, lowerCapabilities, withHopCount } from '../../ts/fold/index.js';
import { ORIGIN_FORWARD_BUDGET } from '../../ts/node/capability-service.js';
import { PLACEMENTS, until } from '../node/helpers.js';
import { announceLine, sendRawAnnouncement, closedAfterEach, sleep } from './announce-helpers.js';

const live = closedAfterEach();

describe.each(PLACEMENTS)('%s engine', (engine) => {
  it('a stale version is rejected at the first hop and never forwarded', async () => {
    live.nodes = await announceLine(engine, 93);
    const [a, b, c] = live.nodes as [MeshNode, MeshNode, MeshNode];
    await a.announceCapabilities({ tags: ['current'] });
    await until(() => c.fold.has(a.nodeId), 5000, 'the first announcement at C');
    const gen = b.fold.generation(a.nodeId)!;
    const bBefore = b.stats().announcements;
    const cReceived = c.stats().announcements.received;

    // Validly signed by A, but older than what B holds: direct, and as if relayed by someone else.
    sendRawAnnouncement(a, b, buildAnnouncement(a.identity, lowerCapabilities({ tags: ['old'] }), { version: gen - 1n }));
    sendRawAnnouncement(a, b, withHopCount(buildAnnouncement(a.identity, lowerCapabilities({ tags: ['older'] }), { version: gen - 2n }), 1));
    await until(() => (b.stats().announcements.rejected.stale_generation ?? 0) >= (bBefore.rejected.stale_generation ?? 0) + 2, 5000, 'two stale rejections at B');
    await sleep(300); // anything B forwarded would have reached C by now
    expect(b.stats().announcements.forwarded).toBe(bBefore.forwarded);
    expect(c.stats().announcements.received).toBe(cReceived);
    expect(c.findNodes({ tags: ['current'] })).toEqual([a.nodeId]);
  });

  it('an origin flooding fresh versions is forwarded within its budget; the latest still arrives', async () => {
    live.nodes = await announceLine(engine, 94);
    const [a, b, c] = live.nodes as [MeshNode, MeshNode, MeshNode];
    const base = BigInt(Date.now()) * 1000n;
    const n = 40;
    const t0 = Date.now();
    for (let i = 1; i <= n; i++) {
      sendRawAnnouncement(a, b, buildAnnouncement(a.identity, lowerCapabilities({ tags: [`v${i}`] }), { version: base + BigInt(i) }));
    }
    await until(() => b.stats().announcements.accepted >= n, 10_000, `B installing all ${n} versions`);
    const elapsedS = (Date.now() - t0) / 1000;
    const s = b.stats().announcements;
    // C is B's only other peer: one forward per announcement passed on.
    const allowed = ORIGIN_FORWARD_BUDGET.burst + Math.ceil(elapsedS * ORIGIN_FORWARD_BUDGET.perSecond) + 1;
    expect(s.forwarded).toBeLessThanOrEqual(allowed);
    expect(s.forwardDropped).toBeGreaterThanOrEqual(n - allowed - 1);
    // The held-back latest version goes out once the budget refills (≤ 1 s at 1/s, swept every 500 ms).
    await until(() => c.fold.generation(a.nodeId) === base + BigInt(n), 10_000, 'the latest version at C');
    expect(c.findNodes({ tags: [`v${n}`] })).toEqual([a.nodeId]);
    expect(b.stats().announcements.forwarded + b.stats().announcements.forwardDropped).toBe(n);
  });
});
