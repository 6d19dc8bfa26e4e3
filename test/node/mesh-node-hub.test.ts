import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { connectPair, hubNodes, patterned, take, until } from './helpers.js';

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

describe('MeshNode on the memory hub', () => {
  it('connects and exchanges events both ways with content intact', async () => {
    const hub = new MemoryHub({ seed: 1 });
    nodes = await hubNodes(2, hub);
    const [a, b] = nodes as [MeshNode, MeshNode];
    await connectPair(a, b);
    expect(a.peers().map((p) => p.nodeId)).toEqual([b.nodeId]);
    expect(b.peers().map((p) => p.nodeId)).toEqual([a.nodeId]);
    const sa = a.openStream(b.nodeId, 7n);
    const sb = b.openStream(a.nodeId, 7n);
    const gotB = take(b.events({ stream: 7n }), 500);
    const gotA = take(a.events({ stream: 7n }), 500);
    for (let i = 0; i < 500; i += 50) {
      await sa.send(Array.from({ length: 50 }, (_, k) => patterned(i + k, 300)));
      await sb.send(Array.from({ length: 50 }, (_, k) => patterned(10_000 + i + k, 300)));
    }
    const [rb, ra] = await Promise.all([gotB, gotA]);
    expect(rb.map((e) => new DataView(e.payload.buffer, e.payload.byteOffset).getUint32(0, true))).toEqual(Array.from({ length: 500 }, (_, i) => i));
    rb.forEach((e, i) => expect(e.payload).toEqual(patterned(i, 300)));
    ra.forEach((e, i) => expect(e.payload).toEqual(patterned(10_000 + i, 300)));
    expect(rb[0]!.from).toBe(a.nodeId);
    expect(rb[0]!.streamId).toBe(7n);
  });
});
