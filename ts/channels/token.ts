// PermissionToken (channels.md §3): 169 bytes, ed25519-signed by its issuer over bytes 0..105.
//
// | 0 issuer 32 | 32 subject 32 | 64 scope u32 | 68 channel_hash u64 | 76 issuer_generation u32 |
// | 80 not_before u64 | 88 not_after u64 | 96 delegation_depth u8 | 97 nonce u64 | 105 sig 64 |
import { randomBytes } from '@noble/hashes/utils.js';
import { InvalidArgumentError, TokenError } from '../errors.js';
import { Identity } from '../identity/identity.js';
import { requireBytes, requireU64 } from '../identity/bytes.js';
import { channelHash as hashOfName } from './name.js';

export const TOKEN_SIZE = 169;
export const TOKEN_SIGNED_LEN = 105;
export const MAX_TOKEN_TTL_SECS = 31_536_000;
const U64_MAX = (1n << 64n) - 1n;

/** Scope bits. `ALL` excludes WILDCARD; a token authorizes nothing with scope NONE. */
export const TokenScope = Object.freeze({
  NONE: 0,
  PUBLISH: 1,
  SUBSCRIBE: 2,
  ADMIN: 4,
  DELEGATE: 8,
  WILDCARD: 16,
  ALL: 15,
});

/** A scope bit by name (channels.md §3): `wildcard` makes a token cover every channel. */
export type ScopeName = 'publish' | 'subscribe' | 'admin' | 'delegate' | 'wildcard';
const SCOPE_BITS: Record<ScopeName, number> = { publish: 1, subscribe: 2, admin: 4, delegate: 8, wildcard: 16 };
/** A scope as bits or as names. */
export type ScopeInput = number | readonly ScopeName[];

export function scopeBits(s: ScopeInput, field = 'scope'): number {
  if (typeof s === 'number') {
    if (!Number.isInteger(s) || s < 0 || s > 0xffff_ffff) throw new InvalidArgumentError(`${field} must be u32 scope bits, got ${s}`);
    return s;
  }
  if (!Array.isArray(s)) throw new InvalidArgumentError(`${field} must be scope bits or an array of scope names`);
  let bits = 0;
  for (const n of s) {
    const b = SCOPE_BITS[n as ScopeName];
    if (b === undefined) throw new InvalidArgumentError(`${field}: unknown scope ${String(n)} (one of ${Object.keys(SCOPE_BITS).join(', ')})`);
    bits |= b;
  }
  return bits;
}

/** `contains(want)`: every bit of `want` is in `have`; containing NONE is false. */
export function scopeContains(have: number, want: number): boolean {
  return want !== 0 && (have & want) === want;
}

/** The single action bit a check is about (PUBLISH or SUBSCRIBE, or another scope bit). */
export type TokenAction = number | 'publish' | 'subscribe' | 'admin' | 'delegate';
export function actionBits(a: TokenAction): number {
  return typeof a === 'number' ? scopeBits(a, 'action') : scopeBits([a], 'action');
}

/** Anything that can stand as an issuer: an Identity, or a public key only (then issuing is ReadOnly). */
export interface TokenSigner {
  readonly publicKey: Uint8Array;
  sign?(message: Uint8Array): Uint8Array;
}

/** Current Unix time in seconds. */
export function unixNowSecs(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

export function toSecs(v: bigint | number | undefined, field = 'nowSecs'): bigint {
  if (v === undefined) return unixNowSecs();
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError(`${field} must be a non-negative integer of seconds, got ${v}`);
    return BigInt(v);
  }
  return requireU64(v, field);
}

function randomNonce(): bigint {
  const b = randomBytes(8);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
export { bytesEqual as entityEquals };

/** The fields a token carries besides the issuer and the signature. */
export interface TokenFields {
  subject: Uint8Array;
  scope: ScopeInput;
  channelHash: bigint;
  issuerGeneration?: number;
  notBefore: bigint | number;
  notAfter: bigint | number;
  delegationDepth?: number;
  nonce?: bigint;
}

/** Options of `PermissionToken.issue` (sdk.md "Channels"): subject, scope, channel, lifetime, delegation depth. */
export interface IssueOptions {
  /** The subject's EntityId (32-byte ed25519 public key). */
  subject: Uint8Array;
  scope: ScopeInput;
  /** The channel by name, or `channelHash` directly (0 with WILDCARD for every channel). */
  channel?: string;
  channelHash?: bigint;
  /** Lifetime; `ttlMs` is rounded up to whole seconds. One of the two is required. */
  ttlMs?: number;
  ttlSecs?: number;
  /** How many further delegations the token allows (0 by default). */
  delegationDepth?: number;
  /** Issue time (Unix seconds); now by default. */
  nowSecs?: bigint | number;
}

function u8(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) throw new InvalidArgumentError(`${field} must be an integer in 0..255, got ${String(v)}`);
  return v;
}

function u32(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new InvalidArgumentError(`${field} must be a u32, got ${String(v)}`);
  return v;
}

function signWith(signer: TokenSigner, message: Uint8Array): Uint8Array {
  if (typeof signer?.sign !== 'function') throw new TokenError('ReadOnly', 'the issuer has only a public key and cannot sign');
  return signer.sign(message);
}

/**
 * A signed 169-byte permission token (channels.md §3): issuer and subject EntityIds, scope bits,
 * channel hash, validity window, delegation depth. Issue one with `PermissionToken.issue`, derive
 * one with `token.delegate`, read one with `PermissionToken.fromBytes` (alias `decode`).
 */
export class PermissionToken {
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly scope: number;
  readonly channelHash: bigint;
  readonly issuerGeneration: number;
  readonly notBefore: bigint;
  readonly notAfter: bigint;
  readonly delegationDepth: number;
  readonly nonce: bigint;
  readonly signature: Uint8Array;
  readonly #bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, TOKEN_SIZE);
    this.issuer = bytes.slice(0, 32);
    this.subject = bytes.slice(32, 64);
    this.scope = dv.getUint32(64, true);
    this.channelHash = dv.getBigUint64(68, true);
    this.issuerGeneration = dv.getUint32(76, true);
    this.notBefore = dv.getBigUint64(80, true);
    this.notAfter = dv.getBigUint64(88, true);
    this.delegationDepth = bytes[96]!;
    this.nonce = dv.getBigUint64(97, true);
    this.signature = bytes.slice(105, TOKEN_SIZE);
    Object.freeze(this);
  }

  /**
   * Issues a root or standalone token (§3): TTL 0 → ZeroTtl, TTL > 1 year → TtlTooLong,
   * not_before = now, not_after = now + ttl, generation 0, fresh nonce; a public-only issuer →
   * ReadOnly. Also callable as `issue(issuer, subject, scope, channelHash, ttlSecs, depth)`.
   */
  static issue(issuer: TokenSigner, opts: IssueOptions): PermissionToken;
  static issue(issuer: TokenSigner, subject: Uint8Array, scope: ScopeInput, channelHash: bigint, ttlSecs: number, depth?: number): PermissionToken;
  static issue(issuer: TokenSigner, a: IssueOptions | Uint8Array, scope?: ScopeInput, ch?: bigint, ttlSecs?: number, depth?: number): PermissionToken {
    const o: IssueOptions = a instanceof Uint8Array ? { subject: a, scope: scope!, channelHash: ch, ttlSecs, delegationDepth: depth } : a;
    if (!o || typeof o !== 'object') throw new InvalidArgumentError('PermissionToken.issue needs an options object');
    requireBytes(issuer?.publicKey, 'issuer.publicKey', 32);
    let ttl: number;
    if (o.ttlSecs !== undefined) {
      if (typeof o.ttlSecs !== 'number' || !Number.isInteger(o.ttlSecs) || o.ttlSecs < 0) throw new InvalidArgumentError(`ttlSecs must be a non-negative integer, got ${String(o.ttlSecs)}`);
      ttl = o.ttlSecs;
    } else if (o.ttlMs !== undefined) {
      if (typeof o.ttlMs !== 'number' || !Number.isFinite(o.ttlMs) || o.ttlMs < 0) throw new InvalidArgumentError(`ttlMs must be a non-negative number, got ${String(o.ttlMs)}`);
      ttl = Math.ceil(o.ttlMs / 1000);
    } else {
      throw new InvalidArgumentError('PermissionToken.issue needs ttlMs or ttlSecs');
    }
    if (ttl === 0) throw new TokenError('ZeroTtl', 'a token needs a TTL of at least one second');
    if (ttl > MAX_TOKEN_TTL_SECS) throw new TokenError('TtlTooLong', `TTL ${ttl} s exceeds ${MAX_TOKEN_TTL_SECS} s`);
    let hash: bigint;
    if (o.channel !== undefined) {
      hash = hashOfName(o.channel);
      if (o.channelHash !== undefined && o.channelHash !== hash) throw new InvalidArgumentError('channel and channelHash disagree');
    } else if (o.channelHash !== undefined) {
      hash = requireU64(o.channelHash, 'channelHash');
    } else {
      throw new InvalidArgumentError('PermissionToken.issue needs channel (a name) or channelHash');
    }
    if (typeof issuer.sign !== 'function') throw new TokenError('ReadOnly', 'the issuer has only a public key and cannot sign');
    const now = toSecs(o.nowSecs);
    return PermissionToken.create(issuer, {
      subject: o.subject,
      scope: o.scope,
      channelHash: hash,
      issuerGeneration: 0,
      notBefore: now,
      notAfter: now + BigInt(ttl) > U64_MAX ? U64_MAX : now + BigInt(ttl),
      delegationDepth: o.delegationDepth ?? 0,
    });
  }

  /**
   * Signs arbitrary fields with `signer` as issuer, without the issue/delegate rules (tooling,
   * interop fixtures, tests). Chains built from such tokens are still checked by verifyAuthorizes.
   */
  static create(signer: TokenSigner, f: TokenFields): PermissionToken {
    requireBytes(signer?.publicKey, 'signer.publicKey', 32);
    const b = new Uint8Array(TOKEN_SIZE);
    const dv = new DataView(b.buffer);
    b.set(signer.publicKey, 0);
    b.set(requireBytes(f.subject, 'subject', 32), 32);
    dv.setUint32(64, scopeBits(f.scope), true);
    dv.setBigUint64(68, requireU64(f.channelHash, 'channelHash'), true);
    dv.setUint32(76, u32(f.issuerGeneration ?? 0, 'issuerGeneration'), true);
    dv.setBigUint64(80, toSecs(f.notBefore, 'notBefore'), true);
    dv.setBigUint64(88, toSecs(f.notAfter, 'notAfter'), true);
    b[96] = u8(f.delegationDepth ?? 0, 'delegationDepth');
    dv.setBigUint64(97, f.nonce === undefined ? randomNonce() : requireU64(f.nonce, 'nonce'), true);
    b.set(signWith(signer, b.subarray(0, TOKEN_SIGNED_LEN)), TOKEN_SIGNED_LEN);
    return new PermissionToken(b);
  }

  /** Decodes exactly 169 bytes (else InvalidFormat); the signature is not checked here. */
  static fromBytes(bytes: Uint8Array): PermissionToken {
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('PermissionToken.fromBytes takes a Uint8Array');
    if (bytes.length !== TOKEN_SIZE) throw new TokenError('InvalidFormat', `a token is ${TOKEN_SIZE} bytes, got ${bytes.length}`);
    return new PermissionToken(bytes.slice());
  }

  static decode(bytes: Uint8Array): PermissionToken {
    return PermissionToken.fromBytes(bytes);
  }

  /** The 169-byte encoding (a copy). */
  toBytes(): Uint8Array {
    return this.#bytes.slice();
  }

  encode(): Uint8Array {
    return this.toBytes();
  }

  /** Writes the encoding into `out` at `offset` (chain encoding without intermediate copies). */
  writeTo(out: Uint8Array, offset: number): void {
    out.set(this.#bytes, offset);
  }

  /** Bytes 0..105, the signed message. */
  signedBytes(): Uint8Array {
    return this.#bytes.slice(0, TOKEN_SIGNED_LEN);
  }

  /** Strict ed25519 verification of the signature under the issuer key. */
  verifySignature(): boolean {
    return Identity.verify(this.issuer, this.#bytes.subarray(0, TOKEN_SIGNED_LEN), this.#bytes.subarray(TOKEN_SIGNED_LEN));
  }

  /** The time window with skew `s` (saturating): NotYetValid / Expired, else nothing. */
  checkTime(nowSecs?: bigint | number, skewSecs = 0): void {
    const now = toSecs(nowSecs);
    const s = BigInt(skewSecs);
    const start = this.notBefore > s ? this.notBefore - s : 0n;
    const end = this.notAfter + s > U64_MAX ? U64_MAX : this.notAfter + s;
    if (now < start) throw new TokenError('NotYetValid', `valid from ${this.notBefore} (skew ${skewSecs} s), now ${now}`);
    if (now >= end) throw new TokenError('Expired', `expired at ${this.notAfter} (skew ${skewSecs} s), now ${now}`);
  }

  /** Full validity: the signature first (InvalidSignature), then the time window. */
  verify(nowSecs?: bigint | number, skewSecs = 0): void {
    if (!this.verifySignature()) throw new TokenError('InvalidSignature', 'the signature does not verify under the issuer key');
    this.checkTime(nowSecs, skewSecs);
  }

  /** `now ≥ not_after`, without any signature check. */
  isExpired(nowSecs?: bigint | number): boolean {
    return toSecs(nowSecs) >= this.notAfter;
  }

  /** The scope contains `action` and the token names channel `ch` (or carries WILDCARD). Hash 0 is no wildcard. */
  authorizes(action: TokenAction, ch: bigint): boolean {
    return scopeContains(this.scope, actionBits(action)) && ((this.scope & TokenScope.WILDCARD) !== 0 || this.channelHash === ch);
  }

  hasScope(bits: ScopeInput): boolean {
    return scopeContains(this.scope, scopeBits(bits));
  }

  /**
   * Delegates to `subject` with `scope ∩ this.scope` (§3): this token must be valid, have depth
   * left (DelegationExhausted) and DELEGATE (DelegationNotAllowed), and `signer` must be its
   * subject (NotAuthorized). The child keeps the channel, the generation and not_after.
   */
  delegate(signer: TokenSigner, subject: Uint8Array, scope: ScopeInput, opts: { nowSecs?: bigint | number } = {}): PermissionToken {
    requireBytes(subject, 'subject', 32);
    const requested = scopeBits(scope);
    const now = toSecs(opts.nowSecs);
    this.verify(now, 0);
    if (this.delegationDepth === 0) throw new TokenError('DelegationExhausted', 'the token allows no further delegation');
    if ((this.scope & TokenScope.DELEGATE) === 0) throw new TokenError('DelegationNotAllowed', 'the token lacks DELEGATE');
    requireBytes(signer?.publicKey, 'signer.publicKey', 32);
    if (!bytesEqual(signer.publicKey, this.subject)) throw new TokenError('NotAuthorized', "the signer is not the token's subject");
    return PermissionToken.create(signer, {
      subject,
      scope: this.scope & requested,
      channelHash: this.channelHash,
      issuerGeneration: this.issuerGeneration,
      notBefore: now,
      notAfter: this.notAfter,
      delegationDepth: this.delegationDepth - 1,
    });
  }
}
