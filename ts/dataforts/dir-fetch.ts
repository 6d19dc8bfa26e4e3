// fetchDir (dataforts.md §9.3): fetch and decode the manifest, build the tree in a sibling temp dir
// (validated paths and directories first, then files within the concurrency limit and the byte
// budget, then symlinks so no write can traverse one), and install it with renames: `dest` ends
// as exactly the new tree or as it was. The first error cancels the leaves still in flight.
import { InvalidArgumentError, SubstrateError } from '../errors.js';
import { BlobRef } from './blob-ref.js';
import { fetchChunks, writeAll, type FetchOptions } from './blob-fetch.js';
import { BLOB_CHUNK_SIZE, DEFAULT_FETCH_CONCURRENCY, DEFAULT_INFLIGHT_BUDGET, DIR_MANIFEST_VERSION, MAX_DIR_MANIFEST_BYTES } from './constants.js';
import { DirManifest, type DirStats } from './dir-manifest.js';
import { errnoCode, ioError, nodeFs, randomHex16, type NodeFs } from './fs.js';
import { onAbort } from './abort.js';
import { discoverySource, namedSource, type ChunkSource, type SourceContext } from './sources.js';

/** Options of `node.blobs.fetchDir`: the holder, concurrency, in-flight byte budget, progress and cancellation. */
export interface FetchDirOptions {
  /** The holder of every chunk (a direct peer); absent = discovery, preferring the manifest's holder. */
  from?: bigint;
  /** Leaf files in flight (0 or absent → 16). */
  concurrency?: number;
  signal?: AbortSignal;
  /** File bytes written so far and the tree's total. */
  onProgress?: (done: number, total?: number) => void;
}

type Fs = Awaited<ReturnType<typeof nodeFs>>['fs'];
type Path = Awaited<ReturnType<typeof nodeFs>>['path'];

const isWindows = (globalThis as { process?: { platform?: string } }).process?.platform === 'win32';
const MAX_TEMP_ATTEMPTS = 8;

let umask: number | undefined;
/** The process umask (read once); all bits when it cannot be read, so every mode is applied. */
function processUmask(): number {
  if (umask === undefined) {
    try {
      const u = (globalThis as { process?: { umask?: () => number } }).process?.umask?.();
      umask = typeof u === 'number' ? u : 0o7777;
    } catch {
      umask = 0o7777;
    }
  }
  return umask;
}

function unsafe(path: string, why: string): SubstrateError {
  return new SubstrateError('unsafe_path', `unsafe path ${JSON.stringify(path)} in manifest: ${why}`);
}

/** Safe-join: the components of a manifest path, each a plain name; anything else → UnsafePath. */
export function safeComponents(path: string): string[] {
  if (path === '') throw unsafe(path, 'empty path');
  if (path.startsWith('/') || (isWindows && /^[A-Za-z]:|^\\/.test(path))) throw unsafe(path, 'absolute path');
  const parts = path.split('/');
  for (const c of parts) {
    if (c === '') throw unsafe(path, 'empty component');
    if (c === '.' || c === '..') throw unsafe(path, `"${c}" component`);
    if (c.includes('\0')) throw unsafe(path, 'NUL byte');
    if (isWindows && (/[\\:]/.test(c) || /^[A-Za-z]:/.test(c))) throw unsafe(path, 'drive prefix or separator');
  }
  return parts;
}

interface Leaf {
  rel: string;
  ref: BlobRef;
  mode: number;
  size: number;
}

interface Plan {
  dirs: string[];
  files: Leaf[];
  links: { rel: string; target: string }[];
}

/** Pass 1's checks, before anything touches the disk: paths, duplicates, leaf refs. */
function plan(entries: DirManifest['entries']): Plan {
  const seen = new Set<string>();
  const dirs = new Set<string>();
  const out: Plan = { dirs: [], files: [], links: [] };
  const addParents = (parts: string[]): void => {
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  };
  for (const e of entries) {
    const parts = safeComponents(e.path);
    if (seen.has(e.path)) throw new SubstrateError('manifest', `manifest lists ${JSON.stringify(e.path)} twice`);
    seen.add(e.path);
    const k = e.kind;
    if (k.type === 'dir') {
      dirs.add(e.path);
      addParents(parts);
    } else if (k.type === 'symlink') {
      addParents(parts);
      out.links.push({ rel: e.path, target: k.target });
    } else {
      addParents(parts);
      let ref: BlobRef | null;
      try {
        ref = BlobRef.decode(k.blob);
      } catch (err) {
        throw new SubstrateError('manifest', `entry ${JSON.stringify(e.path)}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!ref || ref.kind === 'tree') throw new SubstrateError('manifest', `entry ${JSON.stringify(e.path)} does not hold a transferable blob ref`);
      const size = Number(ref.size());
      out.files.push({ rel: e.path, ref, mode: k.mode, size });
    }
  }
  // Parents before children: sorting by path puts "a" before "a/b".
  out.dirs = [...dirs].sort();
  return out;
}

/** `<parent>/.<basename>.fetch_<16 hex>`, created fresh (retried on collision). */
async function makeTemp(fs: Fs, path: Path, dest: string): Promise<{ temp: string; parent: string; base: string }> {
  const base = path.basename(dest);
  if (base === '' || base === '.' || base === '..') throw new SubstrateError('unsafe_path', `destination ${JSON.stringify(dest)} has no final name component`);
  const parent = path.dirname(dest);
  await fs.mkdir(parent, { recursive: true });
  for (let i = 0; ; i++) {
    const temp = path.join(parent, `.${base}.fetch_${randomHex16()}`);
    try {
      await fs.mkdir(temp);
      return { temp, parent, base };
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST' || i + 1 >= MAX_TEMP_ATTEMPTS) throw e;
    }
  }
}

/** Writes one leaf file (Small: fetched then written; Manifest: streamed chunk by chunk). */
async function writeLeaf(ctx: SourceContext, nfs: NodeFs, source: ChunkSource, leaf: Leaf, file: string, signal: AbortSignal): Promise<number> {
  const fs = nfs.fs;
  let written = 0;
  const perm = leaf.mode & 0o7777;
  // Created with its permission bits; chmod afterwards only if the umask could have cleared some.
  const createMode = perm === 0 || isWindows ? 0o666 : perm;
  if (leaf.ref.kind === 'small') {
    const bytes = await source.chunk(leaf.ref.hash!, { signal });
    await nfs.writeWhole(file, bytes, { flag: 'wx', mode: createMode });
    written = bytes.length;
  } else {
    const fh = await fs.open(file, 'wx', createMode);
    try {
      for await (const c of fetchChunks(ctx, leaf.ref, { signal }, source)) {
        await writeAll(fh, c);
        written += c.length;
      }
    } finally {
      await fh.close();
    }
  }
  if (leaf.mode !== 0 && !isWindows && (perm & processUmask()) !== 0) await fs.chmod(file, perm);
  return written;
}

/** Runs the file writes: at most `concurrency` at once and within the byte budget; first error wins. */
async function writeFiles(files: Leaf[], concurrency: number, write: (leaf: Leaf) => Promise<void>, abort: AbortController): Promise<void> {
  let used = 0;
  let active = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const running = new Set<Promise<void>>();
  for (const leaf of files) {
    const reserve = Math.max(1, Math.min(leaf.size, BLOB_CHUNK_SIZE, DEFAULT_INFLIGHT_BUDGET));
    while (failure === undefined && (active >= concurrency || used + reserve > DEFAULT_INFLIGHT_BUDGET)) await new Promise<void>((r) => (wake = r));
    if (failure !== undefined) break;
    used += reserve;
    active++;
    const p = write(leaf)
      .catch((e: unknown) => {
        if (failure === undefined) {
          failure = e;
          abort.abort(e); // cancel the leaves still in flight
        }
      })
      .finally(() => {
        used -= reserve;
        active--;
        running.delete(p);
        const w = wake;
        wake = undefined;
        w?.();
      });
    running.add(p);
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure;
}

/** Moves `temp` into place as `dest` (dataforts.md §9.3 step 5). */
async function install(fs: Fs, path: Path, temp: string, dest: string, parent: string, base: string): Promise<void> {
  let exists = true;
  try {
    await fs.lstat(dest);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
    exists = false;
  }
  if (!exists) {
    await fs.rename(temp, dest);
    return;
  }
  const backup = path.join(parent, `.${base}.replaced_${randomHex16()}`);
  await fs.rename(dest, backup);
  try {
    await fs.rename(temp, dest);
  } catch (e) {
    await fs.rename(backup, dest);
    throw e;
  }
  await fs.rm(backup, { recursive: true, force: true });
}

export function checkFetchDirOptions(opts: unknown): FetchDirOptions {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null) throw new InvalidArgumentError('options must be an object');
  const o = opts as FetchDirOptions;
  if (o.concurrency !== undefined && (!Number.isInteger(o.concurrency) || o.concurrency < 0 || o.concurrency > 4096)) {
    throw new InvalidArgumentError(`concurrency must be an integer in 0..4096, got ${String(o.concurrency)}`);
  }
  return o;
}

export async function fetchDir(ctx: SourceContext, rootRef: BlobRef, dest: string, opts: FetchDirOptions = {}): Promise<DirStats> {
  if (typeof dest !== 'string' || dest === '') throw new InvalidArgumentError('dest must be a non-empty path');
  if (rootRef.size() > BigInt(MAX_DIR_MANIFEST_BYTES)) throw new SubstrateError('manifest', `manifest of ${rootRef.size()} bytes exceeds ${MAX_DIR_MANIFEST_BYTES}`);
  const nfs = await nodeFs();
  const { fs, path } = nfs;
  const concurrency = opts.concurrency || DEFAULT_FETCH_CONCURRENCY;

  // 1. The manifest, all of it, then decoded and checked before anything is created.
  const rootSource = opts.from === undefined ? discoverySource(ctx, rootRef.leadHash) : namedSource(ctx, opts.from);
  const manifestOpts: FetchOptions = { signal: opts.signal };
  const parts: Uint8Array[] = [];
  for await (const c of fetchChunks(ctx, rootRef, manifestOpts, rootSource)) parts.push(c);
  const manifestBytes = parts.length === 1 ? parts[0]! : concat(parts);
  const manifest = DirManifest.decode(manifestBytes);
  if (manifest.version !== DIR_MANIFEST_VERSION) throw new SubstrateError('manifest', `manifest version ${manifest.version} is not ${DIR_MANIFEST_VERSION}`);
  const p = plan(manifest.entries);
  const preferred = 'winner' in rootSource ? (rootSource as { winner: bigint | undefined }).winner : undefined;
  const leafSource = (leaf: Leaf): ChunkSource =>
    opts.from === undefined ? discoverySource(ctx, leaf.ref.leadHash, preferred) : rootSource;

  // 2. The sibling temp dir.
  let made: { temp: string; parent: string; base: string };
  try {
    made = await makeTemp(fs, path, dest);
  } catch (e) {
    throw ioError(`preparing ${dest}`, e);
  }
  const { temp, parent, base } = made;
  const stats: DirStats = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const abort = new AbortController();
  const outer = opts.signal;
  const unlink = outer ? onAbort(outer, () => abort.abort(outer.reason)) : undefined;
  try {
    // 3. Pass 1: directories (parents first). Pass 2: files. Pass 3: symlinks, failures tolerated.
    for (const d of p.dirs) {
      await fs.mkdir(path.join(temp, ...d.split('/')));
      stats.dirs++;
    }
    const total = p.files.reduce((s, f) => s + f.size, 0);
    await writeFiles(
      p.files,
      concurrency,
      async (leaf) => {
        if (abort.signal.aborted) throw new SubstrateError('cancelled', 'fetchDir was cancelled', { cause: abort.signal.reason });
        const n = await writeLeaf(ctx, nfs, leafSource(leaf), leaf, path.join(temp, ...leaf.rel.split('/')), abort.signal);
        stats.files++;
        stats.bytes += n;
        opts.onProgress?.(stats.bytes, total);
      },
      abort,
    );
    for (const l of p.links) {
      try {
        await fs.symlink(l.target, path.join(temp, ...l.rel.split('/')));
        stats.symlinks++;
      } catch {
        // tolerated (dataforts.md §9.3 pass 3): e.g. the path is already a directory
      }
    }
    // 5. Install.
    await install(fs, path, temp, dest, parent, base);
    return stats;
  } catch (e) {
    // 4. Any error: remove the temp tree; dest is untouched.
    await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw ioError(`fetchDir into ${dest}`, e);
  } finally {
    unlink?.();
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
