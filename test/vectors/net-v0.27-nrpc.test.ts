// Net v0.27's nRPC vectors end to end (ai-2070/net, test/vectors/net-v0.27/README.md): the
// canonical unary, client-streaming and duplex services served and called through the calls
// sdk.md fixes ("nRPC and tools"). The codec-level cases run in net-v0.27-nrpc-codec.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCore, MemoryHub, MeshNode, RpcCancelledError, RpcError } from '../../ts/index.js';
import { fromUtf8, loadFixture, utf8 } from './net-v0.27-fixtures.js';

beforeAll(async () => {
  await initCore();
});

describe('cross_lang_nrpc/golden_vectors.json (cross_lang_echo_sum, unary)', () => {
  const v = loadFixture('cross_lang_nrpc/golden_vectors.json');
  const hub = new MemoryHub({ seed: 27 });
  const psk = '5a'.repeat(32);
  let caller: MeshNode;
  let server: MeshNode;

  // The canonical service: { text, numbers[] } → { echo: text, sum }; a malformed request is the
  // typed layer's bad request, status 0x8000 (rpc-tools.md §3).
  async function echoSum(req: Uint8Array): Promise<Uint8Array> {
    const j = JSON.parse(fromUtf8(req));
    if (typeof j?.text !== 'string' || !Array.isArray(j.numbers) || !j.numbers.every(Number.isInteger)) {
      throw new RpcError(0x8000, 'bad request');
    }
    return utf8(JSON.stringify({ echo: j.text, sum: j.numbers.reduce((a: number, b: number) => a + b, 0) }));
  }

  beforeAll(async () => {
    caller = await MeshNode.create({ psk, transport: hub.transport(), bind: '10.0.0.1:7000' });
    server = await MeshNode.create({ psk, transport: hub.transport(), bind: '10.0.0.2:7000' });
    server.accept(caller.nodeId);
    await caller.connect(server.address, { publicKey: server.noisePublicKey, nodeId: server.nodeId });
    server.serve(v.service, echoSum);
  });

  afterAll(async () => {
    await caller?.close();
    await server?.close();
  });

  it('has the cases this test runs', () => {
    expect(v.service).toBe('cross_lang_echo_sum');
    expect(v.ok_cases).toHaveLength(6);
    expect(v.error_cases).toHaveLength(3);
  });

  for (const c of v.ok_cases) {
    it(`ok: ${c.name}`, async () => {
      const res = await caller.call(server.nodeId, v.service, utf8(JSON.stringify(c.request_json)), { deadlineMs: 10_000 });
      expect(JSON.parse(fromUtf8(res))).toEqual(c.expected_response_json);
    });
  }

  for (const c of v.error_cases) {
    it(`error: ${c.name} → status ${c.expected_status}`, async () => {
      const call = caller.call(server.nodeId, v.service, utf8(JSON.stringify(c.request_json)), { deadlineMs: 10_000 });
      await expect(call).rejects.toBeInstanceOf(RpcError);
      await expect(call).rejects.toMatchObject({ status: c.expected_status });
    });
  }
});

describe('cross_lang_nrpc/golden_vectors_streaming.json (the canonical services end to end)', () => {
  const v = loadFixture('cross_lang_nrpc/golden_vectors_streaming.json');
  const hub = new MemoryHub({ seed: 28 });
  const psk = '5a'.repeat(32);
  let caller: MeshNode;
  let server: MeshNode;
  let cancelsSeen = 0;
  type Item = { text: string; numbers: number[] };

  /** The typed layer: a body that is not an item is the typed bad request (0x8000). */
  function item(b: Uint8Array): Item {
    let j: unknown;
    try {
      j = JSON.parse(fromUtf8(b));
    } catch {
      throw new RpcError(0x8000, 'typed streaming handler: bad request body');
    }
    const o = j as Item;
    if (typeof o?.text !== 'string' || !Array.isArray(o.numbers)) throw new RpcError(0x8000, 'typed streaming handler: bad request body');
    return o;
  }
  const json = (x: unknown) => utf8(JSON.stringify(x));

  beforeAll(async () => {
    caller = await MeshNode.create({ psk, transport: hub.transport(), bind: '10.0.1.1:7000' });
    server = await MeshNode.create({ psk, transport: hub.transport(), bind: '10.0.1.2:7000' });
    server.accept(caller.nodeId);
    await caller.connect(server.address, { publicKey: server.noisePublicKey, nodeId: server.nodeId });
    server.serveClientStream('cross_lang_client_stream_sum', async (items, ctx) => {
      const texts: string[] = [];
      let total = 0;
      let count = 0;
      for await (const b of items) {
        const it = item(b);
        if (it.text === 'fail') throw new Error('handler refused the item');
        texts.push(it.text);
        total += it.numbers.reduce((a, n) => a + n, 0);
        count++;
      }
      if (ctx.signal.aborted) cancelsSeen++;
      return json({ echo: texts.join(' '), total, count });
    });
    server.serveDuplex('cross_lang_duplex_echo', async function* (items) {
      let count = 0;
      for await (const b of items) {
        const it = item(b);
        count++;
        yield json({ echo: it.text, sum: it.numbers.reduce((a, n) => a + n, 0) });
      }
      yield json({ echo: 'summary', sum: count });
    });
  });

  afterAll(async () => {
    await caller?.close();
    await server?.close();
  });

  for (const c of v.services[0].ok_cases) {
    it(`client streaming ${c.name}: END on the last item`, async () => {
      const call = caller.callClientStream(server.nodeId, 'cross_lang_client_stream_sum');
      const items = c.request_items as Item[];
      for (const it of items.slice(0, -1)) await call.send(json(it));
      const res = await call.finish(items.length > 0 ? json(items.at(-1)) : undefined);
      expect(JSON.parse(fromUtf8(res))).toEqual(c.expected_response_json);
    });
  }

  it('client streaming with a trailing empty END chunk (what Net v0.27 finish() sends) answers the same', async () => {
    const c = v.services[0].ok_cases[1];
    const call = caller.callClientStream(server.nodeId, 'cross_lang_client_stream_sum');
    for (const it of c.request_items) await call.send(json(it));
    expect(JSON.parse(fromUtf8(await call.finish()))).toEqual(c.expected_response_json);
  });

  for (const c of v.services[1].ok_cases) {
    it(`duplex ${c.name}`, async () => {
      const call = caller.callDuplex(server.nodeId, 'cross_lang_duplex_echo');
      const got: unknown[] = [];
      const reader = (async () => {
        for await (const r of call.responses) got.push(JSON.parse(fromUtf8(r)));
      })();
      const items = c.request_items as Item[];
      for (const it of items.slice(0, -1)) await call.send(json(it));
      await call.end(items.length > 0 ? json(items.at(-1)) : undefined);
      await reader;
      expect(got).toEqual(c.expected_response_items);
    });
  }

  it('error cases: decode failure 0x8000, handler error 0x8001, cancel mid-send reaches the handler', async () => {
    const cases = v.error_cases.cases as { name: string; diagnostic_substring: string }[];
    const decode = caller.callClientStream(server.nodeId, 'cross_lang_client_stream_sum');
    await decode.send(json({ text: 'ok', numbers: [1] }));
    await decode.send(utf8('not-json-shape'));
    await expect(decode.response).rejects.toMatchObject({ status: 0x8000, message: expect.stringContaining(cases[0]!.diagnostic_substring) });
    const handler = caller.callClientStream(server.nodeId, 'cross_lang_client_stream_sum');
    await expect(handler.finish(json({ text: 'fail', numbers: [] }))).rejects.toMatchObject({ status: 0x8001, message: 'handler refused the item' });
    const cancel = caller.callClientStream(server.nodeId, 'cross_lang_client_stream_sum');
    await cancel.send(json({ text: 'one', numbers: [1] }));
    const before = server.rpcStats().cancelsIn;
    cancel.cancel();
    await expect(cancel.response).rejects.toBeInstanceOf(RpcCancelledError);
    await expect.poll(() => server.rpcStats().cancelsIn, { timeout: 5000 }).toBe(before + 1);
    await expect.poll(() => cancelsSeen, { timeout: 5000 }).toBe(1);
  });
});
