// TokenChain (channels.md §4): 1–8 tokens, root first; wire = count u8 · count × 169 bytes.
// verifyAuthorizes runs the checks of §4 in the specified order, first failure wins.
import { InvalidArgumentError, TokenError } from '../errors.js';
import { requireU64 } from '../identity/bytes.js';
import { RevocationRegistry } from './revocation.js';
import { PermissionToken, TOKEN_SIZE, TokenScope, actionBits, entityEquals, toSecs, type TokenAction } from './token.js';

export const MAX_CHAIN_LINKS = 8;

/** verifyAuthorizes(action, channel hash, presenter EntityId, roots, revocation?, skewSecs = 0, nowSecs = now). */
export type VerifyArgs = [
  action: TokenAction,
  ch: bigint,
  presenter: Uint8Array,
  roots: readonly Uint8Array[],
  revocation?: RevocationRegistry,
  skewSecs?: number,
  nowSecs?: bigint | number,
];
const EMPTY_REVOCATION = new RevocationRegistry();

function checkSkew(skewSecs: number): number {
  if (typeof skewSecs !== 'number' || !Number.isInteger(skewSecs) || skewSecs < 0) throw new InvalidArgumentError(`skewSecs must be a non-negative integer, got ${String(skewSecs)}`);
  return skewSecs;
}

/**
 * A root-anchored credential (channels.md §4): 1–8 tokens, root first, each delegating to the next.
 * Build one with `TokenChain.of` / `single`, encode it with `encode` (alias `toBytes`), read it with
 * `TokenChain.decode` (alias `fromBytes`), check it with `verifyAuthorizes`.
 */
export class TokenChain {
  readonly tokens: readonly PermissionToken[];

  private constructor(tokens: PermissionToken[]) {
    this.tokens = Object.freeze(tokens);
    Object.freeze(this);
  }

  /** A chain of 1–8 tokens, root first (InvalidFormat otherwise). */
  static of(tokens: readonly PermissionToken[]): TokenChain {
    if (!Array.isArray(tokens)) throw new InvalidArgumentError('TokenChain.of takes an array of PermissionToken');
    if (tokens.length < 1 || tokens.length > MAX_CHAIN_LINKS) throw new TokenError('InvalidFormat', `a chain has 1–${MAX_CHAIN_LINKS} links, got ${tokens.length}`);
    for (const t of tokens) if (!(t instanceof PermissionToken)) throw new InvalidArgumentError('TokenChain.of takes PermissionToken instances');
    return new TokenChain([...tokens]);
  }

  /** A one-link chain. */
  static single(token: PermissionToken): TokenChain {
    return TokenChain.of([token]);
  }

  /** Decodes `count u8 · count × 169`: 1 ≤ count ≤ 8 and exact length, else InvalidFormat. */
  static fromBytes(bytes: Uint8Array): TokenChain {
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('TokenChain.fromBytes takes a Uint8Array');
    if (bytes.length < 1) throw new TokenError('InvalidFormat', 'an empty chain encoding');
    const count = bytes[0]!;
    if (count < 1 || count > MAX_CHAIN_LINKS) throw new TokenError('InvalidFormat', `a chain has 1–${MAX_CHAIN_LINKS} links, got ${count}`);
    if (bytes.length !== 1 + TOKEN_SIZE * count) throw new TokenError('InvalidFormat', `a ${count}-link chain is ${1 + TOKEN_SIZE * count} bytes, got ${bytes.length}`);
    const tokens: PermissionToken[] = [];
    for (let i = 0; i < count; i++) tokens.push(PermissionToken.fromBytes(bytes.subarray(1 + i * TOKEN_SIZE, 1 + (i + 1) * TOKEN_SIZE)));
    return new TokenChain(tokens);
  }

  static decode(bytes: Uint8Array): TokenChain {
    return TokenChain.fromBytes(bytes);
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(1 + TOKEN_SIZE * this.tokens.length);
    out[0] = this.tokens.length;
    this.tokens.forEach((t, i) => t.writeTo(out, 1 + i * TOKEN_SIZE));
    return out;
  }

  encode(): Uint8Array {
    return this.toBytes();
  }

  get root(): PermissionToken {
    return this.tokens[0]!;
  }

  get leaf(): PermissionToken {
    return this.tokens[this.tokens.length - 1]!;
  }

  get length(): number {
    return this.tokens.length;
  }

  /**
   * §4: the chain authorizes `presenter` to perform `action` on channel `ch` under `roots`.
   * Throws TokenError (InvalidFormat, NotAuthorized, InvalidSignature, NotYetValid, Expired,
   * Revoked, DelegationNotAllowed) at the first failing check.
   */
  verifyAuthorizes(...args: VerifyArgs): void {
    this.#verify(true, ...args);
  }

  /**
   * The same checks without signatures. Only for a chain whose signatures were already verified
   * by verifyAuthorizes and that has not changed since (retained subscribe chains, §8.2).
   */
  verifyAuthorizesPresigned(...args: VerifyArgs): void {
    this.#verify(false, ...args);
  }

  /** verifyAuthorizes as a boolean. */
  authorizes(...args: VerifyArgs): boolean {
    try {
      this.verifyAuthorizes(...args);
      return true;
    } catch (e) {
      if (e instanceof TokenError) return false;
      throw e;
    }
  }

  #verify(
    signatures: boolean,
    action: TokenAction,
    ch: bigint,
    presenter: Uint8Array,
    roots: readonly Uint8Array[],
    revocation: RevocationRegistry = EMPTY_REVOCATION,
    skewSecs = 0,
    nowSecs?: bigint | number,
  ): void {
    const act = actionBits(action);
    requireU64(ch, 'channelHash');
    if (!(presenter instanceof Uint8Array)) throw new InvalidArgumentError('presenter must be a 32-byte EntityId');
    if (!Array.isArray(roots)) throw new InvalidArgumentError('roots must be an array of 32-byte EntityIds');
    if (!(revocation instanceof RevocationRegistry)) throw new InvalidArgumentError('revocation must be a RevocationRegistry');
    const skew = checkSkew(skewSecs);
    const now = toSecs(nowSecs);
    const t = this.tokens;
    // 0. non-empty (a decoded or built chain always is; kept for the check order's sake)
    if (t.length === 0) throw new TokenError('InvalidFormat', 'an empty chain');
    // 1. rooted at a configured root
    if (!roots.some((r) => r instanceof Uint8Array && entityEquals(r, t[0]!.issuer))) throw new TokenError('NotAuthorized', "the chain's root issuer is not one of the channel's token roots");
    // 2. the leaf names the presenter
    if (!entityEquals(t[t.length - 1]!.subject, presenter)) throw new TokenError('NotAuthorized', "the chain's leaf subject is not the presenter");
    // 3. each link: signature, time, revocation floor, authority for this action and channel
    t.forEach((link, i) => {
      if (signatures && !link.verifySignature()) throw new TokenError('InvalidSignature', `link ${i}: the signature does not verify`);
      try {
        link.checkTime(now, skew);
      } catch (e) {
        if (e instanceof TokenError) throw new TokenError(e.kind, `link ${i}: ${e.message.slice(e.kind.length + 2)}`);
        throw e;
      }
      if (revocation.isRevoked(link)) throw new TokenError('Revoked', `link ${i}: generation ${link.issuerGeneration} is below its issuer's revocation floor`);
      if (!link.authorizes(act, ch)) throw new TokenError('NotAuthorized', `link ${i} does not authorize this action on this channel`);
    });
    // 4. each adjacent pair: linked, delegable, narrowing depth, nested time window
    for (let i = 1; i < t.length; i++) {
      const parent = t[i - 1]!;
      const child = t[i]!;
      if (!entityEquals(child.issuer, parent.subject)) throw new TokenError('NotAuthorized', `link ${i} was not issued by link ${i - 1}'s subject`);
      if ((parent.scope & TokenScope.DELEGATE) === 0) throw new TokenError('DelegationNotAllowed', `link ${i - 1} lacks DELEGATE`);
      if (!(child.delegationDepth < parent.delegationDepth)) throw new TokenError('NotAuthorized', `link ${i}'s delegation depth does not shrink`);
      if (child.notBefore < parent.notBefore || child.notAfter > parent.notAfter) throw new TokenError('NotAuthorized', `link ${i}'s validity window is not inside link ${i - 1}'s`);
    }
  }
}
