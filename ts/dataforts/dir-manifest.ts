// The directory manifest (dataforts.md §9.1), postcard: DirManifest{version u8 = 1, entries
// Vec<DirEntry>}; DirEntry{path String, kind}; kind 0 File{mode u32, blob Vec<u8> (an encoded
// BlobRef)}, 1 Dir{mode u32}, 2 Symlink{target String}. Paths are relative and `/`-separated,
// entries sorted by path in byte order; the root has no entry.
import { InvalidArgumentError, SubstrateError } from '../errors.js';
import { DIR_MANIFEST_VERSION } from './constants.js';
import { PostcardError, PostcardReader, PostcardWriter } from './postcard.js';

/** A file (mode and blob hash), a directory (mode) or a symlink (target) in a directory manifest. */
export type EntryKind = { type: 'file'; mode: number; blob: Uint8Array } | { type: 'dir'; mode: number } | { type: 'symlink'; target: string };

/** One entry of a directory manifest: its relative path and what it is (dataforts.md §9.1). */
export interface DirEntry {
  path: string;
  kind: EntryKind;
}

export interface DirManifest {
  version: number;
  entries: DirEntry[];
}

/** What storeDir put in, or fetchDir wrote: files, directories, symlinks, file bytes. */
export interface DirStats {
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
}

function u32(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new InvalidArgumentError(`${name} must be a u32`);
  return v;
}

function encode(m: { version?: number; entries: readonly DirEntry[] }): Uint8Array {
  if (!m || !Array.isArray(m.entries)) throw new InvalidArgumentError('a DirManifest needs an entries array');
  const version = m.version ?? DIR_MANIFEST_VERSION;
  if (!Number.isInteger(version) || version < 0 || version > 255) throw new InvalidArgumentError('version must be a u8');
  const w = new PostcardWriter().u8(version).varint(m.entries.length);
  m.entries.forEach((e, i) => {
    if (typeof e?.path !== 'string') throw new InvalidArgumentError(`entries[${i}].path must be a string`);
    w.string(e.path);
    const k = e.kind;
    if (k?.type === 'file') {
      if (!(k.blob instanceof Uint8Array)) throw new InvalidArgumentError(`entries[${i}].kind.blob must be a Uint8Array (an encoded BlobRef)`);
      w.varint(0).varint(u32(k.mode, `entries[${i}].kind.mode`)).bytes(k.blob);
    } else if (k?.type === 'dir') {
      w.varint(1).varint(u32(k.mode, `entries[${i}].kind.mode`));
    } else if (k?.type === 'symlink') {
      if (typeof k.target !== 'string') throw new InvalidArgumentError(`entries[${i}].kind.target must be a string`);
      w.varint(2).string(k.target);
    } else {
      throw new InvalidArgumentError(`entries[${i}].kind.type must be "file", "dir" or "symlink"`);
    }
  });
  return w.finish();
}

/** Decodes a manifest; malformed bytes → SubstrateError `manifest` ("decode: …"). Trailing bytes are ignored. */
function decode(bytes: Uint8Array): DirManifest {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('DirManifest.decode takes a Uint8Array');
  const r = new PostcardReader(bytes);
  try {
    const version = r.u8('version');
    const count = r.varint('entry count', 64);
    // Every entry takes at least 3 bytes: a count beyond that is a lie, not an allocation.
    if (count > BigInt(r.remaining)) throw new PostcardError(`entry count ${count} exceeds the bytes left`);
    const entries: DirEntry[] = [];
    for (let i = 0; i < Number(count); i++) {
      const path = r.string(`entry ${i} path`);
      const variant = r.varint(`entry ${i} kind`, 32);
      let kind: EntryKind;
      if (variant === 0n) kind = { type: 'file', mode: r.varintNumber(`entry ${i} mode`, 32), blob: r.bytes(`entry ${i} blob`) };
      else if (variant === 1n) kind = { type: 'dir', mode: r.varintNumber(`entry ${i} mode`, 32) };
      else if (variant === 2n) kind = { type: 'symlink', target: r.string(`entry ${i} target`) };
      else throw new PostcardError(`entry ${i} has unknown kind ${variant}`);
      entries.push({ path, kind });
    }
    return { version, entries };
  } catch (e) {
    if (e instanceof PostcardError) throw new SubstrateError('manifest', `manifest decode: ${e.message}`);
    throw e;
  }
}

/** The DirManifest codec (sdk.md: DirManifest.encode / DirManifest.decode). */
export const DirManifest = Object.freeze({ encode, decode, VERSION: DIR_MANIFEST_VERSION });
