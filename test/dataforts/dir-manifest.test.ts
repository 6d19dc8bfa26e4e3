// The directory manifest codec (dataforts.md §9.1): postcard layout, round trip, typed rejection.
import { describe, expect, it } from 'vitest';
import { DirManifest, type DirEntry } from '../../ts/dataforts/dir-manifest.js';
import { SubstrateError } from '../../ts/errors.js';
import { toHex } from '../../ts/dataforts/hex.js';

const entries: DirEntry[] = [
  { path: 'a', kind: { type: 'dir', mode: 0o40755 } },
  { path: 'a/f', kind: { type: 'file', mode: 0o100644, blob: Uint8Array.from([0xb0, 0xb1]) } },
  { path: 'l', kind: { type: 'symlink', target: '../x' } },
];

describe('DirManifest', () => {
  it('encodes version, entries, then path + kind variant + fields', () => {
    const bytes = DirManifest.encode({ entries });
    // 01 | 03 | "a" 01 ed83 01 | "a/f" 00 a48302 02 b0b1 | "l" 02 "../x"
    expect(toHex(bytes)).toBe('0103' + '016101ed8301' + '03612f6600a4830202b0b1' + '016c02042e2e2f78');
    const back = DirManifest.decode(bytes);
    expect(back.version).toBe(1);
    expect(back.entries).toEqual(entries);
  });

  it('round-trips an empty manifest and other versions (fetchDir, not decode, insists on 1)', () => {
    expect(DirManifest.decode(DirManifest.encode({ entries: [] }))).toEqual({ version: 1, entries: [] });
    expect(DirManifest.decode(DirManifest.encode({ version: 2, entries })).version).toBe(2);
  });

  it('rejects truncation, unknown kinds, count lies and bad UTF-8 as SubstrateError manifest', () => {
    const good = DirManifest.encode({ entries });
    const bad = [good.subarray(0, good.length - 1), Uint8Array.from([1, 1, 1, 0x61, 3, 0]), Uint8Array.from([1, 0x80, 0x80, 0x04]), Uint8Array.from([1, 1, 1, 0xff, 1, 0])];
    for (const b of bad) {
      let err: unknown;
      try {
        DirManifest.decode(b);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SubstrateError);
      expect((err as SubstrateError).kind).toBe('manifest');
      expect((err as Error).message).toMatch(/^transfer: manifest decode: /);
    }
  });
});
