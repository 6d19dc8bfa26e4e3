// The transfer engine between nodes on a seeded memory hub (dataforts.md §5–§7, §9.4): named and
// discovered holders, NotFound, a corrupted store, a holder that dies, resets, cancellation,
// repeated requests, serving switched off, a data dir shared with another writer.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlobRef } from '../../ts/dataforts/blob-ref.js';
import { DiskChunkStore } from '../../ts/dataforts/disk-store.js';
import { toHex } from '../../ts/dataforts/hex.js';
import { blake3 } from '../../ts/core/blake3.js';
import { hostOf } from '../../ts/node/host.js';
import { encodeStreamReset } from '../../ts/streams/control-frames.js';
import { AllPeersFailedError, HashMismatchError, NotFoundError, SubstrateError } from '../../ts/errors.js';
import { until } from '../node/helpers.js';
import { linkTap } from '../streams/transfer-helpers.js';
import { hubMesh, patternBytes, sameBytes, tempDirs, rejection } from './helpers.js';

const MiB = 1024 * 1024;
const mesh = hubMesh();
const tempDir = tempDirs();

describe('fetching blobs from a named holder', () => {
  it('Small and Manifest blobs arrive byte for byte; the ref may be given as text', async () => {
    const { nodes } = await mesh(2, 1);
    const [holder, req] = nodes as [typeof nodes[0], typeof nodes[0]];
    const big = patternBytes(4 * MiB + 5, 1);
    const bigRef = await holder!.blobs.store(big);
    expect(bigRef.kind).toBe('manifest');
    // Streamed in pieces, the same bytes give the same ref.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let at = 0; at < big.length; at += 1_000_000) c.enqueue(big.subarray(at, at + 1_000_000));
        c.close();
      },
    });
    expect((await holder!.blobs.store(stream)).equals(bigRef)).toBe(true);
    expect(sameBytes(await req!.blobs.fetch(bigRef, { from: holder!.nodeId }), big)).toBe(true);
    const small = new TextEncoder().encode('a small blob');
    const smallRef = await holder!.blobs.store(small);
    expect(sameBytes(await req!.blobs.fetch(smallRef.toString(), { from: holder!.nodeId }), small)).toBe(true);
    // A bare hash (size 0) fetches fine: only chunk hashes are used.
    expect(sameBytes(await req!.blobs.fetch(toHex(smallRef.hash!), { from: holder!.nodeId }), small)).toBe(true);
    const empty = await holder!.blobs.store(new Uint8Array(0));
    expect((await req!.blobs.fetch(empty, { from: holder!.nodeId })).length).toBe(0);
    // Streaming delivers the verified chunks in order.
    const parts: Uint8Array[] = [];
    for await (const c of req!.blobs.fetchStream(bigRef, { from: holder!.nodeId })) parts.push(c);
    expect(parts.map((p) => p.length)).toEqual([4 * MiB, 5]);
    expect(sameBytes(Buffer.concat(parts), big)).toBe(true);
    expect(holder!.blobs.stats().served).toBeGreaterThanOrEqual(5);
    expect(req!.blobs.transfers()).toEqual([]);
  });

  it('many concurrent transfers complete, each byte for byte', async () => {
    const { nodes } = await mesh(2, 2);
    const [holder, req] = nodes;
    const blobs = Array.from({ length: 40 }, (_, i) => patternBytes(1000 + i * 97, 100 + i));
    blobs.push(patternBytes(4 * MiB + 1, 7), patternBytes(2 * MiB, 8));
    const refs = await Promise.all(blobs.map((b) => holder!.blobs.store(b)));
    const got = await Promise.all(refs.map((r) => req!.blobs.fetch(r, { from: holder!.nodeId })));
    got.forEach((g, i) => expect(sameBytes(g, blobs[i]!), `blob ${i}`).toBe(true));
  });

  it('a holder without the chunk answers NotFound; Tree refs and non-peers are refused', async () => {
    const { nodes } = await mesh(2, 3);
    const [holder, req] = nodes;
    const ref = BlobRef.small({ hash: blake3(new Uint8Array([9])), size: 1 });
    const e = await rejection(req!.blobs.fetch(ref, { from: holder!.nodeId }));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toMatch(/^transfer: /);
    const tree = BlobRef.tree({ rootHash: blake3(new Uint8Array(1)), totalSize: 5n, depth: 1, uri: 'mesh://t' });
    expect(await rejection(req!.blobs.fetch(tree, { from: holder!.nodeId }))).toBeInstanceOf(SubstrateError);
    const noRoute = await rejection(req!.blobs.fetch(ref, { from: 12345n }));
    expect(noRoute).toBeInstanceOf(SubstrateError);
    expect((noRoute as SubstrateError).code).toBe('BLOB_NO_ROUTE');
  });

  it('fetchToFile writes <path>.partial, then renames it', async () => {
    const { nodes } = await mesh(2, 4);
    const [holder, req] = nodes;
    const data = patternBytes(4 * MiB + 7, 4);
    const ref = await holder!.blobs.store(data);
    const out = join(await tempDir(), 'sub', 'dir', 'blob.bin');
    expect(await req!.blobs.fetchToFile(ref, out, { from: holder!.nodeId })).toEqual({ bytes: data.length });
    expect(sameBytes(new Uint8Array(await readFile(out)), data)).toBe(true);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });
});

describe('failures', () => {
  it('a corrupted chunk in the holder store → HashMismatch, nothing installed', async () => {
    const dataDir = await tempDir();
    const { nodes } = await mesh(2, 5, (i) => (i === 0 ? { dataDir } : {}));
    const [holder, req] = nodes;
    const data = patternBytes(4 * MiB + 100, 5);
    const ref = await holder!.blobs.store(data);
    const second = toHex(ref.chunks![1]!.hash);
    const file = join(dataDir, 'blobs', second.slice(0, 2), second);
    const bytes = await readFile(file);
    bytes[50] ^= 0x01;
    await writeFile(file, bytes);
    const out = join(await tempDir(), 'blob.bin');
    const e = await rejection(req!.blobs.fetchToFile(ref, out, { from: holder!.nodeId }));
    expect(e).toBeInstanceOf(HashMismatchError);
    expect(toHex((e as HashMismatchError).expected)).toBe(second);
    expect(toHex((e as HashMismatchError).actual)).toBe(toHex(blake3(bytes)));
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(true);
  });

  it('a holder that dies mid-transfer → typed error, the .partial kept, the target never created', async () => {
    const { nodes } = await mesh(2, 6, { heartbeatIntervalMs: 50, sessionTimeoutMs: 250 });
    const [holder, req] = nodes;
    const data = patternBytes(16 * MiB, 6);
    const ref = await holder!.blobs.store(data);
    const out = join(await tempDir(), 'blob.bin');
    let killed = false;
    const e = await rejection(
      req!.blobs.fetchToFile(ref, out, {
        from: holder!.nodeId,
        onProgress: (done) => {
          if (!killed && done >= 6 * MiB) {
            killed = true;
            void holder!.close();
          }
        },
      }),
    );
    expect(killed).toBe(true);
    expect(e).toBeInstanceOf(SubstrateError);
    expect((e as SubstrateError).kind).toBe('holder_failed');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(true);
    expect((await readFile(`${out}.partial`)).length % (4 * MiB)).toBe(0); // whole verified chunks only
    expect(req!.blobs.transfers()).toEqual([]);
  });

  it('a StreamReset from the holder ends that transfer at once; the chunk is asked again, and the third reset stands', async () => {
    const { hub, nodes } = await mesh(2, 7);
    const [holder, req] = nodes;
    hub.setLink(holder!.address, req!.address, { delayMs: 5 });
    const data = patternBytes(4 * MiB, 7);
    const ref = await holder!.blobs.store(data);
    const resetOnce = async (): Promise<bigint> => {
      await until(() => req!.blobs.transfers().some((t) => t.totalBytes !== undefined), 10_000, 'a header');
      const [t] = req!.blobs.transfers();
      hostOf(holder!).sendSubprotocol(req!.nodeId, 0x0b02, encodeStreamReset(t!.id));
      await until(() => !req!.blobs.transfers().some((x) => x.id === t!.id), 5000, 'the reset transfer to go');
      return t!.id;
    };
    // One reset: a fresh transfer (new id) completes the fetch.
    const ok = req!.blobs.fetch(ref, { from: holder!.nodeId });
    const first = await resetOnce();
    expect(sameBytes(await ok, data)).toBe(true);
    // A holder that resets every attempt: after the retries the reset error stands.
    const p = rejection(req!.blobs.fetch(ref, { from: holder!.nodeId }));
    const ids = [await resetOnce(), await resetOnce(), await resetOnce()];
    const e = await p;
    expect(new Set([first, ...ids]).size).toBe(4);
    expect(e).toBeInstanceOf(SubstrateError);
    expect(e.message).toBe('transfer: holder reset stream (retransmit exhausted)');
    expect(req!.blobs.transfers()).toEqual([]);
  });

  it('transfers() lists requester-side transfers; cancel(id) fails the fetch', async () => {
    const { hub, nodes } = await mesh(2, 8);
    const [holder, req] = nodes;
    hub.setLink(holder!.address, req!.address, { delayMs: 20 });
    const data = patternBytes(4 * MiB, 8);
    const ref = await holder!.blobs.store(data);
    const p = rejection(req!.blobs.fetch(ref, { from: holder!.nodeId }));
    await until(() => req!.blobs.transfers().some((t) => t.bytesReceived > 0), 10_000, 'progress');
    const [t] = req!.blobs.transfers();
    expect(t).toMatchObject({ peer: holder!.nodeId, hash: toHex(ref.hash!), totalBytes: 4 * MiB });
    expect((t!.id >> 61n) & 1n).toBe(1n);
    expect(req!.blobs.cancel(t!.id)).toBe(true);
    const e = await p;
    expect(e).toBeInstanceOf(SubstrateError);
    expect((e as SubstrateError).kind).toBe('cancelled');
    expect(req!.blobs.cancel(t!.id)).toBe(false);
    expect(req!.blobs.transfers()).toEqual([]);
    // An AbortSignal cancels the same way.
    const ac = new AbortController();
    const q = rejection(req!.blobs.fetch(ref, { from: holder!.nodeId, signal: ac.signal }));
    await until(() => req!.blobs.transfers().length > 0, 10_000, 'a transfer');
    ac.abort();
    expect(((await q) as SubstrateError).kind).toBe('cancelled');
  });

  it('a lost request is re-sent; a holder serving that transfer ignores the repeat', async () => {
    const { hub, nodes } = await mesh(2, 9);
    const [holder, req] = nodes;
    const data = patternBytes(100_000, 9);
    const ref = await holder!.blobs.store(data);
    let requests = 0;
    linkTap(hub, req!.address, holder!.address, (h) => (h.subprotocol === 0x1100 && ++requests === 1 ? 'drop' : 'pass'));
    // Headers are lost until one more request went out, so the holder sees a repeat while it serves.
    const isHeader = (h: { subprotocol: number; streamId: bigint; seq: bigint }): boolean => h.subprotocol === 0 && ((h.streamId >> 61n) & 1n) === 1n && h.seq === 0n;
    linkTap(hub, holder!.address, req!.address, (h) => (isHeader(h) && requests < 3 ? 'drop' : 'pass'));
    expect(sameBytes(await req!.blobs.fetch(ref, { from: holder!.nodeId }), data)).toBe(true);
    expect(requests).toBeGreaterThanOrEqual(3);
    expect(req!.blobs.stats().requestsResent).toBeGreaterThanOrEqual(2);
    // The third request was on its way when the header got through: the holder ignores it.
    await until(() => holder!.blobs.stats().repeatsIgnored >= 1, 5000, 'the repeat to reach the holder');
    expect(holder!.blobs.stats()).toMatchObject({ served: 1 });
  });

  it('serveBlobs: false drops requests', async () => {
    const { nodes } = await mesh(2, 10, (i) => (i === 0 ? { serveBlobs: false } : {}));
    const [holder, req] = nodes;
    const ref = await holder!.blobs.store(new Uint8Array([1, 2, 3]));
    const e = await rejection(req!.blobs.fetch(ref, { from: holder!.nodeId, signal: AbortSignal.timeout(600) }));
    expect((e as SubstrateError).kind).toBe('cancelled');
    expect(holder!.blobs.stats().served).toBe(0);
    expect(holder!.blobs.stats().requestsDropped).toBeGreaterThanOrEqual(2);
  });

  it('with dataDir the store is read on demand: chunks another writer adds are served', async () => {
    const dataDir = await tempDir();
    const { nodes } = await mesh(2, 11, (i) => (i === 0 ? { dataDir } : {}));
    const [holder, req] = nodes;
    const data = patternBytes(3000, 11);
    await new DiskChunkStore(join(dataDir, 'blobs')).put(blake3(data), data);
    const ref = BlobRef.small({ hash: blake3(data), size: data.length });
    expect(sameBytes(await req!.blobs.fetch(ref, { from: holder!.nodeId }), data)).toBe(true);
  });
});

describe('locating holders (dataforts.md §7.2)', () => {
  it('discovery prefers nodes advertising dataforts.blob.has, and reports AllPeersFailed when nobody has it', async () => {
    const { nodes } = await mesh(3, 12, { minAnnounceIntervalMs: 1 });
    const [req, x, y] = nodes;
    // The holder is the peer with the larger node id, so ascending order alone would ask the other first.
    const [other, holder] = x!.nodeId < y!.nodeId ? [x!, y!] : [y!, x!];
    await holder.announceCapabilities({ tags: [] });
    const data = patternBytes(4 * MiB + 1, 12);
    const ref = await holder.blobs.store(data);
    const hasTag = `dataforts.blob.has=${toHex(ref.leadHash)}`;
    await until(() => req!.fold.tagsOf(holder.nodeId)?.includes(hasTag) === true, 10_000, 'the has hint');
    expect(req!.fold.tagsOf(holder.nodeId)).toContain('dataforts.blob.serve');
    expect(sameBytes(await req!.blobs.fetch(ref), data)).toBe(true);
    expect(other.blobs.stats().notFound).toBe(0);
    expect(holder.blobs.stats().served).toBe(2);

    const missing = BlobRef.small({ hash: blake3(new Uint8Array([1, 2])), size: 2 });
    const e = await rejection(req!.blobs.fetch(missing));
    expect(e).toBeInstanceOf(AllPeersFailedError);
    expect(other.blobs.stats().notFound).toBe(1);
    expect(holder.blobs.stats().notFound).toBe(1);
  });

  it('without hints every connected peer is probed in ascending order; a node reads its own store first', async () => {
    const { nodes } = await mesh(3, 13);
    const [req, x, y] = nodes;
    const [first, second] = x!.nodeId < y!.nodeId ? [x!, y!] : [y!, x!];
    const data = patternBytes(2000, 13);
    const ref = await second.blobs.store(data);
    expect(sameBytes(await req!.blobs.fetch(ref), data)).toBe(true);
    expect(first.blobs.stats().notFound).toBe(1);
    expect(second.blobs.stats().served).toBe(1);
    const mine = await req!.blobs.store(patternBytes(10, 1));
    expect(sameBytes(await req!.blobs.fetch(mine), patternBytes(10, 1))).toBe(true);
    expect(sameBytes(await req!.blobs.fetch(mine, { from: req!.nodeId }), patternBytes(10, 1))).toBe(true);
    expect(first.blobs.stats().notFound + second.blobs.stats().notFound).toBe(1);
  });
});
