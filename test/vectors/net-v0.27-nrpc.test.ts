// Net v0.27's nRPC vectors (ai-2070/net, test/vectors/net-v0.27/README.md) through the names
// sdk.md fixes ("Wire codecs and tool formats", "nRPC and tools") and the fields of rpc-tools.md
// §2–§5: the frame codecs byte for byte, and the canonical services served and called end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCore, MemoryHub, MeshNode, nrpc, RpcCancelledError, RpcError, RpcStatus } from '../../ts/index.js';
import { fromUtf8, hex, loadFixture, unhex, utf8 } from './net-v0.27-fixtures.js';

beforeAll(async () => {
  await initCore();
});

describe('cross_lang_wire/nrpc_frame.json (one REQUEST frame)', () => {
  const v = loadFixture('cross_lang_wire/nrpc_frame.json');
  const frame = unhex(v.hex);
  // The fixture comes from a later Net that puts an 8-byte RpcRouteV1 (the request channel's
  // canonical hash) between the EventMeta and the payload. v0.27 has no such field (rpc-tools.md
  // §2: the payload follows the 24-byte EventMeta); the EventMeta and the RequestPayload around it
  // are v0.27's layout and are checked byte for byte.
  const meta = frame.subarray(0, 24);
  const route = frame.subarray(24, 32);
  const payload = frame.subarray(32);
  const headers: [string, Uint8Array][] = (v.fields.headers as [string, string][]).map(([n, val]) => [n, utf8(val)]);

  it('the skipped 8 bytes are the route hash, nothing else', () => {
    expect(new DataView(route.buffer, route.byteOffset, 8).getBigUint64(0, true)).toBe(BigInt(v.fields.route_canonical_hash));
  });

  it('EventMeta decodes to the fixture fields and encodes to its 24 bytes', () => {
    const fields = { dispatch: nrpc.DISPATCH.REQUEST, flags: v.fields.flags, originHash: BigInt(v.fields.origin_hash), callId: BigInt(v.fields.call_id) };
    expect(nrpc.DISPATCH.REQUEST).toBe(0x10);
    expect(nrpc.decodeEventMeta(frame)).toEqual(fields);
    expect(hex(nrpc.encodeEventMeta(fields))).toBe(hex(meta));
  });

  it('RequestPayload decodes to the fixture fields and encodes to its bytes', () => {
    const req = { service: v.fields.service, deadlineNs: BigInt(v.fields.deadline_ns), flags: v.fields.payload_flags, headers, body: utf8(v.fields.body_utf8) };
    expect(nrpc.decodeRequest(payload)).toEqual(req);
    expect(hex(nrpc.encodeRequest(req))).toBe(hex(payload));
  });
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

  it('the application status travels as u16 0x8000 in the RESPONSE payload', () => {
    const b = nrpc.encodeResponse({ status: 0x8000, headers: [], body: utf8('bad request') });
    expect(hex(b.subarray(0, 3))).toBe('008000'); // status 0x8000 LE, then header count 0
    expect(nrpc.decodeResponse(b)).toEqual({ status: 32768, headers: [], body: utf8('bad request') });
  });
});

describe('cross_lang_nrpc/golden_vectors_streaming.json (client streaming and duplex framing)', () => {
  const v = loadFixture('cross_lang_nrpc/golden_vectors_streaming.json');
  const F = nrpc.FLAGS;

  /**
   * The upload frames the fixture's canonical_flag_end_placement prescribes for `items`: the
   * REQUEST carries item 0 (bit 4, plus bit 5 when it is the only or no item), each further item a
   * REQUEST_CHUNK, and bit 5 rides on the last data-bearing frame. Duplex adds bit 1 to the REQUEST.
   */
  function uploadFrames(service: string, items: unknown[], duplex: boolean, callId: bigint): Uint8Array[] {
    const body = (i: number) => (i < items.length ? utf8(JSON.stringify(items[i])) : new Uint8Array(0));
    const first = F.CLIENT_STREAMING_REQUEST | (duplex ? F.STREAMING_RESPONSE : 0) | (items.length <= 1 ? F.REQUEST_END : 0);
    const out = [nrpc.encodeRequest({ service, deadlineNs: 0n, flags: first, headers: [], body: body(0) })];
    for (let i = 1; i < items.length; i++) {
      out.push(nrpc.encodeRequestChunk({ callId, flags: i === items.length - 1 ? F.REQUEST_END : 0, headers: [], body: body(i) }));
    }
    return out;
  }

  it('has the services and cases this test runs; flag bits are those of rpc-tools.md §3', () => {
    expect(v.services.map((s: { service: string; shape: string }) => [s.service, s.shape])).toEqual([
      ['cross_lang_client_stream_sum', 'client_streaming'],
      ['cross_lang_duplex_echo', 'duplex'],
    ]);
    expect(v.services[0].ok_cases).toHaveLength(4);
    expect(v.services[1].ok_cases).toHaveLength(3);
    expect(v.error_cases.cases).toHaveLength(5);
    expect([F.STREAMING_RESPONSE, F.CLIENT_STREAMING_REQUEST, F.REQUEST_END]).toEqual([2, 16, 32]);
  });

  for (const svc of v.services) {
    for (const c of svc.ok_cases) {
      it(`${svc.service}: ${c.name} frames round-trip with END on the last data-bearing frame`, () => {
        const duplex = svc.shape === 'duplex';
        const frames = uploadFrames(svc.service, c.request_items, duplex, 0x0102030405060708n);
        expect(frames).toHaveLength(Math.max(1, c.request_items.length));
        const req = nrpc.decodeRequest(frames[0]!);
        expect(req.service).toBe(svc.service);
        expect(req.flags & F.CLIENT_STREAMING_REQUEST).toBe(F.CLIENT_STREAMING_REQUEST);
        expect(req.flags & F.STREAMING_RESPONSE).toBe(duplex ? F.STREAMING_RESPONSE : 0);
        const chunks = frames.slice(1).map((f) => nrpc.decodeRequestChunk(f));
        const endFlags = [req.flags, ...chunks.map((ch) => ch.flags)].map((fl) => (fl & F.REQUEST_END) !== 0);
        expect(endFlags).toEqual(frames.map((_, i) => i === frames.length - 1));
        for (const ch of chunks) expect(ch.callId).toBe(0x0102030405060708n);
        const bodies = [req.body, ...chunks.map((ch) => ch.body)].filter((b) => b.length > 0);
        expect(bodies.map((b) => JSON.parse(fromUtf8(b)))).toEqual(c.request_items);
      });
    }
  }

  it('the pinned error statuses: Application 0x8000 / 0x8001 and Cancelled', () => {
    const statuses = v.error_cases.cases.map((c: { expected_status: string; expected_application_code: string | null }) => [c.expected_status, c.expected_application_code]);
    expect(statuses).toEqual([
      ['Application', '0x8000'],
      ['Application', '0x8001'],
      ['Cancelled', null],
      ['Cancelled', null],
      ['ClientCodec', null],
    ]);
    expect(RpcStatus.Cancelled).toBe(5);
    for (const code of [0x8000, 0x8001]) {
      const b = nrpc.encodeResponse({ status: code, headers: [], body: utf8('typed streaming handler: bad request body') });
      expect(nrpc.decodeResponse(b).status).toBe(code);
    }
  });
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
