// The blob-transfer wire (dataforts.md §5): transfer stream ids, and the request and header codecs
// against Net v0.27.0's golden vectors (net/crates/net/tests/cross_lang_transfer_formats/
// transfer_vectors.json, as quoted in wire.md §19).
import { describe, expect, it } from 'vitest';
import { transferWire } from '../../ts/index.js';
import { SubstrateError } from '../../ts/errors.js';
import { toHex, fromHex } from '../../ts/dataforts/hex.js';

const U64_MAX = (1n << 64n) - 1n;
const hex = (s: string): Uint8Array => fromHex(s)!;

describe('transferWire golden vectors (wire.md §19)', () => {
  it('Request { hash: 00 01 … 1f }', () => {
    const hash = Uint8Array.from({ length: 32 }, (_, i) => i);
    const golden = '00000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
    expect(toHex(transferWire.encodeRequest(hash))).toBe(golden);
    expect([...transferWire.decodeRequest(hex(golden)).hash]).toEqual([...hash]);
  });

  it.each([
    [0n, '0000'],
    [300n, '00ac02'],
    [4194304n, '0080808002'],
    [U64_MAX, '00ffffffffffffffffff01'],
  ])('Found { total_len: %s }', (totalLen, golden) => {
    expect(toHex(transferWire.encodeHeader({ kind: 'found', totalLen }))).toBe(golden);
    expect(transferWire.decodeHeader(hex(golden))).toEqual({ kind: 'found', totalLen });
  });

  it('NotFound', () => {
    expect(toHex(transferWire.encodeHeader({ kind: 'not_found' }))).toBe('01');
    expect(transferWire.decodeHeader(hex('01'))).toEqual({ kind: 'not_found' });
  });
});

describe('transferWire decoding', () => {
  it('ignores bytes after the request hash (as Net v0.27.0 does)', () => {
    const req = Uint8Array.from([0, ...new Array(32).fill(5), 9, 9]);
    expect([...transferWire.decodeRequest(req).hash]).toEqual(new Array(32).fill(5));
  });

  it('rejects truncated, unknown and overflowing input with SubstrateError decode', () => {
    const bad: Uint8Array[] = [
      new Uint8Array(0),
      Uint8Array.from([0, ...new Array(31).fill(1)]), // 31-byte hash
      Uint8Array.from([1, ...new Array(32).fill(1)]), // unknown control variant
    ];
    for (const b of bad) expect(() => transferWire.decodeRequest(b)).toThrow(SubstrateError);
    for (const b of ['', '02', '00', '0080', '00ffffffffffffffffff02', '00ffffffffffffffffffff01']) {
      let err: unknown;
      try {
        transferWire.decodeHeader(hex(b));
      } catch (e) {
        err = e;
      }
      expect(err, b).toBeInstanceOf(SubstrateError);
      expect((err as SubstrateError).code).toBe('BLOB_DECODE');
    }
  });
});

describe('transfer stream ids (wire.md §9)', () => {
  it('bit 61 set, bit 48 clear, low 48 bits the nonce', () => {
    expect(transferWire.transferStreamId(1n)).toBe((1n << 61n) | 1n);
    expect(transferWire.transferStreamId((1n << 48n) + 5n)).toBe((1n << 61n) | 5n);
    expect(transferWire.isTransferStream((1n << 61n) | 77n)).toBe(true);
    expect(transferWire.isTransferStream((1n << 61n) | (1n << 48n))).toBe(false); // a channel id
    expect(transferWire.isTransferStream(U64_MAX)).toBe(false); // the control stream
    expect(transferWire.isTransferStream(0x0b02n)).toBe(false); // a subprotocol pseudo-stream
  });
});
