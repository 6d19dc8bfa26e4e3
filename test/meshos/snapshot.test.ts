// The snapshot (§1.3), its structural view and the change gate (§1.4), on a loop driven directly.
import { describe, expect, it } from 'vitest';
import { ChangeGate } from '../../ts/meshos/change-gate.js';
import { deepEqual } from '../../ts/meshos/deep-equal.js';
import { MeshOsLoop, type DaemonExecutor, type MeshOsInput } from '../../ts/meshos/loop.js';
import { structuralView } from '../../ts/meshos/snapshot.js';
import { toDeckJson } from '../../ts/meshos/json.js';
import type { MeshOsSnapshot } from '../../ts/meshos/types.js';
import { ManualClock } from './manual-clock.js';

const SELF = 1n;

/** A loop whose daemons start and stop synchronously (the executor answers at once). */
function syncLoop(clock: ManualClock, cfg = {}): MeshOsLoop {
  let loop: MeshOsLoop | undefined;
  const executor: DaemonExecutor = {
    start: (daemon, attempt) => loop!.input({ kind: 'daemonLifecycle', daemon, attempt, signal: 'started' }),
    stop: (daemon, attempt) => loop!.input({ kind: 'daemonLifecycle', daemon, attempt, signal: 'stopped' }),
  };
  loop = new MeshOsLoop({ nodeId: SELF, clock, executor, epochId: 77n }, cfg);
  return loop;
}

describe('snapshot and structural view', () => {
  it('the first publish happens at construction and carries the runtime epoch id', () => {
    const loop = syncLoop(new ManualClock(5000));
    const s = loop.snapshot();
    expect(loop.changeCounter).toBe(1n);
    expect(s.runtimeEpochId).toBe(77n);
    expect(s.counters).toMatchObject({ ticks: 0n, publishes: 1n, structuralChanges: 1n });
    expect(s.daemons.size).toBe(0);
    expect(s.localMaintenance).toEqual({ kind: 'active' });
    expect(s.freezeRemainingMs).toBeUndefined();
    // Two loops get different epochs when none is given.
    const a = new MeshOsLoop({ nodeId: SELF, clock: new ManualClock() });
    const b = new MeshOsLoop({ nodeId: SELF, clock: new ManualClock() });
    expect(a.epochId).not.toBe(b.epochId);
  });

  it('past-relative fields grow in the stored snapshot and collapse to 0 in the structural view', async () => {
    const clock = new ManualClock(1000);
    const loop = syncLoop(clock);
    const id = loop.reserveDaemonId();
    loop.input({ kind: 'daemonRegistered', daemon: id, name: 'indexer' });
    loop.input({ kind: 'admin', event: { kind: 'enterMaintenance', drainForMs: 60_000 } });
    await clock.advance(30_000);
    loop.tick();
    const s = loop.snapshot();
    const d = s.daemons.get(id)!;
    expect(d.lifecycle).toBe('stopped'); // stopped by the drain of maintenance
    expect(d.ageMs).toBe(30_000n);
    expect(s.localMaintenance).toEqual({ kind: 'maintenance', sinceMs: 30_000n });
    expect(s.recentlyEmitted.map((e) => [e.kind, e.ageMs])).toEqual([
      ['start_daemon', 30_000n],
      ['stop_daemon', 30_000n],
      ['commit_maintenance_transition', 30_000n],
    ]);
    const v = structuralView(loop, loop.anchor);
    expect(v.daemons.get(id)!.ageMs).toBe(0n);
    expect(v.localMaintenance).toEqual({ kind: 'maintenance', sinceMs: 0n });
    expect(v.recentlyEmitted.every((e) => e.ageMs === 0n)).toBe(true);
  });

  it('future-relative fields count down in the stored snapshot and stay constant in the structural view', async () => {
    const clock = new ManualClock(1000);
    const loop = syncLoop(clock);
    await clock.advance(2000); // the anchor is 1000; now 3000
    loop.input({ kind: 'admin', event: { kind: 'freeze', ttlMs: 10_000 } });
    loop.input({ kind: 'rttSample', node: 9n, rttMs: 400 });
    const id = loop.reserveDaemonId();
    loop.input({ kind: 'daemonRegistered', daemon: id, name: 'w' });
    loop.input({ kind: 'daemonLifecycle', daemon: id, attempt: 0, signal: 'crashed' }); // stopped: ignored
    const views: MeshOsSnapshot[] = [];
    const stored: (bigint | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      loop.tick();
      stored.push(loop.snapshot().freezeRemainingMs);
      views.push(structuralView(loop, loop.anchor));
      await clock.advance(2000);
    }
    expect(stored).toEqual([10_000n, 8000n, 6000n, 4000n]);
    // freeze until = 13000, anchor = 1000: the structural value is 12000 throughout.
    expect(views.map((v) => v.freezeRemainingMs)).toEqual([12_000n, 12_000n, 12_000n, 12_000n]);
    expect(views.every((v) => deepEqual(v, views[0]))).toBe(true);
    // Thawed: the avoid entry (marked once the freeze ended) has a TTL that is constant too.
    loop.input({ kind: 'admin', event: { kind: 'thaw' } });
    const marked = loop.snapshot().avoidList.get(9n)!;
    expect(marked).toEqual({ reason: 'rtt-degradation: 400 ms', ttlMs: 300_000n });
    const v1 = structuralView(loop, loop.anchor).avoidList.get(9n)!.ttlMs;
    await clock.advance(100_000);
    loop.tick();
    expect(loop.snapshot().avoidList.get(9n)!.ttlMs).toBe(200_000n);
    expect(structuralView(loop, loop.anchor).avoidList.get(9n)!.ttlMs).toBe(v1);
  });

  it('the backoff gate and the maintenance deadline are constant within their window', async () => {
    const clock = new ManualClock(0);
    const loop = syncLoop(clock);
    const id = loop.reserveDaemonId();
    loop.input({ kind: 'daemonRegistered', daemon: id, name: 'w' });
    expect(loop.snapshot().daemons.get(id)!.lifecycle).toBe('running');
    await clock.advance(100);
    loop.input({ kind: 'daemonLifecycle', daemon: id, attempt: 1, signal: 'crashed', reason: 'boom' });
    const at0 = structuralView(loop, loop.anchor).daemons.get(id)!.restartState;
    expect(loop.snapshot().daemons.get(id)!.restartState).toEqual({ kind: 'backingOff', untilMs: 500n });
    await clock.advance(300);
    loop.tick();
    expect(loop.snapshot().daemons.get(id)!.restartState).toEqual({ kind: 'backingOff', untilMs: 200n });
    expect(structuralView(loop, loop.anchor).daemons.get(id)!.restartState).toEqual(at0);
    expect(at0).toEqual({ kind: 'backingOff', untilMs: 600n });
    loop.input({ kind: 'admin', event: { kind: 'enterMaintenance', drainForMs: 5000 } });
    expect(loop.snapshot().localMaintenance).toEqual({ kind: 'maintenance', sinceMs: 0n });
  });

  it('counters advance on every tick and are not part of the structural view', async () => {
    const clock = new ManualClock(0);
    const loop = syncLoop(clock);
    const before = loop.snapshot().counters;
    for (let i = 0; i < 10; i++) {
      await clock.advance(500);
      loop.tick();
    }
    const after = loop.snapshot().counters;
    expect(after.ticks - before.ticks).toBe(10n);
    expect(after.publishes - before.publishes).toBe(10n);
    expect(after.takenAtMs - before.takenAtMs).toBe(5000n);
    expect(loop.changeCounter).toBe(1n);
    expect(structuralView(loop, loop.anchor).counters).toEqual({ ticks: 0n, publishes: 0n, inputs: 0n, actionsEmitted: 0n, structuralChanges: 0n, takenAtMs: 0n });
  });

  it('rings stay bounded: failures 256, audit 256, logs 256, recently emitted 1024', () => {
    const clock = new ManualClock(0);
    const loop = syncLoop(clock);
    const batch: MeshOsInput[] = [];
    for (let i = 0; i < 300; i++) {
      batch.push({ kind: 'log', level: 'info', source: 'test', message: `line ${i}` }, { kind: 'admin', event: { kind: 'cordon' } });
    }
    loop.input(batch);
    // 1100 slow peers in one step: 1100 MarkAvoid actions.
    loop.input(Array.from({ length: 1100 }, (_, i): MeshOsInput => ({ kind: 'rttSample', node: BigInt(1000 + i), rttMs: 300 })));
    const id = loop.reserveDaemonId();
    loop.input({ kind: 'daemonRegistered', daemon: id, name: 'x' });
    loop.input({ kind: 'admin', event: { kind: 'uncordon' } });
    for (let i = 0; i < 300; i++) loop.input({ kind: 'daemonLifecycle', daemon: id, attempt: loop.actual.daemons.get(id)!.attempt, signal: 'crashed', reason: `r${i}` });
    loop.tick();
    const s = loop.snapshot();
    expect(s.logRing).toHaveLength(256);
    expect(s.logRing[0]!.message).toBe('line 44');
    expect(s.logRing[255]!.seq).toBe(300n);
    expect(s.adminAudit).toHaveLength(256);
    expect(s.recentlyEmitted).toHaveLength(1024);
    expect(s.recentFailures.length).toBeLessThanOrEqual(256);
    expect(s.recentFailures.length).toBeGreaterThan(0);
  });

  it('the JSON form keeps u64 values exact and maps keyed by decimal ids', () => {
    const clock = new ManualClock(0);
    const loop = syncLoop(clock);
    const big = 0xfedcba9876543210n;
    loop.input({ kind: 'nodeHealth', node: big, health: 'degraded' });
    loop.input({ kind: 'rttSample', node: big, rttMs: 12.4 });
    const json = toDeckJson(loop.snapshot());
    expect(json).toContain(`"peers":{"${big}":{"capabilitySet":[],"rttMs":12,"health":"degraded"}}`);
    expect(json).toContain(`"runtimeEpochId":77`);
    expect(json).not.toContain('freezeRemainingMs');
    expect(() => JSON.parse(json)).not.toThrow();
  });
});

describe('change gate', () => {
  it('advances on the first offer and on every structural difference, never on an equal view', () => {
    const g = new ChangeGate<unknown>();
    expect(g.offer({ a: 1, m: new Map([[1n, { x: 0.1 + 0.2 }]]) })).toBe(true);
    expect(g.counter).toBe(1n);
    expect(g.offer({ a: 1, m: new Map([[1n, { x: 0.30000000000000004 }]]) })).toBe(false);
    expect(g.offer({ a: 1, m: new Map([[1n, { x: 0.3 }]]) })).toBe(true);
    expect(g.offer({ a: 1, m: new Map([[1n, { x: 0.3, y: undefined }]]) })).toBe(false);
    expect(g.offer({ a: 1, m: new Map([[2n, { x: 0.3 }]]) })).toBe(true);
    expect(g.counter).toBe(3n);
  });

  it('the counter is a wrapping u64', () => {
    const g = ChangeGate.startingAt<number>((1n << 64n) - 1n);
    expect(g.offer(1)).toBe(true);
    expect(g.counter).toBe(0n);
  });

  it('deepEqual tells Maps, arrays and objects apart and compares bigints and NaN by value', () => {
    expect(deepEqual(new Map([[1n, 2n]]), new Map([[1n, 2n]]))).toBe(true);
    expect(deepEqual(new Map([[1n, 2n]]), new Map([[1n, 3n]]))).toBe(false);
    expect(deepEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(deepEqual({ a: [1, { b: NaN }] }, { a: [1, { b: NaN }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  });
});
