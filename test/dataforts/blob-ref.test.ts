// BlobRef (dataforts.md §2): the three variants encode and decode byte for byte, and every
// decoding rule rejects with its typed error; "not a blob ref" is null, not an error.
import { describe, expect, it } from 'vitest';
import { BlobRef } from '../../ts/dataforts/blob-ref.js';
import { PostcardWriter } from '../../ts/dataforts/postcard.js';
import { InvalidArgumentError, SubstrateError } from '../../ts/errors.js';
import { blake3 } from '../../ts/core/blake3.js';

const MiB4 = 4 * 1024 * 1024;
const GiB16 = 16n * 1024n ** 3n;
const MAGIC = [0xb0, 0xb1, 0xb2, 0xb3];
const h = (n: number): Uint8Array => new Uint8Array(32).fill(n);

function expectKind(f: () => unknown, kind: 'decode' | 'unsupported_version'): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SubstrateError);
  expect((err as SubstrateError).kind).toBe(kind);
  expect((err as SubstrateError).code).toBe(kind === 'decode' ? 'BLOB_DECODE' : 'BLOB_UNSUPPORTED_VERSION');
  expect((err as Error).message.startsWith('transfer: ')).toBe(true);
}

/** A postcard Manifest body with arbitrary (possibly invalid) fields. */
function manifestBytes(o: { bodyVersion?: number; uri?: string; encoding?: number[]; chunks: [Uint8Array, number][]; total: bigint; count?: number }): Uint8Array {
  const w = new PostcardWriter().raw(Uint8Array.from(MAGIC)).u8(2).u8(o.bodyVersion ?? 1).string(o.uri ?? 'mesh://x');
  for (const b of o.encoding ?? [0]) w.u8(b);
  w.varint(o.count ?? o.chunks.length);
  for (const [hash, size] of o.chunks) w.raw(hash).varint(size);
  return w.varint(o.total).finish();
}

function treeBytes(o: { bodyVersion?: number; total: bigint; depth: number; pad?: number; hash?: number }): Uint8Array {
  return new PostcardWriter()
    .raw(Uint8Array.from(MAGIC))
    .u8(3)
    .u8(o.bodyVersion ?? 1)
    .string('mesh://t' + 'x'.repeat(o.pad ?? 0))
    .varint(0)
    .raw(h(o.hash ?? 9))
    .varint(o.total)
    .u8(o.depth)
    .finish();
}

const chunks = (n: number, last: number): [Uint8Array, number][] => Array.from({ length: n }, (_, i) => [h(i), i === n - 1 ? last : MiB4]);

describe('BlobRef Small (version 0x01)', () => {
  it('encodes magic, version, hash, size u64 LE, URI to the end; decodes back', () => {
    const ref = BlobRef.small({ hash: h(7), size: 300n, uri: 'mesh://transfer' });
    const bytes = ref.encode();
    expect([...bytes.subarray(0, 5)]).toEqual([...MAGIC, 1]);
    expect([...bytes.subarray(5, 37)]).toEqual([...h(7)]);
    expect([...bytes.subarray(37, 45)]).toEqual([0x2c, 0x01, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(bytes.subarray(45))).toBe('mesh://transfer');
    const back = BlobRef.decode(bytes)!;
    expect(back.kind).toBe('small');
    expect(back.size()).toBe(300n);
    expect(back.uri).toBe('mesh://transfer');
    expect([...back.hash!]).toEqual([...h(7)]);
    expect(back.equals(ref)).toBe(true);
    expect(back.encoding).toEqual({ kind: 'replicated' });
  });

  it('accepts an empty URI and the 16 GiB size limit; verify() checks the bytes', () => {
    const data = new Uint8Array([1, 2, 3]);
    const ref = BlobRef.small({ hash: blake3(data), size: GiB16, uri: '' });
    expect(BlobRef.decode(ref.encode())!.size()).toBe(GiB16);
    expect(ref.encode().length).toBe(45);
    expect(ref.verify(data)).toBe(true);
    expect(ref.verify(new Uint8Array([1, 2]))).toBe(false);
  });

  it('rejects a body under 40 bytes, a size over 16 GiB and a URI that is not UTF-8', () => {
    const good = BlobRef.small({ hash: h(1), size: 5n, uri: 'u' }).encode();
    expectKind(() => BlobRef.decode(good.subarray(0, 44)), 'decode');
    const big = good.slice();
    new DataView(big.buffer).setBigUint64(37, GiB16 + 1n, true);
    expectKind(() => BlobRef.decode(big), 'decode');
    const badUtf8 = Uint8Array.from([...good.subarray(0, 45), 0xc3, 0x28]);
    expectKind(() => BlobRef.decode(badUtf8), 'decode');
  });
});

describe('BlobRef Manifest (version 0x02)', () => {
  it('round-trips, with the postcard layout of §2', () => {
    const ref = BlobRef.manifest({ chunks: [{ hash: h(1), size: MiB4 }, { hash: h(2), size: 300 }], uri: 'mesh://m' });
    expect(ref.size()).toBe(BigInt(MiB4 + 300));
    const bytes = ref.encode();
    expect(bytes).toEqual(manifestBytes({ uri: 'mesh://m', chunks: [[h(1), MiB4], [h(2), 300]], total: BigInt(MiB4 + 300) }));
    // body_version 01, uri length 08 + "mesh://m", encoding 00, count 02, hash, varint(4 MiB) = 80 80 80 02
    expect([...bytes.subarray(5, 8)]).toEqual([1, 8, 0x6d]);
    expect([...bytes.subarray(15, 17)]).toEqual([0, 2]);
    expect([...bytes.subarray(49, 53)]).toEqual([0x80, 0x80, 0x80, 0x02]);
    const back = BlobRef.decode(bytes)!;
    expect(back.kind).toBe('manifest');
    expect(back.chunks!.map((c) => c.size)).toEqual([MiB4, 300]);
    expect(back.equals(ref)).toBe(true);
    expect([...back.leadHash]).toEqual([...h(1)]);
  });

  it('round-trips a Reed-Solomon encoding and ignores bytes after the body', () => {
    const ref = BlobRef.manifest({ chunks: [{ hash: h(3), size: 10 }], uri: 'x', encoding: { kind: 'reed_solomon', k: 4, m: 2 } });
    const bytes = ref.encode();
    expect(BlobRef.decode(bytes)!.encoding).toEqual({ kind: 'reed_solomon', k: 4, m: 2 });
    const trailing = Uint8Array.from([...bytes, 0xde, 0xad]);
    expect(BlobRef.decode(trailing)!.equals(ref)).toBe(true);
  });

  it('rejects each broken rule', () => {
    const ok = { chunks: chunks(2, 5), total: BigInt(MiB4 + 5) };
    expect(BlobRef.decode(manifestBytes(ok))!.kind).toBe('manifest');
    expectKind(() => BlobRef.decode(manifestBytes({ ...ok, bodyVersion: 2 })), 'unsupported_version');
    expectKind(() => BlobRef.decode(manifestBytes({ chunks: [], total: 0n })), 'decode'); // no chunks
    expectKind(() => BlobRef.decode(manifestBytes({ chunks: chunks(8193, MiB4), total: 8193n * BigInt(MiB4) })), 'decode'); // too many
    expectKind(() => BlobRef.decode(manifestBytes({ chunks: [[h(1), MiB4 - 1], [h(2), 5]], total: BigInt(MiB4 + 4) })), 'decode'); // short non-last
    expectKind(() => BlobRef.decode(manifestBytes({ chunks: chunks(2, 0), total: BigInt(MiB4) })), 'decode'); // empty last
    expectKind(() => BlobRef.decode(manifestBytes({ chunks: chunks(2, MiB4 + 1), total: BigInt(2 * MiB4 + 1) })), 'decode'); // oversized last
    expectKind(() => BlobRef.decode(manifestBytes({ ...ok, total: BigInt(MiB4 + 6) })), 'decode'); // sum ≠ total
    expectKind(() => BlobRef.decode(manifestBytes({ chunks: chunks(4097, MiB4), total: 4097n * BigInt(MiB4) })), 'decode'); // > 16 GiB
    expectKind(() => BlobRef.decode(manifestBytes({ ...ok, encoding: [7] })), 'decode'); // unknown encoding
    expectKind(() => BlobRef.decode(manifestBytes(ok).subarray(0, 40)), 'decode'); // truncated
    expectKind(() => BlobRef.decode(manifestBytes({ ...ok, count: 3 })), 'decode'); // count lies
    const huge = new Uint8Array(5 + 8192 + 32 + 8192 * 50 + 1);
    huge.set([...MAGIC, 2, 1]);
    expectKind(() => BlobRef.decode(huge), 'decode'); // body over the pre-parse limit
    const badUri = manifestBytes(ok);
    badUri[7] = 0xff; // first URI byte
    expectKind(() => BlobRef.decode(badUri), 'decode');
  });

  it('refuses to construct what it would refuse to decode', () => {
    expect(() => BlobRef.manifest({ chunks: [{ hash: h(1), size: 5 }, { hash: h(2), size: 5 }], uri: 'x' })).toThrow(InvalidArgumentError);
    expect(() => BlobRef.manifest({ chunks: [], uri: 'x' })).toThrow(InvalidArgumentError);
    expect(() => BlobRef.manifest({ chunks: [{ hash: h(1), size: 5 }], totalSize: 6, uri: 'x' })).toThrow(InvalidArgumentError);
  });
});

describe('BlobRef Tree (version 0x03)', () => {
  it('round-trips', () => {
    const ref = BlobRef.tree({ rootHash: h(4), totalSize: 128n, depth: 2, uri: 'mesh://t' });
    const back = BlobRef.decode(ref.encode())!;
    expect(back.kind).toBe('tree');
    expect(back.size()).toBe(128n);
    expect(back.depth).toBe(2);
    expect([...back.rootHash!]).toEqual([...h(4)]);
    expect(ref.encode()).toEqual(treeBytes({ total: 128n, depth: 2, hash: 4 }));
  });

  it('rejects each broken rule', () => {
    expect(BlobRef.decode(treeBytes({ total: 1n, depth: 1 }))!.kind).toBe('tree');
    expect(BlobRef.decode(treeBytes({ total: 128n ** 3n, depth: 4 }))!.kind).toBe('tree');
    expect(BlobRef.decode(treeBytes({ total: 128n * 1024n ** 5n, depth: 1 }))!.kind).toBe('tree');
    expectKind(() => BlobRef.decode(treeBytes({ bodyVersion: 0, total: 5n, depth: 1 })), 'unsupported_version');
    expectKind(() => BlobRef.decode(treeBytes({ total: 0n, depth: 1 })), 'decode');
    expectKind(() => BlobRef.decode(treeBytes({ total: 128n * 1024n ** 5n + 1n, depth: 1 })), 'decode');
    expectKind(() => BlobRef.decode(treeBytes({ total: 5n, depth: 0 })), 'decode');
    expectKind(() => BlobRef.decode(treeBytes({ total: 128n ** 4n, depth: 5 })), 'decode');
    expectKind(() => BlobRef.decode(treeBytes({ total: 127n, depth: 2 })), 'decode');
    expectKind(() => BlobRef.decode(treeBytes({ total: 128n * 128n - 1n, depth: 3 })), 'decode');
    expectKind(() => BlobRef.decode(treeBytes({ total: 5n, depth: 1, pad: 1020 })), 'decode'); // body > 1024
  });
});

describe('BlobRef framing', () => {
  it('fewer than 4 bytes or no magic is "not a blob ref" (null)', () => {
    expect(BlobRef.decode(new Uint8Array(0))).toBeNull();
    expect(BlobRef.decode(Uint8Array.from([0xb0, 0xb1, 0xb2]))).toBeNull();
    expect(BlobRef.decode(Uint8Array.from([0xb0, 0xb1, 0xb2, 0xb4, 1]))).toBeNull();
    expect(BlobRef.decode(new Uint8Array(64))).toBeNull();
  });

  it('magic without a version byte is a Decode error; unknown versions are UnsupportedVersion', () => {
    expectKind(() => BlobRef.decode(Uint8Array.from(MAGIC)), 'decode');
    for (const v of [0, 4, 0xff]) expectKind(() => BlobRef.decode(Uint8Array.from([...MAGIC, v, 0, 0])), 'unsupported_version');
  });

  it('parse/toString: hex of the encoding, 0x and whitespace tolerated, a bare hash is a Small ref of size 0', () => {
    const ref = BlobRef.manifest({ chunks: [{ hash: h(1), size: MiB4 }, { hash: h(2), size: 1 }], uri: 'mesh://p' });
    const text = ref.toString();
    expect(text).toMatch(/^b0b1b2b302/);
    expect(BlobRef.parse(text).equals(ref)).toBe(true);
    expect(BlobRef.parse(`  0X${text.toUpperCase()}\n`).equals(ref)).toBe(true);
    const hex = 'AB'.repeat(32);
    const bare = BlobRef.parse(`0x${hex}`);
    expect(bare.kind).toBe('small');
    expect(bare.size()).toBe(0n);
    expect(bare.uri).toBe(`mesh://${hex}`);
    expect([...bare.hash!]).toEqual(new Array(32).fill(0xab));
    expect(() => BlobRef.parse('xyz')).toThrow(SubstrateError);
    expect(() => BlobRef.parse('abc')).toThrow(SubstrateError); // odd length
    expect(() => BlobRef.parse('00'.repeat(40))).toThrow(/not a blob ref/);
  });
});
