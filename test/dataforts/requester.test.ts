// The requester side of the engine against a hand-driven holder (dataforts.md §6 "Receive"): the
// holder does not serve (serveBlobs: false), and the test answers the request itself with crafted
// packets on the transfer stream — out of order, with an empty ack-probe seq, a bad header, too
// many bytes, an oversized total_len, NotFound, wrong bytes.
import { describe, expect, it } from 'vitest';
import { BlobRef } from '../../ts/dataforts/blob-ref.js';
import { transferWire } from '../../ts/dataforts/wire.js';
import { blake3 } from '../../ts/core/blake3.js';
import { hostOf } from '../../ts/node/host.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { HashMismatchError, NotFoundError, SubstrateError } from '../../ts/errors.js';
import { until } from '../node/helpers.js';
import { hubMesh, patternBytes, sameBytes } from './helpers.js';

const mesh = hubMesh();
const RELIABLE = 1;

async function setup(seed: number): Promise<{ holder: MeshNode; req: MeshNode }> {
  const { nodes } = await mesh(2, seed, (i) => (i === 0 ? { serveBlobs: false } : {}));
  return { holder: nodes[0]!, req: nodes[1]! };
}

/** Starts a fetch of `data`'s chunk and resolves with its transfer id once the request is out. */
async function start(holder: MeshNode, req: MeshNode, hash: Uint8Array): Promise<{ id: bigint; result: Promise<Uint8Array | Error> }> {
  const ref = BlobRef.small({ hash, size: 0 });
  const result = req.blobs.fetch(ref, { from: holder.nodeId }).catch((e: Error) => e);
  await until(() => req.blobs.transfers().length === 1, 5000, 'the transfer');
  return { id: req.blobs.transfers()[0]!.id, result };
}

/** One reply packet at an explicit seq (event plane, RELIABLE), as a holder's stream would send it. */
function reply(holder: MeshNode, req: MeshNode, id: bigint, seq: number, events: Uint8Array[]): void {
  hostOf(holder).sendPacket(req.nodeId, { flags: RELIABLE, subprotocol: 0, streamId: id, sequence: BigInt(seq) }, events);
}

const header = (n: number): Uint8Array => transferWire.encodeHeader({ kind: 'found', totalLen: BigInt(n) });

describe('receiving a chunk', () => {
  it('reorders by seq, treats an empty (ack-probe) seq as a no-op, and verifies', async () => {
    const { holder, req } = await setup(41);
    const data = patternBytes(20_000, 41);
    const { id, result } = await start(holder, req, blake3(data));
    // seq 0 header, 1 empty, 2..4 data — sent backwards.
    reply(holder, req, id, 4, [data.subarray(16_000)]);
    reply(holder, req, id, 3, [data.subarray(8000, 16_000)]);
    reply(holder, req, id, 2, [data.subarray(0, 8000)]);
    reply(holder, req, id, 1, []);
    expect(req.blobs.transfers()[0]?.bytesReceived ?? 0).toBe(0);
    reply(holder, req, id, 0, [header(data.length)]);
    const got = await result;
    expect(got).toBeInstanceOf(Uint8Array);
    expect(sameBytes(got as Uint8Array, data)).toBe(true);
  });

  it('processes every event of a packet: header and data may share one', async () => {
    const { holder, req } = await setup(42);
    const data = patternBytes(300, 42);
    const { id, result } = await start(holder, req, blake3(data));
    reply(holder, req, id, 0, [header(300), data.subarray(0, 100), data.subarray(100)]);
    expect(sameBytes((await result) as Uint8Array, data)).toBe(true);
  });

  it('NotFound, a bad header, an oversized total_len, extra bytes and wrong bytes each fail the fetch', async () => {
    const { holder, req } = await setup(43);
    const cases: [string, Uint8Array[], new (...a: never[]) => Error, string | undefined][] = [
      ['NotFound', [transferWire.encodeHeader({ kind: 'not_found' })], NotFoundError, undefined],
      ['an undecodable header', [Uint8Array.of(7)], SubstrateError, 'backend'],
      ['total_len over 16 MiB', [header(16 * 1024 * 1024 + 1)], SubstrateError, 'backend'],
      ['more bytes than total_len', [header(10), new Uint8Array(11)], SubstrateError, 'backend'],
      ['bytes that do not hash to the request', [header(3), Uint8Array.of(1, 2, 4)], HashMismatchError, undefined],
      ['an empty chunk for a non-empty hash', [header(0)], HashMismatchError, undefined],
    ];
    for (const [name, events, type, kind] of cases) {
      const { id, result } = await start(holder, req, blake3(Uint8Array.of(1, 2, 3)));
      reply(holder, req, id, 0, events);
      const e = await result;
      expect(e, name).toBeInstanceOf(type);
      if (kind) expect((e as SubstrateError).kind, name).toBe(kind);
      expect(req.blobs.transfers(), name).toEqual([]);
      // Late packets of the settled transfer are ignored.
      reply(holder, req, id, 1, [new Uint8Array(5)]);
    }
  });

  it('a reply from another node on the transfer stream is ignored', async () => {
    const { nodes } = await mesh(3, 44, (i) => (i < 2 ? { serveBlobs: false } : {}));
    const [req, holder, stranger] = nodes as [MeshNode, MeshNode, MeshNode];
    const data = Uint8Array.of(5, 6, 7);
    const { id, result } = await start(holder, req, blake3(data));
    reply(stranger, req, id, 0, [header(3), Uint8Array.of(9, 9, 9)]);
    await new Promise((r) => setTimeout(r, 100));
    expect(req.blobs.transfers()).toHaveLength(1);
    reply(holder, req, id, 0, [header(3), data]);
    expect(sameBytes((await result) as Uint8Array, data)).toBe(true);
  });
});
