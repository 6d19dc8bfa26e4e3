// Directories between nodes on a seeded memory hub (dataforts.md §9): a tree with nested folders,
// empty files, an empty folder, a large file and symlinks lands identically; replacing an existing
// destination leaves exactly the new tree; a failing leaf or an unsafe manifest leaves the
// destination untouched and no temp directory behind.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlobRef } from '../../ts/dataforts/blob-ref.js';
import { DirManifest } from '../../ts/dataforts/dir-manifest.js';
import { chunkPayload } from '../../ts/dataforts/chunking.js';
import { storeDir } from '../../ts/dataforts/dir-store.js';
import { MemoryChunkStore } from '../../ts/dataforts/memory-store.js';
import { NotFoundError, SubstrateError } from '../../ts/errors.js';
import { describeTree, hubMesh, leftovers, patternBytes, tempDirs, rejection } from './helpers.js';

const MiB = 1024 * 1024;
const mesh = hubMesh();
const tempDir = tempDirs();

async function makeTree(root: string): Promise<void> {
  await mkdir(join(root, 'a', 'b', 'c'), { recursive: true });
  await mkdir(join(root, 'empty-folder'));
  await writeFile(join(root, 'a', 'b', 'c', 'deep.txt'), 'deep inside\n');
  await writeFile(join(root, 'a', 'empty.txt'), '');
  await writeFile(join(root, 'empty-too'), '');
  await writeFile(join(root, 'big.bin'), patternBytes(4 * MiB + 3, 21));
  await writeFile(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  await chmod(join(root, 'run.sh'), 0o750);
  for (let i = 0; i < 30; i++) await writeFile(join(root, 'a', `f${String(i).padStart(2, '0')}.dat`), patternBytes(100 + i * 37, i));
  await symlink('a/b/c/deep.txt', join(root, 'link-to-deep'));
  await symlink('../outside/nowhere', join(root, 'a', 'dangling'));
}

describe('storeDir / fetchDir', () => {
  it('a tree with nested folders, empty files, an empty folder and symlinks lands identically', async () => {
    const src = join(await tempDir(), 'src');
    await makeTree(src);
    const { nodes } = await mesh(2, 31);
    const [holder, req] = nodes;
    const ref = await holder!.blobs.storeDir(src);
    expect(ref.uri).toMatch(/^mesh:\/\/[0-9a-f]{64}$/);
    // The manifest: sorted, relative paths; empty folder explicit; symlink targets verbatim.
    const manifest = DirManifest.decode(await holder!.blobs.fetch(ref, { from: holder!.nodeId }));
    const paths = manifest.entries.map((e) => e.path);
    expect(paths).toEqual([...paths].sort());
    expect(manifest.entries.find((e) => e.path === 'empty-folder')!.kind.type).toBe('dir');
    expect(manifest.entries.find((e) => e.path === 'a/dangling')!.kind).toEqual({ type: 'symlink', target: '../outside/nowhere' });
    const big = manifest.entries.find((e) => e.path === 'big.bin')!.kind;
    expect(big.type === 'file' && BlobRef.decode(big.blob)!.kind).toBe('manifest');

    const parent = await tempDir();
    const dest = join(parent, 'out');
    const stats = await req!.blobs.fetchDir(ref, dest, { from: holder!.nodeId });
    expect(await describeTree(dest)).toEqual(await describeTree(src));
    expect(stats).toEqual({ files: 35, dirs: 4, symlinks: 2, bytes: 4 * MiB + 3 + 12 + 18 + Array.from({ length: 30 }, (_, i) => 100 + i * 37).reduce((s, n) => s + n, 0) });
    expect(await leftovers(parent, 'out')).toEqual([]);

    // Storing the same tree again gives the same ref (deterministic manifest).
    expect((await storeDir(new MemoryChunkStore(), src)).equals(ref)).toBe(true);
  });

  it('fetching over an existing destination leaves exactly the new tree', async () => {
    const src = join(await tempDir(), 'src');
    await makeTree(src);
    const { nodes } = await mesh(2, 32);
    const [holder, req] = nodes;
    const ref = await holder!.blobs.storeDir(src);
    const parent = await tempDir();
    const dest = join(parent, 'out');
    await mkdir(join(dest, 'stale-dir'), { recursive: true });
    await writeFile(join(dest, 'stale.txt'), 'old');
    await req!.blobs.fetchDir(ref, dest, { from: holder!.nodeId, concurrency: 3 });
    expect(await describeTree(dest)).toEqual(await describeTree(src));
    expect(await leftovers(parent, 'out')).toEqual([]);
  });

  it('discovery finds the holder of the manifest and its leaves', async () => {
    const src = join(await tempDir(), 'src');
    await makeTree(src);
    const { nodes } = await mesh(3, 33);
    const [req, x, y] = nodes;
    const ref = await y!.blobs.storeDir(src);
    const dest = join(await tempDir(), 'out');
    await req!.blobs.fetchDir(ref, dest);
    expect(await describeTree(dest)).toEqual(await describeTree(src));
    // x was asked at most once (when it sorts first), for the manifest only: the winner serves the leaves.
    expect(x!.blobs.stats().notFound).toBeLessThanOrEqual(1);
  });

  it('a failing leaf leaves the destination untouched and cancels the rest', async () => {
    const src = join(await tempDir(), 'src');
    await makeTree(src);
    const { nodes } = await mesh(2, 34);
    const [holder, req] = nodes;
    const ref = await holder!.blobs.storeDir(src);
    const manifest = DirManifest.decode(await holder!.blobs.fetch(ref));
    const victim = manifest.entries.find((e) => e.path === 'a/f17.dat')!.kind;
    await holder!.blobs.chunkStore.delete(BlobRef.decode((victim as { blob: Uint8Array }).blob)!.hash!);

    const parent = await tempDir();
    const dest = join(parent, 'out');
    await mkdir(dest);
    await writeFile(join(dest, 'keep.txt'), 'previous content');
    const before = await describeTree(dest);
    const e = await rejection(req!.blobs.fetchDir(ref, dest, { from: holder!.nodeId }));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(await describeTree(dest)).toEqual(before);
    expect(await leftovers(parent, 'out')).toEqual([]);
    // A destination that did not exist is not created.
    const fresh = join(parent, 'fresh');
    expect(await rejection(req!.blobs.fetchDir(ref, fresh, { from: holder!.nodeId }))).toBeInstanceOf(NotFoundError);
    expect(existsSync(fresh)).toBe(false);
    expect(await readdir(parent)).toEqual(['out']);
    expect(req!.blobs.transfers()).toEqual([]);
  });

  it('a corrupted leaf → HashMismatch, nothing installed', async () => {
    const dataDir = await tempDir();
    const src = join(await tempDir(), 'src');
    await makeTree(src);
    const { nodes } = await mesh(2, 35, (i) => (i === 0 ? { dataDir } : {}));
    const [holder, req] = nodes;
    const ref = await holder!.blobs.storeDir(src);
    const { ref: leaf } = chunkPayload(new TextEncoder().encode('deep inside\n'));
    const hex = Buffer.from(leaf.hash!).toString('hex');
    const file = join(dataDir, 'blobs', hex.slice(0, 2), hex);
    const bytes = await readFile(file);
    bytes[0] ^= 0x20;
    await writeFile(file, bytes);
    const parent = await tempDir();
    const e = await rejection(req!.blobs.fetchDir(ref, join(parent, 'out'), { from: holder!.nodeId }));
    expect((e as SubstrateError).code).toBe('BLOB_HASH_MISMATCH');
    expect(await readdir(parent)).toEqual([]);
  });

  it('a manifest with "../", an absolute path, an empty or a "." component is refused, nothing created', async () => {
    const { nodes } = await mesh(2, 36);
    const [holder, req] = nodes;
    const leaf = await holder!.blobs.store(new TextEncoder().encode('payload'));
    const parent = await tempDir();
    for (const bad of ['../escape', 'a/../../escape', '/tmp/absolute', 'a//b', './a']) {
      const manifest = DirManifest.encode({
        entries: [
          { path: 'fine', kind: { type: 'file', mode: 0o100644, blob: leaf.encode() } },
          { path: bad, kind: { type: 'file', mode: 0o100644, blob: leaf.encode() } },
        ],
      });
      const ref = await holder!.blobs.store(manifest);
      const e = await rejection(req!.blobs.fetchDir(ref, join(parent, 'inner', 'out'), { from: holder!.nodeId }));
      expect(e, bad).toBeInstanceOf(SubstrateError);
      expect((e as SubstrateError).kind, bad).toBe('unsafe_path');
      // Paths are checked before anything is created: not even the parent of the destination.
      expect(await readdir(parent)).toEqual([]);
    }
  });

  it('refuses a destination without a final name, and a manifest of the wrong version', async () => {
    const { nodes } = await mesh(2, 37);
    const [holder, req] = nodes;
    const ref = await holder!.blobs.store(DirManifest.encode({ entries: [] }));
    const e = await rejection(req!.blobs.fetchDir(ref, '/', { from: holder!.nodeId }));
    expect((e as SubstrateError).kind).toBe('unsafe_path');
    const v2 = await holder!.blobs.store(DirManifest.encode({ version: 2, entries: [] }));
    const parent = await tempDir();
    const f = await rejection(req!.blobs.fetchDir(v2, join(parent, 'out'), { from: holder!.nodeId }));
    expect((f as SubstrateError).kind).toBe('manifest');
    expect(await readdir(parent)).toEqual([]);
    // An empty manifest installs an empty directory.
    expect(await req!.blobs.fetchDir(ref, join(parent, 'empty'), { from: holder!.nodeId })).toEqual({ files: 0, dirs: 0, symlinks: 0, bytes: 0 });
    expect(await readdir(join(parent, 'empty'))).toEqual([]);
  });
});
