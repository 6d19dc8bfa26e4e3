// Channel names and their hashes (channels.md §1): validation, the `/`-segment prefix rule, the
// canonical XXH3-64 hash, the 16-bit wire hint and the publisher stream id.
import { InvalidArgumentError } from '../errors.js';
import { xxh3_64 } from '../core/xxh3.js';

export const MAX_CHANNEL_NAME_BYTES = 255;
/** Bit 48: channel-publisher streams are `(1 << 48) | hash` (wire.md §9). */
export const CHANNEL_STREAM_BIT = 1n << 48n;

const SLASH = 0x2f;

function allowedByte(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2e || c === SLASH;
}

/**
 * Why `name` (its bytes) is not a valid channel name, or null when it is. Names are ASCII, so the
 * byte and the string forms agree; a non-ASCII code unit is simply a disallowed character.
 */
export function channelNameProblem(name: string): string | null {
  const n = name.length;
  if (n === 0) return 'is empty';
  if (n > MAX_CHANNEL_NAME_BYTES) return `is longer than ${MAX_CHANNEL_NAME_BYTES} bytes`;
  let segStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? name.charCodeAt(i) : SLASH;
    if (i < n && !allowedByte(c)) {
      if (c >= 0x41 && c <= 0x5a) return `contains an uppercase letter at ${i}`;
      return `contains a disallowed character at ${i} (allowed: a-z 0-9 - _ . /)`;
    }
    if (c !== SLASH) continue;
    const seg = name.slice(segStart, i);
    if (seg.length === 0) {
      if (i === 0) return 'starts with "/"';
      if (i === n) return 'ends with "/"';
      return 'contains "//"';
    }
    if (seg === '.' || seg === '..') return `has a "${seg}" segment`;
    segStart = i + 1;
  }
  return null;
}

/** Throws InvalidArgumentError naming `field` unless `name` is a valid channel name. */
export function requireChannelName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string') throw new InvalidArgumentError(`${field} must be a channel name string, got ${typeof name}`);
  const p = channelNameProblem(name);
  if (p !== null) throw new InvalidArgumentError(`${field} ${JSON.stringify(name.length > 64 ? name.slice(0, 64) + '…' : name)} ${p}`);
  return name;
}

/** `a` is a prefix of `b`: equal, or `b` starts with `a` and continues with `/`. */
export function isChannelPrefix(a: string, b: string): boolean {
  return a === b || (b.length > a.length && b.startsWith(a) && b.charCodeAt(a.length) === SLASH);
}

// Hashes of names seen recently: publishing and dispatch hash the same few names over and over.
const HASH_CACHE_MAX = 4096;
const hashCache = new Map<string, bigint>();

function hashOf(name: string): bigint {
  let h = hashCache.get(name);
  if (h === undefined) {
    h = xxh3_64(name);
    if (hashCache.size >= HASH_CACHE_MAX) hashCache.clear();
    hashCache.set(name, h);
  }
  return h;
}

/** The canonical channel hash: XXH3-64 (seed 0) of the UTF-8 name. Validates the name. */
export function channelHash(name: string): bigint {
  return hashOf(requireChannelName(name));
}

/** The 16-bit wire hint carried in the header: the low 16 bits of the canonical hash. */
export function wireChannelHash(name: string): number {
  return Number(channelHash(name) & 0xffffn);
}

/** The publisher stream id of a channel hash: `(1 << 48) | hash`. */
export function channelStreamId(hash: bigint): bigint {
  return CHANNEL_STREAM_BIT | hash;
}

/** A validated channel name with its hashes. */
export class ChannelName {
  readonly name: string;
  readonly hash: bigint;
  private constructor(name: string) {
    this.name = name;
    this.hash = hashOf(name);
  }

  /** Validates `name` (InvalidArgumentError naming the broken rule). */
  static parse(name: string): ChannelName {
    return new ChannelName(requireChannelName(name));
  }

  /** The low 16 bits of the hash, as carried in packet headers. */
  get wireHash(): number {
    return Number(this.hash & 0xffffn);
  }

  /** The channel's publisher stream id, `(1 << 48) | hash`. */
  get streamId(): bigint {
    return channelStreamId(this.hash);
  }

  /** Number of `/`-separated segments. */
  get depth(): number {
    return this.segments.length;
  }

  get segments(): string[] {
    return this.name.split('/');
  }

  /** This name is a prefix of `other` under the `/`-segment rule (§1). */
  isPrefixOf(other: ChannelName | string): boolean {
    return isChannelPrefix(this.name, typeof other === 'string' ? other : other.name);
  }

  equals(other: ChannelName | string): boolean {
    return this.name === (typeof other === 'string' ? other : other.name);
  }

  toString(): string {
    return this.name;
  }
}
