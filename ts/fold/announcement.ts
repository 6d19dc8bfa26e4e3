// Capability announcements (fold.md §3): the compact-JSON wire shape with its fixed key order, the
// signed-bytes rule, strict ed25519 signing and verification, over-size shrinking (§10.2) and the
// receive-side transforms a fold applies before indexing (§4.2 steps 13–14).
import { InvalidArgumentError, MalformedPacketError } from '../errors.js';
import { Identity, nodeIdFromPublicKey } from '../identity/index.js';
import { compareUtf8, isWellFormed, utf8Length } from './byte-order.js';
import {
  isLowered,
  lowerCapabilities,
  loweredCapabilities,
  type CapabilitySet,
  type LoweredCapabilities,
} from './capabilities.js';
import { DUPLICATE, JsonObject, JsonSyntaxError, field, jsonUnsigned, parseJson, quoteJson, type JsonValue } from './json.js';
import { canonicalSocketAddr } from './socket-addr.js';

/** Subprotocol id of capability announcements. */
export const ANNOUNCEMENT_SUBPROTOCOL = 0x0c00;
/** An encoded announcement must fit one event of one packet. */
export const MAX_ANNOUNCEMENT_BYTES = 8104;
export const DEFAULT_ANNOUNCEMENT_TTL_SECS = 300;
/** Decoders return "no announcement" when an allow-list exceeds this. */
export const MAX_ALLOW_LIST = 64;
/** Room kept free for `,"hop_count":255` so forwarded copies still fit a packet. */
const HOP_COUNT_HEADROOM = 16;
/** Metadata keys a receiver strips after forwarding (the signature covers them). */
export const RESERVED_METADATA_KEYS: readonly string[] = ['intent', 'colocate-with', 'priority', 'owner'];
/** At most this many `heat:blob:*` tags survive the heat filter. */
export const MAX_BLOB_HEAT_TAGS = 256;

export interface CapabilityAnnouncement {
  /** MUST equal node_id(entityId). */
  readonly nodeId: bigint;
  /** ed25519 public key, 32 bytes. */
  readonly entityId: Uint8Array;
  /** Strictly increasing per origin; fold generation = max(version, 1). */
  readonly version: bigint;
  /** Wall clock, ns since the Unix epoch. */
  readonly timestampNs: bigint;
  readonly ttlSecs: number;
  readonly capabilities: LoweredCapabilities;
  /** 64 bytes; absent when unsigned. */
  readonly signature?: Uint8Array;
  /** Hops travelled (0 from the origin); not covered by the signature. */
  readonly hopCount: number;
  /** Canonical `ip:port` text. */
  readonly reflexAddr?: string;
  readonly allowedNodes: readonly bigint[];
  /** 16-byte entries. */
  readonly allowedSubnets: readonly Uint8Array[];
  /** 32-byte entries. */
  readonly allowedGroups: readonly Uint8Array[];
}

/** Anything that can sign for an entity (an `Identity` is one). */
export interface AnnouncementSigner {
  readonly publicKey: Uint8Array;
  readonly nodeId: bigint;
  sign(message: Uint8Array): Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Encoding

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

function fromHex(s: string, bytes: number): Uint8Array | undefined {
  if (s.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function isSortedUnique(xs: readonly string[]): boolean {
  for (let i = 1; i < xs.length; i++) {
    const a = xs[i - 1]!;
    const b = xs[i]!;
    // Native comparison agrees with UTF-8 order unless a string holds U+D800 or above.
    if (a < b && !HIGH.test(a) && !HIGH.test(b)) continue;
    if (compareUtf8(a, b) >= 0) return false;
  }
  return true;
}
const HIGH = /[\ud800-\uffff]/;

function byteList(b: Uint8Array): string {
  return `[${Array.prototype.join.call(b, ',')}]`;
}

function encodeWith(a: CapabilityAnnouncement, signing: boolean): string {
  const caps = a.capabilities;
  const tags = isSortedUnique(caps.tags) ? caps.tags : [...new Set(caps.tags)].sort(compareUtf8);
  const keys = Object.keys(caps.metadata);
  if (!isSortedUnique(keys)) keys.sort(compareUtf8);
  let meta = '';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) meta += ',';
    meta += `${quoteJson(keys[i]!)}:${quoteJson(caps.metadata[keys[i]!]!)}`;
  }
  let tagText = '';
  for (let i = 0; i < tags.length; i++) tagText += (i > 0 ? ',' : '') + quoteJson(tags[i]!);
  let s =
    `{"node_id":${a.nodeId},"entity_id":"${toHex(a.entityId)}","version":${a.version},` +
    `"timestamp_ns":${a.timestampNs},"ttl_secs":${a.ttlSecs},"capabilities":{"tags":[${tagText}],"metadata":{${meta}}}`;
  if (!signing && a.signature !== undefined) s += `,"signature":"${toHex(a.signature)}"`;
  if (!signing && a.hopCount > 0) s += `,"hop_count":${a.hopCount}`;
  if (a.reflexAddr !== undefined) s += `,"reflex_addr":${quoteJson(a.reflexAddr)}`;
  if (a.allowedNodes.length > 0) s += `,"allowed_nodes":[${a.allowedNodes.join(',')}]`;
  if (a.allowedSubnets.length > 0) s += `,"allowed_subnets":[${a.allowedSubnets.map(byteList).join(',')}]`;
  if (a.allowedGroups.length > 0) s += `,"allowed_groups":[${a.allowedGroups.map(byteList).join(',')}]`;
  return `${s}}`;
}

const utf8 = new TextEncoder();

/** The announcement's compact JSON (keys in the fixed order of fold.md §3.1). */
export function encodeAnnouncement(a: CapabilityAnnouncement): string {
  return encodeWith(a, false);
}

/** The JSON as UTF-8 bytes (the `0x0C00` packet payload). */
export function encodeAnnouncementBytes(a: CapabilityAnnouncement): Uint8Array {
  return utf8.encode(encodeWith(a, false));
}

/** The signed bytes: the JSON without `signature` and with `hop_count` treated as 0 (§3.2). */
export function signedBytes(a: CapabilityAnnouncement): Uint8Array {
  return utf8.encode(encodeWith(a, true));
}

/** Encoded size in bytes. */
export function announcementSize(a: CapabilityAnnouncement): number {
  return utf8Length(encodeWith(a, false));
}

// ---------------------------------------------------------------------------------------------
// Decoding

function malformed(why: string): never {
  throw new MalformedPacketError(`capability announcement: ${why}`, 'MALFORMED_ANNOUNCEMENT');
}

/** Thrown internally when an allow-list is too long: "no announcement" (not malformed JSON). */
class OversizedAllowList extends Error {}

function get(o: JsonObject, key: string): JsonValue | undefined {
  const v = field(o, key);
  if (v === DUPLICATE) malformed(`duplicate field ${key}`);
  return v as JsonValue | undefined;
}

function required(o: JsonObject, key: string): JsonValue {
  const v = get(o, key);
  if (v === undefined) malformed(`missing field ${key}`);
  return v!;
}

function unsigned(v: JsonValue, bits: 8 | 16 | 32 | 64, name: string): bigint {
  const x = jsonUnsigned(v, bits);
  if (x === undefined) malformed(`${name} must be a u${bits}`);
  return x!;
}

function byteArrays(v: JsonValue | undefined, size: number, name: string): Uint8Array[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) malformed(`${name} must be an array`);
  const list = v as JsonValue[];
  if (list.length > MAX_ALLOW_LIST) throw new OversizedAllowList();
  return list.map((e) => {
    if (!Array.isArray(e) || e.length !== size) malformed(`${name} entries must be ${size}-byte arrays`);
    return Uint8Array.from(e as JsonValue[], (b) => Number(unsigned(b, 8, name)));
  });
}

const MAX_INPUT = 1 << 20;
const utf8d = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes an announcement (JSON text or UTF-8 bytes). Unknown keys are ignored and missing
 * optional keys defaulted. Throws MalformedPacketError (code MALFORMED_ANNOUNCEMENT) on bad input;
 * returns null when an allow-list exceeds 64 entries ("no announcement").
 */
export function parseAnnouncement(input: string | Uint8Array): CapabilityAnnouncement | null {
  let text: string;
  if (typeof input === 'string') text = input;
  else if (input instanceof Uint8Array) {
    if (input.length > MAX_INPUT) malformed(`${input.length} bytes is too large`);
    try {
      text = utf8d.decode(input);
    } catch {
      malformed('not valid UTF-8');
    }
  } else throw new InvalidArgumentError('announcement input must be a string or a Uint8Array');
  if (text!.length > MAX_INPUT) malformed('too large');
  let root: JsonValue;
  try {
    root = parseJson(text!);
  } catch (e) {
    if (e instanceof JsonSyntaxError) malformed(e.message);
    throw e;
  }
  if (!(root! instanceof JsonObject)) malformed('not a JSON object');
  const o = root as JsonObject;
  try {
    const nodeId = unsigned(required(o, 'node_id'), 64, 'node_id');
    const entityText = required(o, 'entity_id');
    const entityId = typeof entityText === 'string' ? fromHex(entityText, 32) : undefined;
    if (!entityId) malformed('entity_id must be 64 hex digits');
    const version = unsigned(required(o, 'version'), 64, 'version');
    const timestampNs = unsigned(required(o, 'timestamp_ns'), 64, 'timestamp_ns');
    const ttlSecs = Number(unsigned(required(o, 'ttl_secs'), 32, 'ttl_secs'));
    const capsV = required(o, 'capabilities');
    if (!(capsV instanceof JsonObject)) malformed('capabilities must be an object');
    const caps = capsV as JsonObject;
    const tagsV = get(caps, 'tags') ?? [];
    if (!Array.isArray(tagsV)) malformed('capabilities.tags must be an array');
    const tags: string[] = [];
    for (const t of tagsV as JsonValue[]) {
      if (typeof t !== 'string' || t.length === 0) malformed('capabilities.tags must hold non-empty strings');
      tags.push(t as string);
    }
    const metaV = get(caps, 'metadata') ?? new JsonObject([]);
    if (!(metaV instanceof JsonObject)) malformed('capabilities.metadata must be an object');
    const meta = Object.create(null) as Record<string, string>;
    for (const [k, v] of (metaV as JsonObject).entries) {
      if (typeof v !== 'string') malformed(`capabilities.metadata[${JSON.stringify(k)}] must be a string`);
      meta[k] = v as string;
    }
    const sigV = get(o, 'signature');
    let signature: Uint8Array | undefined;
    if (sigV !== undefined && sigV !== null) {
      signature = typeof sigV === 'string' ? fromHex(sigV, 64) : undefined;
      if (!signature) malformed('signature must be 128 hex digits');
    }
    const hopV = get(o, 'hop_count');
    const hopCount = hopV === undefined ? 0 : Number(unsigned(hopV, 8, 'hop_count'));
    const reflexV = get(o, 'reflex_addr');
    let reflexAddr: string | undefined;
    if (reflexV !== undefined && reflexV !== null) {
      reflexAddr = typeof reflexV === 'string' ? canonicalSocketAddr(reflexV) : undefined;
      if (reflexAddr === undefined) malformed('reflex_addr must be "ip:port"');
    }
    const nodesV = get(o, 'allowed_nodes');
    let allowedNodes: bigint[] = [];
    if (nodesV !== undefined) {
      if (!Array.isArray(nodesV)) malformed('allowed_nodes must be an array');
      if ((nodesV as JsonValue[]).length > MAX_ALLOW_LIST) return null;
      allowedNodes = (nodesV as JsonValue[]).map((n) => unsigned(n, 64, 'allowed_nodes'));
    }
    const allowedSubnets = byteArrays(get(o, 'allowed_subnets'), 16, 'allowed_subnets');
    const allowedGroups = byteArrays(get(o, 'allowed_groups'), 32, 'allowed_groups');
    return freeze({
      nodeId,
      entityId: entityId!,
      version,
      timestampNs,
      ttlSecs,
      capabilities: loweredCapabilities(tags, meta),
      ...(signature ? { signature } : {}),
      hopCount,
      ...(reflexAddr !== undefined ? { reflexAddr } : {}),
      allowedNodes,
      allowedSubnets,
      allowedGroups,
    });
  } catch (e) {
    if (e instanceof OversizedAllowList) return null;
    throw e;
  }
}

/** `parseAnnouncement` that returns null on any failure (the receive pipeline's "drop"). */
export function decodeAnnouncement(input: string | Uint8Array): CapabilityAnnouncement | null {
  try {
    return parseAnnouncement(input);
  } catch (e) {
    if (e instanceof MalformedPacketError) return null;
    throw e;
  }
}

function freeze(a: CapabilityAnnouncement): CapabilityAnnouncement {
  Object.freeze(a.allowedNodes);
  Object.freeze(a.allowedSubnets);
  Object.freeze(a.allowedGroups);
  return Object.freeze(a);
}

// ---------------------------------------------------------------------------------------------
// Building and signing

/** Fold generation of an announcement: max(version, 1) (fold.md §3.4). */
export function announcementGeneration(a: CapabilityAnnouncement): bigint {
  return a.version > 1n ? a.version : 1n;
}

/** Expired when age_secs ≥ ttl_secs (inclusive, §3.3); a future timestamp has age 0. */
export function isAnnouncementExpired(a: CapabilityAnnouncement, nowNs: bigint): boolean {
  const age = nowNs > a.timestampNs ? (nowNs - a.timestampNs) / 1_000_000_000n : 0n;
  return age >= BigInt(a.ttlSecs);
}

/** A copy with another hop count (what a forwarder sends; the signature is unaffected). */
export function withHopCount(a: CapabilityAnnouncement, hopCount: number): CapabilityAnnouncement {
  if (!Number.isInteger(hopCount) || hopCount < 0 || hopCount > 255) throw new InvalidArgumentError(`hopCount must be a u8, got ${hopCount}`);
  const copy = freeze({ ...a, hopCount });
  const v = verified.get(a);
  if (v !== undefined) verified.set(copy, v);
  return copy;
}

// Version counter seeded from Unix milliseconds (fold.md §3.4, §10.3), pre-incremented per use.
let lastVersion = 0n;
/** The next announcement version of this process: strictly increasing, seeded from Unix ms. */
export function nextAnnouncementVersion(): bigint {
  const seed = BigInt(Date.now());
  lastVersion = lastVersion < seed ? seed : lastVersion + 1n;
  return lastVersion;
}

export interface AnnouncementOptions {
  /** Default: `nextAnnouncementVersion()`. */
  version?: bigint;
  /** Alias of `version` (the fold generation is max(version, 1)). */
  generation?: bigint;
  /** Default: now. */
  timestampNs?: bigint;
  /** Default 300. */
  ttlSecs?: number;
  reflexAddr?: string;
  allowedNodes?: bigint[];
  allowedSubnets?: Uint8Array[];
  allowedGroups?: Uint8Array[];
  /** Default true. */
  signed?: boolean;
}

function u64Opt(name: string, v: bigint | undefined, dflt: () => bigint): bigint {
  if (v === undefined) return dflt();
  if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n) throw new InvalidArgumentError(`${name} must be a u64 bigint, got ${String(v)}`);
  return v;
}

function bytesList(name: string, list: Uint8Array[] | undefined, size: number): Uint8Array[] {
  const l = list ?? [];
  if (l.length > MAX_ALLOW_LIST) throw new InvalidArgumentError(`${name} has ${l.length} entries, max ${MAX_ALLOW_LIST}`);
  return l.map((b) => {
    if (!(b instanceof Uint8Array) || b.length !== size) throw new InvalidArgumentError(`${name} entries must be ${size}-byte Uint8Arrays`);
    return Uint8Array.from(b);
  });
}

/**
 * Drops content until the announcement fits a packet (fold.md §10.2): `dataforts.blob.has`
 * hints first, then tool schema metadata keys, largest first. Throws InvalidArgumentError when
 * even that is not enough.
 */
export function shrinkToFit(caps: LoweredCapabilities, sizeOf: (c: LoweredCapabilities) => number, max: number): LoweredCapabilities {
  let current = caps;
  if (sizeOf(current) <= max) return current;
  const hints = current.tags.filter((t) => /^dataforts\.blob\.has[=:]/.test(t));
  let tags = [...current.tags];
  const meta = { ...current.metadata };
  while (hints.length > 0) {
    const h = hints.pop()!;
    tags = tags.filter((t) => t !== h);
    current = loweredCapabilities(tags, meta);
    if (sizeOf(current) <= max) return current;
  }
  const schemas = Object.keys(meta)
    .filter((k) => /^tool::.*::(input_schema|output_schema)$/.test(k))
    .sort((a, b) => utf8Length(meta[b]!) - utf8Length(meta[a]!));
  for (const k of schemas) {
    delete meta[k];
    current = loweredCapabilities(tags, meta);
    if (sizeOf(current) <= max) return current;
  }
  throw new InvalidArgumentError(`capability announcement is ${sizeOf(current)} bytes after shrinking; the limit is ${max}`);
}

/**
 * A cheap bound on the encoded size of the capabilities: each string character at its widest
 * escape (`\u00xx`, 6 bytes) plus quotes and separators. Used to skip exact encoding.
 */
function roughUpperBound(caps: LoweredCapabilities): number {
  let n = 40;
  for (const t of caps.tags) n += 6 * t.length + 3;
  for (const k of Object.keys(caps.metadata)) n += 6 * (k.length + caps.metadata[k]!.length) + 6;
  return n;
}

/**
 * Builds an announcement for `signer`'s entity and signs it (unless `signed: false`). `caps` is a
 * CapabilitySet (lowered with the user parser) or an already lowered form (substrate tags
 * allowed). Over-size content is shrunk to fit one packet, leaving room for a hop count.
 */
export function buildAnnouncement(
  signer: AnnouncementSigner,
  caps: CapabilitySet | LoweredCapabilities,
  opts: AnnouncementOptions = {},
): CapabilityAnnouncement {
  if (!signer || !(signer.publicKey instanceof Uint8Array) || signer.publicKey.length !== 32) {
    throw new InvalidArgumentError('signer must have a 32-byte ed25519 publicKey');
  }
  const lowered = isLowered(caps) ? caps : lowerCapabilities(caps as CapabilitySet);
  const version = u64Opt('version', opts.version ?? opts.generation, nextAnnouncementVersion);
  const timestampNs = u64Opt('timestampNs', opts.timestampNs, () => BigInt(Date.now()) * 1_000_000n);
  const ttlSecs = opts.ttlSecs ?? DEFAULT_ANNOUNCEMENT_TTL_SECS;
  if (!Number.isInteger(ttlSecs) || ttlSecs < 0 || ttlSecs > 0xffff_ffff) throw new InvalidArgumentError(`ttlSecs must be a u32, got ${ttlSecs}`);
  let reflexAddr: string | undefined;
  if (opts.reflexAddr !== undefined) {
    reflexAddr = canonicalSocketAddr(opts.reflexAddr);
    if (reflexAddr === undefined) throw new InvalidArgumentError(`reflexAddr ${JSON.stringify(opts.reflexAddr)} is not "ip:port"`);
  }
  const allowedNodes = (opts.allowedNodes ?? []).map((n) => u64Opt('allowedNodes[]', n, () => 0n));
  if (allowedNodes.length > MAX_ALLOW_LIST) throw new InvalidArgumentError(`allowedNodes has ${allowedNodes.length} entries, max ${MAX_ALLOW_LIST}`);
  const signed = opts.signed !== false;
  const base = {
    nodeId: signer.nodeId,
    entityId: Uint8Array.from(signer.publicKey),
    version,
    timestampNs,
    ttlSecs,
    hopCount: 0,
    ...(reflexAddr !== undefined ? { reflexAddr } : {}),
    allowedNodes,
    allowedSubnets: bytesList('allowedSubnets', opts.allowedSubnets, 16),
    allowedGroups: bytesList('allowedGroups', opts.allowedGroups, 32),
  };
  const placeholder = signed ? new Uint8Array(64) : undefined;
  const sizeOf = (c: LoweredCapabilities): number =>
    announcementSize({ ...base, capabilities: c, ...(placeholder ? { signature: placeholder } : {}) });
  const budget = MAX_ANNOUNCEMENT_BYTES - HOP_COUNT_HEADROOM;
  // Fixed fields at their widest (20-digit u64s, hex key and signature, keys, braces) plus the lists.
  const fixed = 400 + 6 * (reflexAddr?.length ?? 0) + 21 * allowedNodes.length + 4 * (16 * base.allowedSubnets.length + 32 * base.allowedGroups.length) + 40;
  const capabilities = fixed + roughUpperBound(lowered) <= budget ? lowered : shrinkToFit(lowered, sizeOf, budget);
  for (const t of capabilities.tags) if (!isWellFormed(t)) throw new InvalidArgumentError(`tag ${JSON.stringify(t)} contains a lone surrogate`);
  const unsignedAnn: CapabilityAnnouncement = { ...base, capabilities };
  if (!signed) return freeze(unsignedAnn);
  const signature = signer.sign(signedBytes(unsignedAnn));
  if (!(signature instanceof Uint8Array) || signature.length !== 64) throw new InvalidArgumentError('signer.sign must return 64 bytes');
  const out = freeze({ ...unsignedAnn, signature: Uint8Array.from(signature) });
  return out;
}

/** `buildAnnouncement` with signing (the SDK name). */
export function signAnnouncement(
  identity: AnnouncementSigner,
  caps: CapabilitySet | LoweredCapabilities,
  opts: Omit<AnnouncementOptions, 'signed'> = {},
): CapabilityAnnouncement {
  return buildAnnouncement(identity, caps, { ...opts, signed: true });
}

// ---------------------------------------------------------------------------------------------
// Verification

export type AnnouncementRejection =
  | 'malformed'
  | 'unsigned'
  | 'bad_signature'
  | 'node_id_mismatch'
  | 'stale_generation'
  | 'invalid_generation'
  /** Arrived past `timestamp + ttl` (receive policy, policy.ts). */
  | 'expired'
  /** A new origin while the fold already tracks its policy's maximum. */
  | 'too_many_origins';

export type VerifyResult = { ok: true; signed: boolean } | { ok: false; reason: AnnouncementRejection };

// Successful verifications of frozen announcements, keyed by object; the value is the entity and
// signature hex at verification time (typed arrays cannot be frozen, so they are re-checked).
const verified = new WeakMap<CapabilityAnnouncement, string>();

function fingerprint(a: CapabilityAnnouncement): string {
  return toHex(a.entityId) + (a.signature ? toHex(a.signature) : '');
}

/**
 * The receive pipeline's checks (fold.md §4.2 steps 5–7): unsigned when signatures are required,
 * strict ed25519 over the re-serialised signed bytes, node id derived from the entity key; and,
 * when `knownGeneration` is given, the replay check (generation must be strictly greater).
 */
export function verifyAnnouncement(
  a: CapabilityAnnouncement,
  opts: { requireSigned?: boolean; knownGeneration?: bigint } = {},
): VerifyResult {
  const requireSigned = opts.requireSigned !== false;
  if (a.signature === undefined) {
    if (requireSigned) return { ok: false, reason: 'unsigned' };
  } else if (verified.get(a) !== fingerprint(a)) {
    if (!(a.entityId instanceof Uint8Array) || a.entityId.length !== 32 || a.signature.length !== 64) {
      return { ok: false, reason: 'bad_signature' };
    }
    if (!Identity.verify(a.entityId, signedBytes(a), a.signature)) return { ok: false, reason: 'bad_signature' };
    if (Object.isFrozen(a) && Object.isFrozen(a.capabilities) && Object.isFrozen(a.capabilities.tags) && Object.isFrozen(a.capabilities.metadata)) {
      verified.set(a, fingerprint(a));
    }
  }
  if (a.entityId.length !== 32 || nodeIdFromPublicKey(a.entityId) !== a.nodeId) return { ok: false, reason: 'node_id_mismatch' };
  if (opts.knownGeneration !== undefined && announcementGeneration(a) <= opts.knownGeneration) {
    return { ok: false, reason: 'stale_generation' };
  }
  return { ok: true, signed: a.signature !== undefined };
}

// ---------------------------------------------------------------------------------------------
// Receive-side transforms (fold.md §4.2 steps 13–14)

/** Metadata without the reserved keys `intent`, `colocate-with`, `priority`, `owner`. */
export function stripReservedMetadata(meta: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  if (!RESERVED_METADATA_KEYS.some((k) => Object.prototype.hasOwnProperty.call(meta, k))) return meta;
  const out = Object.create(null) as Record<string, string>;
  for (const k of Object.keys(meta)) if (!RESERVED_METADATA_KEYS.includes(k)) out[k] = meta[k]!;
  return out;
}

/**
 * The heat filter for non-self announcements: a chain-heat tag `heat:<x>=…` survives only when
 * some `causal:` tag's body, cut at its first `:` or `[`, equals x; at most 256 `heat:blob:*`
 * tags survive (the byte-smallest). Tags are returned in their input order otherwise.
 */
export function filterHeatTags(tags: readonly string[]): readonly string[] {
  let anyHeat = false;
  for (const t of tags) if (t.startsWith('heat:')) anyHeat = true;
  if (!anyHeat) return tags;
  const chains = new Set<string>();
  for (const t of tags) {
    if (!t.startsWith('causal:')) continue;
    const body = t.slice(7);
    const cut = body.search(/[:[]/);
    chains.add(cut < 0 ? body : body.slice(0, cut));
  }
  const blobs = tags.filter((t) => t.startsWith('heat:blob:')).sort(compareUtf8);
  const keptBlobs = new Set(blobs.slice(0, MAX_BLOB_HEAT_TAGS));
  return tags.filter((t) => {
    if (!t.startsWith('heat:')) return true;
    if (t.startsWith('heat:blob:')) return keptBlobs.has(t);
    const body = t.slice(5);
    const eq = body.indexOf('=');
    return chains.has(eq < 0 ? body : body.slice(0, eq));
  });
}
