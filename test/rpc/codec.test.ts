import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nrpc, RpcStatus } from '../../ts/rpc/index.js';
import { BodyTooLargeError, InvalidArgumentError, RpcCodecError } from '../../ts/errors.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const utf8 = (s: string) => new TextEncoder().encode(s);

function codecError(f: () => unknown): RpcCodecError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RpcCodecError);
    return e as RpcCodecError;
  }
  throw new Error('expected an RpcCodecError');
}

describe('EventMeta (24 bytes)', () => {
  it('lays out dispatch, flags, zero padding, origin hash and call id little-endian, checksum 0', () => {
    const b = nrpc.encodeEventMeta({ dispatch: nrpc.DISPATCH.RESPONSE, flags: 0, originHash: 0x0102030405060708n, callId: 0x1122334455667788n });
    expect(hex(b)).toBe('11000000' + '0807060504030201' + '8877665544332211' + '00000000');
    expect(nrpc.decodeEventMeta(b)).toEqual({ dispatch: 0x11, flags: 0, originHash: 0x0102030405060708n, callId: 0x1122334455667788n });
  });

  it('ignores padding and checksum on read, reads only the first 24 bytes, and refuses shorter events', () => {
    const b = unhex('1300ffff' + '0100000000000000' + 'ffffffffffffffff' + 'deadbeef' + 'aabb');
    expect(nrpc.decodeEventMeta(b)).toEqual({ dispatch: 0x13, flags: 0, originHash: 1n, callId: 0xffffffffffffffffn });
    const e = codecError(() => nrpc.decodeEventMeta(new Uint8Array(23)));
    expect(e.code).toBe('RPC_TRUNCATED');
  });

  it('validates its arguments', () => {
    expect(() => nrpc.encodeEventMeta({ dispatch: 256, flags: 0, originHash: 0n, callId: 0n })).toThrow(InvalidArgumentError);
    expect(() => nrpc.encodeEventMeta({ dispatch: 1, flags: 0, originHash: -1n, callId: 0n })).toThrow(/originHash/);
    expect(() => nrpc.encodeEventMeta({ dispatch: 1, flags: 0, originHash: 0n, callId: 1n << 64n })).toThrow(/callId/);
  });

  it('has the dispatch and flag tables of rpc-tools.md §2–§3', () => {
    expect(nrpc.DISPATCH).toEqual({ REQUEST: 0x10, RESPONSE: 0x11, CANCEL: 0x12, DEADLINE_EXCEEDED: 0x13, STREAM_GRANT: 0x14, REQUEST_CHUNK: 0x15, REQUEST_GRANT: 0x16 });
    expect(nrpc.FLAGS).toEqual({ STREAMING_RESPONSE: 2, PROPAGATE_TRACE: 4, CLIENT_STREAMING_REQUEST: 16, REQUEST_END: 32 });
    expect(RpcStatus).toMatchObject({ Ok: 0, NotFound: 1, Unauthorized: 2, Timeout: 3, Backpressure: 4, Cancelled: 5, Internal: 6, UnknownVersion: 7, CapabilityDenied: 8 });
    expect(nrpc.statusName(9)).toBe('Application(9)');
    expect(nrpc.statusName(0x8001)).toBe('Application(32769)');
    expect(nrpc.statusName(7)).toBe('UnknownVersion');
  });
});

describe('Net golden REQUEST frame (tests/cross_lang_wire/nrpc_frame.json)', () => {
  const v = JSON.parse(readFileSync(new URL('../vectors/net-v0.27/cross_lang_wire/nrpc_frame.json', import.meta.url), 'utf8'));
  const frame = unhex(v.hex);
  // That fixture is from a later Net version that inserts an 8-byte RpcRouteV1 after the
  // EventMeta; the EventMeta and RequestPayload bytes are the v0.27 layout.
  const payload = frame.subarray(24 + 8);

  it('decodes the EventMeta and the request payload', () => {
    expect(nrpc.decodeEventMeta(frame)).toEqual({ dispatch: 0x10, flags: 0, originHash: BigInt(v.fields.origin_hash), callId: BigInt(v.fields.call_id) });
    const req = nrpc.decodeRequest(payload);
    expect(req.service).toBe('net.mesh.enroll');
    expect(req.deadlineNs).toBe(1700000000000000000n);
    expect(req.flags).toBe(0);
    expect(req.headers.map(([n, val]) => [n, Buffer.from(val).toString()])).toEqual(v.fields.headers);
    expect(Buffer.from(req.body).toString()).toBe('join');
  });

  it('encodes the same bytes', () => {
    const meta = nrpc.encodeEventMeta({ dispatch: nrpc.DISPATCH.REQUEST, flags: 0, originHash: BigInt(v.fields.origin_hash), callId: BigInt(v.fields.call_id) });
    expect(hex(meta)).toBe(hex(frame.subarray(0, 24)));
    const enc = nrpc.encodeRequest({ service: v.fields.service, deadlineNs: 1700000000000000000n, flags: 0, headers: [['content-type', 'application/octet-stream']], body: utf8('join') });
    expect(hex(enc)).toBe(hex(payload));
  });
});

describe('payload layouts', () => {
  it('Request: svc_len · service · deadline_ns u64 · flags u16 · headers · body_len u32 · body', () => {
    const b = nrpc.encodeRequest({ service: 'ab', deadlineNs: 5n, flags: nrpc.FLAGS.STREAMING_RESPONSE, headers: [['k', new Uint8Array([9, 8])]], body: new Uint8Array([1, 2, 3]) });
    expect(hex(b)).toBe('02' + '6162' + '0500000000000000' + '0200' + '01' + '01' + '6b' + '0200' + '0908' + '03000000' + '010203');
    expect(nrpc.decodeRequest(b)).toEqual({ service: 'ab', deadlineNs: 5n, flags: 2, headers: [['k', new Uint8Array([9, 8])]], body: new Uint8Array([1, 2, 3]) });
  });

  it('Request encoding defaults: no deadline, no flags, no headers, empty body', () => {
    expect(hex(nrpc.encodeRequest({ service: 's' }))).toBe('0173' + '0000000000000000' + '0000' + '00' + '00000000');
  });

  it('Response: status u16 · headers · body_len u32 · body', () => {
    const b = nrpc.encodeResponse({ status: 0x8001, headers: [['nrpc-streaming', 'continue']], body: utf8('x') });
    expect(hex(b)).toBe('0180' + '01' + '0e' + hex(utf8('nrpc-streaming')) + '0800' + hex(utf8('continue')) + '01000000' + '78');
    expect(nrpc.decodeResponse(b)).toEqual({ status: 0x8001, headers: [['nrpc-streaming', utf8('continue')]], body: utf8('x') });
  });

  it('RequestChunk: call_id u64 · flags u16 · headers · body_len u32 · body', () => {
    const b = nrpc.encodeRequestChunk({ callId: 0xaabbn, flags: nrpc.FLAGS.REQUEST_END, body: utf8('z') });
    expect(hex(b)).toBe('bbaa000000000000' + '2000' + '00' + '01000000' + '7a');
    expect(nrpc.decodeRequestChunk(b)).toEqual({ callId: 0xaabbn, flags: 32, headers: [], body: utf8('z') });
  });

  it('grants carry big-endian credits', () => {
    expect(hex(nrpc.encodeStreamGrant(0x01020304))).toBe('01020304');
    expect(nrpc.decodeStreamGrant(unhex('00000010'))).toBe(16);
    expect(hex(nrpc.encodeRequestGrant(0x0102030405060708n, 0x0a0b0c0d))).toBe('0807060504030201' + '0a0b0c0d');
    expect(nrpc.decodeRequestGrant(unhex('0100000000000000000000ff'))).toEqual({ callId: 1n, credits: 255 });
  });

  it('bytes after the body are ignored', () => {
    const b = nrpc.encodeResponse({ status: 0, body: utf8('ok') });
    const padded = new Uint8Array([...b, 1, 2, 3]);
    expect(nrpc.decodeResponse(padded)).toEqual({ status: 0, headers: [], body: utf8('ok') });
  });

  it('flags are written verbatim (any u16) so decode → encode reproduces the input', () => {
    const b = nrpc.encodeRequestChunk({ callId: 1n, flags: 0xffff });
    expect(nrpc.decodeRequestChunk(b).flags).toBe(0xffff);
  });
});

describe('decoding errors (each one, typed)', () => {
  const header = (name: string, value: number[] = []) => [name.length, ...utf8(name), value.length & 0xff, value.length >> 8, ...value];
  const resp = (...parts: number[]) => new Uint8Array([0, 0, ...parts]);
  const cases: [string, () => unknown, string, string][] = [
    ['response status', () => nrpc.decodeResponse(new Uint8Array([0])), 'RPC_TRUNCATED', 'truncated payload at status'],
    ['headers count', () => nrpc.decodeResponse(resp()), 'RPC_TRUNCATED', 'truncated payload at headers count'],
    ['too many headers', () => nrpc.decodeResponse(resp(33)), 'RPC_TOO_LARGE', 'length 33 exceeds limit 32 for headers'],
    ['header name length', () => nrpc.decodeResponse(resp(1)), 'RPC_TRUNCATED', 'truncated payload at header name length'],
    ['empty header name', () => nrpc.decodeResponse(resp(1, 0)), 'RPC_TRUNCATED', 'truncated payload at empty header name'],
    ['header name too long', () => nrpc.decodeResponse(resp(1, 65)), 'RPC_TOO_LARGE', 'length 65 exceeds limit 64 for header name'],
    ['header name bytes', () => nrpc.decodeResponse(resp(1, 3, 0x61)), 'RPC_TRUNCATED', 'truncated payload at header name bytes'],
    ['header name utf-8', () => nrpc.decodeResponse(resp(1, 1, 0xff, 0, 0, 0, 0, 0, 0)), 'RPC_INVALID_UTF8', 'non-utf8 string in header name'],
    ['header value length', () => nrpc.decodeResponse(resp(1, 1, 0x61, 0)), 'RPC_TRUNCATED', 'truncated payload at header value length'],
    ['header value too long', () => nrpc.decodeResponse(resp(1, 1, 0x61, 0x01, 0x10)), 'RPC_TOO_LARGE', 'length 4097 exceeds limit 4096 for header value'],
    ['header value bytes', () => nrpc.decodeResponse(resp(1, 1, 0x61, 2, 0, 9)), 'RPC_TRUNCATED', 'truncated payload at header value bytes'],
    ['body length', () => nrpc.decodeResponse(resp(0, 1, 0)), 'RPC_TRUNCATED', 'truncated payload at body length'],
    ['body too large', () => nrpc.decodeResponse(resp(0, 1, 0, 0x40, 0)), 'RPC_TOO_LARGE', 'length 4194305 exceeds limit 4194304 for body'],
    ['body bytes', () => nrpc.decodeResponse(resp(0, 2, 0, 0, 0, 7)), 'RPC_TRUNCATED', 'truncated payload at body bytes'],
    ['service length', () => nrpc.decodeRequest(new Uint8Array(0)), 'RPC_TRUNCATED', 'truncated payload at service length'],
    ['empty service', () => nrpc.decodeRequest(new Uint8Array([0])), 'RPC_TRUNCATED', 'truncated payload at empty service name'],
    ['service bytes', () => nrpc.decodeRequest(new Uint8Array([3, 0x61])), 'RPC_TRUNCATED', 'truncated payload at service bytes'],
    ['service utf-8', () => nrpc.decodeRequest(new Uint8Array([2, 0xc3, 0x28, ...new Array(15).fill(0)])), 'RPC_INVALID_UTF8', 'non-utf8 string in service'],
    ['deadline', () => nrpc.decodeRequest(new Uint8Array([1, 0x61, 0, 0])), 'RPC_TRUNCATED', 'truncated payload at deadline_ns'],
    ['request flags', () => nrpc.decodeRequest(new Uint8Array([1, 0x61, 0, 0, 0, 0, 0, 0, 0, 0, 1])), 'RPC_TRUNCATED', 'truncated payload at flags'],
    ['chunk call id', () => nrpc.decodeRequestChunk(new Uint8Array(7)), 'RPC_TRUNCATED', 'truncated payload at call_id'],
    ['chunk flags', () => nrpc.decodeRequestChunk(new Uint8Array(9)), 'RPC_TRUNCATED', 'truncated payload at flags'],
    ['chunk headers', () => nrpc.decodeRequestChunk(new Uint8Array(10)), 'RPC_TRUNCATED', 'truncated payload at headers count'],
    ['chunk body', () => nrpc.decodeRequestChunk(new Uint8Array([...new Array(10).fill(0), 1, ...header('a', [7]), 2, 0, 0, 0, 9])), 'RPC_TRUNCATED', 'truncated payload at body bytes'],
    ['stream grant length', () => nrpc.decodeStreamGrant(new Uint8Array(5)), 'RPC_BAD_LENGTH', 'stream grant must be exactly 4 bytes, got 5'],
    ['request grant length', () => nrpc.decodeRequestGrant(new Uint8Array(11)), 'RPC_BAD_LENGTH', 'request grant must be exactly 12 bytes, got 11'],
  ];
  for (const [name, f, code, message] of cases) {
    it(name, () => {
      const e = codecError(f);
      expect(e.code).toBe(code);
      expect(e.message).toBe(message);
      expect(e.direction).toBe('decode');
    });
  }

  it('a lone UTF-8 BOM in a name is kept, not stripped', () => {
    const b = nrpc.encodeRequest({ service: '\ufeffx' });
    expect(nrpc.decodeRequest(b).service).toBe('\ufeffx');
  });
});

describe('encoder limits', () => {
  const big = (n: number) => new Uint8Array(n);
  it('refuses what a decoder would reject, typed and naming the field', () => {
    const cases: [() => unknown, string][] = [
      [() => nrpc.encodeRequest({ service: 'x'.repeat(256) }), 'service'],
      [() => nrpc.encodeResponse({ status: 0, headers: Array.from({ length: 33 }, () => ['a', big(0)] as [string, Uint8Array]) }), 'headers'],
      [() => nrpc.encodeResponse({ status: 0, headers: [['n'.repeat(65), big(0)]] }), 'header name'],
      [() => nrpc.encodeResponse({ status: 0, headers: [['n', big(4097)]] }), 'header value'],
      [() => nrpc.encodeRequestChunk({ callId: 1n, body: big(4 * 1024 * 1024 + 1) }), 'body'],
    ];
    for (const [f, field] of cases) {
      const e = codecError(f);
      expect(e.code).toBe('RPC_TOO_LARGE');
      expect(e.field).toBe(field);
      expect(e.direction).toBe('encode');
    }
    expect(nrpc.encodeResponse({ status: 0, headers: Array.from({ length: 32 }, () => ['n'.repeat(64), big(4096)] as [string, Uint8Array]) }).length).toBe(2 + 1 + 32 * (1 + 64 + 2 + 4096) + 4);
  });

  it('rejects empty names, lone surrogates and wrong types as invalid arguments', () => {
    expect(() => nrpc.encodeRequest({ service: '' })).toThrow(InvalidArgumentError);
    expect(() => nrpc.encodeResponse({ status: 0, headers: [['', big(1)]] })).toThrow(/name must not be empty/);
    expect(() => nrpc.encodeRequest({ service: 'a\ud800' })).toThrow(/lone surrogate/);
    expect(() => nrpc.encodeResponse({ status: 0x10000 })).toThrow(/status/);
    expect(() => nrpc.encodeRequest({ service: 's', flags: -1 })).toThrow(/flags/);
    expect(() => nrpc.encodeRequest({ service: 's', body: [1, 2] as unknown as Uint8Array })).toThrow(/body/);
    expect(() => nrpc.encodeStreamGrant(2 ** 32)).toThrow(/credits/);
  });
});

describe('frames: one frame per event', () => {
  it('refuses a frame larger than one event with BODY_TOO_LARGE, before anything is sent', () => {
    const meta = { dispatch: nrpc.DISPATCH.RESPONSE, flags: 0, originHash: 1n, callId: 2n };
    const fits = nrpc.encodeResponse({ status: 0, body: new Uint8Array(8104 - 24 - 7) });
    expect(nrpc.encodeFrame(meta, fits).length).toBe(8104);
    const over = nrpc.encodeResponse({ status: 0, body: new Uint8Array(8104 - 24 - 6) });
    let err: unknown;
    try {
      nrpc.encodeFrame(meta, over);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BodyTooLargeError);
    expect((err as BodyTooLargeError).code).toBe('BODY_TOO_LARGE');
    expect((err as BodyTooLargeError).limit).toBe(8104);
    expect((err as BodyTooLargeError).size).toBe(8105);
    expect((err as Error).message).toMatch(/8104/);
  });

  it('splits an event into EventMeta and payload', () => {
    const payload = nrpc.encodeStreamGrant(7);
    const f = nrpc.decodeFrame(nrpc.encodeFrame({ dispatch: nrpc.DISPATCH.STREAM_GRANT, flags: 0, originHash: 3n, callId: 4n }, payload));
    expect(f.meta).toEqual({ dispatch: 0x14, flags: 0, originHash: 3n, callId: 4n });
    expect(nrpc.decodeStreamGrant(f.payload)).toBe(7);
    expect(nrpc.decodeFrame(nrpc.encodeFrame({ dispatch: nrpc.DISPATCH.CANCEL, flags: 0, originHash: 3n, callId: 4n })).payload.length).toBe(0);
  });
});

describe('server helpers', () => {
  it('a REQUEST that fails to decode is answered UnknownVersion with "malformed request: <error>"', () => {
    const r = nrpc.decodeRequestOrReject(new Uint8Array([1, 0x61]));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.response.status).toBe(RpcStatus.UnknownVersion);
    expect(Buffer.from(r.response.body).toString()).toBe('malformed request: truncated payload at deadline_ns');
    const ok = nrpc.decodeRequestOrReject(nrpc.encodeRequest({ service: 'svc' }));
    expect(ok.ok && ok.request.service).toBe('svc');
  });

  it('classifies responses by status and the nrpc-streaming marker (exact, case-sensitive name)', () => {
    const h = (v: string) => [['nrpc-streaming', utf8(v)] as [string, Uint8Array]];
    expect(nrpc.responseKind({ status: 0, headers: h('continue') })).toBe('continue');
    expect(nrpc.responseKind({ status: 0, headers: h('end') })).toBe('end');
    expect(nrpc.responseKind({ status: 0, headers: h('whatever') })).toBe('end');
    expect(nrpc.responseKind({ status: 0, headers: [] })).toBe('unary');
    expect(nrpc.responseKind({ status: 0, headers: [['NRPC-Streaming', utf8('continue')]] })).toBe('unary');
    expect(nrpc.responseKind({ status: 6, headers: h('continue') })).toBe('error');
  });

  it('reads the opt-in windows as decimal u32 with case-insensitive names', () => {
    const w = (name: string, v: string) => nrpc.windowInitial([[name, utf8(v)]], nrpc.HEADERS.STREAM_WINDOW_INITIAL);
    expect(w('nrpc-stream-window-initial', '16')).toBe(16);
    expect(w('NRPC-Stream-Window-Initial', '+4')).toBe(4);
    expect(w('nrpc-stream-window-initial', '4294967295')).toBe(4294967295);
    expect(w('nrpc-stream-window-initial', '4294967296')).toBeUndefined();
    expect(w('nrpc-stream-window-initial', '-1')).toBeUndefined();
    expect(w('nrpc-stream-window-initial', ' 1')).toBeUndefined();
    expect(w('other', '1')).toBeUndefined();
  });

  it('places REQUEST_END on the last data-bearing frame (Net golden_vectors_streaming.json)', () => {
    const v = JSON.parse(readFileSync(new URL('../vectors/net-v0.27/cross_lang_nrpc/golden_vectors_streaming.json', import.meta.url), 'utf8'));
    const CS = nrpc.FLAGS.CLIENT_STREAMING_REQUEST;
    const END = nrpc.FLAGS.REQUEST_END;
    const seen = new Set<number>();
    for (const svc of v.services) {
      const extra = svc.shape === 'duplex' ? nrpc.FLAGS.STREAMING_RESPONSE : 0;
      for (const c of svc.ok_cases) {
        const n = c.request_items.length as number;
        seen.add(n);
        const plan = nrpc.canonicalUploadFlags(n, extra);
        expect(plan.chunks.length).toBe(Math.max(0, n - 1));
        if (n <= 1) expect(plan.request).toBe(CS | END | extra);
        else {
          expect(plan.request).toBe(CS | extra);
          expect(plan.chunks.slice(0, -1).every((f) => f === 0)).toBe(true);
          expect(plan.chunks.at(-1)).toBe(END);
        }
      }
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
  });
});
