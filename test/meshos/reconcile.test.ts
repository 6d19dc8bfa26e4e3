// The pure reconcile (meshos-cli.md §1.2) over hand-built actual/desired states.
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../ts/meshos/reconcile.js';
import { DEFAULT_CONFIG, emptyActual, emptyDesired, newDaemonState, type ActualState, type DesiredState } from '../../ts/meshos/state.js';

function withDaemons(...specs: { id: bigint; lifecycle?: 'stopped' | 'starting' | 'running' | 'stopping'; want?: 'run' | 'stop' }[]): { actual: ActualState; desired: DesiredState } {
  const actual = emptyActual();
  const desired = emptyDesired();
  for (const s of specs) {
    const d = newDaemonState(s.id, `d${s.id}`, 0, DEFAULT_CONFIG.backoff);
    d.lifecycle = s.lifecycle ?? 'stopped';
    actual.daemons.set(s.id, d);
    desired.daemons.set(s.id, s.want ?? 'run');
  }
  return { actual, desired };
}

const cfg = DEFAULT_CONFIG;

describe('reconcile', () => {
  it('starts stopped daemons that should run and stops running ones that should not, in id order', () => {
    const { actual, desired } = withDaemons(
      { id: 3n },
      { id: 1n, lifecycle: 'running', want: 'stop' },
      { id: 2n, lifecycle: 'starting', want: 'stop' },
      { id: 4n, lifecycle: 'running' },
      { id: 5n, lifecycle: 'stopping', want: 'stop' },
    );
    expect(reconcile(actual, desired, 1000, cfg)).toEqual([
      { kind: 'stopDaemon', daemon: 1n, graceDeadline: 1000 + cfg.daemonStopGraceMs },
      { kind: 'stopDaemon', daemon: 2n, graceDeadline: 1000 + cfg.daemonStopGraceMs },
      { kind: 'startDaemon', daemon: 3n },
    ]);
  });

  it('a backing-off daemon gets one ApplyBackoff per gate, then StartDaemon once the gate opens', () => {
    const { actual, desired } = withDaemons({ id: 1n });
    const d = actual.daemons.get(1n)!;
    d.gate.observeCrash(1000);
    expect(reconcile(actual, desired, 1100, cfg)).toEqual([{ kind: 'applyBackoff', daemon: 1n, until: 1500 }]);
    d.backoffRecorded = 1500; // what the loop records when it executes the action
    expect(reconcile(actual, desired, 1200, cfg)).toEqual([]);
    expect(reconcile(actual, desired, 1500, cfg)).toEqual([{ kind: 'startDaemon', daemon: 1n }]);
    // A new crash is a new gate: a new ApplyBackoff.
    d.gate.observeCrash(1600);
    expect(reconcile(actual, desired, 1700, cfg)).toEqual([{ kind: 'applyBackoff', daemon: 1n, until: 2600 }]);
  });

  it('emits nothing at all while a freeze is in effect, and resumes when it ends', () => {
    const { actual, desired } = withDaemons({ id: 1n });
    actual.peers.set(9n, { capabilitySet: [], rttMs: 400 });
    actual.freezeUntil = 5000;
    expect(reconcile(actual, desired, 4999, cfg)).toEqual([]);
    expect(reconcile(actual, desired, 5000, cfg).map((a) => a.kind)).toEqual(['startDaemon', 'markAvoid']);
  });

  it('marks peers above 250 ms RTT, unlisted ones only, ascending ids, with a 5 min TTL', () => {
    const actual = emptyActual();
    actual.peers.set(30n, { capabilitySet: [], rttMs: 251 });
    actual.peers.set(10n, { capabilitySet: [], rttMs: 900 });
    actual.peers.set(20n, { capabilitySet: [], rttMs: 250 });
    actual.peers.set(5n, { capabilitySet: [] });
    actual.peers.set(40n, { capabilitySet: [], rttMs: 300 });
    actual.avoid.set(40n, { reason: 'earlier', until: 10_000 });
    expect(reconcile(actual, emptyDesired(), 0, cfg)).toEqual([
      { kind: 'markAvoid', peer: 10n, reason: 'rtt-degradation: 900 ms', ttlMs: 300_000 },
      { kind: 'markAvoid', peer: 30n, reason: 'rtt-degradation: 251 ms', ttlMs: 300_000 },
    ]);
  });

  it('cordon holds back starts but keeps running daemons; drain stops them', () => {
    const { actual, desired } = withDaemons({ id: 1n }, { id: 2n, lifecycle: 'running' });
    actual.cordoned = true;
    expect(reconcile(actual, desired, 0, cfg)).toEqual([]);
    actual.draining = true;
    expect(reconcile(actual, desired, 0, cfg)).toEqual([{ kind: 'stopDaemon', daemon: 2n, graceDeadline: cfg.daemonStopGraceMs }]);
  });

  it('entering maintenance stops daemons, commits Maintenance once drained, DrainFailed past the deadline', () => {
    const { actual, desired } = withDaemons({ id: 1n, lifecycle: 'running' }, { id: 2n });
    actual.maintenance = { kind: 'enteringMaintenance', since: 0, deadline: 60_000 };
    expect(reconcile(actual, desired, 10, cfg)).toEqual([{ kind: 'stopDaemon', daemon: 1n, graceDeadline: 10 + cfg.daemonStopGraceMs }]);
    actual.daemons.get(1n)!.lifecycle = 'stopping';
    expect(reconcile(actual, desired, 20, cfg)).toEqual([]);
    expect(reconcile(actual, desired, 60_000, cfg)).toEqual([{ kind: 'commitMaintenanceTransition', to: 'drainFailed', reason: 'drain deadline passed with 1 daemon(s) not stopped' }]);
    actual.daemons.get(1n)!.lifecycle = 'stopped';
    expect(reconcile(actual, desired, 30, cfg)).toEqual([{ kind: 'commitMaintenanceTransition', to: 'maintenance' }]);
  });

  it('in maintenance nothing starts; exiting goes to Recovery, which ends after the 5 min ramp', () => {
    const { actual, desired } = withDaemons({ id: 1n });
    actual.maintenance = { kind: 'maintenance', since: 0 };
    expect(reconcile(actual, desired, 0, cfg)).toEqual([]);
    actual.maintenance = { kind: 'exitingMaintenance', since: 100 };
    expect(reconcile(actual, desired, 100, cfg)).toEqual([{ kind: 'startDaemon', daemon: 1n }, { kind: 'commitMaintenanceTransition', to: 'recovery' }]);
    actual.daemons.get(1n)!.lifecycle = 'running';
    actual.maintenance = { kind: 'recovery', since: 100 };
    expect(reconcile(actual, desired, 100 + 299_999, cfg)).toEqual([]);
    expect(reconcile(actual, desired, 100 + 300_000, cfg)).toEqual([{ kind: 'commitMaintenanceTransition', to: 'active' }]);
  });

  it('an unregistered daemon is stopped regardless of its desired state', () => {
    const { actual, desired } = withDaemons({ id: 1n, lifecycle: 'running' });
    actual.daemons.get(1n)!.unregistered = true;
    expect(reconcile(actual, desired, 0, cfg)).toEqual([{ kind: 'stopDaemon', daemon: 1n, graceDeadline: cfg.daemonStopGraceMs }]);
  });
});
