// PENDING (renamed to .test.ts when the dataforts codecs land): Net v0.27's transfer and BlobRef
// vectors (ai-2070/net, test/vectors/net-v0.27/README.md) through `transferWire` and `BlobRef`
// (sdk.md "Dataforts", dataforts.md §2 and §5, wire.md §19).
import { describe, expect, it } from 'vitest';
import { BlobRef, transferWire } from '../../ts/index.js';
import { hex, loadFixture, unhex } from './net-v0.27-fixtures.js';

describe('cross_lang_transfer_formats/transfer_vectors.json (postcard)', () => {
  const v = loadFixture('cross_lang_transfer_formats/transfer_vectors.json');

  it('has the cases this test runs', () => {
    expect(v.transfer_control).toHaveLength(3);
    expect(v.transfer_header).toHaveLength(6);
  });

  for (const c of v.transfer_control) {
    it(`Request: ${c.name}`, () => {
      const hash = unhex(c.fields.hash);
      expect(hex(transferWire.encodeRequest(hash))).toBe(c.postcard_hex);
      expect(transferWire.decodeRequest(unhex(c.postcard_hex))).toEqual({ hash });
    });
  }

  for (const c of v.transfer_header) {
    it(`TransferHeader: ${c.name}`, () => {
      // total_len is read exactly: u64::MAX does not survive a JS number.
      const h = c.fields.kind === 'found' ? { kind: 'found', totalLen: BigInt(c.fields.total_len) } : { kind: 'not_found' };
      expect(hex(transferWire.encodeHeader(h as never))).toBe(c.postcard_hex);
      expect(transferWire.decodeHeader(unhex(c.postcard_hex))).toEqual(h);
    });
  }

  it('u64::MAX is carried exactly', () => {
    const max = v.transfer_header.find((c: { name: string }) => c.name === 'found_u64_max');
    expect(BigInt(max.fields.total_len)).toBe(0xffff_ffff_ffff_ffffn);
  });
});

describe('cross_lang_blob/describe_vectors.json (BlobRef, dataforts.md §2)', () => {
  const v = loadFixture('cross_lang_blob/describe_vectors.json');

  it('has the cases this test runs', () => {
    expect(v.vectors.map((c: { name: string }) => c.name)).toEqual(['small', 'small_unicode_uri', 'tree_replicated', 'tree_reed_solomon_4_2']);
  });

  for (const c of v.vectors) {
    it(`${c.name}: decodes to the expected fields and re-encodes to the same bytes`, () => {
      const bytes = unhex(c.encoded_hex);
      const e = c.expected;
      const ref = BlobRef.decode(bytes)!;
      expect(ref).not.toBeNull();
      expect(bytes[4]).toBe(e.version);
      expect(ref.kind).toBe(e.is_tree ? 'tree' : e.is_chunked ? 'manifest' : 'small');
      expect(ref.uri).toBe(e.uri);
      expect(ref.size()).toBe(BigInt(e.size));
      if (e.is_tree) {
        expect(hex(ref.rootHash!)).toBe(e.tree_root_hash);
        expect(ref.depth).toBe(e.tree_depth);
      } else {
        expect(hex(ref.hash!)).toBe(e.hash);
      }
      if (e.is_chunked) expect(ref.encoding).toEqual(e.encoding);
      expect(hex(ref.encode())).toBe(c.encoded_hex);
    });
  }
});
