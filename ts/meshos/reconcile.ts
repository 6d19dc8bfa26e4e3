// The pure reconcile of meshos-cli.md §1.2 for this product's inputs: nothing during a freeze;
// otherwise daemons, then the avoid list, then local maintenance. It reads the state and returns
// actions; the loop executes them.
import type { MeshOsAction } from './action.js';
import { frozen, type ActualState, type DesiredState, type MeshOsConfig } from './state.js';

/** Daemons may not run while the node drains or is (entering) maintenance. */
function daemonsHeldDown(actual: ActualState): boolean {
  const m = actual.maintenance.kind;
  return actual.draining || m === 'enteringMaintenance' || m === 'maintenance' || m === 'drainFailed';
}

export function reconcile(actual: ActualState, desired: DesiredState, now: number, cfg: Readonly<Pick<MeshOsConfig, 'degradedRttMs' | 'avoidTtlMs' | 'daemonStopGraceMs' | 'recoveryRampMs'>>): MeshOsAction[] {
  if (frozen(actual, now)) return [];
  const out: MeshOsAction[] = [];

  // Daemons, in ascending id order.
  const heldDown = daemonsHeldDown(actual);
  const ids = [...actual.daemons.keys()].sort(cmpBigint);
  for (const id of ids) {
    const d = actual.daemons.get(id)!;
    const want = !heldDown && !d.unregistered && desired.daemons.get(id) === 'run' ? 'run' : 'stop';
    if (want === 'run' && d.lifecycle === 'stopped') {
      if (actual.cordoned) continue;
      if (d.gate.admissible(now)) out.push({ kind: 'startDaemon', daemon: id });
      else {
        const until = d.gate.releaseAt()!;
        if (d.backoffRecorded !== until) out.push({ kind: 'applyBackoff', daemon: id, until });
      }
    } else if (want === 'stop' && (d.lifecycle === 'running' || d.lifecycle === 'starting')) {
      out.push({ kind: 'stopDaemon', daemon: id, graceDeadline: now + cfg.daemonStopGraceMs });
    }
  }

  // Avoid list: every peer whose latest RTT exceeds the threshold and is not listed, ascending id.
  const slow: bigint[] = [];
  for (const [peer, p] of actual.peers) if (p.rttMs !== undefined && p.rttMs > cfg.degradedRttMs && !actual.avoid.has(peer)) slow.push(peer);
  for (const peer of slow.sort(cmpBigint)) {
    out.push({ kind: 'markAvoid', peer, reason: `rtt-degradation: ${actual.peers.get(peer)!.rttMs} ms`, ttlMs: cfg.avoidTtlMs });
  }

  // Local maintenance transitions.
  const m = actual.maintenance;
  if (m.kind === 'enteringMaintenance') {
    // Drained once no daemon is still running, starting or stopping (the stops emitted above
    // settle later, so the transition happens on a later reconcile).
    let busy = 0;
    for (const d of actual.daemons.values()) if (d.lifecycle !== 'stopped') busy++;
    if (busy === 0) out.push({ kind: 'commitMaintenanceTransition', to: 'maintenance' });
    else if (m.deadline <= now) {
      out.push({ kind: 'commitMaintenanceTransition', to: 'drainFailed', reason: `drain deadline passed with ${busy} daemon(s) not stopped` });
    }
  } else if (m.kind === 'exitingMaintenance') {
    out.push({ kind: 'commitMaintenanceTransition', to: 'recovery' });
  } else if (m.kind === 'recovery' && m.since + cfg.recoveryRampMs <= now) {
    out.push({ kind: 'commitMaintenanceTransition', to: 'active' });
  }
  return out;
}

export function cmpBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
