// Issue 9 finding 7: TTLs up to 2^32−1 s were accepted (entries expiring in 136 years). Now the
// public API refuses a TTL above MAX_ANNOUNCEMENT_TTL_SECS, and a received one is kept at most that
// long (clamped and counted: the origin's signature covers the TTL, so it is forwarded unchanged).
import { describe, expect, it } from 'vitest';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { buildAnnouncement, lowerCapabilities } from '../../ts/fold/index.js';
import { MAX_ANNOUNCEMENT_TTL_SECS } from '../../ts/fold/policy.js';
import { InvalidArgumentError } from '../../ts/errors.js';
import { PLACEMENTS, until } from '../node/helpers.js';
import { announceLine, sendRawAnnouncement, closedAfterEach } from './announce-helpers.js';

const live = closedAfterEach();

describe.each(PLACEMENTS)('%s engine', (engine) => {
  it('announceCapabilities refuses a TTL above the maximum with INVALID_ARGUMENT naming ttlSecs', async () => {
    live.nodes = await announceLine(engine, 91);
    const [a, , c] = live.nodes as [MeshNode, MeshNode, MeshNode];
    for (const ttlSecs of [2 ** 32 - 1, MAX_ANNOUNCEMENT_TTL_SECS + 1, -1, 1.5]) {
      let err: unknown;
      try {
        await a.announceCapabilities({ tags: ['long'] }, { ttlSecs });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
      expect((err as Error).message).toContain('ttlSecs');
    }
    expect(a.fold.has(a.nodeId)).toBe(false);
    await a.announceCapabilities({ tags: ['hour'] }, { ttlSecs: MAX_ANNOUNCEMENT_TTL_SECS });
    await until(() => c.fold.has(a.nodeId), 5000, 'the one-hour announcement at C');
  });

  it('a received 2^32−1 s TTL is clamped to the maximum, counted, and forwarded with its signature intact', async () => {
    live.nodes = await announceLine(engine, 92);
    const [a, b, c] = live.nodes as [MeshNode, MeshNode, MeshNode];
    // A peer running other code announces with the largest u32 TTL.
    const forever = buildAnnouncement(a.identity, lowerCapabilities({ tags: ['forever'] }), { ttlSecs: 0xffff_ffff });
    const sentAt = Date.now();
    sendRawAnnouncement(a, b, forever);
    await until(() => c.fold.has(a.nodeId), 5000, 'the relayed announcement at C');
    const bound = Date.now() + MAX_ANNOUNCEMENT_TTL_SECS * 1000;
    for (const n of [b, c]) {
      expect(n.fold.expiresAt(a.nodeId)!).toBeLessThanOrEqual(bound);
      expect(n.fold.expiresAt(a.nodeId)!).toBeGreaterThanOrEqual(sentAt + (MAX_ANNOUNCEMENT_TTL_SECS - 60) * 1000);
      expect(n.stats().announcements.ttlClamped).toBe(1);
      expect(n.findNodes({ tags: ['forever'] })).toEqual([a.nodeId]);
    }
    // C verified the origin's signature over the original TTL.
    expect(c.fold.announcementOf(a.nodeId)!.ttlSecs).toBe(0xffff_ffff);
    expect(c.fold.announcementOf(a.nodeId)!.hopCount).toBe(1);
  });
});
