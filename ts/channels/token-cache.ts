// TokenCache (channels.md §5): verified tokens by (subject, channel hash), WILDCARD tokens in the
// channel-0 slot; one token per scope value per slot; 65,536 slots × 32 tokens. It also carries
// the node's revocation registry and clock skew. The subscribe path never writes it: it supplies
// only the node's own publish fallback token, the revocation registry and the skew.
import { InvalidArgumentError, TokenError } from '../errors.js';
import { requireBytes, requireU64 } from '../identity/bytes.js';
import { RevocationRegistry, entityHex } from './revocation.js';
import { PermissionToken, TokenScope, actionBits, toSecs, type TokenAction } from './token.js';

export const MAX_CACHE_SLOTS = 65_536;
export const MAX_TOKENS_PER_SLOT = 32;
export const RECOMMENDED_SKEW_SECS = 60;
export const MAX_SKEW_SECS = 300;

/** Options of `new TokenCache`: clock skew, a shared revocation registry, and the slot caps. */
export interface TokenCacheOptions {
  /** Clock skew tolerated on both ends of a validity window, 0..300 s (default 0, 60 recommended). */
  skewSecs?: number;
  revocation?: RevocationRegistry;
  maxSlots?: number;
  maxTokensPerSlot?: number;
}

function capOption(v: unknown, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`${field} must be a positive integer, got ${String(v)}`);
  return v;
}

/**
 * Verified tokens by (subject, channel hash), WILDCARD tokens in the channel-0 slot, with the
 * node's revocation registry and clock skew (channels.md §5). Bounded: 65,536 slots × 32 tokens by
 * default. `node.tokenCache` is the node's own.
 */
export class TokenCache {
  readonly revocation: RevocationRegistry;
  readonly skewSecs: number;
  readonly #slots = new Map<string, PermissionToken[]>();
  readonly #maxSlots: number;
  readonly #maxPerSlot: number;

  constructor(opts: TokenCacheOptions = {}) {
    const skew = opts.skewSecs ?? 0;
    if (typeof skew !== 'number' || !Number.isInteger(skew) || skew < 0 || skew > MAX_SKEW_SECS) {
      throw new InvalidArgumentError(`skewSecs must be an integer in 0..${MAX_SKEW_SECS}, got ${String(skew)}`);
    }
    if (opts.revocation !== undefined && !(opts.revocation instanceof RevocationRegistry)) throw new InvalidArgumentError('revocation must be a RevocationRegistry');
    this.skewSecs = skew;
    this.revocation = opts.revocation ?? new RevocationRegistry();
    this.#maxSlots = capOption(opts.maxSlots, 'maxSlots', MAX_CACHE_SLOTS);
    this.#maxPerSlot = capOption(opts.maxTokensPerSlot, 'maxTokensPerSlot', MAX_TOKENS_PER_SLOT);
  }

  static #key(subject: Uint8Array, ch: bigint): string {
    return `${entityHex(subject)}:${ch.toString(16)}`;
  }

  static #slotOf(t: PermissionToken): string {
    return TokenCache.#key(t.subject, (t.scope & TokenScope.WILDCARD) !== 0 ? 0n : t.channelHash);
  }

  /** Verifies the signature (InvalidSignature) and stores the token; false when a cap is reached. */
  insert(token: PermissionToken): boolean {
    if (!(token instanceof PermissionToken)) throw new InvalidArgumentError('insert takes a PermissionToken');
    if (!token.verifySignature()) throw new TokenError('InvalidSignature', 'the signature does not verify under the issuer key');
    return this.insertUnchecked(token);
  }

  /** Stores without verifying the signature (for tokens verified elsewhere). */
  insertUnchecked(token: PermissionToken): boolean {
    if (!(token instanceof PermissionToken)) throw new InvalidArgumentError('insertUnchecked takes a PermissionToken');
    const key = TokenCache.#slotOf(token);
    let slot = this.#slots.get(key);
    if (!slot) {
      if (this.#slots.size >= this.#maxSlots) return false;
      slot = [];
      this.#slots.set(key, slot);
    }
    const same = slot.findIndex((t) => t.scope === token.scope);
    if (same >= 0) slot[same] = token;
    else if (slot.length >= this.#maxPerSlot) return false;
    else slot.push(token);
    return true;
  }

  #usable(t: PermissionToken, act: number, ch: bigint, now: bigint): boolean {
    if (this.revocation.isRevoked(t) || !t.authorizes(act, ch)) return false;
    try {
      t.checkTime(now, this.skewSecs);
      return true;
    } catch {
      return false;
    }
  }

  /** A valid, unrevoked token of `subject` authorizing `action` on `ch`: the exact slot first, then the wildcard slot. */
  getForAction(subject: Uint8Array, action: TokenAction, ch: bigint, nowSecs?: bigint | number): PermissionToken | undefined {
    requireBytes(subject, 'subject', 32);
    requireU64(ch, 'channelHash');
    const act = actionBits(action);
    const now = toSecs(nowSecs);
    for (const key of ch === 0n ? [TokenCache.#key(subject, 0n)] : [TokenCache.#key(subject, ch), TokenCache.#key(subject, 0n)]) {
      for (const t of this.#slots.get(key) ?? []) if (this.#usable(t, act, ch, now)) return t;
    }
    return undefined;
  }

  /** Whether getForAction finds a token. */
  check(subject: Uint8Array, action: TokenAction, ch: bigint, nowSecs?: bigint | number): boolean {
    return this.getForAction(subject, action, ch, nowSecs) !== undefined;
  }

  /** Removes tokens with `not_after ≤ now`; returns how many. */
  evictExpired(nowSecs?: bigint | number): number {
    const now = toSecs(nowSecs);
    let removed = 0;
    for (const [k, slot] of this.#slots) {
      const keep = slot.filter((t) => t.notAfter > now);
      removed += slot.length - keep.length;
      if (keep.length === 0) this.#slots.delete(k);
      else if (keep.length !== slot.length) this.#slots.set(k, keep);
    }
    return removed;
  }

  /** Number of tokens held. */
  get size(): number {
    let n = 0;
    for (const s of this.#slots.values()) n += s.length;
    return n;
  }

  get slots(): number {
    return this.#slots.size;
  }
}
