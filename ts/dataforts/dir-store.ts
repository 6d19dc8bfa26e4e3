// storeDir (dataforts.md §9.2): walk a directory with lstat semantics, sort by relative path,
// record symlinks (target verbatim, never followed), directories (mode) and regular files (chunked,
// stored, ref with URI mesh://<hex BLAKE3(file)>); skip devices, sockets and FIFOs; then encode the
// manifest, store it like any blob and return its ref. Names are read as raw bytes, so a file whose
// name is not UTF-8 is still read; the manifest carries its lossy UTF-8 form (U+FFFD).
import { InvalidArgumentError, SubstrateError } from '../errors.js';
import type { BlobRef } from './blob-ref.js';
import { putChunks, type ChunkStore } from './chunk-store.js';
import { chunkPayloadAsync, storeBlobReader } from './chunking.js';
import { BLOB_CHUNK_SIZE } from './constants.js';
import { DirManifest, type DirEntry } from './dir-manifest.js';
import { ioError, nodeFs, type NodeFs } from './fs.js';
import { compareUtf8 } from '../fold/byte-order.js';

const lossy = new TextDecoder('utf-8');
/** Files read and stored at once. */
const STORE_CONCURRENCY = 16;
const READ_PIECE = 1 << 20;
const isWindows = (globalThis as { process?: { platform?: string } }).process?.platform === 'win32';

type Fs = Awaited<ReturnType<typeof nodeFs>>['fs'];
type BufferCtor = Awaited<ReturnType<typeof nodeFs>>['Buffer'];

interface Found {
  path: string;
  abs: Buffer;
  kind: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
}

async function walk(fs: Fs, Buffer: BufferCtor, root: Buffer, sep: string): Promise<Found[]> {
  const out: Found[] = [];
  const pending: { abs: Buffer; rel: string }[] = [{ abs: root, rel: '' }];
  while (pending.length) {
    const dir = pending.pop()!;
    const names = await fs.readdir(dir.abs, { encoding: 'buffer' });
    for (const name of names) {
      const abs = Buffer.concat([dir.abs, Buffer.from(sep), name]);
      const rel = dir.rel === '' ? lossy.decode(name) : `${dir.rel}/${lossy.decode(name)}`;
      const st = await fs.lstat(abs);
      const mode = isWindows ? 0 : st.mode;
      if (st.isSymbolicLink()) out.push({ path: rel, abs, kind: 'symlink', mode, size: 0 });
      else if (st.isDirectory()) {
        out.push({ path: rel, abs, kind: 'dir', mode, size: 0 });
        pending.push({ abs, rel });
      } else if (st.isFile()) out.push({ path: rel, abs, kind: 'file', mode, size: st.size });
      // devices, sockets and FIFOs are skipped
    }
  }
  return out.sort((a, b) => compareUtf8(a.path, b.path));
}

async function* fileWindows(fs: Fs, abs: Buffer): AsyncGenerator<Uint8Array> {
  const fh = await fs.open(abs, 'r');
  try {
    for (;;) {
      const buf = new Uint8Array(READ_PIECE);
      const { bytesRead } = await fh.read(buf, 0, READ_PIECE, null);
      if (bytesRead === 0) return;
      yield bytesRead === READ_PIECE ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

async function storeFile(nfs: NodeFs, store: ChunkStore, f: Found): Promise<BlobRef> {
  const fs = nfs.fs;
  if (f.size <= BLOB_CHUNK_SIZE) {
    // Small enough to read at once; a file that grew since lstat still chunks correctly.
    const bytes = await nfs.readWhole(f.abs);
    const { ref, chunks } = await chunkPayloadAsync(bytes, { contentUri: true });
    await putChunks(store, ref, chunks);
    return ref;
  }
  return storeBlobReader(fileWindows(fs, f.abs), { contentUri: true, store });
}

/** Stores the tree under `root` in `store`; returns the root manifest's ref. */
export async function storeDir(store: ChunkStore, root: string): Promise<BlobRef> {
  if (typeof root !== 'string' || root === '') throw new InvalidArgumentError('root must be a non-empty path');
  const nfs = await nodeFs();
  const { fs, path, Buffer } = nfs;
  try {
    const st = await fs.stat(root);
    if (!st.isDirectory()) throw new InvalidArgumentError(`${root} is not a directory`);
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e;
    throw ioError(`reading ${root}`, e);
  }
  try {
    const found = await walk(fs, Buffer, Buffer.from(path.resolve(root)), path.sep);
    const entries: DirEntry[] = new Array(found.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < found.length) {
        const i = next++;
        const f = found[i]!;
        if (f.kind === 'dir') entries[i] = { path: f.path, kind: { type: 'dir', mode: f.mode } };
        else if (f.kind === 'symlink') entries[i] = { path: f.path, kind: { type: 'symlink', target: lossy.decode(await fs.readlink(f.abs, { encoding: 'buffer' })) } };
        else entries[i] = { path: f.path, kind: { type: 'file', mode: f.mode, blob: (await storeFile(nfs, store, f)).encode() } };
      }
    };
    await Promise.all(Array.from({ length: Math.min(STORE_CONCURRENCY, found.length) }, worker));
    const manifest = DirManifest.encode({ entries });
    const { ref, chunks } = await chunkPayloadAsync(manifest, { contentUri: true });
    await putChunks(store, ref, chunks);
    return ref;
  } catch (e) {
    if (e instanceof SubstrateError || e instanceof InvalidArgumentError) throw e;
    throw ioError(`storing ${root}`, e);
  }
}
