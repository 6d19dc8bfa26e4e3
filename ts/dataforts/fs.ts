// The Node file-system modules, loaded on first use so the browser bundle never imports them
// (Deno and Bun provide node:fs too). Without them, file operations fail with SubstrateError `io`.
import { NetMeshError, SubstrateError } from '../errors.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');
type BufferCtor = typeof import('node:buffer').Buffer;

let loaded: Promise<{ fs: Fs; path: Path; Buffer: BufferCtor }> | undefined;

export function nodeFs(): Promise<{ fs: Fs; path: Path; Buffer: BufferCtor }> {
  loaded ??= Promise.all([import('node:fs/promises'), import('node:path'), import('node:buffer')]).then(
    ([fs, path, buffer]) => ({ fs, path, Buffer: buffer.Buffer }),
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
