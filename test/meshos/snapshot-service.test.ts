// `meshos.snapshot` (meshos-cli.md §5.9): snapshots cut into stream items and put back together,
// malformed items refused, the per-node stream cap, and a node's snapshot stream read by a peer on
// a seeded hub (the current snapshot at once, the next one after a structural change).
import { describe, expect, it } from 'vitest';
import { MAX_SNAPSHOT_STREAMS, meshosSnapshotHandler, remoteSnapshots, snapshotItems, snapshotJsonStream } from '../../ts/meshos/snapshot-service.js';
import type { MeshOsSnapshot } from '../../ts/meshos/types.js';
import type { RpcContext } from '../../ts/rpc/types.js';
import { RpcBadResponseError, RpcError } from '../../ts/errors.js';
import { hubMesh, rejection } from '../dataforts/helpers.js';

async function* from(items: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* items;
}

async function all(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const s of it) out.push(s);
  return out;
}

describe('snapshot items', () => {
  it('a large snapshot spans several items and comes back whole; small ones are one item', async () => {
    const big = JSON.stringify({ text: 'é'.repeat(9000) + 'x'.repeat(3000) });
    const items = [...snapshotItems(big)];
    expect(items.length).toBe(3);
    expect(items.map((i) => i[0])).toEqual([1, 1, 0]);
    expect(items.every((i) => i.length <= 8000)).toBe(true);
    const small = [...snapshotItems('{"a":1}')];
    expect(small).toHaveLength(1);
    expect(await all(snapshotJsonStream(from([...items, ...small]), 1n))).toEqual([big, '{"a":1}']);
  });

  it('malformed items are a bad response', async () => {
    for (const bad of [[new Uint8Array(0)], [Uint8Array.of(2, 0x7b)], [Uint8Array.of(0, 0x7b)], [Uint8Array.of(0, 0xff)]]) {
      expect(await rejection(all(snapshotJsonStream(from(bad), 1n)))).toBeInstanceOf(RpcBadResponseError);
    }
  });

  it('at most MAX_SNAPSHOT_STREAMS streams at once; a closed stream frees its slot', async () => {
    const snap = { nodeId: 1n, counters: { structuralChanges: 1n } } as unknown as MeshOsSnapshot;
    const ended = new AbortController();
    const source = {
      snapshot: () => snap,
      async *changes() {
        await new Promise((r) => ended.signal.addEventListener('abort', r));
      },
    };
    const handler = meshosSnapshotHandler(source);
    const ctx = { signal: ended.signal } as RpcContext;
    const open = Array.from({ length: MAX_SNAPSHOT_STREAMS }, () => handler(new Uint8Array(0), ctx) as AsyncGenerator<Uint8Array>);
    for (const s of open) expect((await s.next()).done).toBe(false);
    const extra = handler(new Uint8Array(0), ctx) as AsyncGenerator<Uint8Array>;
    expect(await rejection(extra.next())).toBeInstanceOf(RpcError);
    await open[0]!.return(undefined);
    const again = handler(new Uint8Array(0), ctx) as AsyncGenerator<Uint8Array>;
    expect((await again.next()).done).toBe(false);
    ended.abort();
  });
});

const mesh = hubMesh();

describe('meshos.snapshot between nodes', () => {
  it('streams the current snapshot, then the next after a structural change', async () => {
    const { nodes } = await mesh(2, 1311);
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const ac = new AbortController();
    const feed = remoteSnapshots(b, a.nodeId, { signal: ac.signal });
    const text = (await feed.next()).value as string;
    expect(BigInt(/"nodeId":(\d+)/.exec(text)![1]!)).toBe(a.nodeId); // exact u64, not through a double
    const first = JSON.parse(text);
    expect(first.freezeRemainingMs).toBeUndefined();
    a.meshos.admin({ kind: 'freeze', ttlMs: 600_000 });
    const second = JSON.parse((await feed.next()).value as string);
    expect(second.freezeRemainingMs).toBeGreaterThan(0);
    ac.abort();
    await feed.return(undefined);
  });
});
