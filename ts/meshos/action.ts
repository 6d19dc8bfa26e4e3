// The actions reconcile emits (meshos-cli.md §1.2), for the inputs this product has.
import type { MaintenanceMirror } from './types.js';

export type LocalMaintenanceState =
  | { kind: 'active' }
  | { kind: 'enteringMaintenance'; since: number; deadline: number; reason?: string }
  | { kind: 'maintenance'; since: number }
  | { kind: 'exitingMaintenance'; since: number }
  | { kind: 'drainFailed'; since: number; reason: string }
  | { kind: 'recovery'; since: number };

export type MeshOsAction =
  | { kind: 'startDaemon'; daemon: bigint }
  | { kind: 'stopDaemon'; daemon: bigint; graceDeadline: number }
  | { kind: 'applyBackoff'; daemon: bigint; until: number }
  | { kind: 'markAvoid'; peer: bigint; reason: string; ttlMs: number }
  | { kind: 'commitMaintenanceTransition'; to: MaintenanceMirror; reason?: string };

/** The snake_case kind Net v0.27.0 shows in `recently_emitted` (`start_daemon`, ...). */
export function actionKindName(a: MeshOsAction): string {
  return a.kind.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
