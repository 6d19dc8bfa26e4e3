// Streams through the MeshNode API in both placements: epochs and config conflicts (streams.md §2),
// records created by inbound packets, trySend all or nothing against the budget the engine
// advertises and send() resuming where it stopped (§1, §3), subprotocol ids the substrate owns
// never reaching events() (wire.md §8), and PeerInfo.rttMs following the streams' RTT samples.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import { hostOf } from '../../ts/node/host.js';
import { InvalidArgumentError, NotConnectedError } from '../../ts/errors.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import type { Warning } from '../../ts/util/diagnostics.js';
import { PLACEMENTS, connectPair, hubNodes, take, until } from './helpers.js';

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

const ev = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

describe.each(PLACEMENTS)('%s engine', (engine) => {
  it('explicit opens take the session epoch counter; a second open returns the record and warns on another config', async () => {
    const warnings: Warning[] = [];
    const hub = new MemoryHub({ seed: 61 });
    nodes = await hubNodes(2, hub, { engine, onWarning: (w) => warnings.push(w) });
    const [a, b] = nodes as [MeshNode, MeshNode];
    await connectPair(a, b);
    const s1 = a.openStream(b.nodeId, 5n, { reliability: 'reliable' });
    const s2 = a.openStream(b.nodeId, 6n);
    expect([s1.epoch, s2.epoch]).toEqual([1, 2]);
    const again = a.openStream(b.nodeId, 5n, { reliability: 'unreliable' });
    expect(again.epoch).toBe(1);
    expect(again.config.reliability).toBe('reliable');
    expect(warnings.map((w) => w.code)).toEqual(['STREAM_CONFIG_MISMATCH']);
    s1.close();
    const reopened = a.openStream(b.nodeId, 5n);
    expect(reopened.epoch).toBe(3);
    // A stale handle never reaches the new record.
    expect(() => s1.trySend([ev(1)])).toThrow(NotConnectedError);
    expect(() => a.openStream(b.nodeId, 7n, { weight: 256 })).toThrow(InvalidArgumentError);
    expect(() => a.openStream(b.nodeId, 7n, { windowBytes: -1 })).toThrow(InvalidArgumentError);
    expect(() => a.openStream(b.nodeId, 7n, { maxRetries: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => a.openStream(b.nodeId, 7n, { reliability: 'maybe' as never })).toThrow(InvalidArgumentError);
    // A packet that can never fit its window is refused outright (and the window warned about).
    const tiny = a.openStream(b.nodeId, 13n, { windowBytes: 1000 });
    expect(warnings.map((w) => w.code)).toContain('STREAM_WINDOW_TOO_SMALL');
    expect(() => tiny.trySend([ev(2000)])).toThrow(InvalidArgumentError);
    expect(() => s2.trySend([ev(8105)])).toThrow(InvalidArgumentError);
    expect(() => a.openStream(99n, 1n)).toThrow(NotConnectedError);
  });

  it('an inbound packet creates an epoch-0 record, reliable iff the packet was', async () => {
    const hub = new MemoryHub({ seed: 62 });
    nodes = await hubNodes(2, hub, { engine });
    const [a, b] = nodes as [MeshNode, MeshNode];
    await connectPair(a, b);
    const got = take(b.events({ stream: 9n }), 1);
    await a.openStream(b.nodeId, 9n, { reliability: 'reliable' }).send([ev(3)]);
    await got;
    const implicit = b.openStream(a.nodeId, 9n);
    expect(implicit.epoch).toBe(0);
    expect(implicit.config.reliability).toBe('reliable');
  });

  it('trySend is all or nothing against the credit; send resumes at the first packet not handed over', async () => {
    const hub = new MemoryHub({ seed: 63 });
    nodes = await hubNodes(2, hub, { engine });
    const [a, b] = nodes as [MeshNode, MeshNode];
    await connectPair(a, b);
    // Window 20,000: two 8,188-byte packets fit, a third does not.
    const s = a.openStream(b.nodeId, 12n, { reliability: 'reliable', windowBytes: 20_000 });
    const big = (i: number) => ev(8100, i);
    const got = take(b.events({ stream: 12n }), 5);
    expect(s.trySend([big(0), big(1), big(2)])).toBe(false);
    expect(s.stats()).toMatchObject({ sent: 0, backpressureEvents: 1 });
    expect(s.trySend([big(0), big(1)])).toBe(true);
    // Nothing left: all or nothing refuses even one more packet now.
    expect(s.trySend([big(2)])).toBe(false);
    await s.send([big(2), big(3), big(4)]);
    expect((await got).map((e) => e.payload[0])).toEqual([0, 1, 2, 3, 4]);
    await s.closeGraceful(10_000);
    expect(s.stats()).toMatchObject({ sent: 5, acked: 5, pending: 0, closed: true });
  });

  it('ids the substrate owns never reach events() or create stream state; ids no layer claims count as unsupported', async () => {
    const hub = new MemoryHub({ seed: 64 });
    nodes = await hubNodes(2, hub, { engine });
    const [a, b] = nodes as [MeshNode, MeshNode];
    await connectPair(a, b);
    const seen: bigint[] = [];
    const ac = new AbortController();
    void (async () => {
      for await (const e of b.events({ signal: ac.signal })) seen.push(e.streamId);
    })();
    // 0x0a00 (channel membership) and 0x1100 (blob transfer) go to the attached layers, which
    // drop these 4-byte junk frames; the other five owned ids have no handler yet.
    for (const sp of [0x0500, 0x0a00, 0x0d00, 0x0e00, 0x0f00, 0x1000, 0x1100]) hostOf(a).sendSubprotocol(b.nodeId, sp, ev(4, sp & 0xff));
    // A non-owned id travels the event plane (wire.md §8: processed like 0x0000).
    hostOf(a).sendSubprotocol(b.nodeId, 0x0400, ev(4));
    await until(() => seen.length === 1 && b.stats().dropped.unsupported === 5, 5000, 'five unsupported, one event');
    expect(seen).toEqual([0x0400n]);
    // No record was created for the owned ids: opening one is a fresh explicit open.
    expect(b.openStream(a.nodeId, 0x0a00n).epoch).toBe(1);
    ac.abort();
  });

  it('PeerInfo.rttMs follows the streams\' RTT samples, not the handshake', async () => {
    const hub = new MemoryHub({ seed: 65 });
    nodes = await hubNodes(2, hub, { engine });
    const [a, b] = nodes as [MeshNode, MeshNode];
    await connectPair(a, b);
    // 40 ms each way from now on: the handshake saw none of it.
    hub.setLink(a.address, b.address, { delayMs: 40 });
    const s = a.openStream(b.nodeId, 20n, { reliability: 'reliable' });
    const got = take(b.events({ stream: 20n }), 40);
    for (let i = 0; i < 40; i++) await s.send([ev(100, i)]);
    await got;
    await s.closeGraceful(10_000);
    await until(() => a.peers()[0]!.rttMs >= 60, 5000, 'rttMs from the stream samples');
    expect(a.peers()[0]!.rttMs).toBeLessThan(1000);
  });
});
