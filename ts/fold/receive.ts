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

/** The seen set of `(node_id, version, hop_count == 0)` keys with timestamps. */
export class AnnouncementDedup {
  readonly #seen = new Map<string, number>();
  #lastGc = Number.NEGATIVE_INFINITY;
  readonly #retainMs: number;

  constructor(opts: { retainMs?: number } = {}) {
    this.#retainMs = opts.retainMs ?? DEDUP_RETAIN_MS;
  }

  has(a: CapabilityAnnouncement): boolean {
    return this.#seen.has(dedupKey(a));
  }

  /** Records the key (step 10) and collects old keys at most once per GC interval. */
  record(a: CapabilityAnnouncement, nowMs: number): void {
    this.#seen.set(dedupKey(a), nowMs);
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

/**
 * Steps 1–7: decode (drop on failure or oversized allow-list), direct-peer check, own id, dedup
 * lookup, unsigned / signature / node-id checks. Nothing is recorded: call `dedup.record` once the
 * node has also passed pinning (steps 8–10).
 */
export function screenAnnouncement(
  input: string | Uint8Array | CapabilityAnnouncement,
  ctx: { sender: bigint; self: bigint; dedup?: AnnouncementDedup; requireSigned?: boolean },
): ScreenResult {
  const a = typeof input === 'string' || input instanceof Uint8Array ? decodeAnnouncement(input) : input;
  if (!a) return { ok: false, reason: 'malformed' };
  if (a.hopCount === 0 && a.nodeId !== ctx.sender) return { ok: false, reason: 'spoofed_direct' };
  if (a.nodeId === ctx.self) return { ok: false, reason: 'own' };
  if (ctx.dedup?.has(a)) return { ok: false, reason: 'duplicate' };
  const v = verifyAnnouncement(a, { requireSigned: ctx.requireSigned !== false });
  if (!v.ok) return { ok: false, reason: v.reason as ScreenDrop };
  return { ok: true, announcement: a, signatureVerified: v.signed };
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
