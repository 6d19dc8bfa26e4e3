// The pure receive-pipeline steps (fold.md §4.2 steps 1–7, 10–12).
import { describe, expect, it } from 'vitest';
import { Identity } from '../../ts/identity/index.js';
import { buildAnnouncement, encodeAnnouncement, signAnnouncement, withHopCount } from '../../ts/fold/announcement.js';
import { AnnouncementDedup, forwardCopy, mayPinIdentity, relayRouteMetric, screenAnnouncement } from '../../ts/fold/receive.js';

const alice = Identity.fromSeed(new Uint8Array(32).fill(5));
const me = 77n;

describe('screenAnnouncement', () => {
  const a = signAnnouncement(alice, { tags: ['x'] }, { version: 10n });

  it('accepts a valid direct announcement and allows pinning', () => {
    const r = screenAnnouncement(encodeAnnouncement(a), { sender: alice.nodeId, self: me });
    expect(r.ok).toBe(true);
    if (r.ok) expect(mayPinIdentity(r)).toBe(true);
  });

  it('drops in pipeline order', () => {
    expect(screenAnnouncement('{', { sender: 1n, self: me })).toEqual({ ok: false, reason: 'malformed' });
    expect(screenAnnouncement(a, { sender: 1n, self: me })).toEqual({ ok: false, reason: 'spoofed_direct' });
    expect(screenAnnouncement(withHopCount(a, 1), { sender: 1n, self: alice.nodeId })).toEqual({ ok: false, reason: 'own' });
    const dedup = new AnnouncementDedup();
    dedup.record(a, 0);
    expect(screenAnnouncement(a, { sender: alice.nodeId, self: me, dedup })).toEqual({ ok: false, reason: 'duplicate' });
    // The same version relayed is a different key (hop_count == 0 is part of it).
    expect(screenAnnouncement(withHopCount(a, 2), { sender: 5n, self: me, dedup }).ok).toBe(true);
    const unsignedAnn = buildAnnouncement(alice, { tags: ['x'] }, { signed: false, version: 11n });
    expect(screenAnnouncement(unsignedAnn, { sender: alice.nodeId, self: me })).toEqual({ ok: false, reason: 'unsigned' });
    const r = screenAnnouncement(unsignedAnn, { sender: alice.nodeId, self: me, requireSigned: false });
    expect(r.ok && !mayPinIdentity(r)).toBe(true);
    const forged = encodeAnnouncement(a).replace('"x"', '"y"');
    expect(screenAnnouncement(forged, { sender: alice.nodeId, self: me })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('relayed announcements verify but do not pin', () => {
    const r = screenAnnouncement(withHopCount(a, 3), { sender: 9n, self: me });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.signatureVerified).toBe(true);
      expect(mayPinIdentity(r)).toBe(false);
    }
  });
});

describe('dedup, routes, forwarding', () => {
  it('keeps keys 600 s and collects them', () => {
    const d = new AnnouncementDedup();
    const a = buildAnnouncement(alice, {}, { signed: false, version: 1n });
    const b = buildAnnouncement(alice, {}, { signed: false, version: 2n });
    d.record(a, 0);
    d.record(b, 500_000);
    d.gc(600_001);
    expect(d.has(a)).toBe(false);
    expect(d.has(b)).toBe(true);
    expect(d.size).toBe(1);
  });

  it('metric hop+2 for relayed origins; forwards below 15 hops with hop+1', () => {
    const a = buildAnnouncement(alice, {}, { signed: false, version: 1n });
    expect(relayRouteMetric(a)).toBeUndefined();
    expect(relayRouteMetric(withHopCount(a, 3))).toBe(5);
    expect(forwardCopy(withHopCount(a, 14))!.hopCount).toBe(15);
    expect(forwardCopy(withHopCount(a, 15))).toBeUndefined();
  });
});
