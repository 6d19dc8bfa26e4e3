// RevocationRegistry and TokenCache (channels.md §5): floors only rise; slots keyed (subject,
// channel) with WILDCARD tokens in slot 0; one token per scope per slot; caps; skew; eviction.
import { describe, expect, it } from 'vitest';
import { RevocationRegistry } from '../../ts/channels/revocation.js';
import { TokenCache } from '../../ts/channels/token-cache.js';
import { PermissionToken, TokenScope } from '../../ts/channels/token.js';
import { InvalidArgumentError, TokenError } from '../../ts/errors.js';
import { T0, channelHash, ident, resign, tamper } from './fixtures.js';

const [issuer, me] = [ident(7), ident(8)];
const CH = channelHash('a/b');

function tok(scope: number, over: { ch?: bigint; ttl?: number; gen?: number } = {}): PermissionToken {
  return PermissionToken.create(issuer, {
    subject: me.publicKey,
    scope,
    channelHash: over.ch ?? CH,
    issuerGeneration: over.gen ?? 0,
    notBefore: T0,
    notAfter: T0 + BigInt(over.ttl ?? 100),
  });
}

describe('RevocationRegistry', () => {
  it('revokes below the floor, and floors never go down', () => {
    const r = new RevocationRegistry();
    const g0 = tok(1);
    const g3 = tok(1, { gen: 3 });
    expect(r.isRevoked(g0)).toBe(false);
    r.revokeBelow(issuer.publicKey, 3);
    expect([r.isRevoked(g0), r.isRevoked(g3)]).toEqual([true, false]);
    r.revokeBelow(issuer.publicKey, 1);
    expect(r.floor(issuer.publicKey)).toBe(3);
    expect(r.floor(me.publicKey)).toBe(0);
  });

  it('refuses a generation that is not a u32 with InvalidArgumentError, leaving the floor alone', () => {
    const r = new RevocationRegistry();
    for (const g of [-1, 1.5, 2 ** 32, Number.NaN]) expect(() => r.revokeBelow(issuer.publicKey, g), String(g)).toThrow(InvalidArgumentError);
    expect(r.size).toBe(0);
  });
});

describe('TokenCache', () => {
  it('insert verifies the signature; insertUnchecked does not', () => {
    const c = new TokenCache();
    expect(() => c.insert(tamper(tok(1), 100))).toThrow(expect.objectContaining({ kind: 'InvalidSignature' }));
    expect(c.insertUnchecked(tamper(tok(1), 100))).toBe(true);
    expect(c.size).toBe(1);
  });

  it('finds the exact slot, then the wildcard slot; rejects revoked and out-of-window tokens', () => {
    const c = new TokenCache();
    const pub = tok(TokenScope.PUBLISH);
    expect(c.insert(pub)).toBe(true);
    expect(c.getForAction(me.publicKey, 'publish', CH, T0 + 1n)).toBe(pub);
    expect(c.check(me.publicKey, 'subscribe', CH, T0 + 1n)).toBe(false);
    expect(c.check(me.publicKey, 'publish', channelHash('x'), T0 + 1n)).toBe(false);
    const wild = tok(TokenScope.PUBLISH | TokenScope.WILDCARD, { ch: 0n, ttl: 1000 });
    c.insert(wild);
    expect(c.getForAction(me.publicKey, 'publish', channelHash('x'), T0 + 1n)).toBe(wild);
    expect(c.getForAction(me.publicKey, 'publish', CH, T0 + 500n)).toBe(wild); // exact one expired
    c.revocation.revokeBelow(issuer.publicKey, 1);
    expect(c.check(me.publicKey, 'publish', CH, T0 + 1n)).toBe(false);
  });

  it('applies its skew', () => {
    const c = new TokenCache({ skewSecs: 60 });
    c.insert(tok(1));
    expect(c.check(me.publicKey, 'publish', CH, T0 + 159n)).toBe(true);
    expect(c.check(me.publicKey, 'publish', CH, T0 + 160n)).toBe(false);
    expect(() => new TokenCache({ skewSecs: 301 })).toThrow(InvalidArgumentError);
  });

  it('keeps one token per scope per slot, and caps slots and tokens', () => {
    const c = new TokenCache({ maxSlots: 2, maxTokensPerSlot: 2 });
    const a = tok(1);
    const a2 = resign(issuer, a, { nonce: 5n });
    expect(c.insert(a)).toBe(true);
    expect(c.insert(a2)).toBe(true); // same scope: replaces
    expect(c.size).toBe(1);
    expect(c.getForAction(me.publicKey, 1, CH, T0)).toBe(a2);
    expect(c.insert(tok(2))).toBe(true);
    expect(c.insert(tok(3))).toBe(false); // third scope in a 2-token slot
    expect(c.insert(tok(1, { ch: 1n }))).toBe(true);
    expect(c.insert(tok(1, { ch: 2n }))).toBe(false); // third slot
    expect(c.slots).toBe(2);
  });

  it('evictExpired removes tokens with not_after ≤ now', () => {
    const c = new TokenCache();
    c.insert(tok(1, { ttl: 10 }));
    c.insert(tok(2, { ttl: 20 }));
    expect(c.evictExpired(T0 + 10n)).toBe(1);
    expect(c.size).toBe(1);
    expect(c.evictExpired(T0 + 20n)).toBe(1);
    expect(c.slots).toBe(0);
  });

  it('rejects non-token input with InvalidArgumentError', () => {
    expect(() => new TokenCache().insert({} as PermissionToken)).toThrow(InvalidArgumentError);
    expect(TokenError).toBeDefined();
  });
});
