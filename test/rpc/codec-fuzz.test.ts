// 10^5 seeded random inputs through every nRPC decoder: nothing crashes, every failure is a typed
// RpcCodecError, every success re-encodes to the bytes it read (bytes after the body are ignored),
// and random valid values round-trip exactly.
import { describe, expect, it } from 'vitest';
import { nrpc } from '../../ts/rpc/index.js';
import { RpcCodecError } from '../../ts/errors.js';
import { Xoshiro128 } from '../../ts/transports/prng.js';

const rng = new Xoshiro128(0x6e727063);
const int = (lo: number, hi: number) => rng.int(lo, hi);
const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(0, 255));
const u64 = () => (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32());
const ENC = new TextEncoder();
const ALPHABET = ['a', 'z', '.', '-', 'é', '世', '\u{1F600}', '\ufeff', '0'];
function name(maxBytes: number): string {
  let s = '';
  for (;;) {
    const c = ALPHABET[int(0, ALPHABET.length - 1)]!;
    if (ENC.encode(s + c).length > maxBytes) return s || 'a';
    s += c;
    if (int(0, 3) === 0) return s;
  }
}
const headers = () => Array.from({ length: int(0, 4) }, () => [name(64), bytes(int(0, 40))] as [string, Uint8Array]);

function randomValid(kind: number): Uint8Array {
  switch (kind) {
    case 0:
      return nrpc.encodeRequest({ service: name(255), deadlineNs: u64(), flags: int(0, 0xffff), headers: headers(), body: bytes(int(0, 64)) });
    case 1:
      return nrpc.encodeResponse({ status: int(0, 0xffff), headers: headers(), body: bytes(int(0, 64)) });
    case 2:
      return nrpc.encodeRequestChunk({ callId: u64(), flags: int(0, 0xffff), headers: headers(), body: bytes(int(0, 64)) });
    case 3:
      return nrpc.encodeStreamGrant(rng.nextU32());
    default:
      return nrpc.encodeRequestGrant(u64(), rng.nextU32());
  }
}

/** A valid encoding, then mutated: truncated, extended, or with bytes flipped. */
function mutate(b: Uint8Array): Uint8Array {
  switch (int(0, 4)) {
    case 0:
      return b.slice(0, int(0, b.length));
    case 1:
      return new Uint8Array([...b, ...bytes(int(1, 8))]);
    case 2: {
      const c = b.slice();
      for (let i = int(1, 3); i > 0 && c.length > 0; i--) c[int(0, c.length - 1)] = int(0, 255);
      return c;
    }
    case 3:
      return bytes(int(0, 48));
    default:
      return b;
  }
}

type Codec = { decode: (b: Uint8Array) => unknown; encode: (v: never) => Uint8Array };
const CODECS: Codec[] = [
  { decode: nrpc.decodeRequest, encode: nrpc.encodeRequest },
  { decode: nrpc.decodeResponse, encode: nrpc.encodeResponse },
  { decode: nrpc.decodeRequestChunk, encode: nrpc.encodeRequestChunk },
  { decode: nrpc.decodeStreamGrant, encode: ((v: number) => nrpc.encodeStreamGrant(v)) as never },
  { decode: nrpc.decodeRequestGrant, encode: ((v: { callId: bigint; credits: number }) => nrpc.encodeRequestGrant(v.callId, v.credits)) as never },
];

describe('nRPC codecs under random input', () => {
  it('10^5 inputs: no crash, every failure typed, every success re-encodes to the bytes it read', () => {
    const failures = new Map<string, number>();
    let decoded = 0;
    for (let i = 0; i < 100_000; i++) {
      const kind = i % 5;
      const input = mutate(randomValid(kind));
      const codec = CODECS[kind]!;
      let value: unknown;
      try {
        value = codec.decode(input);
      } catch (e) {
        if (!(e instanceof RpcCodecError)) throw new Error(`untyped failure on ${Buffer.from(input).toString('hex')}: ${String(e)}`);
        failures.set(e.code, (failures.get(e.code) ?? 0) + 1);
        continue;
      }
      decoded++;
      const again = codec.encode(value as never);
      if (!Buffer.from(input.subarray(0, again.length)).equals(Buffer.from(again))) throw new Error(`re-encoding differs for ${Buffer.from(input).toString('hex')}`);
    }
    // Both outcomes were exercised, with every failure kind the codecs have.
    expect(decoded).toBeGreaterThan(20_000);
    expect([...failures.keys()].sort()).toEqual(['RPC_BAD_LENGTH', 'RPC_INVALID_UTF8', 'RPC_TOO_LARGE', 'RPC_TRUNCATED']);
  });

  it('random valid values round-trip exactly (EventMeta, Request, Response, RequestChunk, grants)', () => {
    for (let i = 0; i < 2000; i++) {
      const meta = { dispatch: int(0, 255), flags: int(0, 255), originHash: u64(), callId: u64() };
      expect(nrpc.decodeEventMeta(nrpc.encodeEventMeta(meta))).toEqual(meta);
      const req = { service: name(255), deadlineNs: u64(), flags: int(0, 0xffff), headers: headers(), body: bytes(int(0, 100)) };
      expect(nrpc.decodeRequest(nrpc.encodeRequest(req))).toEqual(req);
      const res = { status: int(0, 0xffff), headers: headers(), body: bytes(int(0, 100)) };
      expect(nrpc.decodeResponse(nrpc.encodeResponse(res))).toEqual(res);
      const chunk = { callId: u64(), flags: int(0, 0xffff), headers: headers(), body: bytes(int(0, 100)) };
      expect(nrpc.decodeRequestChunk(nrpc.encodeRequestChunk(chunk))).toEqual(chunk);
      const g = { callId: u64(), credits: rng.nextU32() };
      expect(nrpc.decodeRequestGrant(nrpc.encodeRequestGrant(g.callId, g.credits))).toEqual(g);
      expect(nrpc.decodeStreamGrant(nrpc.encodeStreamGrant(g.credits))).toBe(g.credits);
    }
  });
});
