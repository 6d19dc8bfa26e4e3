// The Node file-system modules, loaded on first use so the browser bundle never imports them
// (Deno and Bun provide node:fs too). Without them, file operations fail with SubstrateError `io`.
import { NetMeshError, SubstrateError } from '../errors.js';

type Fs = typeof import('node:fs/promises');
type CallbackFs = typeof import('node:fs');
type Path = typeof import('node:path');
type BufferCtor = typeof import('node:buffer').Buffer;

export interface NodeFs {
  fs: Fs;
  path: Path;
  Buffer: BufferCtor;
  /** Whole small files through the callback API: no FileHandle objects, measurably cheaper per file. */
  readWhole(path: string | Uint8Array): Promise<Uint8Array>;
  writeWhole(path: string, data: Uint8Array, opts: { flag: string; mode: number }): Promise<void>;
}

let loaded: Promise<NodeFs> | undefined;

function wrap(cbfs: CallbackFs): Pick<NodeFs, 'readWhole' | 'writeWhole'> {
  return {
    readWhole: (path) =>
      new Promise((resolve, reject) => cbfs.readFile(path as string, (err, b) => (err ? reject(err) : resolve(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))))),
    writeWhole: (path, data, opts) => new Promise((resolve, reject) => cbfs.writeFile(path, data, opts, (err) => (err ? reject(err) : resolve()))),
  };
}

export function nodeFs(): Promise<NodeFs> {
  loaded ??= Promise.all([import('node:fs/promises'), import('node:path'), import('node:buffer'), import('node:fs')]).then(
    ([fs, path, buffer, cbfs]) => ({ fs, path, Buffer: buffer.Buffer, ...wrap(cbfs) }),
    (e: unknown) => {
      loaded = undefined;
      throw new SubstrateError('io', 'this runtime has no file system (node:fs); use the in-memory store', { cause: e });
    },
  );
  return loaded;
}

/** The errno code of a file-system error ("ENOENT", ...), if any. */
export function errnoCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** Wraps a file-system failure as SubstrateError `io` (the library's typed errors pass through). */
export function ioError(what: string, e: unknown): Error {
  if (e instanceof NetMeshError) return e;
  return new SubstrateError('io', `${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** 16 random hex digits (temp-name suffixes). */
export function randomHex16(): string {
  const b = new Uint8Array(8);
  globalThis.crypto.getRandomValues(b);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
