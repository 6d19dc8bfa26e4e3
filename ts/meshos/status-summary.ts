// Deck's status summary of a snapshot (meshos-cli.md §2).
import type { MeshOsSnapshot, StatusSummary } from './types.js';

export function statusSummary(s: MeshOsSnapshot): StatusSummary {
  const peers = { healthy: 0, degraded: 0, unreachable: 0, unknown: 0 };
  for (const p of s.peers.values()) peers[p.health ?? 'unknown']++;
  const daemons = { running: 0, starting: 0, stopping: 0, stopped: 0, backingOff: 0, crashLooping: 0 };
  for (const d of s.daemons.values()) {
    daemons[d.lifecycle]++;
    if (d.restartState.kind !== 'idle') daemons[d.restartState.kind]++;
  }
  const out: StatusSummary = {
    peers,
    daemons,
    replicaChains: s.replicas.size,
    avoidListEntries: s.avoidList.size,
    recentlyEmittedCount: s.recentlyEmitted.length,
    recentFailureCount: s.recentFailures.length,
    adminAuditRingDepth: s.adminAudit.length,
    localMaintenanceActive: s.localMaintenance.kind !== 'active',
  };
  if (s.freezeRemainingMs !== undefined) out.freezeRemainingMs = s.freezeRemainingMs;
  return out;
}
