// MeshOs driven by a manual clock and synthetic inputs (a 5-node cluster seen from one node): the
// change signal fires 0 times over 60 s of idle ticks while the stored counters advance, and
// exactly once for a peer failing, a daemon crashing, a freeze starting and a freeze expiring.
import { afterEach, describe, expect, it } from 'vitest';
import { MeshOs } from '../../ts/meshos/meshos.js';
import type { DaemonContext } from '../../ts/meshos/types.js';
import { InvalidArgumentError } from '../../ts/errors.js';
import { FakeNodeDeps } from './fake-deps.js';
import { ManualClock, settle } from './manual-clock.js';

const SELF = 1n;
const PEERS = [2n, 3n, 4n, 5n];

let open: MeshOs[] = [];
afterEach(() => {
  for (const m of open) m.close();
  open = [];
});

/** A node's MeshOs in a settled 5-node cluster: 4 healthy peers with RTTs and capabilities. */
async function cluster(): Promise<{ clock: ManualClock; deps: FakeNodeDeps; os: MeshOs; changes: bigint[] }> {
  const clock = new ManualClock(0);
  const deps = new FakeNodeDeps(SELF);
  const os = new MeshOs(deps, { clock });
  open.push(os);
  for (const p of PEERS) {
    deps.setPeer(p, 'healthy', 3 + Number(p));
    deps.setTags(p, [`hardware.cpu_cores=${p}`, 'dataforts.blob.serve']);
  }
  deps.setTags(SELF, ['hardware.cpu_cores=8']);
  await settle();
  await clock.advance(1000);
  const changes: bigint[] = [];
  const it = os.changes();
  void (async () => {
    for await (const c of it) changes.push(c);
  })();
  return { clock, deps, os, changes };
}

/** Advances in 500 ms steps so every tick runs, then lets the change iterator catch up. */
async function run(clock: ManualClock, ms: number): Promise<void> {
  await clock.advance(ms);
  await settle();
}

describe('MeshOs loop (manual clock, synthetic inputs)', () => {
  it('idle 5-node cluster: 60 s of ticks fire the change signal 0 times while the counters advance', async () => {
    const { clock, os, changes } = await cluster();
    const s0 = os.snapshot();
    expect(s0.peers.size).toBe(4);
    expect([...s0.peers.values()].every((p) => p.health === 'healthy' && p.capabilitySet.length === 2)).toBe(true);
    const counter0 = os.changeCounter;
    await run(clock, 60_000);
    const s1 = os.snapshot();
    expect(changes).toEqual([]);
    expect(os.changeCounter).toBe(counter0);
    expect(s1.counters.ticks - s0.counters.ticks).toBe(120n);
    expect(s1.counters.publishes).toBeGreaterThan(s0.counters.publishes);
    expect(s1.counters.takenAtMs - s0.counters.takenAtMs).toBe(60_000n);
    expect(s1.counters.structuralChanges).toBe(counter0);
  });

  it('a peer failing fires the change signal exactly once', async () => {
    const { clock, deps, os, changes } = await cluster();
    deps.setPeer(4n, 'failed');
    await run(clock, 5000);
    expect(changes).toHaveLength(1);
    expect(os.snapshot().peers.get(4n)!.health).toBe('unreachable');
    expect(changes[0]).toBe(os.changeCounter);
  });

  it('a daemon crashing fires it exactly once (until its backoff elapses and it restarts)', async () => {
    const { clock, os, changes } = await cluster();
    let ctx: DaemonContext | undefined;
    let starts = 0;
    os.registerDaemon('indexer', {
      start: (c) => {
        ctx = c;
        starts++;
      },
      stop: () => {},
    });
    await run(clock, 1000);
    const id = [...os.snapshot().daemons.keys()][0]!;
    expect(os.snapshot().daemons.get(id)!.lifecycle).toBe('running');
    changes.length = 0;
    ctx!.crash('disk full');
    await run(clock, 499);
    expect(changes).toHaveLength(1);
    const s = os.snapshot();
    // The snapshot stored when the crash was applied (no tick since): 500 ms to go.
    expect(s.daemons.get(id)).toMatchObject({ lifecycle: 'stopped', restartState: { kind: 'backingOff', untilMs: 500n } });
    expect(s.recentFailures.at(-1)).toMatchObject({ source: 'daemon:indexer', reason: 'disk full' });
    expect(ctx!.signal.aborted).toBe(true);
    // The gate opens at its deadline (not at a later tick): restarted at exactly +500 ms.
    await run(clock, 1);
    expect(starts).toBe(2);
    expect(os.snapshot().daemons.get(id)!.lifecycle).toBe('running');
  });

  it('a freeze starting and a freeze expiring each fire it exactly once', async () => {
    const { clock, os, changes } = await cluster();
    os.admin({ kind: 'freeze', ttlMs: 10_000, reason: 'incident 42' });
    await settle();
    expect(changes).toHaveLength(1);
    expect(os.snapshot().freezeRemainingMs).toBe(10_000n);
    await run(clock, 9999);
    expect(changes).toHaveLength(1);
    expect(os.snapshot().freezeRemainingMs).toBeLessThanOrEqual(500n);
    await run(clock, 1);
    expect(changes).toHaveLength(2);
    expect(os.snapshot().freezeRemainingMs).toBeUndefined();
    await run(clock, 30_000);
    expect(changes).toHaveLength(2);
    expect(os.snapshot().adminAudit.at(-1)).toMatchObject({ kind: 'freeze', detail: 'ttlMs=10000 reason=incident 42', outcome: 'applied' });
  });

  it('crash loop: restarts after 0.5, 1, 2, 4 s, then the 5th crash holds it for 5 min', async () => {
    const { clock, os } = await cluster();
    const startedAt: number[] = [];
    os.registerDaemon('flaky', {
      start: () => {
        startedAt.push(clock.now());
        throw new Error('bad config');
      },
      stop: () => {},
    });
    await run(clock, 20_000);
    const t0 = startedAt[0]!;
    expect(startedAt.map((t) => t - t0)).toEqual([0, 500, 1500, 3500, 7500]);
    const d = [...os.snapshot().daemons.values()][0]!;
    expect(d.restartState.kind).toBe('crashLooping');
    expect(d.lifecycle).toBe('stopped');
    expect(os.snapshot().recentFailures.at(-1)).toMatchObject({ source: 'daemon:flaky', reason: 'start threw: bad config' });
    await run(clock, 7500 + 300_000 - 20_000 - 1);
    expect(startedAt).toHaveLength(5);
    await run(clock, 1);
    expect(startedAt).toHaveLength(6);
  });

  it('async starts and stops: Starting, Running, Stopping, disposal forgets the daemon', async () => {
    const { clock, os } = await cluster();
    let release!: () => void;
    let stopped = 0;
    const h = os.registerDaemon('slow', {
      start: () => new Promise<void>((r) => (release = r)),
      stop: async () => {
        stopped++;
      },
    });
    await settle();
    expect(os.snapshot().daemons.get(h.id)!.lifecycle).toBe('starting');
    release();
    await settle();
    expect(os.snapshot().daemons.get(h.id)!.lifecycle).toBe('running');
    os.admin({ kind: 'drain' });
    await settle();
    expect(stopped).toBe(1);
    expect(os.snapshot().daemons.get(h.id)!.lifecycle).toBe('stopped');
    os.admin({ kind: 'uncordon' });
    await settle();
    expect(os.snapshot().daemons.get(h.id)!.lifecycle).toBe('starting');
    release();
    await settle();
    h[Symbol.dispose]();
    await run(clock, 10);
    expect(stopped).toBe(2);
    expect(os.snapshot().daemons.has(h.id)).toBe(false);
    // The name is free again.
    const again = os.registerDaemon('slow', { start: () => {}, stop: () => {} });
    expect(again.id).not.toBe(h.id);
  });

  it('a stop that never finishes counts as a crash after the grace period', async () => {
    const clock = new ManualClock(0);
    const deps = new FakeNodeDeps(SELF);
    const os = new MeshOs(deps, { clock, daemonStopGraceMs: 2000 });
    open.push(os);
    os.registerDaemon('stuck', { start: () => {}, stop: () => new Promise(() => {}) });
    os.admin({ kind: 'drain' });
    await settle();
    expect([...os.snapshot().daemons.values()][0]!.lifecycle).toBe('stopping');
    await run(clock, 2000);
    const d = [...os.snapshot().daemons.values()][0]!;
    expect(d.lifecycle).toBe('stopped');
    expect(d.restartState.kind).toBe('backingOff');
    expect(os.snapshot().recentFailures.at(-1)!.reason).toBe('stop did not finish within 2000 ms');
  });

  it('maintenance: enter drains daemons, exit recovers, Active again after the 5 min ramp', async () => {
    const { clock, os } = await cluster();
    os.registerDaemon('svc', { start: () => {}, stop: () => {} });
    os.admin({ kind: 'enterMaintenance', reason: 'kernel upgrade' });
    await settle();
    expect(os.snapshot().localMaintenance).toEqual({ kind: 'maintenance', sinceMs: 0n });
    expect([...os.snapshot().daemons.values()][0]!.lifecycle).toBe('stopped');
    os.admin({ kind: 'enterMaintenance' });
    expect(os.snapshot().adminAudit.at(-1)).toMatchObject({ outcome: 'rejected', reason: 'already maintenance' });
    os.admin({ kind: 'exitMaintenance' });
    expect(os.snapshot().localMaintenance.kind).toBe('recovery');
    expect([...os.snapshot().daemons.values()][0]!.lifecycle).toBe('running');
    await run(clock, 300_000);
    expect(os.snapshot().localMaintenance).toEqual({ kind: 'active' });
  });

  it('during a freeze ordinary admin events are rejected with freeze_in_effect; thaw ends it', async () => {
    const { os } = await cluster();
    os.admin({ kind: 'freeze', ttlMs: 60_000 });
    os.admin({ kind: 'cordon' });
    expect(os.snapshot().adminAudit.at(-1)).toMatchObject({ kind: 'cordon', outcome: 'rejected', reason: 'freeze_in_effect' });
    expect(os.snapshot().scheduling.cordoned).toBe(false);
    os.admin({ kind: 'thaw' });
    os.admin({ kind: 'cordon' });
    expect(os.snapshot().scheduling.cordoned).toBe(true);
    expect(os.snapshot().freezeRemainingMs).toBeUndefined();
  });

  it('slow peers go on the avoid list for 5 min; clearAvoidList removes them', async () => {
    const { clock, deps, os } = await cluster();
    deps.setPeer(3n, 'healthy', 400); // a new session with a slow RTT: marked at once
    expect(os.snapshot().avoidList.get(3n)).toEqual({ reason: 'rtt-degradation: 400 ms', ttlMs: 300_000n });
    await run(clock, 100_000);
    expect(os.snapshot().avoidList.get(3n)!.ttlMs).toBe(200_000n);
    // Cleared while still slow: reconcile marks it again at once, with a fresh TTL.
    os.admin({ kind: 'clearAvoidList', peer: 3n });
    expect(os.snapshot().avoidList.get(3n)!.ttlMs).toBe(300_000n);
    // Fast again: cleared for good, and an entry left alone expires after its TTL.
    deps.peerInfos.get(3n)!.rttMs = 20;
    deps.setPeer(5n, 'healthy', 900);
    await run(clock, 500);
    os.admin({ kind: 'clearAvoidList', peer: 3n });
    expect([...os.snapshot().avoidList.keys()]).toEqual([5n]);
    deps.peerInfos.get(5n)!.rttMs = 20;
    await run(clock, 299_000);
    expect(os.snapshot().avoidList.has(5n)).toBe(true);
    await run(clock, 1000);
    expect(os.snapshot().avoidList.size).toBe(0);
  });

  it('capabilities and blob hints come from the fold; removed entries leave the snapshot', async () => {
    const { clock, deps, os } = await cluster();
    const h = 'ab'.repeat(32);
    deps.setTags(9n, [`dataforts.blob.has=${h}`, 'fork-of:c0ffee']);
    await run(clock, 500);
    let s = os.snapshot();
    expect(s.peers.get(9n)).toMatchObject({ capabilitySet: ['dataforts.blob.has=' + h, 'fork-of:c0ffee'], forkedFrom: 'c0ffee' });
    expect(s.blobs.get(h)).toEqual({ holders: [9n] });
    expect(s.peers.has(SELF)).toBe(false);
    deps.setTags(9n, undefined);
    await run(clock, 500);
    s = os.snapshot();
    expect(s.peers.has(9n)).toBe(false);
    expect(s.blobs.size).toBe(0);
  });

  it('validates its API and closes cleanly', async () => {
    const { deps, os } = await cluster();
    expect(() => os.admin({ kind: 'freeze' } as never)).toThrow(InvalidArgumentError);
    expect(() => os.admin({ kind: 'reboot' } as never)).toThrow(/kind must be one of/);
    expect(() => os.registerDaemon('', { start() {}, stop() {} })).toThrow(InvalidArgumentError);
    os.registerDaemon('a', { start() {}, stop() {} });
    expect(() => os.registerDaemon('a', { start() {}, stop() {} })).toThrow(/already registered/);
    let stopped = false;
    os.registerDaemon('b', { start() {}, stop: () => void (stopped = true) });
    const disposed = os.changes();
    await disposed[Symbol.asyncDispose]();
    expect(await disposed.next()).toEqual({ value: undefined, done: true });
    const it = os.changes()[Symbol.asyncIterator]();
    const pending = it.next();
    deps.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(stopped).toBe(true);
    expect(() => os.admin({ kind: 'thaw' })).toThrow(/closed/);
  });
});
