// `await using` on a node and a stream (both are AsyncDisposable): leaving a stream's scope
// delivers what it sent and closes it; leaving the node's scope closes the node. Both placements.
import { describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import { MeshNode } from '../../ts/node/mesh-node.js';
import type { Stream } from '../../ts/streams/stream.js';
import { ClosedError } from '../../ts/errors.js';
import { PLACEMENTS, PSK, connectPair, take } from './helpers.js';

describe.each(PLACEMENTS)('%s engine', (engine) => {
  it('await using closes the stream gracefully, then the nodes', async () => {
    const hub = new MemoryHub({ seed: 71 });
    let outer: MeshNode | undefined;
    let stream: Stream | undefined;
    {
      await using a = await MeshNode.create({ psk: PSK, transport: hub.transport(), engine });
      await using b = await MeshNode.create({ psk: PSK, transport: hub.transport(), engine });
      outer = a;
      await connectPair(a, b);
      const received = take(b.events({ stream: 5n }), 3);
      {
        await using s = a.openStream(b.nodeId, 5n, { reliability: 'reliable' });
        stream = s;
        await s.send([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]);
      }
      // The block's exit waited for the acks, then closed the stream.
      const st = stream.stats();
      expect(st).toMatchObject({ pending: 0, closed: true, failed: false });
      expect(st.sent).toBeGreaterThan(0);
      expect(st.acked).toBe(st.sent);
      expect((await received).map((e) => e.payload[0])).toEqual([1, 2, 3]);
    }
    expect(() => outer!.openStream(1n, 9n)).toThrow(ClosedError);
  });
});
