// Channels between MeshNodes on a seeded memory hub: token-chain subscribe and its refusals,
// revocation through the sweep, delegated publishers, membership errors, report policies, queue
// groups, peer failure, and a 10,000-event reliable publishMany to 8 subscribers under loss and
// duplication delivered exactly once each.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { TokenChain } from '../../ts/channels/chain.js';
import { PermissionToken, TokenScope } from '../../ts/channels/token.js';
import { ChannelReliabilityError, MembershipRejectedError, MembershipTimeoutError, PublishDeniedError, PublishFailedError } from '../../ts/errors.js';
import { until } from '../node/helpers.js';
import { chainOf, ident, resign } from './fixtures.js';
import { attach, collect, layersOf, node, nowSecs } from './hub-helpers.js';

const NAME = 'fleet/telemetry';
const [root, org, team, stranger, orgB] = [ident(1), ident(2), ident(3), ident(4), ident(5)];
const te = new TextEncoder();

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

async function track<T extends MeshNode>(p: Promise<T>): Promise<T> {
  const n = await p;
  nodes.push(n);
  return n;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('token-chain subscribe', () => {
  it('a 3-link chain root → org → team subscribes and receives; bad variants are refused with nothing retained', async () => {
    const hub = new MemoryHub({ seed: 101 });
    const pub = await track(node(hub));
    const sub = await track(node(hub, team));
    await attach(pub, sub);
    pub.registerChannel(NAME, { tokenRoots: [root.publicKey] });
    const now = nowSecs();
    const good = chainOf([root, org, team], NAME, TokenScope.SUBSCRIBE, { now });
    const [l0, l1] = good.tokens as [PermissionToken, PermissionToken];

    const refused: [string, TokenChain, string][] = [
      ['spliced', TokenChain.of([l0, chainOf([root, stranger, team], NAME, TokenScope.SUBSCRIBE, { now }).tokens[1]!]), 'notAuthorized'],
      ['widened scope', TokenChain.of([resign(root, l0, { scope: TokenScope.PUBLISH | TokenScope.DELEGATE }), resign(org, l1, { scope: TokenScope.SUBSCRIBE | TokenScope.PUBLISH })]), 'notAuthorized'],
      ['missing DELEGATE', TokenChain.of([resign(root, l0, { scope: TokenScope.SUBSCRIBE }), l1]), 'delegationNotAllowed'],
      ['expired', chainOf([root, org, team], NAME, TokenScope.SUBSCRIBE, { now: now - 7200n, ttlSecs: 3600 }), 'expired'],
    ];
    for (const [what, chain, cause] of refused) {
      const before = pub.channelStats().subscribe.denials[cause as 'expired'];
      const e = await rejection(sub.subscribeChannel(pub.nodeId, NAME, { chain }));
      expect(e, what).toBeInstanceOf(MembershipRejectedError);
      expect((e as MembershipRejectedError).reason, what).toBe('Unauthorized');
      expect(pub.channelStats().subscribe.denials[cause as 'expired'], what).toBe(before + 1);
    }
    // revoked below the floor: org's generation-0 links
    pub.tokenCache!.revocation.revokeBelow(org.publicKey, 1);
    expect(await rejection(sub.subscribeChannel(pub.nodeId, NAME, { chain: good }))).toMatchObject({ reason: 'Unauthorized' });
    expect(pub.channelStats()).toMatchObject({ subscribers: 0, retainedChains: 0, subscribe: { failuresRecorded: 5, accepted: 0, denials: { revoked: 1 } } });

    // a chain whose links are all current (org re-issued at generation 1)
    const orgLink = resign(root, l0, { issuerGeneration: 0 });
    const teamLink = resign(org, l1, { issuerGeneration: 1 });
    const rx = collect(sub, NAME);
    await sub.subscribeChannel(pub.nodeId, NAME, { chain: TokenChain.of([orgLink, teamLink]) });
    pub.setPublishChain(NAME, chainOf([root, pub.identity], NAME, TokenScope.PUBLISH, { now }));
    expect(pub.channelStats()).toMatchObject({ subscribers: 1, retainedChains: 1 });
    const report = await pub.publish(NAME, [te.encode('hello'), te.encode('world')]);
    expect(report).toEqual({ attempted: 1, delivered: 1, errors: [] });
    await until(() => rx.events.length === 2, 5000, 'two events');
    expect(rx.events.map((e) => [e.channel, e.from, new TextDecoder().decode(e.payload)])).toEqual([
      [NAME, pub.nodeId, 'hello'],
      [NAME, pub.nodeId, 'world'],
    ]);
    expect(rx.events[0]!.originHash).toBe(pub.identity.originHash);
    rx.stop();
  });

  it('revoking the root kills every descendant at the next sweep', async () => {
    const hub = new MemoryHub({ seed: 102 });
    const pub = await track(node(hub, undefined, { channels: { tokenSweepIntervalMs: 100 } }));
    const subA = await track(node(hub, team));
    const subB = await track(node(hub, stranger));
    await attach(pub, subA);
    await attach(pub, subB);
    pub.registerChannel(NAME, { tokenRoots: [root.publicKey] });
    await subA.subscribeChannel(pub.nodeId, NAME, { chain: chainOf([root, org, team], NAME, TokenScope.SUBSCRIBE, { now: nowSecs() }) });
    await subB.subscribeChannel(pub.nodeId, NAME, { chain: chainOf([root, orgB, stranger], NAME, TokenScope.SUBSCRIBE, { now: nowSecs() }) });
    expect(pub.channelStats().subscribers).toBe(2);
    const runs = pub.channelStats().sweep.runs;
    await until(() => pub.channelStats().sweep.runs > runs, 3000, 'a sweep');
    expect(pub.channelStats().subscribers).toBe(2); // sweeps keep valid chains
    pub.tokenCache!.revocation.revokeBelow(root.publicKey, 1);
    await until(() => pub.channelStats().subscribers === 0, 3000, 'the sweep to drop both');
    expect(pub.channelStats()).toMatchObject({ retainedChains: 0, sweep: { dropped: 2 } });
    // The publisher's own delegated chain hangs off the same root: it is dead too.
    pub.setPublishChain(NAME, chainOf([root, org, pub.identity], NAME, TokenScope.PUBLISH, { now: nowSecs() }));
    expect(await rejection(pub.publish(NAME, [te.encode('x')]))).toBeInstanceOf(PublishDeniedError);
  });

  it('a retained chain that expires is dropped at the next publish (lazy), even with the sweep off', async () => {
    const hub = new MemoryHub({ seed: 103 });
    let offsetMs = 0;
    const pub = await track(node(hub, undefined, { channels: { tokenSweepIntervalMs: 0, clock: () => Date.now() + offsetMs } }));
    const sub = await track(node(hub, team));
    await attach(pub, sub);
    pub.registerChannel(NAME, { tokenRoots: [root.publicKey] });
    pub.setPublishChain(NAME, chainOf([root, pub.identity], NAME, TokenScope.PUBLISH, { now: nowSecs(), ttlSecs: 3600 }));
    await sub.subscribeChannel(pub.nodeId, NAME, { chain: chainOf([root, org, team], NAME, TokenScope.SUBSCRIBE, { now: nowSecs(), ttlSecs: 60 }) });
    expect((await pub.publish(NAME, [te.encode('a')])).delivered).toBe(1);
    offsetMs = 61_000;
    expect(await pub.publish(NAME, [te.encode('b')])).toEqual({ attempted: 0, delivered: 0, errors: [] });
    expect(pub.channelStats().publish.dropped.chain).toBe(1);
  });
});

describe('delegated publishers', () => {
  it('a publisher with a delegated chain publishes; an undelegated one is denied; the token cache is the fallback', async () => {
    const hub = new MemoryHub({ seed: 104 });
    const delegated = await track(node(hub, ident(20)));
    const undelegated = await track(node(hub, ident(21)));
    const sub = await track(node(hub, team));
    await attach(delegated, sub);
    await attach(undelegated, sub);
    for (const p of [delegated, undelegated]) p.registerChannel(NAME, { tokenRoots: [root.publicKey] });
    const subChain = chainOf([root, org, team], NAME, TokenScope.SUBSCRIBE, { now: nowSecs() });
    await sub.subscribeChannel(delegated.nodeId, NAME, { chain: subChain });
    await sub.subscribeChannel(undelegated.nodeId, NAME, { chain: subChain });
    const rx = collect(sub, NAME);

    delegated.setPublishChain(NAME, chainOf([root, org, ident(20)], NAME, TokenScope.PUBLISH, { now: nowSecs() }));
    expect(await delegated.publish(NAME, [te.encode('from delegated')])).toEqual({ attempted: 1, delivered: 1, errors: [] });

    expect(await rejection(undelegated.publish(NAME, [te.encode('nope')]))).toBeInstanceOf(PublishDeniedError);
    // a chain for the wrong action is no better
    undelegated.setPublishChain(NAME, chainOf([root, org, ident(21)], NAME, TokenScope.SUBSCRIBE, { now: nowSecs() }));
    expect(await rejection(undelegated.publish(NAME, [te.encode('nope')]))).toMatchObject({ code: 'PUBLISH_DENIED' });
    expect(undelegated.channelStats().publish.denied).toBe(2);
    // single-link fallback: a PUBLISH token for itself in its cache
    undelegated.setPublishChain(NAME, null);
    undelegated.tokenCache!.insert(PermissionToken.issue(root, { subject: ident(21).publicKey, scope: ['publish'], channel: NAME, ttlSecs: 600 }));
    expect((await undelegated.publish(NAME, [te.encode('via cache')])).delivered).toBe(1);

    await until(() => rx.events.length >= 2, 5000, 'both allowed publishes');
    // Two publishers: no order between them.
    expect(rx.events.map((e) => [e.from, new TextDecoder().decode(e.payload)]).sort((a, b) => String(a[1]).localeCompare(String(b[1])))).toEqual([
      [delegated.nodeId, 'from delegated'],
      [undelegated.nodeId, 'via cache'],
    ]);
    rx.stop();
  });

  it('publish caps: a publisher whose own announced capabilities do not match is denied', async () => {
    const hub = new MemoryHub({ seed: 105 });
    const pub = await track(node(hub));
    pub.registerChannel('gpu/jobs', { publishCaps: { tags: ['role:gpu'] } });
    expect(await rejection(pub.publish('gpu/jobs', [te.encode('x')]))).toBeInstanceOf(PublishDeniedError);
    await pub.announceCapabilities({ tags: ['role:gpu'] });
    expect(await pub.publish('gpu/jobs', [te.encode('x')])).toEqual({ attempted: 0, delivered: 0, errors: [] });
  });
});

describe('membership errors on the subscriber', () => {
  it('UnknownChannel, RateLimited, TooManyChannels and a timeout each have their typed error', async () => {
    const hub = new MemoryHub({ seed: 106 });
    const pub = await track(node(hub, undefined, { channels: { subscribeFailureLimit: 2, maxChannelsPerPeer: 1 } }));
    const sub = await track(node(hub, team, { channels: { membershipAckTimeoutMs: 600 } }));
    await attach(pub, sub);
    pub.registerChannel('open/a', {});
    pub.registerChannel('open/b', {});
    await sub.subscribeChannel(pub.nodeId, 'open/a');
    expect(await rejection(sub.subscribeChannel(pub.nodeId, 'open/b'))).toMatchObject({ reason: 'TooManyChannels', reasonCode: 4 });
    await sub.unsubscribeChannel(pub.nodeId, 'open/a');
    expect(await rejection(sub.subscribeChannel(pub.nodeId, 'not/registered'))).toMatchObject({ reason: 'UnknownChannel', reasonCode: 2 });
    expect(await rejection(sub.subscribeChannel(pub.nodeId, 'not/registered/2'))).toMatchObject({ reason: 'UnknownChannel' });
    expect(await rejection(sub.subscribeChannel(pub.nodeId, 'open/a'))).toMatchObject({ reason: 'RateLimited', reasonCode: 3 });
    expect(pub.channelStats().subscribe).toMatchObject({ failuresRecorded: 2, rejected: { unknownChannel: 2, rateLimited: 1, tooManyChannels: 1 } });
    hub.partition(sub.address, pub.address);
    const e = await rejection(sub.subscribeChannel(pub.nodeId, 'open/a'));
    expect(e).toBeInstanceOf(MembershipTimeoutError);
    expect(sub.channelStats().client.resends).toBeGreaterThanOrEqual(1);
  });

  it('a subscribe survives heavy loss: the same request is re-sent until acked', async () => {
    const hub = new MemoryHub({ seed: 107 });
    const pub = await track(node(hub));
    const sub = await track(node(hub, team, { channels: { membershipResendMs: 50 } }));
    await attach(pub, sub);
    hub.setLink(sub.address, pub.address, { loss: 0.6 });
    for (let i = 0; i < 3; i++) await sub.subscribeChannel(pub.nodeId, `lossy/${i}`);
    expect(pub.channelStats().subscribers).toBe(3);
    expect(pub.channelStats().subscribe.failuresRecorded).toBe(0);
  });
});

describe('publish reports, reliability and queue groups', () => {
  it('best-effort, fail-fast and collect, with a recipient whose stream cannot carry a reliable publish', async () => {
    const hub = new MemoryHub({ seed: 108 });
    const pub = await track(node(hub));
    const s1 = await track(node(hub, ident(31)));
    const s2 = await track(node(hub, ident(32)));
    await attach(pub, s1);
    await attach(pub, s2);
    await s1.subscribeChannel(pub.nodeId, 'mixed');
    await s2.subscribeChannel(pub.nodeId, 'mixed');
    // s1's stream on this channel is created unreliable by a first unreliable send
    await layersOf(pub).channels.sendTo(s1.nodeId, 'mixed', [te.encode('u')], 'unreliable');
    const best = await pub.publish('mixed', [te.encode('r')], { reliability: 'reliable' });
    expect(best.attempted).toBe(2);
    expect(best.delivered).toBe(1);
    expect(best.errors).toHaveLength(1);
    expect(best.errors[0]![0]).toBe(s1.nodeId);
    expect(best.errors[0]![1]).toBeInstanceOf(ChannelReliabilityError);
    const fast = await pub.publish('mixed', [te.encode('r')], { reliability: 'reliable', policy: 'fail-fast' });
    expect(fast).toMatchObject({ attempted: 1, delivered: 0 }); // s1 comes first and stops it
    const all = await pub.publish('mixed', [te.encode('r')], { reliability: 'reliable', policy: 'collect' });
    expect(all).toMatchObject({ attempted: 2, delivered: 1 });
    // an unreliable publish rides the reliable stream to s2 (more than asked) and s1's unreliable one
    expect(await pub.publish('mixed', [te.encode('u2')])).toMatchObject({ attempted: 2, delivered: 2 });
    await s2.unsubscribeChannel(pub.nodeId, 'mixed');
    expect(await rejection(pub.publish('mixed', [te.encode('r')], { reliability: 'reliable' }))).toBeInstanceOf(PublishFailedError);
  });

  it('queue-group members take publishes in turn; unsubscribe stops delivery', async () => {
    const hub = new MemoryHub({ seed: 109 });
    const pub = await track(node(hub));
    const members = [await track(node(hub, ident(41))), await track(node(hub, ident(42)))];
    const watcher = await track(node(hub, ident(43)));
    for (const m of [...members, watcher]) await attach(pub, m);
    for (const m of members) await m.subscribeChannel(pub.nodeId, 'work', { queueGroup: 'workers' });
    await watcher.subscribeChannel(pub.nodeId, 'work');
    const rx = [...members, watcher].map((m) => collect(m, 'work'));
    for (let i = 0; i < 6; i++) expect((await pub.publish('work', [te.encode(`job${i}`)], { reliability: 'reliable' })).delivered).toBe(2);
    await until(() => rx[2]!.events.length === 6 && rx[0]!.events.length + rx[1]!.events.length === 6, 5000, 'all jobs');
    expect([rx[0]!.events.length, rx[1]!.events.length]).toEqual([3, 3]);
    await watcher.unsubscribeChannel(pub.nodeId, 'work');
    expect((await pub.publish('work', [te.encode('after')])).delivered).toBe(1);
    for (const r of rx) r.stop();
  });

  it('peer failure drops the failed subscriber from the roster', async () => {
    const hub = new MemoryHub({ seed: 110 });
    const fast = { heartbeatIntervalMs: 50, sessionTimeoutMs: 300 };
    const pub = await track(node(hub, undefined, fast));
    const sub = await track(node(hub, team, fast));
    await attach(pub, sub);
    await sub.subscribeChannel(pub.nodeId, 'x');
    expect(pub.channelStats().subscribers).toBe(1);
    hub.partition(sub.address, pub.address);
    await until(() => pub.channelStats().subscribers === 0, 4000, 'the roster entry to go');
  });

  it('channelEvents ends on abort and on close', async () => {
    const hub = new MemoryHub({ seed: 111 });
    const n = await track(node(hub));
    const ctl = new AbortController();
    const it1 = n.channelEvents('a', { signal: ctl.signal })[Symbol.asyncIterator]();
    const it2 = n.channelEvents()[Symbol.asyncIterator]();
    const p1 = it1.next();
    ctl.abort();
    expect(await p1).toEqual({ value: undefined, done: true });
    const p2 = it2.next();
    await n.close();
    expect(await p2).toEqual({ value: undefined, done: true });
  });
});

describe('publishMany under loss', () => {
  it('10,000 reliable events to 8 subscribers under 10% loss and duplication: each receives each exactly once', async () => {
    const hub = new MemoryHub({ seed: 112 });
    const pub = await track(node(hub, undefined, { channels: { streamConfig: { maxRetries: 8 } } }));
    const subs: MeshNode[] = [];
    for (let i = 0; i < 8; i++) subs.push(await track(node(hub, ident(60 + i))));
    for (const s of subs) await attach(pub, s);
    for (const s of subs) await s.subscribeChannel(pub.nodeId, 'bulk/events');
    const N = 10_000;
    const counts = subs.map(() => new Uint16Array(N));
    const got = subs.map(() => 0);
    const ctl = new AbortController();
    subs.forEach((s, k) => {
      void (async () => {
        for await (const e of s.channelEvents('bulk/events', { signal: ctl.signal })) {
          counts[k]![new DataView(e.payload.buffer, e.payload.byteOffset).getUint32(0, true)]!++;
          got[k]!++;
        }
      })();
    });
    for (const s of subs) hub.setLink(pub.address, s.address, { loss: 0.1, duplicate: 0.1 });
    const events = Array.from({ length: N }, (_, i) => {
      const b = new Uint8Array(48);
      new DataView(b.buffer).setUint32(0, i, true);
      b.fill(i & 0xff, 4);
      return b;
    });
    const report = await pub.publishMany('bulk/events', events, { reliability: 'reliable' });
    expect(report).toEqual({ attempted: 8, delivered: 8, errors: [] });
    await until(() => got.every((g) => g >= N), 60_000, 'every subscriber to get every event');
    await hub.settle();
    ctl.abort();
    for (const c of counts) {
      expect(c.every((x) => x === 1)).toBe(true);
    }
    expect(got).toEqual(subs.map(() => N));
    const h = hub.stats();
    expect(h.droppedByLoss).toBeGreaterThan(20);
    expect(h.duplicated).toBeGreaterThan(20);
  }, 120_000);
});

describe('the internal API other layers use (nRPC)', () => {
  it('sendTo reaches a node that registered a channel handler, with from, seq and origin hash; no subscription needed', async () => {
    const hub = new MemoryHub({ seed: 113 });
    const caller = await track(node(hub));
    const server = await track(node(hub));
    await connectPairFor(caller, server);
    const got: { from: bigint; seq: bigint; originHash: bigint; channel: string; events: string[] }[] = [];
    const release = layersOf(server).channels.onChannel('svc.requests', {
      packet: (p) => got.push({ from: p.from, seq: p.seq, originHash: p.originHash, channel: p.channel, events: p.events.map((e) => new TextDecoder().decode(e)) }),
    });
    expect(() => layersOf(server).channels.onChannel('svc.requests', { packet: () => {} })).toThrow(/already has a handler/);
    await layersOf(caller).channels.sendTo(server.nodeId, 'svc.requests', [te.encode('req1'), te.encode('req2')], 'reliable');
    await layersOf(caller).channels.sendTo(server.nodeId, 'svc.requests', [te.encode('req3')], 'reliable');
    await until(() => got.length === 2, 5000, 'two packets');
    expect(got).toEqual([
      { from: caller.nodeId, seq: 0n, originHash: caller.identity.originHash, channel: 'svc.requests', events: ['req1', 'req2'] },
      { from: caller.nodeId, seq: 1n, originHash: caller.identity.originHash, channel: 'svc.requests', events: ['req3'] },
    ]);
    release();
    // Without a handler or a subscription the channel's packets are dropped and counted, not leaked to events().
    await layersOf(caller).channels.sendTo(server.nodeId, 'svc.requests', [te.encode('late')], 'reliable');
    await until(() => server.channelStats().receive.notSubscribed === 1, 5000, 'the late event to be dropped');
  });
});

async function connectPairFor(a: MeshNode, b: MeshNode): Promise<void> {
  b.accept(a.nodeId);
  await a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId });
}
