// The loop's actual and desired state (meshos-cli.md §1.1) and its configuration. Times are ms on
// the loop's monotonic clock.
import { DEFAULT_BACKOFF, RestartGate, type BackoffConfig } from './backoff.js';
import type { LocalMaintenanceState } from './action.js';
import type { BlobSnapshot, DaemonHealth, DaemonLifecycle, PeerHealth, PeerSnapshot } from './types.js';

export interface MeshOsConfig {
  tickMs: number;
  /** A peer whose latest RTT exceeds this is put on the avoid list. */
  degradedRttMs: number;
  avoidTtlMs: number;
  /** Default drain deadline of `enterMaintenance`. */
  drainDeadlineMs: number;
  recoveryRampMs: number;
  /** How long a daemon's stop() may take before it counts as a crash. */
  daemonStopGraceMs: number;
  /** Bound of the recently-emitted ring (Net v0.27.0's action queue capacity). */
  actionQueueCapacity: number;
  recentFailuresCapacity: number;
  adminAuditCapacity: number;
  logRingCapacity: number;
  /** Distinct blobs tracked from blob announcements; more are dropped and counted. */
  maxBlobs: number;
  backoff: Readonly<BackoffConfig>;
}

export const DEFAULT_CONFIG: Readonly<MeshOsConfig> = Object.freeze({
  tickMs: 500,
  degradedRttMs: 250,
  avoidTtlMs: 5 * 60_000,
  drainDeadlineMs: 10 * 60_000,
  recoveryRampMs: 5 * 60_000,
  daemonStopGraceMs: 10_000,
  actionQueueCapacity: 1024,
  recentFailuresCapacity: 256,
  adminAuditCapacity: 256,
  logRingCapacity: 256,
  maxBlobs: 4096,
  backoff: DEFAULT_BACKOFF,
});

export interface DaemonState {
  readonly id: bigint;
  readonly name: string;
  lifecycle: DaemonLifecycle;
  /** When the current lifecycle phase began. */
  since: number;
  health?: DaemonHealth;
  saturation: number;
  readonly gate: RestartGate;
  /** The gate release time an ApplyBackoff was already emitted for (once per gate). */
  backoffRecorded?: number;
  stopDeadline?: number;
  /** Bumped by every start or stop issued, so late results of an older attempt are ignored. */
  attempt: number;
  /** Disposed: stop it, then forget it. */
  unregistered: boolean;
}

export interface PeerState {
  rttMs?: number;
  health?: PeerHealth;
  capabilitySet: readonly string[];
  forkedFrom?: string;
  /** The projected PeerSnapshot, rebuilt only when this state changes. */
  view?: PeerSnapshot;
}

export interface AvoidState {
  reason: string;
  until: number;
}

export interface BlobState {
  holders: Set<bigint>;
  sizeBytes?: bigint;
  /** The projected BlobSnapshot, rebuilt only when this state changes. */
  view?: BlobSnapshot;
}

export interface ActualState {
  daemons: Map<bigint, DaemonState>;
  peers: Map<bigint, PeerState>;
  avoid: Map<bigint, AvoidState>;
  maintenance: LocalMaintenanceState;
  freezeUntil?: number;
  cordoned: boolean;
  draining: boolean;
  blobs: Map<string, BlobState>;
  /** Bumped on every change to `peers` / `blobs`, so projections can reuse their last Map. */
  peersVersion: number;
  blobsVersion: number;
}

export interface DesiredState {
  daemons: Map<bigint, 'run' | 'stop'>;
}

export function emptyActual(): ActualState {
  return { daemons: new Map(), peers: new Map(), avoid: new Map(), maintenance: { kind: 'active' }, cordoned: false, draining: false, blobs: new Map(), peersVersion: 0, blobsVersion: 0 };
}

export function emptyDesired(): DesiredState {
  return { daemons: new Map() };
}

export function newDaemonState(id: bigint, name: string, now: number, backoff: Readonly<BackoffConfig>): DaemonState {
  return { id, name, lifecycle: 'stopped', since: now, saturation: 0, gate: new RestartGate(backoff), attempt: 0, unregistered: false };
}

/** A cluster freeze is in effect at `now`. */
export function frozen(actual: ActualState, now: number): boolean {
  return actual.freezeUntil !== undefined && actual.freezeUntil > now;
}
