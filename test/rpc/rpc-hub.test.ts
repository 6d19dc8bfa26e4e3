// nRPC over a seeded memory hub (issue 12 "what must be shown"): unary calls and a server stream
// under loss, duplication and reordering; deadlines; cancel; response credit; duplex echo.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { RpcCancelledError, RpcError, RpcTimeoutError } from '../../ts/errors.js';
import type { RpcContext } from '../../ts/rpc/types.js';
import { until } from '../node/helpers.js';
import { numbered, numberOf, pair, sleep } from './helpers.js';

const LOSSY = { loss: 0.1, duplicate: 0.1, reorder: 0.1, delayMs: [0, 2] as [number, number] };

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

async function lossyPair(seed: number): Promise<[MeshNode, MeshNode, MemoryHub]> {
  const hub = new MemoryHub({ seed });
  const [caller, server] = await pair(hub);
  nodes.push(caller, server);
  return [caller, server, hub];
}

describe('under 10% loss, duplication and reordering', () => {
  it('1,000 unary 64-byte calls: each answers its own request, each request served once', async () => {
    const [caller, server, hub] = await lossyPair(1201);
    const served = new Uint8Array(1000);
    server.serve('echo', (req) => {
      served[numberOf(req)]!++;
      return req;
    });
    hub.setLink(caller.address, server.address, LOSSY);
    let next = 0;
    const answers = new Uint8Array(1000);
    const worker = async (): Promise<void> => {
      while (next < 1000) {
        const i = next++;
        const res = await caller.call(server.nodeId, 'echo', numbered(i, 64));
        expect(res.length).toBe(64);
        answers[numberOf(res)]!++;
        expect(numberOf(res)).toBe(i);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect([...served].every((n) => n === 1)).toBe(true);
    expect([...answers].every((n) => n === 1)).toBe(true);
    const h = hub.stats();
    expect(h.droppedByLoss).toBeGreaterThan(10);
    expect(h.duplicated).toBeGreaterThan(10);
    expect(caller.rpcStats()).toMatchObject({ calls: 1000, pending: 0 });
    expect(server.rpcStats()).toMatchObject({ served: 1000, inFlight: 0, duplicateRequests: 0 });
  }, 60_000);

  it('a 10,000-item server stream arrives complete, in order, without duplicates', async () => {
    const [caller, server, hub] = await lossyPair(1202);
    server.serve('count', async function* (req) {
      const n = numberOf(req);
      for (let i = 0; i < n; i++) yield numbered(i, 32);
    });
    hub.setLink(caller.address, server.address, LOSSY);
    let expected = 0;
    for await (const item of caller.callStream(server.nodeId, 'count', numbered(10_000))) {
      expect(numberOf(item)).toBe(expected);
      expected++;
    }
    expect(expected).toBe(10_000);
    expect(hub.stats().droppedByLoss).toBeGreaterThan(10);
    expect(server.rpcStats().inFlight).toBe(0);
  }, 60_000);

  it('duplex echo of 1,000 chunks', async () => {
    const [caller, server, hub] = await lossyPair(1203);
    server.serveDuplex('echo.duplex', async function* (requests) {
      for await (const r of requests) yield r;
    });
    hub.setLink(caller.address, server.address, LOSSY);
    const call = caller.callDuplex(server.nodeId, 'echo.duplex', { requestWindow: 32, window: 32 });
    const got: number[] = [];
    const reader = (async () => {
      for await (const r of call.responses) got.push(numberOf(r));
    })();
    for (let i = 0; i < 1000; i++) await call.send(numbered(i, 100));
    await call.end();
    await reader;
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  }, 60_000);
});

describe('deadlines and cancel', () => {
  it('a deadline fires on time, a CANCEL goes out, and the handler sees its signal', async () => {
    const hub = new MemoryHub({ seed: 1204 });
    const [caller, server] = await pair(hub);
    nodes.push(caller, server);
    let seen: RpcContext | undefined;
    let abortedAt = 0;
    server.serve('slow', (_req, ctx) => {
      seen = ctx;
      return new Promise((_, reject) => {
        ctx.signal.addEventListener('abort', () => {
          abortedAt = performance.now();
          reject(ctx.signal.reason);
        });
      });
    });
    const t0 = performance.now();
    const err = await caller.call(server.nodeId, 'slow', new Uint8Array(1), { deadlineMs: 300 }).catch((e: unknown) => e);
    const elapsed = performance.now() - t0;
    expect(err).toBeInstanceOf(RpcTimeoutError);
    expect(err).toMatchObject({ status: 3, code: 'RPC_TIMEOUT' });
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(300 + 1500);
    await until(() => abortedAt > 0, 5000, 'the handler to see its signal');
    expect(seen!.deadlineNs).toBeGreaterThan(0n);
    expect(abortedAt - t0).toBeGreaterThanOrEqual(295);
    expect(caller.rpcStats().cancelsOut).toBe(1);
    expect(server.rpcStats()).toMatchObject({ cancelsIn: 1, inFlight: 0 });
  });

  it('an AbortSignal cancels a unary call with RpcCancelledError, and the handler sees it', async () => {
    const hub = new MemoryHub({ seed: 1205 });
    const [caller, server] = await pair(hub);
    nodes.push(caller, server);
    let aborted = false;
    server.serve('wait', (_r, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => ((aborted = true), reject(new Error('stopped'))))));
    const ctl = new AbortController();
    const p = caller.call(server.nodeId, 'wait', new Uint8Array(0), { signal: ctl.signal });
    await until(() => server.rpcStats().inFlight === 1, 5000, 'the call to reach the server');
    ctl.abort();
    await expect(p).rejects.toBeInstanceOf(RpcCancelledError);
    await until(() => aborted, 5000, 'the handler signal');
  });

  it('cancel mid-stream stops the server within one round trip', async () => {
    const hub = new MemoryHub({ seed: 1206 });
    const [caller, server] = await pair(hub);
    nodes.push(caller, server);
    let produced = 0;
    let abortedAt = 0;
    let producedAtAbort = 0;
    server.serve('ticks', async function* (_req, ctx) {
      ctx.signal.addEventListener('abort', () => {
        abortedAt = performance.now();
        producedAtAbort = produced;
      });
      for (;;) {
        produced++;
        yield numbered(produced);
        await sleep(2);
      }
    });
    const oneWay = 100;
    hub.setLink(caller.address, server.address, { delayMs: oneWay });
    let taken = 0;
    let cancelAt = 0;
    for await (const _item of caller.callStream(server.nodeId, 'ticks', new Uint8Array(0), { window: 16 })) {
      if (++taken === 20) {
        cancelAt = performance.now();
        break; // return() sends CANCEL
      }
    }
    await until(() => abortedAt > 0, 5000, 'the server to observe the CANCEL');
    const rtt = 2 * oneWay;
    expect(abortedAt - cancelAt).toBeGreaterThanOrEqual(oneWay - 5);
    expect(abortedAt - cancelAt).toBeLessThan(rtt);
    await sleep(100);
    expect(produced - producedAtAbort).toBeLessThanOrEqual(1);
    expect(server.rpcStats().inFlight).toBe(0);
  });
});

describe('response credit', () => {
  async function run(window: number): Promise<{ maxAhead: number; produced: number }> {
    const hub = new MemoryHub({ seed: 1207 + window });
    const [caller, server] = await pair(hub);
    nodes.push(caller, server);
    let produced = 0;
    server.serve('firehose', async function* () {
      for (let i = 0; i < 5000; i++) {
        produced++;
        yield numbered(i, 256);
      }
    });
    let consumed = 0;
    let maxAhead = 0;
    const stream = caller.callStream(server.nodeId, 'firehose', new Uint8Array(0), { window });
    for await (const _item of stream) {
      consumed++;
      maxAhead = Math.max(maxAhead, produced - consumed);
      if (consumed === 40) break;
      await sleep(10);
    }
    return { maxAhead, produced };
  }

  it('a slow consumer with a window of 8 bounds what the server produces ahead of it', async () => {
    const credited = await run(8);
    expect(credited.maxAhead).toBeLessThanOrEqual(8 + 1);
    expect(credited.produced).toBeLessThanOrEqual(40 + 8 + 1);
    // Without credit (window 0) the same server runs far ahead of the same consumer.
    const uncredited = await run(0);
    expect(uncredited.maxAhead).toBeGreaterThan(200);
  }, 30_000);
});

describe('client streaming', () => {
  it('sums uploads with END on the last item or as a trailing terminator, and zero items', async () => {
    const hub = new MemoryHub({ seed: 1208 });
    const [caller, server] = await pair(hub);
    nodes.push(caller, server);
    server.serveClientStream('sum', async (items) => {
      let sum = 0;
      let count = 0;
      for await (const it of items) {
        sum += numberOf(it);
        count++;
      }
      return numbered(sum * 1000 + count);
    });
    const a = caller.callClientStream(server.nodeId, 'sum');
    for (let i = 1; i <= 99; i++) await a.send(numbered(i));
    expect(numberOf(await a.finish(numbered(100)))).toBe(5050 * 1000 + 100);
    const b = caller.callClientStream(server.nodeId, 'sum');
    void b.send(numbered(7));
    void b.send(numbered(8));
    await b.end();
    expect(numberOf(await b.response)).toBe(15 * 1000 + 2);
    const c = caller.callClientStream(server.nodeId, 'sum');
    expect(numberOf(await c.finish())).toBe(0);
    const d = caller.callClientStream(server.nodeId, 'sum');
    expect(numberOf(await d.finish(numbered(42)))).toBe(42 * 1000 + 1);
    await expect(d.send(numbered(1))).rejects.toThrow(/already ended/);
  });

  it('upload credit bounds what the server holds unconsumed', async () => {
    const hub = new MemoryHub({ seed: 1209 });
    const [caller, server] = await pair(hub);
    nodes.push(caller, server);
    let consumed = 0;
    server.serveClientStream('slow.sum', async (items) => {
      for await (const _ of items) {
        consumed++;
        await sleep(5);
      }
      return numbered(consumed);
    });
    const call = caller.callClientStream(server.nodeId, 'slow.sum', { requestWindow: 4 });
    let maxAhead = 0;
    for (let i = 0; i < 60; i++) {
      await call.send(numbered(i));
      maxAhead = Math.max(maxAhead, i + 1 - consumed);
    }
    expect(numberOf(await call.finish())).toBe(60);
    // the REQUEST's own item plus the window of chunks, plus one in the server's hands
    expect(maxAhead).toBeLessThanOrEqual(4 + 2);
  });

  it('a handler error reaches the caller with its status; cancelling an upload reaches the handler', async () => {
    const hub = new MemoryHub({ seed: 1210 });
    const [caller, server] = await pair(hub);
    nodes.push(caller, server);
    let sawCancel = false;
    server.serveClientStream('picky', async (items, ctx) => {
      for await (const it of items) if (numberOf(it) === 13) throw new Error('unlucky item');
      if (ctx.signal.aborted) sawCancel = true;
      return new Uint8Array(0);
    });
    const bad = caller.callClientStream(server.nodeId, 'picky');
    await bad.send(numbered(12));
    await bad.send(numbered(13));
    await expect(bad.response).rejects.toMatchObject({ status: 0x8001, message: 'unlucky item' });
    const cancelled = caller.callClientStream(server.nodeId, 'picky');
    await cancelled.send(numbered(1));
    await until(() => server.rpcStats().inFlight === 1, 5000, 'the upload to start');
    cancelled.cancel();
    await expect(cancelled.response).rejects.toBeInstanceOf(RpcCancelledError);
    await until(() => sawCancel, 5000, 'the handler to see the cancel');
  });
});

describe('errors', () => {
  it('a thrown RpcError carries its status; other errors are 0x8001; a sync generator streams; an unserved service has no route', async () => {
    const hub = new MemoryHub({ seed: 1211 });
    const [caller, server] = await pair(hub, { rpc: { defaultTimeoutMs: 500 } });
    nodes.push(caller, server);
    server.serve('typed', () => {
      throw new RpcError(0x8123, 'custom status');
    });
    server.serve('plain', async () => {
      throw new TypeError('boom');
    });
    server.serve('wrong', async () => 'not bytes' as unknown as Uint8Array);
    server.serve('sync.gen', function* () {
      yield numbered(1);
      yield numbered(2);
    });
    await expect(caller.call(server.nodeId, 'typed', new Uint8Array(0))).rejects.toMatchObject({ status: 0x8123, message: 'custom status', code: 'RPC_SERVER_ERROR' });
    await expect(caller.call(server.nodeId, 'plain', new Uint8Array(0))).rejects.toMatchObject({ status: 0x8001, message: 'boom' });
    await expect(caller.call(server.nodeId, 'wrong', new Uint8Array(0))).rejects.toMatchObject({ status: 6 });
    const items: number[] = [];
    for await (const x of caller.callStream(server.nodeId, 'sync.gen', new Uint8Array(0))) items.push(numberOf(x));
    expect(items).toEqual([1, 2]);
    // A unary call without a deadline times out locally after the node's default (500 ms here).
    server.serve('silent', () => new Promise<Uint8Array>(() => {}));
    const t0 = performance.now();
    await expect(caller.call(server.nodeId, 'silent', new Uint8Array(0))).rejects.toBeInstanceOf(RpcTimeoutError);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(495);
    // The server has a channel registry (it serves), so the reply-channel subscribe is rejected.
    await expect(caller.call(server.nodeId, 'nobody', new Uint8Array(0))).rejects.toMatchObject({ code: 'RPC_NO_ROUTE', status: 1 });
  });
});
