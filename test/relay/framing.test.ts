import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../../ts/errors.js';
import {
  decodeFrame,
  encodeFrame,
  encodePrefix,
  encodeRecord,
  MAX_RELAY_FRAME_BYTES,
  prefixCache,
  RecordReader,
  RELAY_FRAME_MALFORMED,
} from '../../ts/relay/framing.js';
import { parseIpAddress } from '../../ts/transports/address.js';
import { Xoshiro128 } from '../../ts/transports/prng.js';

const prefix = (a: string): Uint8Array => encodePrefix(parseIpAddress(a));

function expectMalformed(fn: () => unknown, text: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedPacketError);
    expect((err as MalformedPacketError).code).toBe(RELAY_FRAME_MALFORMED);
    expect((err as Error).message).toContain(text);
    return;
  }
  throw new Error('expected a MalformedPacketError');
}

describe('relay frame prefix', () => {
  it('lays out family, address and little-endian port as sdk.md fixes them', () => {
    expect([...prefix('192.0.2.7:4660')]).toEqual([4, 192, 0, 2, 7, 0x34, 0x12]);
    const v6 = prefix('[2001:db8::1]:443');
    expect(v6.length).toBe(19);
    expect([...v6.subarray(0, 3)]).toEqual([6, 0x20, 0x01]);
    expect([...v6.subarray(15, 19)]).toEqual([0, 1, 0xbb, 0x01]);
  });

  it('round-trips IPv4 and IPv6 addresses with their packets', () => {
    const packet = Uint8Array.from({ length: 100 }, (_, i) => i);
    for (const address of ['127.0.0.1:9000', '255.255.255.254:65535', '[::1]:1', '[2001:db8:0:1::a]:8080', '[fe80::1:2]:0']) {
      const f = decodeFrame(encodeFrame(prefix(address), packet));
      expect(f.address).toBe(address);
      expect([...f.packet]).toEqual([...packet]);
    }
  });

  it('writes an IPv4-mapped IPv6 source as plain IPv4, like the UDP adapters', () => {
    expect(decodeFrame(encodeFrame(prefix('[::ffff:10.1.2.3]:53'), Uint8Array.of(1))).address).toBe('10.1.2.3:53');
  });

  it('refuses a zoned IPv6 address (the prefix has no room for it)', () => {
    expect(() => prefix('[fe80::1%eth0]:9000')).toThrow(/zoned IPv6/);
  });

  it('rejects unknown families, short prefixes and oversized packets with a typed error', () => {
    expectMalformed(() => decodeFrame(new Uint8Array(0)), 'empty frame');
    expectMalformed(() => decodeFrame(Uint8Array.of(5, 1, 2, 3, 4, 0, 0, 9)), 'unknown address family 5');
    expectMalformed(() => decodeFrame(Uint8Array.of(4, 127, 0, 0, 1, 0)), 'shorter than its IPv4 prefix');
    expectMalformed(() => decodeFrame(new Uint8Array(18).fill(0).map((_, i) => (i === 0 ? 6 : 0))), 'shorter than its IPv6 prefix');
    expect(decodeFrame(encodeFrame(prefix('1.2.3.4:5'), new Uint8Array(8210))).packet.length).toBe(8210);
    expectMalformed(() => decodeFrame(encodeFrame(prefix('1.2.3.4:5'), new Uint8Array(8211))), 'exceeds 8210');
  });

  it('decodes a bind frame (prefix, no packet) as an empty packet', () => {
    const f = decodeFrame(prefix('0.0.0.0:0'));
    expect(f.address).toBe('0.0.0.0:0');
    expect(f.packet.length).toBe(0);
  });
});

describe('prefixCache', () => {
  it('memoises prefixes and remembers bad addresses as their error', () => {
    const checked: string[] = [];
    const cache = prefixCache((a) => void checked.push(a.host));
    const a = cache.get('10.0.0.1:7');
    expect(a).toBeInstanceOf(Uint8Array);
    expect(cache.get('10.0.0.1:7')).toBe(a);
    expect(checked).toEqual(['10.0.0.1']);
    expect(cache.get('example.org:7')).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('turns a check failure into the cached InvalidArgumentError', async () => {
    const { udpSendHost } = await import('../../ts/transports/udp-destination.js');
    const cache = prefixCache((a) => void udpSendHost(a, 4));
    expect(cache.get('[::1]:9')).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(cache.get('10.0.0.1:0')).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('RecordReader', () => {
  const records = (n: number, seed: number): Uint8Array[] => {
    const g = new Xoshiro128(seed);
    return Array.from({ length: n }, (_, i) => {
      const packet = new Uint8Array(g.int(1, 8210));
      packet[0] = i & 0xff;
      for (let j = 1; j < packet.length; j += 97) packet[j] = g.nextU32() & 0xff;
      return encodeRecord(prefix(`10.0.${i & 0xff}.1:${1000 + i}`), packet);
    });
  };
  const joined = (parts: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  };

  it('reassembles records from arbitrary chunk boundaries', () => {
    const recs = records(200, 1);
    const stream = joined(recs);
    for (const seed of [2, 3, 4]) {
      const g = new Xoshiro128(seed);
      const reader = new RecordReader();
      const got: Uint8Array[] = [];
      for (let off = 0; off < stream.length; ) {
        // Chunks from 1 byte (splitting the length field) to several records long.
        const n = Math.min(stream.length - off, g.int(0, 3) === 0 ? g.int(1, 6) : g.int(1, 20_000));
        got.push(...reader.push(stream.subarray(off, off + n)).map((f) => f.slice()));
        off += n;
      }
      expect(reader.pendingBytes).toBe(0);
      expect(got.length).toBe(recs.length);
      // Buffer.equals: vitest's deep equality is slow on thousands of 8 KiB arrays.
      const bad = got.findIndex((g, i) => !Buffer.from(g).equals(recs[i]!.subarray(4)));
      expect(bad).toBe(-1);
    }
  });

  it('returns whole records from one chunk without copying', () => {
    const recs = records(3, 9);
    const chunk = joined(recs);
    const got = new RecordReader().push(chunk);
    expect(got.length).toBe(3);
    expect(got[1]!.buffer).toBe(chunk.buffer);
  });

  it('rejects a zero or oversized length and stays failed (no resynchronisation)', () => {
    const r = new RecordReader();
    expectMalformed(() => r.push(Uint8Array.of(0, 0, 0, 0)), 'zero-length record');
    expectMalformed(() => r.push(encodeRecord(prefix('1.2.3.4:5'), Uint8Array.of(1))), 'stream already failed');
    const big = new Uint8Array(4);
    new DataView(big.buffer).setUint32(0, MAX_RELAY_FRAME_BYTES + 1, true);
    expectMalformed(() => new RecordReader().push(big), `record of ${MAX_RELAY_FRAME_BYTES + 1} bytes exceeds`);
    // The length check happens when the 4 length bytes are in, before any body is buffered.
    const split = new RecordReader();
    expect(split.push(big.subarray(0, 2))).toEqual([]);
    expectMalformed(() => split.push(big.subarray(2)), 'exceeds');
  });

  it('holds at most one unfinished record', () => {
    const r = new RecordReader();
    const rec = encodeRecord(prefix('1.2.3.4:5'), new Uint8Array(8000));
    expect(r.push(rec.subarray(0, 5000))).toEqual([]);
    expect(r.pendingBytes).toBe(5000);
    expect(r.push(rec.subarray(5000)).length).toBe(1);
    expect(r.pendingBytes).toBe(0);
  });
});
