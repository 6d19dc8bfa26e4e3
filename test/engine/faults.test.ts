// Faults of the engine placement: the engine's worker dies (terminated from the test) and the
// node fails every pending promise and iterable with ENGINE_FAILED within a second, close() still
// resolving; close() with traffic in flight settles every promise in both placements. Neither may
// leave an unhandled rejection behind.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import { ENGINE } from '../../ts/engine/engine-host.js';
import { EngineFailedError, NetMeshError } from '../../ts/errors.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { PLACEMENTS, connectPair, hubNodes } from '../node/helpers.js';

let unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => {
  unhandled.push(e);
};
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** How a promise settled, and when (ms after `t0`). */
async function outcome(p: Promise<unknown>, t0: number): Promise<{ ok: boolean; error?: unknown; ms: number }> {
  try {
    await p;
    return { ok: true, ms: performance.now() - t0 };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - t0 };
  }
}

/** Pending operations of every kind on `a` (peer `b` is partitioned away, so none can finish). */
function pendingWork(a: MeshNode, b: MeshNode): Promise<unknown>[] {
  const big = (i: number) => new Uint8Array(8000).fill(i);
  // Credit for one packet: the send waits for a grant that cannot come.
  const s = a.openStream(b.nodeId, 1n, { reliability: 'reliable', windowBytes: 9000 });
  const sending = s.send([big(1), big(2), big(3)]);
  const other = a.openStream(b.nodeId, 2n, { reliability: 'reliable', maxRetries: 255 });
  const draining = other.send([big(4)]).then(() => other.closeGraceful(60_000));
  const reading = a.events({ stream: 7n })[Symbol.asyncIterator]().next();
  const peers = a.peerEvents()[Symbol.asyncIterator]().next();
  const connecting = a.connect('10.0.0.99:1', { publicKey: new Uint8Array(32).fill(3), nodeId: 99n });
  return [sending, draining, reading, peers, connecting];
}

describe('the engine worker dies', () => {
  it('every pending promise and iterable fails with ENGINE_FAILED within 1 s; close() resolves', async () => {
    const hub = new MemoryHub({ seed: 51 });
    const [a, b] = (await hubNodes(2, hub, { engine: 'worker' })) as [MeshNode, MeshNode];
    await connectPair(a, b);
    hub.partition(a.address, b.address);
    const work = pendingWork(a, b);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    const settled = Promise.all(work.map((p) => outcome(p, t0)));
    await a[ENGINE].kill();
    const results = await settled;
    for (const r of results) {
      expect(r.ok).toBe(false);
      expect(r.error).toBeInstanceOf(EngineFailedError);
      expect((r.error as NetMeshError).code).toBe('ENGINE_FAILED');
      expect(r.ms).toBeLessThan(1000);
    }
    // Later calls fail the same way; close() still resolves.
    expect(() => a.openStream(b.nodeId, 3n)).toThrow(EngineFailedError);
    await a.close();
    await b.close();
    await hub.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
  });
});

describe.each(PLACEMENTS)('close() with traffic in flight (%s engine)', (engine) => {
  it('settles every promise (nothing hangs) and leaves no unhandled rejection', async () => {
    const hub = new MemoryHub({ seed: 52 });
    const [a, b, c] = (await hubNodes(3, hub, { engine })) as [MeshNode, MeshNode, MeshNode];
    await connectPair(a, b);
    await connectPair(a, c);
    // Traffic that keeps flowing: a reliable transfer to b (which reads it), unreliable events to c.
    const toB = a.openStream(b.nodeId, 10n, { reliability: 'reliable' });
    const toC = a.openStream(c.nodeId, 11n);
    const flowing = [
      (async () => {
        for (let i = 0; i < 2000; i++) await toB.send([new Uint8Array(4000).fill(i)]);
      })(),
      (async () => {
        for (let i = 0; i < 2000; i++) await toC.send([new Uint8Array(500).fill(i)]);
      })(),
    ];
    let received = 0;
    const reader = (async () => {
      for await (const _ of b.events({ stream: 10n })) received++;
    })();
    hub.partition(a.address, c.address);
    const stuck = pendingWork(a, c);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    // Settlement is observed from now on (a rejection without a handler would be unhandled).
    const settled = Promise.all([...flowing, ...stuck].map((p) => outcome(p, t0)));
    await a.close();
    const results = await settled;
    // Everything settled; what failed, failed with a typed error.
    for (const r of results) {
      if (!r.ok) expect(r.error).toBeInstanceOf(NetMeshError);
      expect(r.ms).toBeLessThan(2000);
    }
    expect(results.filter((r) => !r.ok).length).toBeGreaterThanOrEqual(3);
    expect(received).toBeGreaterThan(0);
    await Promise.all([b.close(), c.close()]);
    // b's reader ends when b closes.
    expect((await outcome(reader, t0)).ok).toBe(true);
    await hub.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
  });
});
