// PermissionToken (channels.md §3): the 169-byte layout and round trip, issue and delegate rules
// with their TokenError kinds, validity with skew, authorizes, strict signature verification.
import { describe, expect, it } from 'vitest';
import { PermissionToken, TOKEN_SIZE, TokenScope, scopeContains, type IssueOptions } from '../../ts/channels/token.js';
import { Identity } from '../../ts/identity/identity.js';
import { InvalidArgumentError, TokenError } from '../../ts/errors.js';
import { T0, channelHash, ident } from './fixtures.js';

const root = ident(1);
const org = ident(2);
const team = ident(3);
const CH = channelHash('fleet/telemetry');

function kindOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof TokenError) return e.kind;
    throw e;
  }
  return undefined;
}

function issue(over: Partial<IssueOptions> = {}): PermissionToken {
  return PermissionToken.issue(root, { subject: org.publicKey, scope: ['subscribe', 'delegate'], channel: 'fleet/telemetry', ttlSecs: 600, delegationDepth: 2, nowSecs: T0, ...over });
}

describe('169-byte layout and round trip', () => {
  it('places every field at its offset, little-endian, and signs bytes 0..105', () => {
    const t = issue();
    const b = t.toBytes();
    expect(b.length).toBe(TOKEN_SIZE);
    const dv = new DataView(b.buffer);
    expect(b.subarray(0, 32)).toEqual(root.publicKey);
    expect(b.subarray(32, 64)).toEqual(org.publicKey);
    expect(dv.getUint32(64, true)).toBe(TokenScope.SUBSCRIBE | TokenScope.DELEGATE);
    expect(dv.getBigUint64(68, true)).toBe(CH);
    expect(dv.getUint32(76, true)).toBe(0);
    expect(dv.getBigUint64(80, true)).toBe(T0);
    expect(dv.getBigUint64(88, true)).toBe(T0 + 600n);
    expect(b[96]).toBe(2);
    expect(dv.getBigUint64(97, true)).toBe(t.nonce);
    expect(b.subarray(105)).toEqual(t.signature);
    expect(Identity.verify(root.publicKey, b.subarray(0, 105), b.subarray(105))).toBe(true);
    expect(root.sign(b.subarray(0, 105))).toEqual(t.signature);
  });

  it('decodes its own encoding field for field', () => {
    const t = issue();
    const u = PermissionToken.fromBytes(t.toBytes());
    for (const k of ['scope', 'channelHash', 'issuerGeneration', 'notBefore', 'notAfter', 'delegationDepth', 'nonce'] as const) expect(u[k]).toBe(t[k]);
    expect(u.issuer).toEqual(t.issuer);
    expect(u.subject).toEqual(t.subject);
    expect(u.signature).toEqual(t.signature);
    expect(u.toBytes()).toEqual(t.toBytes());
    expect(PermissionToken.decode(t.encode()).verifySignature()).toBe(true);
  });

  it.each([0, 168, 170, 338])('decoding %i bytes is InvalidFormat', (n) => {
    expect(kindOf(() => PermissionToken.fromBytes(new Uint8Array(n)))).toBe('InvalidFormat');
  });
});

describe('issue', () => {
  it('sets now, now + ttl, generation 0 and a fresh nonce', () => {
    const a = issue();
    const b = issue();
    expect([a.notBefore, a.notAfter, a.issuerGeneration]).toEqual([T0, T0 + 600n, 0]);
    expect(a.nonce).not.toBe(b.nonce);
    expect(PermissionToken.issue(root, { subject: org.publicKey, scope: ['publish'], channel: 'a', ttlMs: 1500, nowSecs: T0 }).notAfter).toBe(T0 + 2n);
  });

  it('accepts the positional form (keypair, subject, scope, channelHash, ttlSecs, depth)', () => {
    const t = PermissionToken.issue(root, org.publicKey, TokenScope.PUBLISH, CH, 60, 1);
    expect([t.scope, t.channelHash, t.notAfter - t.notBefore, t.delegationDepth]).toEqual([TokenScope.PUBLISH, CH, 60n, 1]);
  });

  it('TTL 0 → ZeroTtl, TTL over one year → TtlTooLong, a public-only issuer → ReadOnly', () => {
    expect(kindOf(() => issue({ ttlSecs: 0 }))).toBe('ZeroTtl');
    expect(kindOf(() => issue({ ttlSecs: undefined, ttlMs: 0 }))).toBe('ZeroTtl');
    expect(kindOf(() => issue({ ttlSecs: 31_536_000 }))).toBeUndefined();
    expect(kindOf(() => issue({ ttlSecs: 31_536_001 }))).toBe('TtlTooLong');
    const readOnly = { publicKey: root.publicKey };
    expect(kindOf(() => PermissionToken.issue(readOnly, { subject: org.publicKey, scope: ['publish'], channel: 'a', ttlSecs: 60 }))).toBe('ReadOnly');
  });

  it('rejects bad arguments with InvalidArgumentError', () => {
    expect(() => issue({ subject: new Uint8Array(31) })).toThrow(InvalidArgumentError);
    expect(() => issue({ scope: ['nope' as 'publish'] })).toThrow(InvalidArgumentError);
    expect(() => issue({ channel: 'Bad' })).toThrow(InvalidArgumentError);
    expect(() => issue({ delegationDepth: 256 })).toThrow(InvalidArgumentError);
  });
});

describe('validity, authorizes, signatures', () => {
  it('NotYetValid before not_before − skew, Expired at not_after + skew (saturating)', () => {
    const t = issue();
    expect(kindOf(() => t.verify(T0 - 1n, 0))).toBe('NotYetValid');
    expect(kindOf(() => t.verify(T0 - 60n, 60))).toBeUndefined();
    expect(kindOf(() => t.verify(T0 + 599n, 0))).toBeUndefined();
    expect(kindOf(() => t.verify(T0 + 600n, 0))).toBe('Expired');
    expect(kindOf(() => t.verify(T0 + 659n, 60))).toBeUndefined();
    expect(kindOf(() => t.verify(T0 + 660n, 60))).toBe('Expired');
    const early = PermissionToken.create(root, { subject: org.publicKey, scope: 1, channelHash: CH, notBefore: 5n, notAfter: (1n << 64n) - 1n });
    expect(kindOf(() => early.verify(0n, 300))).toBeUndefined(); // not_before − skew saturates at 0
    expect(kindOf(() => early.verify((1n << 64n) - 2n, 300))).toBeUndefined(); // not_after + skew saturates
    expect(t.isExpired(T0 + 600n)).toBe(true);
    expect(t.isExpired(T0 + 599n)).toBe(false);
  });

  it('checks the signature before the time window', () => {
    const t = issue();
    const b = t.toBytes();
    b[90]! ^= 0xff; // not_after changes: expired-looking and unsigned
    expect(kindOf(() => PermissionToken.fromBytes(b).verify(T0 + 10_000_000n))).toBe('InvalidSignature');
  });

  it('rejects a malleable (S + L) signature: strict verification', () => {
    const t = issue();
    const b = t.toBytes();
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(b[105 + 32 + i]!);
    s += L;
    for (let i = 0; i < 32; i++) b[105 + 32 + i] = Number((s >> BigInt(8 * i)) & 0xffn);
    expect(PermissionToken.fromBytes(b).verifySignature()).toBe(false);
    expect(t.verifySignature()).toBe(true);
  });

  it('authorizes: scope contains the action and the channel matches, or WILDCARD; hash 0 is no wildcard', () => {
    const t = issue();
    expect(t.authorizes('subscribe', CH)).toBe(true);
    expect(t.authorizes('publish', CH)).toBe(false);
    expect(t.authorizes(TokenScope.SUBSCRIBE, CH + 1n)).toBe(false);
    const wild = issue({ scope: ['publish', 'wildcard'], channel: undefined, channelHash: 0n });
    expect(wild.authorizes('publish', CH)).toBe(true);
    const zero = issue({ scope: ['publish'], channel: undefined, channelHash: 0n });
    expect(zero.authorizes('publish', CH)).toBe(false);
    expect(zero.authorizes('publish', 0n)).toBe(true);
    expect(scopeContains(TokenScope.ALL, TokenScope.NONE)).toBe(false);
    expect(scopeContains(TokenScope.ALL, TokenScope.WILDCARD)).toBe(false);
    expect(TokenScope.ALL).toBe(15);
  });
});

describe('delegate', () => {
  it('narrows scope, keeps channel, generation and not_after, decrements depth', () => {
    const parent = issue();
    const child = parent.delegate(org, team.publicKey, ['subscribe', 'publish'], { nowSecs: T0 + 5n });
    expect(child.issuer).toEqual(org.publicKey);
    expect(child.subject).toEqual(team.publicKey);
    expect(child.scope).toBe(TokenScope.SUBSCRIBE); // publish was never granted
    expect([child.channelHash, child.issuerGeneration, child.notBefore, child.notAfter, child.delegationDepth]).toEqual([CH, 0, T0 + 5n, T0 + 600n, 1]);
    expect(child.verifySignature()).toBe(true);
  });

  it('checks, in order: parent valid, depth, DELEGATE, signer is the subject', () => {
    const parent = issue();
    expect(kindOf(() => parent.delegate(org, team.publicKey, ['subscribe'], { nowSecs: T0 + 600n }))).toBe('Expired');
    expect(kindOf(() => issue({ delegationDepth: 0, scope: ['subscribe'] }).delegate(team, team.publicKey, ['subscribe'], { nowSecs: T0 }))).toBe('DelegationExhausted');
    expect(kindOf(() => issue({ scope: ['subscribe'] }).delegate(team, team.publicKey, ['subscribe'], { nowSecs: T0 }))).toBe('DelegationNotAllowed');
    expect(kindOf(() => parent.delegate(team, team.publicKey, ['subscribe'], { nowSecs: T0 }))).toBe('NotAuthorized');
    expect(kindOf(() => parent.delegate({ publicKey: org.publicKey }, team.publicKey, ['subscribe'], { nowSecs: T0 }))).toBe('ReadOnly');
  });
});
