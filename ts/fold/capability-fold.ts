// The capability fold (fold.md §5–§7, sdk.md "Capabilities"): a WASM-backed index of node
// capabilities with generation-ordered replacement, TTL expiry (time passed in or read from the
// injected clock), index-driven queries that return sorted node ids, verified announcement
// application with rejection counters, a change signal, and the fold export of §10.7.
//
// Per-node payloads other than tags (metadata, the retained announcement) live here on the JS side
// in slot-indexed arrays; the core's slot numbers are mirrored so query results map to cached
// bigint node ids without creating a BigInt per result.
import { ClosedError, InvalidArgumentError } from '../errors.js';
import { requireU64 } from '../identity/bytes.js';
import {
  announcementGeneration,
  decodeAnnouncement,
  encodeAnnouncement,
  filterHeatTags,
  stripReservedMetadata,
  verifyAnnouncement,
  type AnnouncementRejection,
  type CapabilityAnnouncement,
} from './announcement.js';
import { compareUtf8, utf8Length } from './byte-order.js';
import { decodeCapabilities, isLowered, lowerCapabilities, loweredCapabilities, type CapabilitySet, type LoweredCapabilities } from './capabilities.js';
import { APPLY_INSERTED, APPLY_INVALID_GENERATION, APPLY_REJECTED, CoreIndex, NEVER_EXPIRES, QueryMode } from './core-index.js';
import { quoteJson } from './json.js';
import { decodeSnapshot, encodeSnapshot, type SnapshotEntry } from './snapshot.js';
import { announcementExpiryMs, resolvePolicy, type AnnouncementPolicy, type ResolvedPolicy } from './policy.js';
import { CapabilityFilter, normalizeQuery, type CapabilityQuery, type NormalizedQuery } from './query.js';

/** Options of CapabilityFold.insert: the entry's generation, time to live and insertion time. */
export interface FoldInsertOptions {
  /** Must be ≥ 1; absent = current generation + 1 (always accepted). */
  generation?: bigint;
  /** Time to live; absent = 60 s (the capability kind default); Infinity = never expires. */
  ttlMs?: number;
  /** Insertion time in ms (default: the fold's clock). */
  nowMs?: number;
}

export interface ApplyAnnouncementOptions {
  /** Receive time in ms (default: the fold's clock). */
  nowMs?: number;
  /** Drop unsigned announcements (default true, `require_signed_capabilities`). */
  requireSigned?: boolean;
  /** Skip signature / node-id verification (the caller already verified, or a fixture). */
  trusted?: boolean;
  /** The node's own announcement: no reserved-metadata strip, no heat filter (§4.1 step 3). */
  self?: boolean;
}

export type ApplyResult = { outcome: 'inserted' | 'replaced' } | { outcome: 'rejected'; reason: AnnouncementRejection };

export interface FoldStats {
  entries: number;
  inserted: number;
  replaced: number;
  /** Every rejection, whatever the reason. */
  rejected: number;
  /** Rejections by reason; the receive policy's reasons (`expired`, `too_many_origins`) appear once counted. */
  rejectedBy: Record<Exclude<AnnouncementRejection, PolicyRejection>, number> & Partial<Record<PolicyRejection, number>>;
  expiries: number;
  evictions: number;
  queries: number;
  snapshots: number;
  /** Slot renumberings the index ran (an internal cost figure, not a change). */
  compactions: number;
  /** The change counter (bumps on insert, replace, removal, and each sweep that removed something). */
  changes: bigint;
}

/** `mesh.fold.export` request (fold.md §10.7). */
export interface FoldExportRequest {
  nodes?: bigint[];
  tagPrefix?: string;
  /** Default 256, at most 4096. */
  limit?: number;
}

export const FOLD_EXPORT_DEFAULT_LIMIT = 256;
export const FOLD_EXPORT_MAX_LIMIT = 4096;
/** The nRPC body limit the export response is truncated to. */
export const FOLD_EXPORT_MAX_BODY = 4 * 1024 * 1024;
/** Capability-kind default TTL when an insert gives none (fold.md §5.1). */
export const DEFAULT_FOLD_TTL_MS = 60_000;

interface NodeRecord {
  metadata?: Readonly<Record<string, string>>;
  /** The announcement as received (signature intact), for the fold export. */
  announcement?: CapabilityAnnouncement;
  expiresAtMs: number;
}

const INSERTED: ApplyResult = Object.freeze({ outcome: 'inserted' });
const REPLACED: ApplyResult = Object.freeze({ outcome: 'replaced' });
const EMPTY_META: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);
const NO_SLOT = 0xffff_ffff;
/** Placeholder id of an empty slot (never returned: queries only yield live slots). */
const FREE = -1n;

function randomSeed(): bigint {
  const b = new Uint32Array(2);
  globalThis.crypto.getRandomValues(b);
  return (BigInt(b[0]!) << 32n) | BigInt(b[1]!);
}

type PolicyRejection = 'expired' | 'too_many_origins';

function zeroRejections(): FoldStats['rejectedBy'] {
  return { malformed: 0, unsigned: 0, bad_signature: 0, node_id_mismatch: 0, stale_generation: 0, invalid_generation: 0 };
}

/**
 * The capability index (fold.md §5–§7), backed by the WASM core: node id → the capabilities it
 * announced, with generations, expiry and a secondary index that answers `query` without scanning.
 * Usable without a node; every MeshNode keeps one as `node.fold`. `dispose` frees the core state.
 */
export class CapabilityFold {
  #core: CoreIndex | undefined;
  readonly #clock: () => number;
  /** slot → node id (the cached bigint returned by queries); FREE for an empty slot. */
  #ids: bigint[] = [];
  /** slot → JS-side payload. */
  #records: (NodeRecord | undefined)[] = [];
  /** The change counter (a number internally: 2^53 changes are out of reach). */
  #changes = 0;
  readonly #listeners = new Set<(changes: bigint) => void>();
  readonly #stats = { inserted: 0, replaced: 0, rejected: 0, expiries: 0, evictions: 0, queries: 0, snapshots: 0, compactions: 0 };
  readonly #rejectedBy = zeroRejections();

  /**
   * `clock` supplies "now" in ms for calls that do not pass `nowMs` (default `Date.now`); `seed`
   * keys the index's string hashing (default: random). `receivePolicy` (policy.ts; a node's fold
   * has one) makes every non-self announcement honour a TTL cap, its `timestamp_ns` and a cap on
   * the origins tracked; without it entries expire at `received_at + ttl_secs` (fold.md §5.1).
   */
  constructor(opts: { clock?: () => number; seed?: bigint; receivePolicy?: AnnouncementPolicy } = {}) {
    this.#clock = opts.clock ?? Date.now;
    this.#core = new CoreIndex(opts.seed ?? randomSeed());
    this.#policy = opts.receivePolicy ? resolvePolicy(opts.receivePolicy) : undefined;
  }

  readonly #policy: ResolvedPolicy | undefined;

  #index(): CoreIndex {
    if (!this.#core) throw new ClosedError('CapabilityFold');
    return this.#core;
  }

  #now(nowMs: number | undefined): number {
    const t = nowMs ?? this.#clock();
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw new InvalidArgumentError(`nowMs must be a finite non-negative number, got ${String(t)}`);
    return Math.floor(t);
  }

  #reject(reason: AnnouncementRejection): void {
    this.#stats.rejected++;
    this.#rejectedBy[reason] = (this.#rejectedBy[reason] ?? 0) + 1;
  }

  #changed(): void {
    this.#changes++;
    if (this.#listeners.size === 0) return;
    const counter = BigInt(this.#changes);
    for (const l of this.#listeners) {
      try {
        l(counter);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  #apply(
    nodeId: bigint,
    generation: bigint | undefined,
    expiresAtMs: number,
    tags: readonly string[],
    record: NodeRecord | undefined,
    signal = true,
  ): 'inserted' | 'replaced' | 'rejected' | 'invalid' {
    // Anything at or past 2^64 - 1 ms is "never" (the core's u64 sentinel).
    const expires = expiresAtMs >= 18446744073709551615 ? NEVER_EXPIRES : BigInt(expiresAtMs);
    const r = this.#index().apply(nodeId, generation, expires, 0, tags);
    if (r === APPLY_INVALID_GENERATION) {
      this.#reject('invalid_generation');
      return 'invalid';
    }
    if (r === APPLY_REJECTED) {
      this.#reject('stale_generation');
      return 'rejected';
    }
    const slot = r >>> 2;
    // Slots are handed out densely, so the mirrors grow by push and stay packed arrays.
    while (this.#ids.length <= slot) {
      this.#ids.push(FREE);
      this.#records.push(undefined);
    }
    this.#ids[slot] = nodeId;
    this.#records[slot] = record;
    if (signal) this.#changed();
    if ((r & 3) === APPLY_INSERTED) {
      this.#stats.inserted++;
      return 'inserted';
    }
    this.#stats.replaced++;
    return 'replaced';
  }

  /**
   * Inserts or replaces a node's capabilities (lowered with the user parser; bad tags throw
   * InvalidArgumentError naming the tag). Returns false when rejected: the entry's generation is
   * equal or newer. Generation 0 throws InvalidArgumentError (and counts as a rejection).
   */
  insert(nodeId: bigint, caps: CapabilitySet | LoweredCapabilities, opts: FoldInsertOptions = {}): boolean {
    const lowered = isLowered(caps) ? caps : lowerCapabilities(caps as CapabilitySet);
    return this.insertLowered(nodeId, lowered, opts) !== 'rejected';
  }

  /** `insert` for an already lowered set (substrate tags allowed); reports what happened. */
  insertLowered(nodeId: bigint, caps: LoweredCapabilities, opts: FoldInsertOptions = {}): 'inserted' | 'replaced' | 'rejected' {
    requireU64(nodeId, 'nodeId');
    const lowered = isLowered(caps) ? caps : loweredCapabilities((caps as LoweredCapabilities).tags, (caps as LoweredCapabilities).metadata);
    const generation = opts.generation;
    if (generation !== undefined) requireU64(generation, 'generation');
    const ttl = opts.ttlMs ?? DEFAULT_FOLD_TTL_MS;
    if (typeof ttl !== 'number' || Number.isNaN(ttl) || ttl < 0) throw new InvalidArgumentError(`ttlMs must be a non-negative number or Infinity, got ${String(ttl)}`);
    const expiresAtMs = ttl === Infinity ? Infinity : this.#now(opts.nowMs) + Math.ceil(ttl);
    const hasMeta = Object.keys(lowered.metadata).length > 0;
    const r = this.#apply(nodeId, generation, expiresAtMs, lowered.tags, hasMeta ? { metadata: lowered.metadata, expiresAtMs } : undefined);
    if (r === 'invalid') throw new InvalidArgumentError('generation must be ≥ 1 (generation 0 is invalid)');
    return r;
  }

  /** Removes a node's entry (peer death eviction, fold.md §4.3). */
  remove(nodeId: bigint): boolean {
    requireU64(nodeId, 'nodeId');
    const slot = this.#index().remove(nodeId);
    if (slot < 0) return false;
    this.#ids[slot] = FREE;
    this.#records[slot] = undefined;
    this.#stats.evictions++;
    this.#changed();
    return true;
  }

  /**
   * Removes entries whose expiry is ≤ `nowMs` (at most `max`); returns their node ids. Queries do
   * not hide expired entries: they stay visible until swept (fold.md §5.2).
   */
  sweep(nowMs?: number, max = Number.MAX_SAFE_INTEGER): bigint[] {
    const now = this.#now(nowMs);
    const slots = this.#index().sweep(BigInt(now), Math.min(max, 0x7fff_ffff));
    if (slots.length === 0) return [];
    const out: bigint[] = [];
    for (const s of slots) {
      out.push(this.#ids[s]!);
      this.#ids[s] = FREE;
      this.#records[s] = undefined;
    }
    this.#stats.expiries += slots.length;
    this.#changed();
    return out;
  }

  /** When the next entry expires (ms), or undefined when none will. */
  nextExpiryMs(): number | undefined {
    const t = this.#index().nextExpiry();
    return t === NEVER_EXPIRES ? undefined : Number(t);
  }

  #run(nq: NormalizedQuery, mode: QueryMode): number {
    this.#stats.queries++;
    return this.#index().query(nq, mode);
  }

  #afterQuery(): void {
    const core = this.#core!;
    if (!core.compactionAdvised()) return;
    const map = core.compact();
    this.#stats.compactions++;
    const ids: bigint[] = [];
    const recs: (NodeRecord | undefined)[] = [];
    for (let i = 0; i < core.size; i++) {
      ids.push(FREE);
      recs.push(undefined);
    }
    for (let old = 0; old < map.length; old++) {
      const n = map[old]!;
      if (n === NO_SLOT) continue;
      ids[n] = this.#ids[old]!;
      recs[n] = this.#records[old];
    }
    this.#ids = ids;
    this.#records = recs;
  }

  /** Node ids matching `query`, ascending and deduplicated (the semantics of `findNodes`). */
  query(query: CapabilityQuery | CapabilityFilter): bigint[] {
    const n = this.#run(normalizeQuery(query), QueryMode.Slots);
    const core = this.#core!;
    const ids = this.#ids;
    let out: bigint[];
    const first = core.contiguousFrom(n);
    if (first >= 0) {
      out = ids.slice(first, first + n);
    } else {
      const slots = core.slots(n);
      out = new Array<bigint>(n);
      for (let i = 0; i < n; i++) out[i] = ids[slots[i]!]!;
    }
    this.#afterQuery();
    return out;
  }

  /** `query` as a BigUint64Array (one copy out of the core, no per-id objects). */
  queryIds(query: CapabilityQuery | CapabilityFilter): BigUint64Array {
    const n = this.#run(normalizeQuery(query), QueryMode.NodeIds);
    const out = this.#core!.ids(n);
    this.#afterQuery();
    return out;
  }

  /** How many nodes match `query`. */
  count(query: CapabilityQuery | CapabilityFilter): number {
    return this.#run(normalizeQuery(query), QueryMode.CountOnly);
  }

  /** `target_matches(node, filter)`: whether `nodeId`'s entry matches `query` (same semantics). */
  matches(nodeId: bigint, query: CapabilityQuery | CapabilityFilter): boolean {
    requireU64(nodeId, 'nodeId');
    const nq = normalizeQuery(query);
    if (nq.nodes !== undefined && !nq.nodes.includes(nodeId)) return false;
    return this.#run({ ...nq, nodes: [nodeId] }, QueryMode.CountOnly) > 0;
  }

  has(nodeId: bigint): boolean {
    return this.#index().slotOf(requireU64(nodeId, 'nodeId')) >= 0;
  }

  /** The entry's generation, or undefined when absent. */
  generation(nodeId: bigint): bigint | undefined {
    return this.#index().generation(requireU64(nodeId, 'nodeId'));
  }

  /** The entry's expiry in ms (Infinity = never), or undefined when absent. */
  expiresAt(nodeId: bigint): number | undefined {
    const t = this.#index().expiresAt(requireU64(nodeId, 'nodeId'));
    return t === undefined ? undefined : t === NEVER_EXPIRES ? Infinity : Number(t);
  }

  /** The entry's tags in byte order (`capability_tags_for`), or undefined when absent. */
  tagsOf(nodeId: bigint): string[] | undefined {
    return this.#index().tagsOf(requireU64(nodeId, 'nodeId'))?.sort(compareUtf8);
  }

  #record(nodeId: bigint): NodeRecord | undefined {
    const slot = this.#index().slotOf(requireU64(nodeId, 'nodeId'));
    return slot < 0 ? undefined : this.#records[slot];
  }

  /** The entry's metadata (reserved keys stripped for received announcements). */
  metadataOf(nodeId: bigint): Readonly<Record<string, string>> | undefined {
    if (!this.has(nodeId)) return undefined;
    return this.#record(nodeId)?.metadata ?? EMPTY_META;
  }

  /** The typed view of the entry (`synthesize_capability_set`). */
  capabilitiesOf(nodeId: bigint): CapabilitySet | undefined {
    const tags = this.tagsOf(nodeId);
    return tags === undefined ? undefined : decodeCapabilities(tags, this.metadataOf(nodeId));
  }

  /** The announcement the entry came from, as received (signature intact). */
  announcementOf(nodeId: bigint): CapabilityAnnouncement | undefined {
    return this.#record(nodeId)?.announcement;
  }

  /** Every node id, ascending. */
  nodes(): bigint[] {
    return this.query({});
  }

  /**
   * Applies an announcement (fold.md §4.2 steps 5–7, 13–15). Unless `trusted`: the replay check
   * (an equal or older generation is rejected before any signature work), then the unsigned /
   * signature / node-id checks. Then reserved-metadata stripping and the heat filter (not for
   * `self`), then insert or replace with `expires_at = now + ttl_secs` and generation
   * max(version, 1) (the core rejects equal or older generations here too). With a receive policy
   * (non-self only): the TTL is capped, expiry follows `timestamp_ns` (policy.ts), an announcement
   * that arrives expired or would add an origin past the cap is rejected — all before signature
   * work. Every rejection is counted by reason; a rejected announcement leaves the fold unchanged.
   */
  applyAnnouncement(ann: CapabilityAnnouncement, opts: ApplyAnnouncementOptions = {}): ApplyResult {
    const generation = announcementGeneration(ann);
    const now = this.#now(opts.nowMs);
    const policy = opts.self === true ? undefined : this.#policy;
    if (opts.trusted !== true) {
      // Cheap replay check first, so stale copies cost no signature work (the core re-checks).
      const current = this.generation(ann.nodeId);
      if (current !== undefined && generation <= current) {
        this.#reject('stale_generation');
        return { outcome: 'rejected', reason: 'stale_generation' };
      }
    }
    // The receive policy's checks are cheap too: before any signature work.
    const expiresAtMs = policy ? announcementExpiryMs(ann, now, policy) : now + ann.ttlSecs * 1000;
    const refused = policy ? this.#refusedByPolicy(ann, now, expiresAtMs, policy) : undefined;
    if (refused) {
      this.#reject(refused);
      return { outcome: 'rejected', reason: refused };
    }
    if (opts.trusted !== true) {
      const v = verifyAnnouncement(ann, { requireSigned: opts.requireSigned !== false });
      if (!v.ok) {
        this.#reject(v.reason);
        return { outcome: 'rejected', reason: v.reason };
      }
    }
    const tags = opts.self === true ? ann.capabilities.tags : filterHeatTags(ann.capabilities.tags);
    const metadata = opts.self === true ? ann.capabilities.metadata : stripReservedMetadata(ann.capabilities.metadata);
    const r = this.#apply(ann.nodeId, generation, expiresAtMs, tags, { metadata, announcement: ann, expiresAtMs });
    if (r === 'rejected' || r === 'invalid') return { outcome: 'rejected', reason: r === 'invalid' ? 'invalid_generation' : 'stale_generation' };
    return r === 'inserted' ? INSERTED : REPLACED;
  }

  /**
   * Why `applyAnnouncement(ann, { trusted: true, nowMs })` would reject `ann` before any signature
   * work — a stale generation, or the receive policy (arrived expired, one origin too many) — or
   * undefined. Counts nothing: the node's receive path calls it to drop such an announcement
   * before verifying or forwarding it.
   */
  admissionRefusal(ann: CapabilityAnnouncement, nowMs?: number): AnnouncementRejection | undefined {
    const current = this.generation(ann.nodeId);
    if (current !== undefined && announcementGeneration(ann) <= current) return 'stale_generation';
    if (!this.#policy) return undefined;
    const now = this.#now(nowMs);
    return this.#refusedByPolicy(ann, now, announcementExpiryMs(ann, now, this.#policy), this.#policy);
  }

  /** Why the receive policy refuses `ann` now: it arrived expired, or it is one origin too many. */
  #refusedByPolicy(ann: CapabilityAnnouncement, nowMs: number, expiresAtMs: number, policy: ResolvedPolicy): AnnouncementRejection | undefined {
    if (expiresAtMs <= nowMs) return 'expired';
    if (this.size >= policy.maxOrigins && !this.has(ann.nodeId)) return 'too_many_origins';
    return undefined;
  }

  /** Decodes and applies announcement JSON; undecodable input is counted as `malformed`. */
  applyAnnouncementJson(input: string | Uint8Array, opts: ApplyAnnouncementOptions = {}): ApplyResult {
    const ann = decodeAnnouncement(input);
    if (!ann) {
      this.#reject('malformed');
      return { outcome: 'rejected', reason: 'malformed' };
    }
    return this.applyAnnouncement(ann, opts);
  }

  /**
   * The retained, unexpired, signed announcements of matching origins (fold.md §10.7), in
   * ascending node id, at most `limit` (default 256, max 4096), truncated so the response body
   * stays within 4 MiB. Returns the announcement JSON texts.
   */
  exportAnnouncements(req: FoldExportRequest = {}, nowMs?: number): string[] {
    const now = this.#now(nowMs);
    const limit = req.limit === undefined ? FOLD_EXPORT_DEFAULT_LIMIT : req.limit;
    if (!Number.isInteger(limit) || limit < 0) throw new InvalidArgumentError(`limit must be a non-negative integer, got ${String(limit)}`);
    const cap = Math.min(limit, FOLD_EXPORT_MAX_LIMIT);
    const q: CapabilityQuery = {};
    if (req.nodes !== undefined) q.nodes = req.nodes;
    if (req.tagPrefix !== undefined) q.tagPrefix = req.tagPrefix;
    const n = this.#run(normalizeQuery(q), QueryMode.Slots);
    const slots = this.#core!.slots(n).slice();
    const out: string[] = [];
    let body = '{"announcements":[]}'.length;
    for (let i = 0; i < slots.length && out.length < cap; i++) {
      const rec = this.#records[slots[i]!];
      const ann = rec?.announcement;
      if (!ann || ann.signature === undefined || rec!.expiresAtMs <= now) continue;
      const json = encodeAnnouncement(ann);
      const size = utf8Length(quoteJson(json)) + (out.length > 0 ? 1 : 0);
      if (body + size > FOLD_EXPORT_MAX_BODY) break;
      body += size;
      out.push(json);
    }
    this.#afterQuery();
    return out;
  }

  /** The unexpired entries as a snapshot text (fold.md §5.2); see `restore`. */
  snapshot(nowMs?: number): string {
    const now = this.#now(nowMs);
    const ids = this.query({});
    const entries: SnapshotEntry[] = [];
    for (const id of ids) {
      const expiresAtMs = this.expiresAt(id)!;
      if (expiresAtMs <= now) continue;
      const rec = this.#record(id);
      entries.push({
        nodeId: id,
        generation: this.generation(id)!,
        expiresAtMs,
        tags: this.tagsOf(id)!,
        metadata: rec?.metadata ?? EMPTY_META,
        ...(rec?.announcement ? { announcement: encodeAnnouncement(rec.announcement) } : {}),
      });
    }
    this.#stats.snapshots++;
    return encodeSnapshot({ takenAtMs: now, entries });
  }

  /**
   * Loads a snapshot. Refuses a non-empty fold unless `force`. Each entry keeps its absolute
   * deadline (the downtime is subtracted from its remaining TTL); entries past it are skipped, and
   * existing entries with an equal or newer generation win. Returns how many entries were loaded.
   */
  restore(text: string, opts: { nowMs?: number; force?: boolean } = {}): number {
    const snap = decodeSnapshot(text);
    if (this.size > 0 && opts.force !== true) throw new InvalidArgumentError('restore into a non-empty fold needs { force: true }');
    const now = this.#now(opts.nowMs);
    let loaded = 0;
    for (const e of snap.entries) {
      if (e.expiresAtMs <= now || e.generation === 0n) continue;
      const ann = e.announcement !== undefined ? (decodeAnnouncement(e.announcement) ?? undefined) : undefined;
      const record: NodeRecord = { metadata: e.metadata, expiresAtMs: e.expiresAtMs, ...(ann ? { announcement: ann } : {}) };
      const r = this.#apply(e.nodeId, e.generation, e.expiresAtMs, e.tags, record, false);
      if (r === 'inserted' || r === 'replaced') loaded++;
    }
    if (loaded > 0) this.#changed();
    return loaded;
  }

  stats(): FoldStats {
    return { entries: this.size, ...this.#stats, rejectedBy: { ...this.#rejectedBy }, changes: BigInt(this.#changes) };
  }

  /** The change counter (watchable through `onChange`). */
  get changeCounter(): bigint {
    return BigInt(this.#changes);
  }

  /** Calls `listener(changeCounter)` synchronously after each change; returns an unsubscribe. */
  onChange(listener: (changes: bigint) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get size(): number {
    return this.#core?.size ?? 0;
  }

  /** Frees the core index; further calls throw ClosedError. Idempotent. */
  dispose(): void {
    this.#core?.dispose();
    this.#core = undefined;
    this.#ids = [];
    this.#records = [];
    this.#listeners.clear();
  }
}
