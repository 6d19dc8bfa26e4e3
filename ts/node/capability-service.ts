// Capability announcements over sessions (fold.md §4, §10): announce with a 10 s rate limit and a
// trailing-edge flush, push at session open, the receive pipeline (screen, pin, dedup, forward,
// apply), periodic re-announce at ttl/3, the 500 ms expiry sweep and eviction on peer death.
import { CapabilityFold } from '../fold/capability-fold.js';
import {
  ANNOUNCEMENT_SUBPROTOCOL,
  DEFAULT_ANNOUNCEMENT_TTL_SECS,
  encodeAnnouncementBytes,
  mergeSubstrateTags,
  lowerCapabilities,
  loweredCapabilities,
  buildAnnouncement,
  type CapabilityAnnouncement,
  type CapabilitySet,
  type ToolCapability,
} from '../fold/index.js';
import { AnnouncementDedup, forwardCopy, mayPinIdentity, screenAnnouncement } from '../fold/receive.js';
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

/** Options of `node.announceCapabilities` (fold.md §4.1, §8): announcement TTL and signing. */
export interface AnnounceOptions {
  /** How long receivers keep the announcement, in seconds (300 by default). */
  ttlSecs?: number;
  /** Sign it with the node's identity (true by default). */
  signed?: boolean;
}

export interface CapabilityServiceOptions {
  minAnnounceIntervalMs?: number;
  /** Re-announce every ttl/3 (fold.md §10.5); default true. */
  autoRefresh?: boolean;
  requireSignedCapabilities?: boolean;
}

export interface AnnouncementStats {
  sent: number;
  received: number;
  accepted: number;
  forwarded: number;
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
  readonly fold = new CapabilityFold();
  /** peer_entity: the identity pinned for each direct peer by its first verified announcement. */
  readonly peerEntity = new Map<bigint, Uint8Array>();
  /** origin_node: origin_hash(entity) → the peer that first announced it. */
  readonly originNode = new Map<bigint, bigint>();
  /** announced_entity: any verified announcement's node id → entity (not used for auth). */
  readonly announcedEntity = new Map<bigint, Uint8Array>();
  private readonly dedup = new AnnouncementDedup();
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
  readonly counters: AnnouncementStats = { sent: 0, received: 0, accepted: 0, forwarded: 0, rejected: {} };

  constructor(
    private readonly deps: Deps,
    opts: CapabilityServiceOptions = {},
  ) {
    this.minIntervalMs = opts.minAnnounceIntervalMs ?? MIN_ANNOUNCE_INTERVAL_MS;
    this.autoRefresh = opts.autoRefresh ?? true;
    this.requireSigned = opts.requireSignedCapabilities ?? true;
    this.sweeper = setInterval(() => this.fold.sweep(Date.now(), 1024), FOLD_SWEEP_INTERVAL_MS);
    unref(this.sweeper);
  }

  /** fold.md §4.1: build, sign, self-index, keep as the local announcement, broadcast (rate-limited). */
  announce(caps: CapabilitySet, opts: AnnounceOptions = {}): void {
    if (!caps || typeof caps !== 'object') throw new InvalidArgumentError('announceCapabilities(caps) takes a CapabilitySet object');
    const ttlSecs = opts.ttlSecs ?? DEFAULT_ANNOUNCEMENT_TTL_SECS;
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

  private receive(peer: AnnouncementPeer, bytes: Uint8Array): void {
    this.counters.received++;
    const r = screenAnnouncement(bytes, { sender: peer.nodeId, self: this.deps.identity.nodeId, dedup: this.dedup, requireSigned: this.requireSigned });
    if (!r.ok) {
      this.reject(r.reason);
      return;
    }
    const ann = r.announcement;
    if (r.signatureVerified) this.announcedEntity.set(ann.nodeId, ann.entityId);
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
    this.dedup.record(ann, Date.now());
    const copy = forwardCopy(ann);
    if (copy) {
      const bytes = encodeAnnouncementBytes(copy);
      for (const p of this.deps.peers()) {
        if (p.nodeId === peer.nodeId || p.health === 'failed') continue;
        this.send(p, bytes);
        this.counters.forwarded++;
      }
    }
    const applied = this.fold.applyAnnouncement(ann, { trusted: true });
    if (applied.outcome === 'rejected') this.reject(applied.reason);
    else this.counters.accepted++;
  }

  /** fold.md §4.3: a failed peer loses its fold entries and its pinned identity. */
  onPeerFailed(nodeId: bigint): void {
    this.fold.remove(nodeId);
    this.peerEntity.delete(nodeId);
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
