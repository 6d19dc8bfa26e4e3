// Pure pieces of the announcement receive pipeline (fold.md §4.2) for the node to drive: screening
// (steps 1–7), the dedup set (steps 4 and 10, with its GC), and the forwarding rules (11–12).
// Identity pinning (8), subnet policy (9), routes and sending stay with the node; the fold's
// `applyAnnouncement` does steps 13–15.
import { decodeAnnouncement, verifyAnnouncement, withHopCount, type CapabilityAnnouncement } from './announcement.js';

/** Forward only while hop_count is below this (step 12). */
export const MAX_FORWARD_HOPS = 15;
/** Dedup keys are kept 2 × 300 s and collected every 60 s (step 10). */
export const DEDUP_RETAIN_MS = 600_000;
export const DEDUP_GC_INTERVAL_MS = 60_000;
/** Keys the dedup set holds at most (project bound; the oldest go first). */
export const DEDUP_MAX_KEYS = 65_536;

export type ScreenDrop =
  | 'malformed'
  /** hop_count 0 but node_id ≠ the sending peer: a direct peer speaks only for itself. */
  | 'spoofed_direct'
  | 'own'
  | 'duplicate'
  | 'unsigned'
  | 'bad_signature'
  | 'node_id_mismatch';

export type ScreenResult =
  | { ok: true; announcement: CapabilityAnnouncement; signatureVerified: boolean }
  | { ok: false; reason: ScreenDrop };

function dedupKey(a: CapabilityAnnouncement): string {
  return `${a.nodeId}:${a.version}:${a.hopCount === 0 ? 1 : 0}`;
}

/** The seen set of `(node_id, version, hop_count == 0)` keys with timestamps, at most `maxKeys`. */
export class AnnouncementDedup {
  readonly #seen = new Map<string, number>();
  #lastGc = Number.NEGATIVE_INFINITY;
  readonly #retainMs: number;
  readonly #maxKeys: number;

  constructor(opts: { retainMs?: number; maxKeys?: number } = {}) {
    this.#retainMs = opts.retainMs ?? DEDUP_RETAIN_MS;
    this.#maxKeys = Math.max(1, opts.maxKeys ?? DEDUP_MAX_KEYS);
  }

  has(a: CapabilityAnnouncement): boolean {
    return this.#seen.has(dedupKey(a));
  }

  /** Records the key (step 10) and collects old keys at most once per GC interval. */
  record(a: CapabilityAnnouncement, nowMs: number): void {
    const key = dedupKey(a);
    // Re-inserting keeps the map in recording order, so the first key is always the oldest.
    this.#seen.delete(key);
    this.#seen.set(key, nowMs);
    if (this.#seen.size > this.#maxKeys) this.#seen.delete(this.#seen.keys().next().value!);
    if (nowMs - this.#lastGc >= DEDUP_GC_INTERVAL_MS) this.gc(nowMs);
  }

  /** Drops keys recorded more than the retention time ago. */
  gc(nowMs: number): void {
    this.#lastGc = nowMs;
    for (const [k, t] of this.#seen) if (nowMs - t > this.#retainMs) this.#seen.delete(k);
  }

  get size(): number {
    return this.#seen.size;
  }
}

export type PrecheckResult = { ok: true; announcement: CapabilityAnnouncement } | { ok: false; reason: ScreenDrop };

/**
 * Steps 1–4, the cheap part of screening: decode (drop on failure or oversized allow-list),
 * direct-peer check, own id, dedup lookup. No signature work.
 */
export function precheckAnnouncement(
  input: string | Uint8Array | CapabilityAnnouncement,
  ctx: { sender: bigint; self: bigint; dedup?: AnnouncementDedup },
): PrecheckResult {
  const a = typeof input === 'string' || input instanceof Uint8Array ? decodeAnnouncement(input) : input;
  if (!a) return { ok: false, reason: 'malformed' };
  if (a.hopCount === 0 && a.nodeId !== ctx.sender) return { ok: false, reason: 'spoofed_direct' };
  if (a.nodeId === ctx.self) return { ok: false, reason: 'own' };
  if (ctx.dedup?.has(a)) return { ok: false, reason: 'duplicate' };
  return { ok: true, announcement: a };
}

/** Steps 5–7 on a prechecked announcement: unsigned, signature and node-id checks. */
export function verifyScreened(a: CapabilityAnnouncement, ctx: { requireSigned?: boolean }): ScreenResult {
  const v = verifyAnnouncement(a, { requireSigned: ctx.requireSigned !== false });
  if (!v.ok) return { ok: false, reason: v.reason as ScreenDrop };
  return { ok: true, announcement: a, signatureVerified: v.signed };
}

/**
 * Steps 1–7: `precheckAnnouncement` then `verifyScreened`. Nothing is recorded: call
 * `dedup.record` once the node has also passed pinning (steps 8–10).
 */
export function screenAnnouncement(
  input: string | Uint8Array | CapabilityAnnouncement,
  ctx: { sender: bigint; self: bigint; dedup?: AnnouncementDedup; requireSigned?: boolean },
): ScreenResult {
  const p = precheckAnnouncement(input, ctx);
  return p.ok ? verifyScreened(p.announcement, ctx) : p;
}

/** Step 8/9 condition: pin identities only from verified, direct announcements. */
export function mayPinIdentity(r: { announcement: CapabilityAnnouncement; signatureVerified: boolean }): boolean {
  return r.signatureVerified && r.announcement.hopCount === 0;
}

/** Step 11: the route metric toward a relayed origin (direct peers have metric 1). */
export function relayRouteMetric(a: CapabilityAnnouncement): number | undefined {
  return a.hopCount > 0 ? a.hopCount + 2 : undefined;
}

/** Step 12: the copy to forward (hop_count + 1), or undefined at the hop limit. */
export function forwardCopy(a: CapabilityAnnouncement): CapabilityAnnouncement | undefined {
  return a.hopCount < MAX_FORWARD_HOPS ? withHopCount(a, a.hopCount + 1) : undefined;
}
