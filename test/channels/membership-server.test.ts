// authorize_subscribe (channels.md §7) with time and the node's data passed in: the step order,
// every row of the §9 outcome table (the Ack's reason, the publisher's counter, nothing retained
// when rejected), throttling, idempotent repeats, unsubscribe, the retained-chain key, the sweep,
// and peer failure.
import { describe, expect, it } from 'vitest';
import { ChannelRegistry, resolveChannelConfig, type ChannelConfig } from '../../ts/channels/config.js';
import { MembershipServer } from '../../ts/channels/membership-server.js';
import { AckReason, decodeMembership } from '../../ts/channels/membership-wire.js';
import { newCounters } from '../../ts/channels/stats.js';
import { TokenCache } from '../../ts/channels/token-cache.js';
import { TokenChain } from '../../ts/channels/chain.js';
import { TokenScope } from '../../ts/channels/token.js';
import { lowerCapabilities } from '../../ts/fold/capabilities.js';
import type { NodeCaps } from '../../ts/channels/caps-match.js';
import { T0, chainOf, channelHash, ident, resign, tamper } from './fixtures.js';

const [root, org, team, stranger] = [ident(1), ident(2), ident(3), ident(4)];
const PEER = 42n;
const NAME = 'fleet/telemetry';

function setup(o: { configs?: [string, ChannelConfig][]; noRegistry?: boolean; limit?: number; maxChannels?: number; cache?: TokenCache | null } = {}) {
  const registry = o.noRegistry ? undefined : new ChannelRegistry();
  for (const [n, c] of o.configs ?? [[NAME, { tokenRoots: [root.publicKey] }]]) registry?.insert(resolveChannelConfig(n, c));
  const cache = o.cache === null ? undefined : (o.cache ?? new TokenCache());
  const env = {
    now: 0,
    secs: T0 + 10n,
    entities: new Map<bigint, Uint8Array>([[PEER, team.publicKey]]),
    caps: new Map<bigint, NodeCaps>(),
    subnets: new Map<bigint, number>(),
    acks: [] as { peer: bigint; accepted: boolean; reason: number }[],
    counters: newCounters(),
  };
  const srv = new MembershipServer(
    {
      now: () => env.now,
      nowSecs: () => env.secs,
      registry: () => registry,
      cache: () => cache,
      ownSubnet: () => 0x0a000000,
      peerSubnet: (p) => env.subnets.get(p) ?? 0,
      peerCaps: (p) => env.caps.get(p) ?? { tags: [], metadata: {} },
      peerEntity: (p) => env.entities.get(p),
      sendAck: (peer, f) => {
        const m = decodeMembership(f);
        if (m.kind === 'ack') env.acks.push({ peer, accepted: m.accepted, reason: m.reason });
      },
      counters: env.counters,
    },
    { maxChannelsPerPeer: o.maxChannels ?? 1024, limit: o.limit ?? 16, windowMs: 60_000, throttleMs: 30_000 },
  );
  let nonce = 1n;
  const subscribe = (name = NAME, chain?: TokenChain | Uint8Array, opts: { peer?: bigint; nonce?: bigint; group?: string } = {}) =>
    srv.onSubscribe(opts.peer ?? PEER, { nonce: opts.nonce ?? nonce++, channel: name, token: chain instanceof TokenChain ? chain.toBytes() : chain, queueGroup: opts.group }).reason;
  return { srv, env, cache, subscribe };
}

const good = chainOf([root, org, team], NAME, TokenScope.SUBSCRIBE);

describe('§9 outcome table: what the subscriber sees, what the publisher counts, nothing retained', () => {
  const rows: [string, (s: ReturnType<typeof setup>) => number, number, string][] = [
    ['no chain on a token channel', (s) => s.subscribe(), AckReason.Unauthorized, 'noChain'],
    ['malformed chain', (s) => s.subscribe(NAME, new Uint8Array([1, 2, 3])), AckReason.Unauthorized, 'malformedChain'],
    ['chain not rooted at token_roots (self-issued)', (s) => s.subscribe(NAME, chainOf([team, team], NAME, TokenScope.SUBSCRIBE)), AckReason.Unauthorized, 'notAuthorized'],
    ['leaf subject ≠ subscriber entity', (s) => s.subscribe(NAME, chainOf([root, org, stranger], NAME, TokenScope.SUBSCRIBE)), AckReason.Unauthorized, 'notAuthorized'],
    ['expired', (s) => ((s.env.secs = T0 + 4000n), s.subscribe(NAME, good)), AckReason.Unauthorized, 'expired'],
    ['not yet valid', (s) => ((s.env.secs = T0 - 5n), s.subscribe(NAME, good)), AckReason.Unauthorized, 'notYetValid'],
    ['revoked', (s) => (s.cache!.revocation.revokeBelow(org.publicKey, 1), s.subscribe(NAME, good)), AckReason.Unauthorized, 'revoked'],
    ['spliced link', (s) => s.subscribe(NAME, TokenChain.of([good.tokens[0]!, chainOf([root, stranger, team], NAME, TokenScope.SUBSCRIBE).tokens[1]!])), AckReason.Unauthorized, 'notAuthorized'],
    [
      'widened scope',
      (s) => s.subscribe(NAME, TokenChain.of([resign(root, good.tokens[0]!, { scope: TokenScope.PUBLISH | TokenScope.DELEGATE }), resign(org, good.tokens[1]!, { scope: TokenScope.ALL })])),
      AckReason.Unauthorized,
      'notAuthorized',
    ],
    ['missing DELEGATE', (s) => s.subscribe(NAME, TokenChain.of([resign(root, good.tokens[0]!, { scope: TokenScope.SUBSCRIBE }), good.tokens[1]!])), AckReason.Unauthorized, 'delegationNotAllowed'],
    ['forged signature', (s) => s.subscribe(NAME, TokenChain.of([good.tokens[0]!, tamper(good.tokens[1]!, 100)])), AckReason.Unauthorized, 'invalidSignature'],
    ['subscriber entity unknown (no signed announcement yet)', (s) => (s.env.entities.clear(), s.subscribe(NAME, good)), AckReason.Unauthorized, 'unknownEntity'],
    ['unregistered channel while a registry exists', (s) => s.subscribe('other/channel'), AckReason.UnknownChannel, 'unknownChannel'],
  ];

  it.each(rows)('%s', (_what, act, reason, cause) => {
    const s = setup();
    expect(act(s)).toBe(reason);
    expect(s.env.acks.at(-1)).toEqual({ peer: PEER, accepted: false, reason });
    const c = s.env.counters.subscribe;
    expect(c.denials[cause as keyof typeof c.denials]).toBe(1);
    expect(c.failuresRecorded).toBe(1);
    expect(reason === AckReason.UnknownChannel ? c.rejected.unknownChannel : c.rejected.unauthorized).toBe(1);
    expect(s.srv.retainedChains).toBe(0);
    expect(s.srv.roster.size).toBe(0);
    expect(s.srv.guard.size).toBe(0);
    expect(s.cache!.size).toBe(0); // the subscribe path never writes the cache
  });

  it('throttled → RateLimited, not counted as a failure', () => {
    const s = setup({ limit: 2 });
    s.subscribe();
    s.subscribe();
    expect(s.subscribe(NAME, good)).toBe(AckReason.RateLimited);
    expect(s.env.counters.subscribe).toMatchObject({ failuresRecorded: 2, rejected: { rateLimited: 1 } });
  });

  it('channel cap reached → TooManyChannels, not counted', () => {
    const s = setup({ configs: [], noRegistry: true, maxChannels: 2 });
    expect([s.subscribe('a'), s.subscribe('b'), s.subscribe('c')]).toEqual([AckReason.OK, AckReason.OK, AckReason.TooManyChannels]);
    expect(s.subscribe('a')).toBe(AckReason.OK); // already subscribed: not capped
    expect(s.env.counters.subscribe).toMatchObject({ failuresRecorded: 0, rejected: { tooManyChannels: 1 } });
  });

  it('a good 3-link chain is accepted and retained under the subscribed name\'s hash', () => {
    const s = setup();
    expect(s.subscribe(NAME, good)).toBe(AckReason.OK);
    expect(s.srv.retained(PEER, channelHash(NAME))).toMatchObject({ signaturesVerified: false });
    expect(s.srv.roster.recipients(NAME)).toEqual([PEER]);
    expect(s.env.counters.subscribe.accepted).toBe(1);
  });
});

describe('§7 step order', () => {
  it('1 before 4: a throttled peer asking for an unknown channel gets RateLimited', () => {
    const s = setup({ limit: 1 });
    expect(s.subscribe()).toBe(AckReason.Unauthorized);
    expect(s.subscribe('x/unknown')).toBe(AckReason.RateLimited);
  });

  it('2 before 4: a peer at its channel cap asking for an unknown channel gets TooManyChannels', () => {
    const s = setup({ maxChannels: 1, configs: [['open', {}]] });
    expect(s.subscribe('open')).toBe(AckReason.OK);
    expect(s.subscribe('x/unknown')).toBe(AckReason.TooManyChannels);
  });

  it('3: no registry installed → every subscribe is accepted', () => {
    const s = setup({ noRegistry: true });
    expect(s.subscribe('anything/at-all')).toBe(AckReason.OK);
  });

  it('5: visibility is checked with the peer\'s subnet before any token work', () => {
    const s = setup({ configs: [[NAME, { visibility: 'subnet-local', tokenRoots: [root.publicKey] }]] });
    s.env.subnets.set(PEER, 0x0b000000);
    expect(s.subscribe(NAME, good)).toBe(AckReason.Unauthorized);
    expect(s.env.counters.subscribe.denials.visibility).toBe(1);
    s.env.subnets.set(PEER, 0x0a000000);
    expect(s.subscribe(NAME, good)).toBe(AckReason.OK);
  });

  it('7: an open channel accepts without any entity; 10: caps use a zero entity when none is pinned', () => {
    const s = setup({ configs: [['open', {}], ['gpu', { subscribeCaps: { requireGpu: true } }]] });
    s.env.entities.clear();
    expect(s.subscribe('open')).toBe(AckReason.OK);
    expect(s.subscribe('gpu')).toBe(AckReason.Unauthorized);
    expect(s.env.counters.subscribe.denials.caps).toBe(1);
    const l = lowerCapabilities({ gpu: { vendor: 'nvidia' } });
    s.env.caps.set(PEER, { tags: l.tags, metadata: l.metadata });
    expect(s.subscribe('gpu')).toBe(AckReason.OK);
  });

  it('a token-required channel without roots fails closed', () => {
    const s = setup({ configs: [[NAME, { requireToken: true }]] });
    expect(s.subscribe(NAME, good)).toBe(AckReason.Unauthorized);
    expect(s.env.counters.subscribe.denials.noRoots).toBe(1);
  });

  it('12: a prefix config binds tokens to its channel_id, the chain is kept under the subscribed name', () => {
    const s = setup({ configs: [['svc.replies.', { prefix: true, channelId: 'svc.replies.prefix', tokenRoots: [root.publicKey] }]] });
    const c = chainOf([root, team], 'svc.replies.prefix', TokenScope.SUBSCRIBE);
    expect(s.subscribe('svc.replies.00ff', c)).toBe(AckReason.OK);
    expect(s.srv.retained(PEER, channelHash('svc.replies.00ff'))).toBeDefined();
    expect(s.srv.retained(PEER, channelHash('svc.replies.prefix'))).toBeUndefined();
    expect(s.srv.recipientChainOk(PEER, 'svc.replies.00ff', resolveChannelConfig('svc.replies.', { prefix: true, channelId: 'svc.replies.prefix', tokenRoots: [root.publicKey] }))).toBe(true);
  });
});

describe('throttling window', () => {
  it('16 failures within 60 s throttle for 30 s; then the next subscribe clears the count', () => {
    const s = setup();
    for (let i = 0; i < 15; i++) s.subscribe();
    expect(s.subscribe()).toBe(AckReason.Unauthorized); // the 16th is still answered
    expect(s.subscribe(NAME, good)).toBe(AckReason.RateLimited);
    s.env.now = 29_999;
    expect(s.subscribe(NAME, good)).toBe(AckReason.RateLimited);
    s.env.now = 30_000;
    expect(s.subscribe()).toBe(AckReason.Unauthorized);
    expect(s.subscribe(NAME, good)).toBe(AckReason.OK);
    expect(s.env.counters.subscribe.rejected.rateLimited).toBe(2);
  });

  it('the window restarts at the first failure ≥ 60 s after it opened', () => {
    const s = setup();
    for (let i = 0; i < 15; i++) s.subscribe();
    s.env.now = 60_000;
    for (let i = 0; i < 15; i++) s.subscribe();
    expect(s.subscribe(NAME, good)).toBe(AckReason.OK);
  });

  it('limit 65535 disables throttling', () => {
    const s = setup({ limit: 65_535 });
    for (let i = 0; i < 100; i++) s.subscribe();
    expect(s.subscribe(NAME, good)).toBe(AckReason.OK);
  });

  it('an accepted subscribe clears the failure count', () => {
    const s = setup();
    for (let i = 0; i < 15; i++) s.subscribe();
    expect(s.subscribe(NAME, good)).toBe(AckReason.OK);
    for (let i = 0; i < 15; i++) s.subscribe('nope/x');
    expect(s.subscribe('nope/y')).toBe(AckReason.UnknownChannel);
    expect(s.subscribe('nope/z')).toBe(AckReason.RateLimited);
  });
});

describe('repeats and unsubscribe', () => {
  it('a re-sent Subscribe (same nonce) is answered the same, with no new failure', () => {
    const s = setup();
    expect(s.subscribe(NAME, undefined, { nonce: 7n })).toBe(AckReason.Unauthorized);
    expect(s.subscribe(NAME, undefined, { nonce: 7n })).toBe(AckReason.Unauthorized);
    expect(s.env.counters.subscribe.failuresRecorded).toBe(1);
    expect(s.subscribe(NAME, good, { nonce: 8n })).toBe(AckReason.OK);
    expect(s.subscribe(NAME, good, { nonce: 8n })).toBe(AckReason.OK);
  });

  it('a repeat of an accepted subscription is acked again without a failure, even without its chain', () => {
    const s = setup();
    s.subscribe(NAME, good);
    expect(s.subscribe(NAME)).toBe(AckReason.OK);
    expect(s.env.counters.subscribe).toMatchObject({ accepted: 1, repeats: 1, failuresRecorded: 0 });
    expect(s.srv.retainedChains).toBe(1);
  });

  it('queue groups: one member per group in turn, plus every broadcast subscriber', () => {
    const s = setup({ noRegistry: true });
    s.subscribe('q', undefined, { peer: 1n, group: 'g' });
    s.subscribe('q', undefined, { peer: 2n, group: 'g' });
    s.subscribe('q', undefined, { peer: 3n });
    expect([s.srv.roster.recipients('q'), s.srv.roster.recipients('q'), s.srv.roster.recipients('q')]).toEqual([
      [3n, 1n],
      [3n, 2n],
      [3n, 1n],
    ]);
  });

  it('Unsubscribe is always accepted and removes guard, chain and roster entry', () => {
    const s = setup();
    s.subscribe(NAME, good);
    s.srv.onUnsubscribe(PEER, { nonce: 5n, channel: NAME });
    s.srv.onUnsubscribe(PEER, { nonce: 6n, channel: 'never/subscribed' });
    expect(s.env.acks.slice(-2)).toEqual([
      { peer: PEER, accepted: true, reason: 0 },
      { peer: PEER, accepted: true, reason: 0 },
    ]);
    expect([s.srv.roster.size, s.srv.retainedChains, s.srv.guard.size]).toEqual([0, 0, 0]);
  });
});

describe('re-checks, sweep and peer failure', () => {
  it('recipientChainOk: full check first (then marked verified), presigned afterwards; fails on expiry', () => {
    const s = setup();
    s.subscribe(NAME, good);
    const cfg = resolveChannelConfig(NAME, { tokenRoots: [root.publicKey] });
    expect(s.srv.recipientChainOk(PEER, NAME, cfg)).toBe(true);
    expect(s.srv.retained(PEER, channelHash(NAME))!.signaturesVerified).toBe(true);
    s.env.secs = T0 + 3600n;
    expect(s.srv.recipientChainOk(PEER, NAME, cfg)).toBe(false);
  });

  it('the sweep drops subscriptions whose retained chain no longer verifies', () => {
    const s = setup();
    s.subscribe(NAME, good);
    s.env.entities.set(43n, ident(9).publicKey);
    expect(s.subscribe(NAME, chainOf([root, ident(9)], NAME, TokenScope.SUBSCRIBE), { peer: 43n })).toBe(AckReason.OK);
    s.env.entities.delete(43n); // no pinned entity: the sweep skips it
    expect(s.srv.sweep()).toBe(0);
    s.cache!.revocation.revokeBelow(root.publicKey, 1);
    expect(s.srv.sweep()).toBe(1);
    expect(s.srv.roster.has(PEER, NAME)).toBe(false);
    expect(s.srv.roster.has(43n, NAME)).toBe(true);
    expect(s.env.counters.sweep).toEqual({ runs: 2, dropped: 1 });
  });

  it('the sweep needs both a cache and a registry', () => {
    const s = setup({ cache: null });
    expect(s.srv.sweep()).toBe(0);
    expect(s.env.counters.sweep.runs).toBe(0);
  });

  it('peer failure drops its roster entries, chains and guard entries', () => {
    const s = setup({ configs: [[NAME, { tokenRoots: [root.publicKey] }], ['open', {}]] });
    s.subscribe(NAME, good);
    s.subscribe('open');
    s.srv.dropPeer(PEER);
    expect([s.srv.roster.size, s.srv.retainedChains, s.srv.guard.size]).toEqual([0, 0, 0]);
  });
});
