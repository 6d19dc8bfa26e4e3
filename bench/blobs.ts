// Blobs bench (dataforts.md): one 256 MiB blob fetched between two MeshNodes over 127.0.0.1 UDP,
// beside a plain Node TCP socket and a udx-native stream copying the same bytes, in interleaved
// rounds of this run; then directories of 10,000 × 1 KiB and 100 × 1 MiB files (storeDir on the
// holder, fetchDir on the requester: files/s and MB/s). Everything runs in this one process (each
// MeshNode has its own core worker). First, the app thread's blocked time while a 64 MiB blob is
// stored with its BLAKE3 hashing inline versus in the hashing workers.
//
//   npm run bench:blobs            options: --quick (64 MiB, 2,000 small files, one round)
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { MeshNode } from '../ts/node/mesh-node.js';
import type { BlobRef } from '../ts/dataforts/blob-ref.js';
import { chunkPayloadAsync } from '../ts/dataforts/chunking.js';
import { putChunks } from '../ts/dataforts/chunk-store.js';
import { MemoryChunkStore } from '../ts/dataforts/memory-store.js';
import { HASH_OFFLOAD_THRESHOLD, configureHashWorkers, terminateHashWorkers } from '../ts/core/hash-worker.js';
import { benchEntry, udxLoopbackPair, withTimeout } from './node-links.js';
import { MB, filledBytes, fmtRatio, median, note, now, printEnvironment, printTable } from './harness.js';

const QUICK = process.argv.includes('--quick');
const PSK = '626c6f62732062656e6368206b657920666f72206c6f63616c2072756e732121'; // 32 bytes, hex
const BLOB_BYTES = (QUICK ? 64 : 256) * 1024 * 1024;
const ROUNDS = QUICK ? 1 : 3;
const SMALL_FILES = QUICK ? 2000 : 10_000;
const WRITE_PIECE = 64 * 1024;
const LIMIT_MS = 300_000;
const DIR_CONCURRENCY = [16, 256];

// ---------------------------------------------------------------------------------------------
// The app thread while a blob is stored (node.blobs.store's path: chunkPayloadAsync + putChunks)

const STORE_BYTES = 64 * 1024 * 1024;

/** Stores `data` once; returns wall ms, app-thread busy ms (event-loop utilisation) and the longest stall. */
async function storeWatched(data: Uint8Array): Promise<{ wall: number; busy: number; stall: number }> {
  const store = new MemoryChunkStore();
  let last = now();
  let stall = 0;
  const timer = setInterval(() => {
    const t = now();
    stall = Math.max(stall, t - last);
    last = t;
  }, 1);
  const elu0 = performance.eventLoopUtilization();
  const t0 = now();
  const { ref, chunks } = await chunkPayloadAsync(data);
  await putChunks(store, ref, chunks);
  const wall = now() - t0;
  await new Promise((r) => setImmediate(r)); // let the loop account the last span
  const busy = performance.eventLoopUtilization(elu0).active;
  clearInterval(timer);
  stall = Math.max(stall, now() - last);
  return { wall, busy, stall };
}

async function appThreadSection(): Promise<void> {
  const data = filledBytes(STORE_BYTES);
  const runs: Record<'inline' | 'hash workers', { wall: number; busy: number; stall: number }[]> = { inline: [], 'hash workers': [] };
  await storeWatched(data.subarray(0, 8 << 20)); // warm the core and a worker
  for (let r = 0; r < ROUNDS + 2; r++) {
    configureHashWorkers({ threshold: Infinity });
    runs.inline.push(await storeWatched(data));
    configureHashWorkers({ threshold: HASH_OFFLOAD_THRESHOLD });
    runs['hash workers'].push(await storeWatched(data));
  }
  terminateHashWorkers();
  const med = (k: keyof typeof runs, f: 'wall' | 'busy' | 'stall'): number => median(runs[k].map((x) => x[f]));
  const rows = (Object.keys(runs) as (keyof typeof runs)[]).map((k) => [
    k,
    `${med(k, 'wall').toFixed(0)} ms`,
    `${med(k, 'busy').toFixed(0)} ms`,
    `${med(k, 'stall').toFixed(0)} ms`,
    k === 'inline' ? '1.00×' : fmtRatio(med('inline', 'busy') / med(k, 'busy')),
  ]);
  printTable(`Storing one ${STORE_BYTES >> 20} MiB blob (memory store): app-thread blocked time (median of ${ROUNDS + 2} interleaved rounds)`, ['hashing', 'wall', 'app thread busy', 'longest stall', 'inline ÷ it (busy)'], rows);
  note('app thread busy = event-loop utilisation (active time) during the store; longest stall = the largest gap a 1 ms interval saw.');
  note(`hash workers: chunks of ≥ ${HASH_OFFLOAD_THRESHOLD >> 10} KiB are hashed in the hashing workers (copied there); the app thread copies and waits.`);
}

// ---------------------------------------------------------------------------------------------
// The blob through each transport

async function meshPair(): Promise<{ holder: MeshNode; req: MeshNode; close(): Promise<void> }> {
  const holder = await MeshNode.create({ psk: PSK });
  const req = await MeshNode.create({ psk: PSK });
  holder.accept(req.nodeId);
  await req.connect(holder.address, { publicKey: holder.noisePublicKey, nodeId: holder.nodeId });
  return { holder, req, close: async () => void (await Promise.all([holder.close(), req.close()])) };
}

async function meshFetch(req: MeshNode, holder: MeshNode, ref: BlobRef, expected: number): Promise<number> {
  const t0 = now();
  const got = await req.blobs.fetch(ref, { from: holder.nodeId });
  const ms = now() - t0;
  if (got.length !== expected) throw new Error(`MeshNode fetched ${got.length} of ${expected} bytes`);
  return ms;
}

/** Writes `data` in 64 KiB pieces honouring backpressure; resolves when all were handed over. */
async function writeAll(write: (b: Uint8Array) => boolean, drained: () => Promise<void>, data: Uint8Array): Promise<void> {
  for (let at = 0; at < data.length; at += WRITE_PIECE) {
    if (!write(data.subarray(at, Math.min(at + WRITE_PIECE, data.length)))) await drained();
  }
}

async function tcpCopy(data: Uint8Array): Promise<number> {
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const server = net.createServer((s) => {
    s.on('data', (c: Buffer) => {
      received += c.length;
      if (received >= data.length) done();
    });
    s.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const sock = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  sock.on('error', () => {});
  await once(sock, 'connect');
  const t0 = now();
  await writeAll((b) => sock.write(b), () => once(sock, 'drain').then(() => undefined), data);
  await all;
  const ms = now() - t0;
  sock.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  return ms;
}

async function udxCopy(data: Uint8Array): Promise<number> {
  const { a, b } = udxLoopbackPair();
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  b.stream.on('data', (c) => {
    received += c.length;
    if (received >= data.length) done();
  });
  const t0 = now();
  await writeAll((c) => a.stream.write(c), () => new Promise<void>((r) => a.stream.once('drain', () => r())), data);
  await all;
  const ms = now() - t0;
  await Promise.all([a.close(), b.close()]);
  return ms;
}

async function blobSection(): Promise<void> {
  const data = filledBytes(BLOB_BYTES);
  const pair = await meshPair();
  const ref = await pair.holder.blobs.store(data);
  const times: Record<'MeshNode fetch' | 'udx-native' | 'TCP', number[]> = { 'MeshNode fetch': [], 'udx-native': [], TCP: [] };
  for (let r = 0; r < ROUNDS; r++) {
    times['MeshNode fetch'].push(await withTimeout(meshFetch(pair.req, pair.holder, ref, data.length), LIMIT_MS, 'MeshNode fetch'));
    times['udx-native'].push(await withTimeout(udxCopy(data), LIMIT_MS, 'udx-native'));
    times.TCP.push(await withTimeout(tcpCopy(data), LIMIT_MS, 'TCP'));
  }
  await pair.close();
  const mbps = (ms: number): number => data.length / MB / (ms / 1000);
  const ours = mbps(median(times['MeshNode fetch']));
  const rows = (Object.keys(times) as (keyof typeof times)[]).map((k) => {
    const v = mbps(median(times[k]));
    return [k, `${(median(times[k]) / 1000).toFixed(2)} s`, v.toFixed(1), k === 'MeshNode fetch' ? '1.00×' : fmtRatio(ours / v)];
  });
  printTable(`One ${BLOB_BYTES >> 20} MiB blob over 127.0.0.1, same process (median of ${ROUNDS} interleaved rounds)`, ['transport', 'time', 'MB/s', 'ours ÷ it'], rows);
  note('MeshNode fetch = chunk requests, encrypted reliable scheduled streams (256,000-B window), BLAKE3 per chunk.');
  note('udx-native and TCP copy the same bytes with no hashing. Target: MeshNode ≥ 1× udx-native.');
}

// ---------------------------------------------------------------------------------------------
// Directories

async function makeTree(root: string, files: number, size: number, perDir: number): Promise<void> {
  const body = filledBytes(size, 7);
  for (let d = 0; d * perDir < files; d++) {
    const dir = join(root, `d${String(d).padStart(4, '0')}`);
    await mkdir(dir, { recursive: true });
    const n = Math.min(perDir, files - d * perDir);
    await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const b = body.slice();
        new DataView(b.buffer).setUint32(0, d * perDir + i, true); // distinct contents
        return writeFile(join(dir, `f${String(i).padStart(5, '0')}.bin`), b);
      }),
    );
  }
}

async function dirSection(work: string): Promise<void> {
  const trees: [string, number, number, number][] = [
    [`${SMALL_FILES.toLocaleString('en')} × 1 KiB`, SMALL_FILES, 1024, 1000],
    ['100 × 1 MiB', 100, 1 << 20, 100],
  ];
  const rows: string[][] = [];
  for (const [name, files, size, perDir] of trees) {
    const src = join(work, `src-${files}`);
    await makeTree(src, files, size, perDir);
    const pair = await meshPair();
    const t0 = now();
    const ref = await pair.holder.blobs.storeDir(src);
    const storeMs = now() - t0;
    rows.push([name, 'storeDir (holder)', '—', (files / (storeMs / 1000)).toFixed(0), ((files * size) / MB / (storeMs / 1000)).toFixed(1)]);
    for (const concurrency of DIR_CONCURRENCY) {
      const ms: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const dest = join(work, `dest-${files}-${concurrency}-${r}`);
        const t1 = now();
        const stats = await withTimeout(pair.req.blobs.fetchDir(ref, dest, { from: pair.holder.nodeId, concurrency }), LIMIT_MS, 'fetchDir');
        ms.push(now() - t1);
        if (stats.files !== files) throw new Error(`fetchDir wrote ${stats.files} of ${files} files`);
        await rm(dest, { recursive: true, force: true });
      }
      const m = median(ms);
      rows.push([name, 'fetchDir', String(concurrency), (files / (m / 1000)).toFixed(0), ((files * size) / MB / (m / 1000)).toFixed(1)]);
    }
    await pair.close();
    // The local ceiling: the same files written by plain fs calls, no network, no hashing.
    const plainDest = join(work, `plain-${files}`);
    const t2 = now();
    await makeTree(plainDest, files, size, perDir);
    const plainMs = now() - t2;
    rows.push([name, 'plain writeFile (reference)', '—', (files / (plainMs / 1000)).toFixed(0), ((files * size) / MB / (plainMs / 1000)).toFixed(1)]);
    await rm(plainDest, { recursive: true, force: true });
    await rm(src, { recursive: true, force: true });
  }
  printTable(`Directories over 127.0.0.1, same process (fetchDir: median of ${ROUNDS} rounds)`, ['tree', 'operation', 'concurrency', 'files/s', 'MB/s'], rows);
  note('fetchDir = manifest, leaves pipelined from one holder into a sibling temp dir, atomic rename.');
  note('plain writeFile = the same tree written locally (folders of files written concurrently): the file-system ceiling here.');
  note(`Target: ≥ 5,000 files/s for the small-file tree (Net v0.27: ~1,500–2,100 files/s).`);
}

async function main(): Promise<void> {
  printEnvironment('net-mesh blobs bench');
  const work = await mkdtemp(join(tmpdir(), 'nm-bench-blobs-'));
  try {
    await appThreadSection();
    await blobSection();
    await dirSection(work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

benchEntry(main, async () => {
  throw new Error('the blobs bench has no child process');
});
