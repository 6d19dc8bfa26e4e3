// nRPC's protocol rules (rpc-tools.md §1, §3–§5) checked with hand-made frames from a node that
// speaks only through the channel layer: malformed REQUESTs, duplicate REQUESTs, the deadline skew
// rule, shape checks, CANCEL for unknown calls, stray replies; then callService's policies, calls
// to oneself, and peer failure.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { nrpc } from '../../ts/rpc/nrpc.js';
import { RpcStatus } from '../../ts/rpc/status.js';
import type { ChannelPacket } from '../../ts/channels/receiver.js';
import { RpcCapabilityDeniedError, RpcNoRouteError } from '../../ts/errors.js';
import { connectPair, hubNodes, until } from '../node/helpers.js';
import { fromUtf8, layersOf, numbered, numberOf, utf8 } from './helpers.js';

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

interface Reply {
  from: bigint;
  dispatch: number;
  callId: bigint;
  status?: number;
  body?: string;
}

/** A node that sends raw nRPC frames to `server` on `service` and collects what comes back. */
async function rawCaller(raw: MeshNode, server: MeshNode, service: string) {
  const ch = layersOf(raw).channels;
  const origin = raw.identity.originHash;
  const replyName = `${service}.replies.${origin.toString(16).padStart(16, '0')}`;
  const replies: Reply[] = [];
  ch.onChannel(replyName, {
    packet: (p: ChannelPacket) => {
      for (const e of p.events) {
        const meta = nrpc.decodeEventMeta(e);
        const r: Reply = { from: p.from, dispatch: meta.dispatch, callId: meta.callId };
        if (meta.dispatch === nrpc.DISPATCH.RESPONSE) {
          const res = nrpc.decodeResponse(e.subarray(24));
          r.status = res.status;
          r.body = fromUtf8(res.body);
        }
        replies.push(r);
      }
    },
  });
  await ch.subscribe(server.nodeId, replyName);
  const send = (dispatch: number, callId: bigint, payload?: Uint8Array) =>
    ch.sendTo(server.nodeId, `${service}.requests`, [nrpc.encodeFrame({ dispatch, flags: 0, originHash: origin, callId }, payload)], 'reliable');
  const request = (callId: bigint, fields: { deadlineNs?: bigint; flags?: number; body?: Uint8Array; headers?: [string, string][] } = {}) =>
    send(nrpc.DISPATCH.REQUEST, callId, nrpc.encodeRequest({ service, deadlineNs: fields.deadlineNs ?? 0n, flags: fields.flags ?? 0, headers: fields.headers ?? [], body: fields.body ?? new Uint8Array(0) }));
  return { replies, send, request, origin };
}

async function trio(seed: number): Promise<[MeshNode, MeshNode, MeshNode]> {
  const hub = new MemoryHub({ seed });
  const ns = (await hubNodes(3, hub, { minAnnounceIntervalMs: 0 })) as [MeshNode, MeshNode, MeshNode];
  nodes.push(...ns);
  await connectPair(ns[0], ns[1]);
  await connectPair(ns[2], ns[1]);
  await connectPair(ns[0], ns[2]);
  return ns;
}

describe('the server side, frame by frame', () => {
  it('malformed REQUEST → UnknownVersion with `malformed request: …`; duplicate REQUEST → Internal; CANCEL of an unknown call is a no-op', async () => {
    const [raw, server] = await trio(1301);
    let release: (() => void) | undefined;
    server.serve('hold', () => new Promise<Uint8Array>((r) => (release = () => r(utf8('done')))));
    const c = await rawCaller(raw, server, 'hold');
    // a REQUEST payload cut short
    await c.send(nrpc.DISPATCH.REQUEST, 7n, nrpc.encodeRequest({ service: 'hold', body: utf8('abc') }).subarray(0, 12));
    await until(() => c.replies.length === 1, 5000, 'the malformed answer');
    expect(c.replies[0]).toMatchObject({ callId: 7n, status: RpcStatus.UnknownVersion, body: expect.stringMatching(/^malformed request: truncated payload at /) });
    await c.send(nrpc.DISPATCH.CANCEL, 999n);
    // a REQUEST on hold's channel naming another service is not hold's: dropped and counted
    await c.send(nrpc.DISPATCH.REQUEST, 6n, nrpc.encodeRequest({ service: 'other', body: utf8('x') }));
    await until(() => server.rpcStats().unknownService === 1, 5000, 'the misaddressed REQUEST to be dropped');
    await c.request(8n);
    await until(() => server.rpcStats().inFlight === 1, 5000, 'the call to run');
    await c.request(8n);
    await until(() => c.replies.length === 2, 5000, 'the duplicate answer');
    expect(c.replies[1]).toMatchObject({ callId: 8n, status: RpcStatus.Internal, body: expect.stringMatching(/^duplicate REQUEST/) });
    release!();
    await until(() => c.replies.length === 3, 5000, 'the real answer');
    expect(c.replies[2]).toMatchObject({ callId: 8n, status: RpcStatus.Ok, body: 'done' });
    expect(server.rpcStats()).toMatchObject({ duplicateRequests: 1, malformed: 1, served: 1 });
  });

  it('deadline_ns more than 10 s in the past → Timeout without running the handler; within the skew the handler runs', async () => {
    const [raw, server] = await trio(1302);
    let runs = 0;
    server.serve('dl', () => {
      runs++;
      return utf8('ran');
    });
    const c = await rawCaller(raw, server, 'dl');
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    await c.request(1n, { deadlineNs: nowNs - 11_000_000_000n });
    await c.request(2n, { deadlineNs: nowNs - 5_000_000_000n });
    await until(() => c.replies.length === 2, 5000, 'both answers');
    const byId = new Map(c.replies.map((r) => [r.callId, r]));
    expect(byId.get(1n)).toMatchObject({ status: RpcStatus.Timeout, body: 'deadline already passed when request landed' });
    expect(byId.get(2n)).toMatchObject({ status: RpcStatus.Ok, body: 'ran' });
    expect(runs).toBe(1);
  });

  it('shape checks: client-streaming needs bit 4, duplex bits 4 and 1, unary takes no upload; chunks of a call without bit 4 are dropped', async () => {
    const [raw, server] = await trio(1303);
    server.serveClientStream('cs', async (items) => {
      let n = 0;
      for await (const _ of items) n++;
      return numbered(n);
    });
    const cs = await rawCaller(raw, server, 'cs');
    await cs.request(1n, { flags: 0 });
    await until(() => cs.replies.length === 1, 5000, 'the shape error');
    expect(cs.replies[0]).toMatchObject({ status: RpcStatus.Internal, body: expect.stringContaining('CLIENT_STREAMING_REQUEST') });
    // REQUEST with bit 4 and an item, one chunk with a mismatching payload call id (dropped), then END on a data chunk
    const F = nrpc.FLAGS;
    await cs.request(2n, { flags: F.CLIENT_STREAMING_REQUEST, body: numbered(1) });
    await cs.send(nrpc.DISPATCH.REQUEST_CHUNK, 2n, nrpc.encodeRequestChunk({ callId: 3n, flags: 0, body: numbered(2) }));
    await cs.send(nrpc.DISPATCH.REQUEST_CHUNK, 2n, nrpc.encodeRequestChunk({ callId: 2n, flags: F.REQUEST_END, body: numbered(3) }));
    await until(() => cs.replies.length === 2, 5000, 'the sum');
    expect(cs.replies[1]!.status).toBe(RpcStatus.Ok);
    expect(numberOf(utf8(cs.replies[1]!.body!))).toBe(2);

    server.serveDuplex('dx', async function* (items) {
      for await (const i of items) yield i;
    });
    const dx = await rawCaller(raw, server, 'dx');
    await dx.request(4n, { flags: F.CLIENT_STREAMING_REQUEST | F.REQUEST_END });
    await until(() => dx.replies.length === 1, 5000, 'the duplex shape error');
    expect(dx.replies[0]).toMatchObject({ status: RpcStatus.Internal, body: expect.stringContaining('duplex') });

    server.serve('un', () => utf8('u'));
    const un = await rawCaller(raw, server, 'un');
    await un.request(5n, { flags: F.CLIENT_STREAMING_REQUEST | F.REQUEST_END });
    await until(() => un.replies.length === 1, 5000, 'the unary shape error');
    expect(un.replies[0]).toMatchObject({ status: RpcStatus.Internal });
  });

  it('STREAM_GRANT credits a windowed stream; a stream without the window header ignores credit', async () => {
    const [raw, server] = await trio(1304);
    server.serve('seq', async function* () {
      for (let i = 0; i < 10; i++) yield numbered(i);
    });
    const c = await rawCaller(raw, server, 'seq');
    await c.request(1n, { flags: nrpc.FLAGS.STREAMING_RESPONSE, headers: [['NRPC-Stream-Window-Initial', '3']] });
    await until(() => c.replies.length === 3, 5000, 'the first window');
    await new Promise((r) => setTimeout(r, 100));
    expect(c.replies).toHaveLength(3);
    await c.send(nrpc.DISPATCH.STREAM_GRANT, 1n, nrpc.encodeStreamGrant(0)); // ignored
    await c.send(nrpc.DISPATCH.STREAM_GRANT, 1n, nrpc.encodeStreamGrant(100));
    await until(() => c.replies.length === 11, 5000, 'the rest and the end');
    expect(c.replies.slice(0, 10).every((r) => r.status === 0)).toBe(true);
    expect(c.replies[10]).toMatchObject({ status: RpcStatus.Ok, body: '' });
  });
});

describe('bounds', () => {
  it('calls in flight from one caller are capped: the next is answered Backpressure', async () => {
    const hub = new MemoryHub({ seed: 1310 });
    const [caller, server] = (await hubNodes(2, hub, { rpc: { maxInFlightPerPeer: 2 } })) as [MeshNode, MeshNode];
    nodes.push(caller, server);
    await connectPair(caller, server);
    const releases: (() => void)[] = [];
    server.serve('hold', () => new Promise<Uint8Array>((r) => releases.push(() => r(new Uint8Array(0)))));
    const held = [caller.call(server.nodeId, 'hold', new Uint8Array(0)), caller.call(server.nodeId, 'hold', new Uint8Array(0))];
    await until(() => server.rpcStats().inFlight === 2, 5000, 'two calls in flight');
    await expect(caller.call(server.nodeId, 'hold', new Uint8Array(0))).rejects.toMatchObject({ status: RpcStatus.Backpressure });
    for (const r of releases.splice(0)) r();
    await Promise.all(held);
    const again = caller.call(server.nodeId, 'hold', new Uint8Array(0));
    await until(() => releases.length === 1, 5000, 'a slot to be free again');
    releases[0]!();
    await again;
    expect(server.rpcStats().served).toBe(3);
  });
});

describe('the caller side', () => {
  it('ignores a RESPONSE for its call from another node, and a `duplicate REQUEST` answer, then takes the target’s answer', async () => {
    const [caller, server, other] = await trio(1305);
    let release: (() => void) | undefined;
    let callId = 0n;
    server.serve('pin', (_r, ctx) => {
      callId = ctx.callId;
      return new Promise<Uint8Array>((r) => (release = () => r(utf8('real'))));
    });
    const p = caller.call(server.nodeId, 'pin', new Uint8Array(0));
    await until(() => callId !== 0n, 5000, 'the call to arrive');
    const replyName = `pin.replies.${caller.identity.originHash.toString(16).padStart(16, '0')}`;
    const forged = nrpc.encodeFrame({ dispatch: nrpc.DISPATCH.RESPONSE, flags: 0, originHash: other.identity.originHash, callId }, nrpc.encodeResponse({ status: 0, body: utf8('forged') }));
    await layersOf(other).channels.sendTo(caller.nodeId, replyName, [forged], 'reliable');
    await until(() => caller.rpcStats().strays === 1, 5000, 'the forged reply to be dropped');
    const dup = nrpc.encodeFrame({ dispatch: nrpc.DISPATCH.RESPONSE, flags: 0, originHash: server.identity.originHash, callId }, nrpc.encodeResponse({ status: RpcStatus.Internal, body: utf8('duplicate REQUEST (…) already in flight') }));
    await layersOf(server).channels.sendTo(caller.nodeId, replyName, [dup], 'reliable');
    await until(() => caller.rpcStats().duplicateAnswersIgnored === 1, 5000, 'the duplicate answer to be ignored');
    release!();
    expect(fromUtf8(await p)).toBe('real');
  });

  it('call ids are random u64s, bound to the target', async () => {
    const [caller, server] = await trio(1306);
    const ids: bigint[] = [];
    server.serve('id', (_r, ctx) => {
      ids.push(ctx.callId);
      return new Uint8Array(0);
    });
    for (let i = 0; i < 64; i++) await caller.call(server.nodeId, 'id', new Uint8Array(0));
    expect(new Set(ids).size).toBe(64);
    expect(ids.every((x) => x !== 0n)).toBe(true);
    // not sequential: consecutive ids differ by more than a small step
    expect(ids.slice(1).filter((x, i) => (x > ids[i]! ? x - ids[i]! : ids[i]! - x) < 1000n)).toEqual([]);
    expect(Math.max(...ids.map((x) => x.toString(2).length))).toBeGreaterThan(56);
  });

  it('a call to oneself runs through the same path; a peer failure fails pending calls with NoRoute', async () => {
    const hub = new MemoryHub({ seed: 1307 });
    const [caller, server] = (await hubNodes(2, hub, { heartbeatIntervalMs: 100, sessionTimeoutMs: 600 })) as [MeshNode, MeshNode];
    nodes.push(caller, server);
    await connectPair(caller, server);
    caller.serve('self', (r) => r);
    expect(numberOf(await caller.call(caller.nodeId, 'self', numbered(5)))).toBe(5);
    await expect(caller.call(caller.nodeId, 'absent', new Uint8Array(0))).rejects.toBeInstanceOf(RpcNoRouteError);
    server.serve('never', () => new Promise<Uint8Array>(() => {}));
    const p = caller.call(server.nodeId, 'never', new Uint8Array(0), { deadlineMs: 20_000 });
    await until(() => server.rpcStats().inFlight === 1, 5000, 'the call to arrive');
    hub.partition(caller.address, server.address);
    await expect(p).rejects.toMatchObject({ code: 'RPC_NO_ROUTE', reason: 'the peer failed' });
    await until(() => server.rpcStats().inFlight === 0, 5000, 'the server to drop the failed caller’s call');
  });
});

describe('callService', () => {
  it('round-robin, sticky, random and lowest-latency over the nodes announcing nrpc:<service>', async () => {
    const hub = new MemoryHub({ seed: 1308 });
    const ns = (await hubNodes(4, hub, { minAnnounceIntervalMs: 0 })) as MeshNode[];
    nodes.push(...ns);
    const [caller, ...servers] = ns as [MeshNode, MeshNode, MeshNode, MeshNode];
    for (const s of servers) await connectPair(caller, s);
    for (const s of servers) s.serve('who', () => utf8(String(s.nodeId)));
    await until(() => caller.fold.query({ tags: ['nrpc:who'] }).length === 3, 5000, 'the announcements');
    const ask = async (opts: object) => BigInt(fromUtf8(await caller.callService('who', new Uint8Array(0), opts)));
    const sorted = servers.map((s) => s.nodeId).sort((a, b) => (a < b ? -1 : 1));
    const rr = [];
    for (let i = 0; i < 6; i++) rr.push(await ask({}));
    expect(rr).toEqual([...sorted, ...sorted]);
    const sticky = await ask({ policy: 'sticky', key: 42n });
    for (let i = 0; i < 5; i++) expect(await ask({ policy: 'sticky', key: 42n })).toBe(sticky);
    const random = new Set<bigint>();
    for (let i = 0; i < 30; i++) random.add(await ask({ policy: 'random' }));
    expect(random.size).toBeGreaterThan(1);
    expect(sorted).toContain(await ask({ policy: 'lowest-latency' }));
    await expect(caller.callService('nobody', new Uint8Array(0))).rejects.toBeInstanceOf(RpcNoRouteError);
    await expect(caller.callService('who', new Uint8Array(0), { policy: 'sticky' } as object)).rejects.toThrow(/key/);
  });

  it('the capability gate: allow-lists that do not admit the caller → CapabilityDenied', async () => {
    const { mayExecute } = await import('../../ts/rpc/select.js');
    const { hostOf } = await import('../../ts/node/host.js');
    const [caller, server] = await trio(1309);
    server.serve('gated', () => new Uint8Array(0));
    await until(() => caller.fold.query({ tags: ['nrpc:gated'] }).length === 1, 5000, 'the announcement');
    const host = hostOf(caller);
    expect(mayExecute(host, server.nodeId, 'nrpc:gated')).toBe(true);
    expect(mayExecute(host, server.nodeId, 'nrpc:other')).toBe(false);
    // An entry whose announcement lists only some other node: this caller is not admitted.
    const ann = host.fold.announcementOf(server.nodeId)!;
    const gated = { ...ann, allowedNodes: [123n] };
    host.fold.remove(server.nodeId);
    host.fold.applyAnnouncement(gated, { trusted: true });
    expect(mayExecute(host, server.nodeId, 'nrpc:gated')).toBe(false);
    await expect(caller.callService('gated', new Uint8Array(0))).rejects.toBeInstanceOf(RpcCapabilityDeniedError);
  });
});
