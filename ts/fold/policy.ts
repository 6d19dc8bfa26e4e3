// Admission limits for announcements received from the network (project hardening; fold.md is
// silent on all of them, Net v0.27.0 has none). A node's fold applies them to every non-self
// announcement; a standalone CapabilityFold keeps fold.md's plain `received_at + ttl_secs`.
import type { CapabilityAnnouncement } from './announcement.js';

/**
 * Longest TTL a received announcement is kept for: one hour (12 × the 300 s default). Larger TTLs
 * are clamped, not rejected — the origin's signature covers the TTL, so the announcement is still
 * forwarded unchanged; only this node's entry expires sooner. It also bounds how long a recorded
 * signed announcement can be replayed (expiry follows its timestamp).
 */
export const MAX_ANNOUNCEMENT_TTL_SECS = 3600;
/** Clock difference tolerated between origin and receiver (channels.md's recommended skew). */
export const ANNOUNCEMENT_CLOCK_SKEW_MS = 60_000;
/** Origins one fold tracks from announcements; a new origin beyond this is rejected. */
export const MAX_FOLD_ORIGINS = 16_384;

export interface AnnouncementPolicy {
  /** Default MAX_ANNOUNCEMENT_TTL_SECS. */
  readonly maxTtlSecs?: number;
  /** Default ANNOUNCEMENT_CLOCK_SKEW_MS. */
  readonly clockSkewMs?: number;
  /** Default MAX_FOLD_ORIGINS. */
  readonly maxOrigins?: number;
}

export interface ResolvedPolicy {
  readonly maxTtlSecs: number;
  readonly clockSkewMs: number;
  readonly maxOrigins: number;
}

export function resolvePolicy(p: AnnouncementPolicy): ResolvedPolicy {
  return {
    maxTtlSecs: p.maxTtlSecs ?? MAX_ANNOUNCEMENT_TTL_SECS,
    clockSkewMs: p.clockSkewMs ?? ANNOUNCEMENT_CLOCK_SKEW_MS,
    maxOrigins: p.maxOrigins ?? MAX_FOLD_ORIGINS,
  };
}

/** The TTL this node honours, in seconds: the announced one, at most `maxTtlSecs`. */
export function effectiveTtlSecs(a: CapabilityAnnouncement, p: ResolvedPolicy): number {
  return Math.min(a.ttlSecs, p.maxTtlSecs);
}

/**
 * When a received announcement's entry expires (ms): `timestamp + ttl` (fold.md §3.3's age rule,
 * with `clockSkewMs` of tolerance for an origin whose clock runs behind), and never later than
 * `now + ttl` (a timestamp in the future buys nothing). At or before `nowMs` means the
 * announcement arrived expired.
 */
export function announcementExpiryMs(a: CapabilityAnnouncement, nowMs: number, p: ResolvedPolicy): number {
  const ttlMs = effectiveTtlSecs(a, p) * 1000;
  const stampedMs = Number(a.timestampNs / 1_000_000n);
  return Math.min(nowMs + ttlMs, stampedMs + p.clockSkewMs + ttlMs);
}
