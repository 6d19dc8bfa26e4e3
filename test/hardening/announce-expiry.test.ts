// Issue 9 finding 7: expiry ignored `timestamp_ns` (an entry lived arrival + ttl however old the
// announcement was). Now it expires at timestamp + ttl (60 s of clock-skew allowance), never later
// than arrival + ttl, and one that arrives already expired is dropped before verification and
// forwarding, and counted.
import { describe, expect, it } from 'vitest';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { buildAnnouncement, lowerCapabilities } from '../../ts/fold/index.js';
import { ANNOUNCEMENT_CLOCK_SKEW_MS } from '../../ts/fold/policy.js';
import { PLACEMENTS, until } from '../node/helpers.js';
import { announceLine, sendRawAnnouncement, stampSecondsAgo, closedAfterEach, sleep } from './announce-helpers.js';

const live = closedAfterEach();

describe.each(PLACEMENTS)('%s engine', (engine) => {
  it('an announcement stamped ten minutes ago with a 300 s TTL is dropped as expired, not forwarded', async () => {
    live.nodes = await announceLine(engine, 95);
    const [a, b, c] = live.nodes as [MeshNode, MeshNode, MeshNode];
    const cReceived = c.stats().announcements.received;
    sendRawAnnouncement(a, b, buildAnnouncement(a.identity, lowerCapabilities({ tags: ['ancient'] }), { ttlSecs: 300, timestampNs: stampSecondsAgo(600) }));
    await until(() => (b.stats().announcements.rejected.expired ?? 0) === 1, 5000, 'the expired rejection at B');
    await sleep(300);
    expect(b.fold.has(a.nodeId)).toBe(false);
    expect(b.stats().announcements.forwarded).toBe(0);
    expect(c.stats().announcements.received).toBe(cReceived);
  });

  it('an entry expires at timestamp + ttl (+ skew), and a future timestamp buys nothing', async () => {
    live.nodes = await announceLine(engine, 96);
    const [a, b, c] = live.nodes as [MeshNode, MeshNode, MeshNode];
    // Stamped 250 s ago with 300 s to live: about 50 s (+ the skew allowance) remain, not 300 s.
    const stamp = stampSecondsAgo(250);
    sendRawAnnouncement(a, b, buildAnnouncement(a.identity, lowerCapabilities({ tags: ['aging'] }), { ttlSecs: 300, timestampNs: stamp }));
    await until(() => c.fold.has(a.nodeId), 5000, 'the announcement at C');
    const stampMs = Number(stamp / 1_000_000n);
    for (const n of [b, c]) expect(n.fold.expiresAt(a.nodeId)).toBe(stampMs + 300_000 + ANNOUNCEMENT_CLOCK_SKEW_MS);

    // From C's side (C–B session): C's announcement stamped an hour ahead.
    const before = Date.now();
    sendRawAnnouncement(c, b, buildAnnouncement(c.identity, lowerCapabilities({ tags: ['future'] }), { ttlSecs: 300, timestampNs: BigInt(before + 3_600_000) * 1_000_000n }));
    await until(() => b.fold.has(c.nodeId), 5000, "C's announcement at B");
    expect(b.fold.expiresAt(c.nodeId)!).toBeLessThanOrEqual(Date.now() + 300_000);
    expect(b.fold.expiresAt(c.nodeId)!).toBeGreaterThanOrEqual(before + 300_000);
  });
});
