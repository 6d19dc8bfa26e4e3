import { describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import { MeshNode } from '../../ts/node/mesh-node.js';
import { ClosedError } from '../../ts/errors.js';
import { PLACEMENTS, PSK, connectPair, hubNodes } from './helpers.js';

describe.each(PLACEMENTS)('%s engine', (engine) => {
  describe('MeshNode lifecycle', () => {
    it('close() ends every iterable, is idempotent and refuses later use', async () => {
      const hub = new MemoryHub({ seed: 21 });
      const [a, b] = (await hubNodes(2, hub, { engine })) as [MeshNode, MeshNode];
      await connectPair(a, b);
      const ev = a.events()[Symbol.asyncIterator]();
      const pe = a.peerEvents()[Symbol.asyncIterator]();
      const pending = ev.next();
      const p1 = a.close();
      const p2 = a.close();
      await Promise.all([p1, p2]);
      expect((await pending).done).toBe(true);
      expect((await pe.next()).done).toBe(true);
      expect((await a.events()[Symbol.asyncIterator]().next()).done).toBe(true);
      expect(() => a.openStream(b.nodeId, 1n)).toThrow(ClosedError);
      await expect(a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId })).rejects.toThrow(ClosedError);
      await b.close();
    });

    it('ends an events() iterable when its AbortSignal fires', async () => {
      const hub = new MemoryHub({ seed: 22 });
      const [a] = (await hubNodes(1, hub, { engine })) as [MeshNode];
      const ac = new AbortController();
      const it = a.events({ signal: ac.signal })[Symbol.asyncIterator]();
      const p = it.next();
      ac.abort();
      expect((await p).done).toBe(true);
      await a.close();
    });

    it('creating and closing 100 nodes in a row keeps memory and handles flat', async () => {
      const handles = () => process.getActiveResourcesInfo().length;
      // Warm up: the first nodes load code and JIT.
      for (let i = 0; i < 5; i++) await (await MeshNode.create({ psk: PSK, engine })).close();
      globalThis.gc?.();
      const h0 = handles();
      const m0 = process.memoryUsage().heapUsed;
      const r0 = process.memoryUsage().rss;
      for (let i = 0; i < 100; i++) {
        const n = await MeshNode.create({ psk: PSK, engine });
        await n.close();
      }
      await new Promise((r) => setTimeout(r, 100));
      globalThis.gc?.();
      const h1 = handles();
      const m1 = process.memoryUsage().heapUsed;
      const r1 = process.memoryUsage().rss;
      expect(h1).toBeLessThanOrEqual(h0 + 2);
      // Generous: a leak of one worker or socket per node would be far larger than this.
      expect(m1 - m0).toBeLessThan(64 * 1024 * 1024);
      // Each worker thread costs several MiB of RSS: 100 leaked workers would show here.
      expect(r1 - r0).toBeLessThan(256 * 1024 * 1024);
    });
  });
});
