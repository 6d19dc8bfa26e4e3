// Shared helpers for the dataforts hub tests: nodes on a seeded hub (closed after each test), temp
// directories under os.tmpdir() (removed after the file), deterministic bytes, and a recursive
// tree comparison (kinds, bytes, file modes, symlink targets).
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import type { MeshNode, MeshNodeOptions } from '../../ts/node/mesh-node.js';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import { connectPair, hubNodes } from '../node/helpers.js';
import { blake3 } from '../../ts/core/blake3.js';
import { toHex } from '../../ts/dataforts/hex.js';
import { MemoryChunkStore } from '../../ts/dataforts/memory-store.js';

/** Registers cleanup; `make(n, seed, opts)` builds n nodes on a fresh hub, node 0 connected to every other. */
export function hubMesh(): (n: number, seed: number, opts?: Partial<MeshNodeOptions> | ((i: number) => Partial<MeshNodeOptions>)) => Promise<{ hub: MemoryHub; nodes: MeshNode[] }> {
  let nodes: MeshNode[] = [];
  let hubs: MemoryHub[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await Promise.all(hubs.map((h) => h.close()));
    nodes = [];
    hubs = [];
  });
  return async (n, seed, opts = {}) => {
    const hub = new MemoryHub({ seed });
    hubs.push(hub);
    const made: MeshNode[] = [];
    for (let i = 0; i < n; i++) {
      const o = typeof opts === 'function' ? opts(i) : opts;
      made.push(...(await hubNodes(1, hub, { bind: `10.0.0.${i + 1}:7000`, ...o })));
    }
    nodes.push(...made);
    for (let i = 1; i < n; i++) await connectPair(made[0]!, made[i]!);
    return { hub, nodes: made };
  };
}

/** A fresh temp directory per call, all removed after the test file. */
export function tempDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const d = await mkdtemp(join(tmpdir(), 'nm-dataforts-'));
    dirs.push(d);
    return d;
  };
}

/** Deterministic pseudo-random bytes (xorshift32), different per seed. */
export function patternBytes(len: number, seed: number): Uint8Array {
  const out = new Uint8Array(len);
  const words = new Uint32Array(out.buffer, 0, len >>> 2);
  let x = (seed * 0x9e3779b1) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let i = words.length * 4; i < len; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** Every entry under `root` as "path kind detail", sorted: file → size, mode and a content digest; symlink → target. */
export async function describeTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const abs = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(abs);
      if (st.isSymbolicLink()) out.push(`${r} link ${await readlink(abs)}`);
      else if (st.isDirectory()) {
        out.push(`${r} dir`);
        await walk(abs, r);
      } else {
        const b = await readFile(abs);
        out.push(`${r} file ${b.length} ${(st.mode & 0o7777).toString(8)} ${toHex(blake3(b)).slice(0, 16)}`);
      }
    }
  };
  await walk(root, '');
  return out;
}

/** Entries of `dir` whose names start with `.<base>.fetch_` or `.<base>.replaced_` (leftover temp dirs). */
export async function leftovers(dir: string, base: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith(`.${base}.fetch_`) || n.startsWith(`.${base}.replaced_`));
}

/** The error `p` rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** A chunk store whose reads wait until `open()`: a holder on it stalls before its reply header. */
export class GatedStore extends MemoryChunkStore {
  private release!: () => void;
  private readonly gate = new Promise<void>((r) => (this.release = r));
  open(): void {
    this.release();
  }
  override async read(hash: Uint8Array): Promise<Uint8Array | undefined> {
    await this.gate;
    return super.read(hash);
  }
}
