// TokenChain (channels.md §4): wire format, and verifyAuthorizes — one case per row of the
// check-order table, each with its named error, plus cases where two checks fail and the earlier
// step must win. The presigned variant skips only the signatures.
import { describe, expect, it } from 'vitest';
import { TokenChain } from '../../ts/channels/chain.js';
import { RevocationRegistry } from '../../ts/channels/revocation.js';
import { PermissionToken, TOKEN_SIZE, TokenScope } from '../../ts/channels/token.js';
import { TokenError } from '../../ts/errors.js';
import { SUB_DEL, T0, chainOf, channelHash, ident, resign, tamper } from './fixtures.js';

const [root, org, team, other] = [ident(1), ident(2), ident(3), ident(4)];
const NAME = 'fleet/telemetry';
const CH = channelHash(NAME);
const ROOTS = [root.publicKey];
const NOW = T0 + 10n;

function verdict(c: TokenChain, o: { presenter?: Uint8Array; roots?: Uint8Array[]; rev?: RevocationRegistry; now?: bigint; skew?: number; action?: number; ch?: bigint; presigned?: boolean } = {}): string {
  const args = [o.action ?? TokenScope.SUBSCRIBE, o.ch ?? CH, o.presenter ?? team.publicKey, o.roots ?? ROOTS, o.rev ?? new RevocationRegistry(), o.skew ?? 0, o.now ?? NOW] as const;
  try {
    if (o.presigned) c.verifyAuthorizesPresigned(...args);
    else c.verifyAuthorizes(...args);
    return 'ok';
  } catch (e) {
    if (e instanceof TokenError) return e.kind;
    throw e;
  }
}

const good = chainOf([root, org, team], NAME, TokenScope.SUBSCRIBE);
const [l0, l1] = good.tokens as [PermissionToken, PermissionToken];

describe('wire format', () => {
  it('count u8 then the tokens, root first; decodes back to the same chain', () => {
    const b = good.toBytes();
    expect(b.length).toBe(1 + 2 * TOKEN_SIZE);
    expect(b[0]).toBe(2);
    expect(b.subarray(1, 1 + TOKEN_SIZE)).toEqual(l0.toBytes());
    const back = TokenChain.fromBytes(b);
    expect(back.tokens.map((t) => t.toBytes())).toEqual(good.tokens.map((t) => t.toBytes()));
    expect(TokenChain.decode(good.encode()).length).toBe(2);
    expect(TokenChain.single(l0).toBytes()[0]).toBe(1);
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['count 0', new Uint8Array([0])],
    ['count 9', new Uint8Array(1 + 9 * TOKEN_SIZE).fill(9, 0, 1)],
    ['one byte short', good.toBytes().subarray(0, 1 + 2 * TOKEN_SIZE - 1)],
    ['one byte long', new Uint8Array([...good.toBytes(), 0])],
    ['count says 3, holds 2', new Uint8Array([3, ...good.toBytes().subarray(1)])],
  ])('%s → InvalidFormat', (_w, bytes) => {
    expect(() => TokenChain.fromBytes(bytes)).toThrow(expect.objectContaining({ kind: 'InvalidFormat' }));
  });

  it('of() takes 1–8 links', () => {
    expect(() => TokenChain.of([])).toThrow(expect.objectContaining({ kind: 'InvalidFormat' }));
    expect(() => TokenChain.of(Array(9).fill(l0))).toThrow(expect.objectContaining({ kind: 'InvalidFormat' }));
    expect(TokenChain.of(Array(8).fill(l0)).length).toBe(8);
  });
});

describe('verifyAuthorizes: one row of the §4 table each', () => {
  it('a good 2-link chain passes, full and presigned', () => {
    expect(verdict(good)).toBe('ok');
    expect(verdict(good, { presigned: true })).toBe('ok');
  });

  it('0: a chain is never empty (construction refuses it: InvalidFormat)', () => {
    expect(() => TokenChain.of([])).toThrow(TokenError);
  });

  it('1: root issuer not among the roots → NotAuthorized', () => {
    expect(verdict(good, { roots: [other.publicKey] })).toBe('NotAuthorized');
    expect(verdict(good, { roots: [] })).toBe('NotAuthorized');
    const selfIssued = chainOf([team, team], NAME, TokenScope.SUBSCRIBE);
    expect(verdict(selfIssued)).toBe('NotAuthorized');
  });

  it('2: leaf subject ≠ presenter → NotAuthorized', () => {
    expect(verdict(good, { presenter: org.publicKey })).toBe('NotAuthorized');
  });

  it('3: a link whose signature fails → InvalidSignature', () => {
    expect(verdict(TokenChain.of([l0, tamper(l1)]))).toBe('InvalidSignature');
  });

  it('3: a link not yet valid → NotYetValid; expired → Expired (skew widens both ends)', () => {
    expect(verdict(good, { now: T0 - 1n })).toBe('NotYetValid');
    expect(verdict(good, { now: T0 - 30n, skew: 60 })).toBe('ok');
    expect(verdict(good, { now: T0 + 3600n })).toBe('Expired');
    expect(verdict(good, { now: T0 + 3600n, skew: 60 })).toBe('ok');
  });

  it('3b: a link below its issuer\'s revocation floor → Revoked', () => {
    const rev = new RevocationRegistry();
    rev.revokeBelow(org.publicKey, 1); // org's links have generation 0
    expect(verdict(good, { rev })).toBe('Revoked');
    const rootRev = new RevocationRegistry();
    rootRev.revokeBelow(root.publicKey, 1);
    expect(verdict(good, { rev: rootRev })).toBe('Revoked');
  });

  it('3c: a link that does not authorize the action or channel → NotAuthorized', () => {
    expect(verdict(good, { action: TokenScope.PUBLISH })).toBe('NotAuthorized');
    expect(verdict(good, { ch: channelHash('fleet/other') })).toBe('NotAuthorized');
  });

  it('4: child.issuer ≠ parent.subject (a spliced link) → NotAuthorized', () => {
    const foreign = chainOf([root, other, team], NAME, TokenScope.SUBSCRIBE).tokens[1]!;
    expect(verdict(TokenChain.of([l0, foreign]))).toBe('NotAuthorized');
  });

  it('4b: the parent lacks DELEGATE → DelegationNotAllowed', () => {
    const noDelegate = resign(root, l0, { scope: TokenScope.SUBSCRIBE });
    expect(verdict(TokenChain.of([noDelegate, l1]))).toBe('DelegationNotAllowed');
  });

  it('4c: child depth not below the parent\'s → NotAuthorized', () => {
    const deep = resign(org, l1, { delegationDepth: l0.delegationDepth });
    expect(verdict(TokenChain.of([l0, deep]))).toBe('NotAuthorized');
  });

  it('4d: child window outside the parent\'s → NotAuthorized', () => {
    expect(verdict(TokenChain.of([l0, resign(org, l1, { notAfter: l0.notAfter + 1n })]))).toBe('NotAuthorized');
    expect(verdict(TokenChain.of([resign(root, l0, { notBefore: T0 + 1n }), l1]))).toBe('NotAuthorized');
  });

  it('a widened child scope cannot add authority: the narrower parent fails 3c', () => {
    const parent = resign(root, l0, { scope: TokenScope.PUBLISH | TokenScope.DELEGATE });
    const child = resign(org, l1, { scope: TokenScope.SUBSCRIBE | TokenScope.PUBLISH });
    expect(verdict(TokenChain.of([parent, child]))).toBe('NotAuthorized');
  });
});

describe('check order: the earlier step wins', () => {
  it('root (1) before leaf (2)', () => {
    expect(() => good.verifyAuthorizes(TokenScope.SUBSCRIBE, CH, org.publicKey, [other.publicKey], undefined, 0, NOW)).toThrow(/root issuer/);
  });

  it('per link: signature before time before revocation before authority', () => {
    const rev = new RevocationRegistry();
    rev.revokeBelow(root.publicKey, 1);
    const badSigExpired = TokenChain.of([tamper(l0, 90), l1]);
    expect(verdict(badSigExpired, { rev, action: TokenScope.PUBLISH })).toBe('InvalidSignature');
    expect(verdict(good, { now: T0 + 3600n, rev, action: TokenScope.PUBLISH })).toBe('Expired');
    expect(verdict(good, { rev, action: TokenScope.PUBLISH })).toBe('Revoked');
  });

  it('links in order: an expired root beats a bad signature on link 1', () => {
    const shortRoot = resign(root, l0, { notAfter: T0 + 5n });
    expect(verdict(TokenChain.of([shortRoot, tamper(l1)]))).toBe('Expired');
  });

  it('every link (3) before any pair (4): a bad signature beats a splice', () => {
    const foreign = chainOf([root, other, team], NAME, TokenScope.SUBSCRIBE).tokens[1]!;
    expect(verdict(TokenChain.of([l0, tamper(foreign)]))).toBe('InvalidSignature');
  });

  it('pair checks in order: linkage (4) before DELEGATE (4b) before depth (4c)', () => {
    const noDelegate = resign(root, l0, { scope: TokenScope.SUBSCRIBE });
    const foreign = chainOf([root, other, team], NAME, TokenScope.SUBSCRIBE).tokens[1]!;
    expect(verdict(TokenChain.of([noDelegate, foreign]))).toBe('NotAuthorized');
    expect(verdict(TokenChain.of([noDelegate, resign(org, l1, { delegationDepth: 5 })]))).toBe('DelegationNotAllowed');
  });

  it('presigned skips only signatures', () => {
    const forged = TokenChain.of([l0, tamper(l1, 100)]); // a nonce byte: only the signature breaks
    expect(verdict(forged, { presigned: true })).toBe('ok');
    expect(verdict(good, { presigned: true, now: T0 + 3600n })).toBe('Expired');
    expect(verdict(good, { presigned: true, presenter: org.publicKey })).toBe('NotAuthorized');
  });

  it('a 4-link chain root → org → team → member verifies', () => {
    const member = ident(5);
    const c = chainOf([root, org, team, member], NAME, TokenScope.SUBSCRIBE);
    expect(c.length).toBe(3);
    expect(verdict(c, { presenter: member.publicKey })).toBe('ok');
    const five = chainOf([root, org, team, other, member], NAME, SUB_DEL);
    expect(verdict(five, { presenter: member.publicKey })).toBe('ok');
  });
});
