// Net v0.27's nRPC vectors (ai-2070/net, test/vectors/net-v0.27/README.md) at the codec level,
// through the names sdk.md fixes ("Wire codecs and tool formats") and the fields of rpc-tools.md
// §2–§5: EventMeta, REQUEST, RESPONSE and REQUEST_CHUNK payloads and the client-streaming END
// placement. The calls themselves (serve/call) are in net-v0.27-nrpc.pending.ts until they land.
// Net's fixtures hold no grant frames: the grant codecs are checked against rpc-tools.md §5 in
// test/rpc/codec.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { initCore, nrpc, RpcStatus } from '../../ts/index.js';
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

describe('cross_lang_nrpc/golden_vectors.json (cross_lang_echo_sum): the frames a unary call is made of', () => {
  const v = loadFixture('cross_lang_nrpc/golden_vectors.json');

  it('has the cases this test runs', () => {
    expect(v.service).toBe('cross_lang_echo_sum');
    expect(v.ok_cases).toHaveLength(6);
    expect(v.error_cases).toHaveLength(3);
  });

  for (const c of v.ok_cases) {
    it(`ok: ${c.name}: the REQUEST and the expected RESPONSE round-trip`, () => {
      const req = { service: v.service, deadlineNs: 0n, flags: 0, headers: [], body: utf8(JSON.stringify(c.request_json)) };
      expect(nrpc.decodeRequest(nrpc.encodeRequest(req))).toEqual(req);
      const res = { status: RpcStatus.Ok, headers: [], body: utf8(JSON.stringify(c.expected_response_json)) };
      const back = nrpc.decodeResponse(nrpc.encodeResponse(res));
      expect(back).toEqual(res);
      expect(JSON.parse(fromUtf8(back.body))).toEqual(c.expected_response_json);
    });
  }

  for (const c of v.error_cases) {
    it(`error: ${c.name}: status ${c.expected_status} is an application status and round-trips`, () => {
      expect(nrpc.statusName(c.expected_status)).toBe(`Application(${c.expected_status})`);
      const b = nrpc.encodeResponse({ status: c.expected_status, headers: [], body: utf8('bad request') });
      expect(nrpc.decodeResponse(b).status).toBe(c.expected_status);
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
