// Capability announcements over sessions (fold.md §4, §10): announce with a 10 s rate limit and a
// trailing-edge flush, push at session open, the receive pipeline (screen, pin, dedup, forward,
// apply), periodic re-announce at ttl/3, the 500 ms expiry sweep and eviction on peer death.
//
// Hardening (issue 9 item 5): a per-peer and a node-wide budget on announcements this node decodes
// and verifies; stale, expired and over-cap announcements dropped before signature work and never
// forwarded (only what the fold installed is forwarded); a per-origin forwarding budget; the
// fold's receive policy (TTL cap, expiry at timestamp + ttl, origin cap, policy.ts); per-origin
// and per-peer bookkeeping pruned with the fold and on peer death.
//
// Where verification runs: here, on the thread that owns the MeshNode. With the worker engine
// (the default) that is not the engine's thread, which carries established traffic; inline, it
// shares the thread, and the budgets bound its cost (each check is one WASM Ed25519 verify,
// about 0.1 ms; bench:fold prints verifies/s).
import { CapabilityFold } from '../fold/capability-fold.js';
import {
  ANNOUNCEMENT_SUBPROTOCOL,
  DEFAULT_ANNOUNCEMENT_TTL_SECS,
  announcementGeneration,
  encodeAnnouncementBytes,
  mergeSubstrateTags,
  lowerCapabilities,
  loweredCapabilities,
  buildAnnouncement,
  type CapabilityAnnouncement,
  type CapabilitySet,
  type ToolCapability,
} from '../fold/index.js';
import { AnnouncementDedup, MAX_FORWARD_HOPS, forwardCopy, mayPinIdentity, precheckAnnouncement, verifyScreened } from '../fold/receive.js';
import { BudgetTable, type BucketRate } from '../fold/budget.js';
import { MAX_ANNOUNCEMENT_TTL_SECS, MAX_FOLD_ORIGINS, type AnnouncementPolicy } from '../fold/policy.js';
import type { Identity } from '../identity/identity.js';
import { originHashFromPublicKey } from '../identity/node-id.js';
import { InvalidArgumentError } from '../errors.js';
import type { Health } from './failure-detector.js';

/** What the service needs to know of a peer. */
export interface AnnouncementPeer {
  readonly nodeId: bigint;
  readonly health: Health;
}
import type { CapabilityContribution, SubstrateCapabilities } from './host.js';

export const MIN_ANNOUNCE_INTERVAL_MS = 10_000;
export const FOLD_SWEEP_INTERVAL_MS = 500;
/** Announcements one direct peer may make this node decode and verify. */
export const PEER_ANNOUNCE_BUDGET: BucketRate = { burst: 256, perSecond: 100 };
/** Announcements the whole node decodes and verifies (≤ ~20% of a core at 0.2 ms each). */
export const NODE_ANNOUNCE_BUDGET: BucketRate = { burst: 1024, perSecond: 1000 };
/** Forwards of one origin's announcements (a well-behaved origin announces every ≥ 10 s). */
export const ORIGIN_FORWARD_BUDGET: BucketRate = { burst: 8, perSecond: 1 };
/** How often per-origin bookkeeping is reconciled with the fold and idle budgets dropped. */
const BOOKKEEPING_INTERVAL_MS = 60_000;

/** Options of `node.announceCapabilities` (fold.md §4.1, §8): announcement TTL and signing. */
export interface AnnounceOptions {
  /** How long receivers keep the announcement, in seconds (300 by default, at most 3600). */
  ttlSecs?: number;
  /** Sign it with the node's identity (true by default). */
  signed?: boolean;
}

export interface CapabilityServiceOptions {
  minAnnounceIntervalMs?: number;
  /** Re-announce every ttl/3 (fold.md §10.5); default true. */
  autoRefresh?: boolean;
  requireSignedCapabilities?: boolean;
  /** The fold's receive policy: TTL cap, clock skew, origin cap (policy.ts defaults). */
  receivePolicy?: AnnouncementPolicy;
  /** Budget per direct peer (PEER_ANNOUNCE_BUDGET). */
  peerBudget?: BucketRate;
  /** Budget of the whole node (NODE_ANNOUNCE_BUDGET). */
  nodeBudget?: BucketRate;
  /** Forwarding budget per origin (ORIGIN_FORWARD_BUDGET). */
  originForwardBudget?: BucketRate;
  /** Time in ms (Date.now); tests pass their own. */
  clock?: () => number;
}

export interface AnnouncementStats {
  sent: number;
  received: number;
  accepted: number;
  forwarded: number;
  /**
   * Installed announcements never forwarded: held back by their origin's forwarding budget and
   * superseded by a newer one (the latest held-back announcement goes out once budget returns).
   */
  forwardDropped: number;
  /** Accepted announcements whose TTL was cut to the maximum (MAX_ANNOUNCEMENT_TTL_SECS). */
  ttlClamped: number;
  /** Drops by reason, including `rate_limited` (a budget), `stale_generation`, `expired`. */
  rejected: Record<string, number>;
}

interface Deps {
  identity: Identity;
  peers(): Iterable<AnnouncementPeer>;
  sendTo(peer: AnnouncementPeer, subprotocol: number, payload: Uint8Array): void;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export class CapabilityService {
  readonly fold: CapabilityFold;
  /** peer_entity: the identity pinned for each direct peer by its first verified announcement. */
  readonly peerEntity = new Map<bigint, Uint8Array>();
  /** origin_node: origin_hash(entity) → the peer that first announced it. */
  readonly originNode = new Map<bigint, bigint>();
  /**
   * announced_entity: node id → entity of every installed signed announcement (not used for auth);
   * entries leave with the fold entry, so it holds at most the fold's origin cap.
   */
  readonly announcedEntity = new Map<bigint, Uint8Array>();
  private readonly dedup = new AnnouncementDedup();
  private readonly peerBudget: BudgetTable;
  private readonly nodeBudget: BudgetTable;
  private readonly forwardBudget: BudgetTable;
  private readonly clock: () => number;
  private readonly maxTtlSecs: number;
  private readonly maxOrigins: number;
  private lastBookkeepingMs: number;
  /** Per origin, the latest installed announcement its forwarding budget held back. */
  private readonly heldForward = new Map<bigint, { from: bigint; ann: CapabilityAnnouncement }>();
  /** The layers' contribution slots, merged into every announce in creation order. */
  private readonly slots = new Set<{ extra: SubstrateCapabilities }>();
  private local: { ann: CapabilityAnnouncement; bytes: Uint8Array; caps: CapabilitySet; opts: AnnounceOptions } | undefined;
  private lastBroadcastMs = Number.NEGATIVE_INFINITY;
  private trailing: ReturnType<typeof setTimeout> | undefined;
  private refresh: ReturnType<typeof setTimeout> | undefined;
  private readonly sweeper: ReturnType<typeof setInterval>;
  private readonly minIntervalMs: number;
  private readonly autoRefresh: boolean;
  private readonly requireSigned: boolean;
  private closed = false;
  readonly counters: AnnouncementStats = { sent: 0, received: 0, accepted: 0, forwarded: 0, forwardDropped: 0, ttlClamped: 0, rejected: {} };

  constructor(
    private readonly deps: Deps,
    opts: CapabilityServiceOptions = {},
  ) {
    this.minIntervalMs = opts.minAnnounceIntervalMs ?? MIN_ANNOUNCE_INTERVAL_MS;
    this.autoRefresh = opts.autoRefresh ?? true;
    this.requireSigned = opts.requireSignedCapabilities ?? true;
    this.clock = opts.clock ?? Date.now;
    const policy = opts.receivePolicy ?? {};
    this.maxTtlSecs = policy.maxTtlSecs ?? MAX_ANNOUNCEMENT_TTL_SECS;
    this.maxOrigins = policy.maxOrigins ?? MAX_FOLD_ORIGINS;
    this.fold = new CapabilityFold({ clock: this.clock, receivePolicy: policy });
    // Peers are bounded by sessions, origins by the fold; the key caps only guard the maps.
    this.peerBudget = new BudgetTable(opts.peerBudget ?? PEER_ANNOUNCE_BUDGET, this.maxOrigins);
    this.nodeBudget = new BudgetTable(opts.nodeBudget ?? NODE_ANNOUNCE_BUDGET, 1);
    this.forwardBudget = new BudgetTable(opts.originForwardBudget ?? ORIGIN_FORWARD_BUDGET, this.maxOrigins);
    this.lastBookkeepingMs = this.clock();
    this.sweeper = setInterval(() => this.sweep(), FOLD_SWEEP_INTERVAL_MS);
    unref(this.sweeper);
  }

  /** The 500 ms tick: expire fold entries (and their bookkeeping); reconcile once a minute. */
  sweep(): void {
    if (this.closed) return;
    const now = this.clock();
    for (const id of this.fold.sweep(now, 1024)) this.forgetOrigin(id);
    if (this.heldForward.size > 0) this.flushHeldForwards(now);
    if (now - this.lastBookkeepingMs < BOOKKEEPING_INTERVAL_MS) return;
    this.lastBookkeepingMs = now;
    for (const id of this.announcedEntity.keys()) if (!this.fold.has(id)) this.announcedEntity.delete(id);
    this.peerBudget.prune(now);
    this.forwardBudget.prune(now);
    this.dedup.gc(now);
  }

  private forgetOrigin(nodeId: bigint): void {
    this.announcedEntity.delete(nodeId);
    this.forwardBudget.delete(nodeId);
    if (this.heldForward.delete(nodeId)) this.counters.forwardDropped++;
  }

  /** Trailing edge of the forwarding budget: held-back announcements still current go out. */
  private flushHeldForwards(now: number): void {
    for (const [origin, held] of this.heldForward) {
      if (this.fold.generation(origin) !== announcementGeneration(held.ann)) {
        this.heldForward.delete(origin);
        this.counters.forwardDropped++;
      } else if (this.forwardBudget.take(origin, now)) {
        this.heldForward.delete(origin);
        this.sendForward(held.from, held.ann);
      }
    }
  }

  /** fold.md §4.1: build, sign, self-index, keep as the local announcement, broadcast (rate-limited). */
  announce(caps: CapabilitySet, opts: AnnounceOptions = {}): void {
    if (!caps || typeof caps !== 'object') throw new InvalidArgumentError('announceCapabilities(caps) takes a CapabilitySet object');
    const ttlSecs = opts.ttlSecs ?? DEFAULT_ANNOUNCEMENT_TTL_SECS;
    if (typeof ttlSecs !== 'number' || !Number.isInteger(ttlSecs) || ttlSecs < 0 || ttlSecs > this.maxTtlSecs) {
      throw new InvalidArgumentError(`ttlSecs must be an integer from 0 to ${this.maxTtlSecs} (receivers keep nothing longer), got ${String(ttlSecs)}`);
    }
    const merged = this.mergedSlots();
    const base = lowerCapabilities(caps);
    const withTags = merged.tags.length ? loweredCapabilities([...base.tags, ...merged.tags], base.metadata) : base;
    const lowered = mergeSubstrateTags(withTags, merged);
    const ann = buildAnnouncement(this.deps.identity, lowered, { ttlSecs, signed: opts.signed !== false });
    this.fold.applyAnnouncement(ann, { self: true, trusted: true });
    this.local = { ann, bytes: encodeAnnouncementBytes(ann), caps, opts };
    this.scheduleRefresh(ttlSecs);
    const now = Date.now();
    const wait = this.lastBroadcastMs + this.minIntervalMs - now;
    if (wait <= 0) {
      this.broadcast(now);
    } else if (!this.trailing) {
      // Trailing edge (§10.4): the latest state goes out once the interval has passed.
      this.trailing = setTimeout(() => {
        this.trailing = undefined;
        if (!this.closed) this.broadcast(Date.now());
      }, wait);
      unref(this.trailing);
    }
  }

  /**
   * A slot layers fill with what they add to every announcement (host.ts CapabilityContribution).
   * A change re-announces once the node has announced. Before that, served nRPC services and tools
   * announce at once (serving one must make it discoverable), while plain substrate tags such as
   * `dataforts.blob.serve` wait for the node's first announce (every node carries them).
   */
  contribution(): CapabilityContribution {
    const slot = { extra: {} as SubstrateCapabilities };
    this.slots.add(slot);
    const reannounce = (): void => {
      if (this.closed) return;
      if (this.local) this.announce(this.local.caps, this.local.opts);
      else if (this.servesSomething()) this.announce({}, {});
    };
    return {
      set: (extra) => {
        if (!this.slots.has(slot)) this.slots.add(slot);
        const previous = slot.extra;
        slot.extra = { rpcServices: [...(extra.rpcServices ?? [])], tools: [...(extra.tools ?? [])], tags: [...(extra.tags ?? [])] };
        try {
          reannounce();
        } catch (e) {
          slot.extra = previous;
          throw e;
        }
      },
      release: () => {
        if (this.slots.delete(slot)) reannounce();
      },
    };
  }

  /** Whether any slot holds a served nRPC service or tool. */
  private servesSomething(): boolean {
    for (const { extra } of this.slots) if ((extra.rpcServices?.length ?? 0) > 0 || (extra.tools?.length ?? 0) > 0) return true;
    return false;
  }

  private mergedSlots(): Required<Pick<SubstrateCapabilities, 'rpcServices' | 'tools' | 'tags'>> {
    const services = new Set<string>();
    const tools = new Map<string, ToolCapability>();
    const tags = new Set<string>();
    for (const { extra } of this.slots) {
      for (const s of extra.rpcServices ?? []) services.add(s);
      for (const t of extra.tools ?? []) if (!tools.has(t.id)) tools.set(t.id, t);
      for (const t of extra.tags ?? []) tags.add(t);
    }
    return { rpcServices: [...services], tools: [...tools.values()], tags: [...tags] };
  }

  private broadcast(now: number): void {
    if (!this.local) return;
    this.lastBroadcastMs = now;
    for (const p of this.deps.peers()) this.send(p, this.local.bytes);
  }

  private send(peer: AnnouncementPeer, bytes: Uint8Array): void {
    this.deps.sendTo(peer, ANNOUNCEMENT_SUBPROTOCOL, bytes);
    this.counters.sent++;
  }

  private scheduleRefresh(ttlSecs: number): void {
    if (!this.autoRefresh || ttlSecs === 0) return;
    if (this.refresh) clearTimeout(this.refresh);
    this.refresh = setTimeout(() => {
      this.refresh = undefined;
      if (!this.closed && this.local) this.announce(this.local.caps, this.local.opts);
    }, (ttlSecs * 1000) / 3);
    unref(this.refresh);
  }

  /** Session-open push of the local announcement. */
  onSessionOpen(peer: AnnouncementPeer): void {
    if (this.local) this.send(peer, this.local.bytes);
  }

  /** fold.md §4.2 for every frame of a 0x0C00 message from a direct peer. */
  onMessage(peer: AnnouncementPeer, frames: readonly Uint8Array[]): void {
    for (const f of frames) this.receive(peer, f);
  }

  private reject(reason: string): void {
    this.counters.rejected[reason] = (this.counters.rejected[reason] ?? 0) + 1;
  }

  /**
   * fold.md §4.2 with this node's admission rules: budgets first (before decoding), then steps
   * 1–4; stale, expired and over-cap announcements drop before signature work unless the sender
   * still has to be pinned (a direct peer's verified announcement pins it even when stale); then
   * verification, pinning, dedup record; then the fold applies it, and only an installed
   * announcement is forwarded (within its origin's budget). Applying before forwarding changes
   * nothing observable but this: what the fold refuses is never passed on.
   */
  private receive(peer: AnnouncementPeer, bytes: Uint8Array): void {
    this.counters.received++;
    const now = this.clock();
    if (!this.peerBudget.take(peer.nodeId, now) || !this.nodeBudget.take(0n, now)) {
      this.reject('rate_limited');
      return;
    }
    const pre = precheckAnnouncement(bytes, { sender: peer.nodeId, self: this.deps.identity.nodeId, dedup: this.dedup });
    if (!pre.ok) {
      this.reject(pre.reason);
      return;
    }
    const ann = pre.announcement;
    const pinning = ann.hopCount === 0 && !this.peerEntity.has(peer.nodeId);
    if (!pinning) {
      const refusal = this.fold.admissionRefusal(ann, now);
      if (refusal) {
        this.reject(refusal);
        return;
      }
    }
    const r = verifyScreened(ann, { requireSigned: this.requireSigned });
    if (!r.ok) {
      this.reject(r.reason);
      return;
    }
    if (mayPinIdentity(r)) {
      const pinned = this.peerEntity.get(peer.nodeId);
      if (pinned && !sameBytes(pinned, ann.entityId)) {
        this.reject('identity_rebind');
        return;
      }
      if (!pinned) {
        this.peerEntity.set(peer.nodeId, ann.entityId);
        const origin = originHashFromPublicKey(ann.entityId);
        if (!this.originNode.has(origin)) this.originNode.set(origin, peer.nodeId);
      }
    }
    this.dedup.record(ann, now);
    const applied = this.fold.applyAnnouncement(ann, { trusted: true, nowMs: now });
    if (applied.outcome === 'rejected') {
      this.reject(applied.reason);
      return;
    }
    this.counters.accepted++;
    if (ann.ttlSecs > this.maxTtlSecs) this.counters.ttlClamped++;
    if (r.signatureVerified) this.announcedEntity.set(ann.nodeId, ann.entityId);
    this.forward(peer, ann, now);
  }

  /**
   * Step 12, for installed announcements only, within the origin's forwarding budget. Over budget,
   * the announcement is held (replacing, and dropping, an older held one of that origin) and the
   * sweep tick forwards it once the budget allows, if it is still the installed one.
   */
  private forward(from: AnnouncementPeer, ann: CapabilityAnnouncement, now: number): void {
    if (ann.hopCount >= MAX_FORWARD_HOPS) return;
    const held = this.heldForward.get(ann.nodeId);
    if (!held && this.forwardBudget.take(ann.nodeId, now)) {
      this.sendForward(from.nodeId, ann);
      return;
    }
    if (held) this.counters.forwardDropped++;
    this.heldForward.set(ann.nodeId, { from: from.nodeId, ann });
  }

  private sendForward(from: bigint, ann: CapabilityAnnouncement): void {
    const copy = forwardCopy(ann);
    if (!copy) return;
    const bytes = encodeAnnouncementBytes(copy);
    for (const p of this.deps.peers()) {
      if (p.nodeId === from || p.health === 'failed') continue;
      this.send(p, bytes);
      this.counters.forwarded++;
    }
  }

  /** fold.md §4.3: a failed peer loses its fold entries and its pinned identity (and its budget). */
  onPeerFailed(nodeId: bigint): void {
    this.fold.remove(nodeId);
    this.forgetOrigin(nodeId);
    this.peerEntity.delete(nodeId);
    this.peerBudget.delete(nodeId);
    for (const [origin, peer] of this.originNode) if (peer === nodeId) this.originNode.delete(origin);
  }

  stats(): AnnouncementStats {
    return { ...this.counters, rejected: { ...this.counters.rejected } };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    if (this.trailing) clearTimeout(this.trailing);
    if (this.refresh) clearTimeout(this.refresh);
    this.fold.dispose();
  }
}

function unref(t: unknown): void {
  (t as { unref?: () => void }).unref?.();
}
