// Shared fixtures for channel tests: deterministic identities, a fixed clock, chains built by the
// real issue/delegate path, and tokens re-signed with chosen fields for the refusal cases.
import { Identity } from '../../ts/identity/identity.js';
import { TokenChain } from '../../ts/channels/chain.js';
import { PermissionToken, TokenScope, type TokenFields } from '../../ts/channels/token.js';
import { channelHash } from '../../ts/channels/name.js';

export const T0 = 1_700_000_000n;

export function ident(n: number): Identity {
  return Identity.fromSeed(new Uint8Array(32).fill(n));
}

export const SUB_DEL = TokenScope.SUBSCRIBE | TokenScope.DELEGATE;
export const PUB_DEL = TokenScope.PUBLISH | TokenScope.DELEGATE;

/** root → org → team (→ …): each link delegates `scope` (with DELEGATE where more links follow). */
export function chainOf(ids: Identity[], channel: string, scope: number, opts: { ttlSecs?: number; now?: bigint } = {}): TokenChain {
  const now = opts.now ?? T0;
  const links = ids.length - 1;
  let t = PermissionToken.issue(ids[0]!, {
    subject: ids[1]!.publicKey,
    scope: scope | (links > 1 ? TokenScope.DELEGATE : 0),
    channel,
    ttlSecs: opts.ttlSecs ?? 3600,
    delegationDepth: links - 1,
    nowSecs: now,
  });
  const tokens = [t];
  for (let i = 1; i < links; i++) {
    t = t.delegate(ids[i]!, ids[i + 1]!.publicKey, scope | (i < links - 1 ? TokenScope.DELEGATE : 0), { nowSecs: now });
    tokens.push(t);
  }
  return TokenChain.of(tokens);
}

/** Re-signs `t` by `signer` with some fields replaced (a forged or malformed link). */
export function resign(signer: Identity, t: PermissionToken, over: Partial<TokenFields>): PermissionToken {
  return PermissionToken.create(signer, {
    subject: t.subject,
    scope: t.scope,
    channelHash: t.channelHash,
    issuerGeneration: t.issuerGeneration,
    notBefore: t.notBefore,
    notAfter: t.notAfter,
    delegationDepth: t.delegationDepth,
    nonce: t.nonce,
    ...over,
  });
}

/** The token with one byte flipped (its signature no longer verifies). */
export function tamper(t: PermissionToken, at = 70): PermissionToken {
  const b = t.toBytes();
  b[at]! ^= 1;
  return PermissionToken.fromBytes(b);
}

export { channelHash };
