// The fold's receive policy (issue 9 finding 7): TTL cap, expiry at timestamp + ttl (with clock
// skew), origin cap, checked before signature work; and the dedup set's key cap. A fold without a
// policy keeps fold.md §5.1's `received_at + ttl_secs`.
import { describe, expect, it, vi } from 'vitest';
import { CapabilityFold } from '../../ts/fold/capability-fold.js';
import { AnnouncementDedup } from '../../ts/fold/receive.js';
import { ANNOUNCEMENT_CLOCK_SKEW_MS, MAX_ANNOUNCEMENT_TTL_SECS, announcementExpiryMs, resolvePolicy } from '../../ts/fold/policy.js';
import { signAnnouncement, withHopCount } from '../../ts/fold/announcement.js';
import { Identity } from '../../ts/identity/identity.js';

const NOW = 1_800_000_000_000;
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;
const alice = Identity.fromSeed(new Uint8Array(32).fill(1));
const ann = (opts: { version?: bigint; stampMs?: number; ttlSecs?: number; who?: Identity } = {}) =>
  signAnnouncement(opts.who ?? alice, { tags: ['svc'] }, { version: opts.version ?? 5n, timestampNs: ns(opts.stampMs ?? NOW), ttlSecs: opts.ttlSecs ?? 300 });

describe('receive policy', () => {
  it('caps the TTL: a 2^32−1 s announcement is kept one hour, not 136 years', () => {
    const f = new CapabilityFold({ receivePolicy: {} });
    expect(f.applyAnnouncement(ann({ ttlSecs: 0xffff_ffff }), { nowMs: NOW })).toEqual({ outcome: 'inserted' });
    expect(f.expiresAt(alice.nodeId)).toBe(NOW + MAX_ANNOUNCEMENT_TTL_SECS * 1000);
    // The retained announcement is the one received (its signature covers the TTL).
    expect(f.announcementOf(alice.nodeId)!.ttlSecs).toBe(0xffff_ffff);
    // Without a policy: fold.md §5.1 as written.
    const plain = new CapabilityFold();
    plain.applyAnnouncement(ann({ ttlSecs: 0xffff_ffff }), { nowMs: NOW });
    expect(plain.expiresAt(alice.nodeId)).toBe(NOW + 0xffff_ffff * 1000);
  });

  it('expires at timestamp + ttl (+ skew), never later than arrival + ttl', () => {
    const f = new CapabilityFold({ receivePolicy: {} });
    // Stamped 250 s before arrival with a 300 s TTL: 50 s left, plus the skew allowance.
    f.applyAnnouncement(ann({ stampMs: NOW - 250_000 }), { nowMs: NOW });
    expect(f.expiresAt(alice.nodeId)).toBe(NOW + 50_000 + ANNOUNCEMENT_CLOCK_SKEW_MS);
    // A timestamp an hour in the future buys nothing.
    const bob = Identity.fromSeed(new Uint8Array(32).fill(2));
    f.applyAnnouncement(ann({ who: bob, stampMs: NOW + 3_600_000 }), { nowMs: NOW });
    expect(f.expiresAt(bob.nodeId)).toBe(NOW + 300_000);
    expect(announcementExpiryMs(ann({ stampMs: NOW - 10_000 }), NOW, resolvePolicy({ clockSkewMs: 0 }))).toBe(NOW + 290_000);
  });

  it('rejects an announcement that arrived expired, before verifying it', () => {
    const f = new CapabilityFold({ receivePolicy: {} });
    const verify = vi.spyOn(Identity, 'verify');
    try {
      const old = ann({ stampMs: NOW - 300_000 - ANNOUNCEMENT_CLOCK_SKEW_MS });
      expect(f.admissionRefusal(old, NOW)).toBe('expired');
      expect(f.applyAnnouncement(old, { nowMs: NOW })).toEqual({ outcome: 'rejected', reason: 'expired' });
      expect(verify).not.toHaveBeenCalled();
    } finally {
      verify.mockRestore();
    }
    expect(f.has(alice.nodeId)).toBe(false);
    expect(f.stats().rejectedBy.expired).toBe(1);
    // Inside the skew allowance it is accepted.
    expect(f.applyAnnouncement(ann({ stampMs: NOW - 300_000 - ANNOUNCEMENT_CLOCK_SKEW_MS + 1000 }), { nowMs: NOW }).outcome).toBe('inserted');
  });

  it('tracks at most maxOrigins origins; known origins still update', () => {
    const f = new CapabilityFold({ receivePolicy: { maxOrigins: 2 } });
    const ids = [3, 4, 5].map((i) => Identity.fromSeed(new Uint8Array(32).fill(i)));
    expect(f.applyAnnouncement(ann({ who: ids[0]! }), { nowMs: NOW }).outcome).toBe('inserted');
    expect(f.applyAnnouncement(ann({ who: ids[1]!, ttlSecs: 10 }), { nowMs: NOW }).outcome).toBe('inserted');
    expect(f.admissionRefusal(ann({ who: ids[2]! }), NOW)).toBe('too_many_origins');
    expect(f.applyAnnouncement(ann({ who: ids[2]! }), { nowMs: NOW })).toEqual({ outcome: 'rejected', reason: 'too_many_origins' });
    expect(f.applyAnnouncement(ann({ who: ids[0]!, version: 6n }), { nowMs: NOW }).outcome).toBe('replaced');
    // Once an entry expires and is swept there is room again.
    f.sweep(NOW + 10_000);
    expect(f.applyAnnouncement(ann({ who: ids[2]! }), { nowMs: NOW + 10_000 }).outcome).toBe('inserted');
    expect(f.size).toBe(2);
  });

  it('reports a stale generation before the policy, and applies no policy to self', () => {
    const f = new CapabilityFold({ receivePolicy: {} });
    f.applyAnnouncement(ann({ version: 9n }), { nowMs: NOW });
    expect(f.admissionRefusal(withHopCount(ann({ version: 9n }), 1), NOW)).toBe('stale_generation');
    expect(f.admissionRefusal(ann({ version: 10n }), NOW)).toBeUndefined();
    const self = new CapabilityFold({ receivePolicy: {} });
    self.applyAnnouncement(ann({ ttlSecs: 7200, stampMs: 0 }), { self: true, trusted: true, nowMs: NOW });
    expect(self.expiresAt(alice.nodeId)).toBe(NOW + 7_200_000);
  });
});

describe('dedup bound', () => {
  it('holds at most maxKeys keys, forgetting the oldest first', () => {
    const d = new AnnouncementDedup({ maxKeys: 3 });
    const anns = [1n, 2n, 3n, 4n].map((v) => ann({ version: v }));
    anns.forEach((a, i) => d.record(a, NOW + i));
    expect(d.size).toBe(3);
    expect(d.has(anns[0]!)).toBe(false);
    expect(anns.slice(1).every((a) => d.has(a))).toBe(true);
  });
});
