// Runtime smoke (Deno, Bun): node.blobs between two MeshNodes on 127.0.0.1 UDP — a chunked blob
// from an on-disk store (dataDir), the same blob to a file, and a small directory tree fetched
// atomically — every byte compared.
import { mkdtemp, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeshNode } from '../../ts/node/mesh-node.js';

const PSK = '5b'.repeat(32);
const runtime = typeof (globalThis as { Deno?: unknown }).Deno === 'object' ? 'deno' : typeof (globalThis as { Bun?: unknown }).Bun === 'object' ? 'bun' : 'node';
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

const work = await mkdtemp(join(tmpdir(), 'nm-blobs-smoke-'));
try {
  const holder = await MeshNode.create({ psk: PSK, dataDir: join(work, 'data') });
  const req = await MeshNode.create({ psk: PSK });
  holder.accept(req.nodeId);
  await req.connect(holder.address, { publicKey: holder.noisePublicKey, nodeId: holder.nodeId });

  const t0 = performance.now();
  const data = new Uint8Array(4 * 1024 * 1024 + 4321).map((_, i) => (i * 131) >>> 3);
  const ref = await holder.blobs.store(data);
  if (!same(await req.blobs.fetch(ref.toString(), { from: holder.nodeId }), data)) throw new Error(`${runtime}: blob differs`);
  const out = join(work, 'out', 'blob.bin');
  await req.blobs.fetchToFile(ref, out, { from: holder.nodeId });
  if (!same(new Uint8Array(await readFile(out)), data)) throw new Error(`${runtime}: file differs`);

  const src = join(work, 'src');
  await mkdir(join(src, 'a', 'b'), { recursive: true });
  await mkdir(join(src, 'empty'));
  await writeFile(join(src, 'a', 'b', 'deep.txt'), 'deep');
  await writeFile(join(src, 'a', 'zero'), '');
  await symlink('a/b/deep.txt', join(src, 'link'));
  const root = await holder.blobs.storeDir(src);
  const dest = join(work, 'dest');
  const stats = await req.blobs.fetchDir(root, dest, { from: holder.nodeId });
  const deep = await readFile(join(dest, 'a', 'b', 'deep.txt'), 'utf8');
  const names = (await readdir(dest)).sort().join(',');
  if (deep !== 'deep' || names !== 'a,empty,link' || stats.files !== 2 || stats.symlinks !== 1) {
    throw new Error(`${runtime}: directory differs (${names}, ${JSON.stringify(stats)})`);
  }
  console.log(`${runtime} blobs: 4 MiB blob, file and directory verified in ${(performance.now() - t0).toFixed(0)} ms`);
  await Promise.all([holder.close(), req.close()]);
} finally {
  await rm(work, { recursive: true, force: true });
}
