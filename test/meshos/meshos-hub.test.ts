// MeshOS on real nodes: a 5-node seeded hub whose loops share a manual clock. The node wiring
// (peer hooks, the fold's change signal, ticks) feeds the loop; 60 s of idle ticks fire no
// structural change, a daemon crash and a freeze's start and expiry fire exactly one each, and a
// peer failing is seen by its neighbours with one change per health transition.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import { hostOf } from '../../ts/node/host.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import type { PeerEvent } from '../../ts/node/peer.js';
import type { DaemonContext } from '../../ts/meshos/types.js';
import { connectPair, hubNodes, until } from '../node/helpers.js';
import { ManualClock, settle } from './manual-clock.js';

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

async function fullMesh(n: number, seed: number, opts = {}): Promise<MeshNode[]> {
  nodes = await hubNodes(n, new MemoryHub({ seed }), { minAnnounceIntervalMs: 0, ...opts });
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) await connectPair(nodes[i]!, nodes[j]!);
  return nodes;
}

function collect(node: MeshNode): bigint[] {
  const out: bigint[] = [];
  void (async () => {
    for await (const c of node.meshos.changes()) out.push(c);
  })();
  return out;
}

describe('MeshOS on a 5-node hub (manual clock)', () => {
  it('idle for 60 s: 0 changes while counters advance; a crash, a freeze and its expiry fire once each', async () => {
    const clock = new ManualClock(0);
    const ns = await fullMesh(5, 1501, { meshos: { clock } });
    await Promise.all(ns.map((n, i) => n.announceCapabilities({ tags: [`zone-${i % 2}`] })));
    // Settled: every node sees 4 healthy peers, each with its announced capability.
    await until(() => ns.every((n) => {
      const s = n.meshos.snapshot();
      return s.peers.size === 4 && [...s.peers.values()].every((p) => p.health === 'healthy' && p.capabilitySet.some((t) => t.startsWith('zone-')));
    }), 10_000, 'every node to see 4 healthy announced peers');
    await settle();
    const changes = ns.map(collect);
    const before = ns.map((n) => n.meshos.snapshot());

    await clock.advance(60_000);
    await settle();
    for (let i = 0; i < 5; i++) {
      const after = ns[i]!.meshos.snapshot();
      expect(changes[i]).toEqual([]);
      expect(after.counters.structuralChanges).toBe(before[i]!.counters.structuralChanges);
      expect(after.counters.ticks - before[i]!.counters.ticks).toBe(120n);
      expect(after.counters.takenAtMs - before[i]!.counters.takenAtMs).toBe(60_000n);
    }

    // A daemon crashing on node 0: exactly one change before its 500 ms backoff elapses.
    const a = ns[0]!;
    let ctx: DaemonContext | undefined;
    a.meshos.registerDaemon('ingest', { start: (c) => void (ctx = c), stop: () => {} });
    await clock.advance(1000);
    await settle();
    expect([...a.meshos.snapshot().daemons.values()][0]!.lifecycle).toBe('running');
    changes[0]!.length = 0;
    ctx!.crash('lost its lease');
    await clock.advance(499);
    await settle();
    expect(changes[0]).toHaveLength(1);
    expect([...a.meshos.snapshot().daemons.values()][0]).toMatchObject({ lifecycle: 'stopped', restartState: { kind: 'backingOff' } });
    await clock.advance(10_000);
    await settle();
    expect([...a.meshos.snapshot().daemons.values()][0]!.lifecycle).toBe('running');

    // A freeze: one change when it starts, none while it holds, one when it expires.
    changes[0]!.length = 0;
    a.meshos.admin({ kind: 'freeze', ttlMs: 30_000 });
    await settle();
    expect(changes[0]).toHaveLength(1);
    await clock.advance(29_999);
    await settle();
    expect(changes[0]).toHaveLength(1);
    await clock.advance(1);
    await settle();
    expect(changes[0]).toHaveLength(2);
    expect(a.meshos.snapshot().freezeRemainingMs).toBeUndefined();
    // The other nodes saw none of it.
    for (let i = 1; i < 5; i++) expect(changes[i]).toEqual([]);
  });

  it('a peer failing: its neighbours show it unreachable, with one change per health transition', async () => {
    const ns = await fullMesh(5, 1502, { heartbeatIntervalMs: 50, sessionTimeoutMs: 300 });
    const a = ns[0]!;
    const e = ns[4]!;
    await until(() => a.meshos.snapshot().peers.size === 4, 5000, 'A to see 4 peers');
    const transitions: PeerEvent[] = [];
    hostOf(a).onPeerEvent((ev) => transitions.push(ev));
    const counter0 = a.meshos.changeCounter;
    await e.close();
    const s = await a.deck.watchTimeout((x) => x.peers.get(e.nodeId)?.health === 'unreachable', 10_000);
    expect(s.peers.get(e.nodeId)!.health).toBe('unreachable');
    const seen = transitions.filter((t) => t.nodeId === e.nodeId).map((t) => t.kind);
    // Suspected then failed (a tick delayed past 3 timeouts on a busy machine goes straight to failed).
    expect(seen.at(-1)).toBe('failed');
    expect(seen.every((k) => k === 'suspected' || k === 'failed')).toBe(true);
    // Every structural change of A in this window came from a peer transition (E's, and any other
    // peer's if the busy machine delayed its heartbeats), one change each.
    expect(a.meshos.changeCounter - counter0).toBe(BigInt(transitions.length));
  });
});
