// The public shapes of MeshOS and Deck (meshos-cli.md §1.3, §2; sdk.md "MeshOS / Deck"): the
// snapshot in camelCase with u64 values as bigint, admin events, daemons and status summaries.
// Enums that Net v0.27.0 externally tags ("Running", {"BackingOff":{"until_ms":…}}) are string
// literals or objects discriminated by `kind` here.

/** Daemon lifecycle phase. */
export type DaemonLifecycle = 'stopped' | 'starting' | 'running' | 'stopping';

/** A daemon's latest self-reported health. */
export type DaemonHealth = { kind: 'healthy' } | { kind: 'degraded'; reason: string } | { kind: 'unhealthy' };

/** The restart gate (§1.2): `untilMs` is the time remaining at the projection instant. */
export type RestartState = { kind: 'idle' } | { kind: 'backingOff'; untilMs: bigint } | { kind: 'crashLooping'; untilMs: bigint };

/** A supervised daemon in the snapshot (meshos-cli.md §1.3 `daemons`). */
export interface DaemonSnapshot {
  name: string;
  lifecycle: DaemonLifecycle;
  health?: DaemonHealth;
  /** Latest self-reported saturation in [0, 1]. */
  saturation: number;
  restartState: RestartState;
  /** The node the daemon runs on (this node: daemons are registered locally). */
  placement: bigint;
  /** Milliseconds since the daemon entered its current lifecycle phase. */
  ageMs: bigint;
}

/** A replicated chain in the snapshot (meshos-cli.md §1.3 `replicas`): its holders, desired count and leader. */
export interface ReplicaSnapshot {
  holders: readonly bigint[];
  desiredCount?: number;
  leader?: bigint;
}

/** Peer health as MeshOS sees it: the failure detector's healthy / suspected / failed, as healthy / degraded / unreachable. */
export type PeerHealth = 'healthy' | 'degraded' | 'unreachable';

/** A peer's maintenance state as this node mirrors it (meshos-cli.md §1.3 `peers.maintenance`). */
export type MaintenanceMirror = 'active' | 'enteringMaintenance' | 'maintenance' | 'exitingMaintenance' | 'drainFailed' | 'recovery';

/** A peer in the snapshot (meshos-cli.md §1.3 `peers`): RTT, health, maintenance, load and capabilities. */
export interface PeerSnapshot {
  rttMs?: bigint;
  health?: PeerHealth;
  maintenance?: MaintenanceMirror;
  cpuLoad1m?: number;
  memUsedBytes?: bigint;
  memTotalBytes?: bigint;
  diskUsedBytes?: bigint;
  diskTotalBytes?: bigint;
  saturationTrend?: number;
  /** The peer's announced capability tags, sorted (empty when it never announced). */
  capabilitySet: readonly string[];
  softwareVersion?: string;
  /** The chain it forked from (its `fork-of:` tag), if any. */
  forkedFrom?: string;
}

/** An entry of the avoid list (meshos-cli.md §1.3 `avoid_list`): why the node is avoided and for how long. */
export interface AvoidEntrySnapshot {
  reason: string;
  /** Remaining TTL at the projection instant. */
  ttlMs: bigint;
}

/** This node's maintenance state (meshos-cli.md §1.3 `local_maintenance`); times are relative to the snapshot. */
export type MaintenanceStateSnapshot =
  | { kind: 'active' }
  | { kind: 'enteringMaintenance'; sinceMs: bigint; deadlineRemainingMs?: bigint }
  | { kind: 'maintenance'; sinceMs: bigint }
  | { kind: 'exitingMaintenance'; sinceMs: bigint }
  | { kind: 'drainFailed'; sinceMs: bigint; reason: string }
  | { kind: 'recovery'; sinceMs: bigint };

/** An action the loop emitted (recently emitted, not "in flight"). */
export interface EmittedActionSnapshot {
  id: bigint;
  /** e.g. `start_daemon`, `stop_daemon`, `apply_backoff`, `mark_avoid`, `commit_maintenance_transition`. */
  kind: string;
  ageMs: bigint;
}

/** A recorded failure (meshos-cli.md §1.3 `recent_failures`, a ring of at most 256). */
export interface FailureRecord {
  seq: bigint;
  /** e.g. `daemon:indexer`, `drain:local`. */
  source: string;
  reason: string;
  /** Wall-clock Unix milliseconds when recorded. */
  recordedAtMs: bigint;
}

/** An admin event and its outcome (the snapshot's `adminAudit` ring). */
export interface AdminAuditRecord {
  seq: bigint;
  /** The admin event kind (`freeze`, `drain`, ...). */
  kind: string;
  /** The event's parameters, rendered for operators. */
  detail: string;
  outcome: 'applied' | 'rejected';
  reason?: string;
  recordedAtMs: bigint;
}

/** The level of a `LogRecord`. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** A log line of the loop or the application (the snapshot's `logRing`). */
export interface LogRecord {
  seq: bigint;
  level: LogLevel;
  source: string;
  message: string;
  recordedAtMs: bigint;
}

/** A daemon migration in flight (meshos-cli.md §1.3 `in_flight_migrations`). */
export interface MigrationSnapshot {
  daemonOrigin: bigint;
  phase: 'snapshot' | 'transfer' | 'restore' | 'replay' | 'cutover' | 'complete';
  elapsedMs: bigint;
  sourceNode: bigint;
  targetNode: bigint;
  ageInPhaseMs: bigint;
  snapshotBytes?: bigint;
  retries: number;
  progressPct?: number;
  bufferedEvents: bigint;
}

/** Blobs announced as held by nodes (project addition: blob announcements have no §1.3 field). */
export interface BlobSnapshot {
  holders: readonly bigint[];
  sizeBytes?: bigint;
}

/** Local scheduling switches set by admin events (project addition). */
export interface SchedulingSnapshot {
  /** `cordon`: no daemon is started; running ones keep running. */
  cordoned: boolean;
  /** `drain`: every daemon is stopped and none is started. */
  draining: boolean;
}

/** Live counters of the loop: excluded from the structural view, they advance on every tick. */
export interface SnapshotCounters {
  ticks: bigint;
  publishes: bigint;
  inputs: bigint;
  actionsEmitted: bigint;
  /** The structural change counter at this publish. */
  structuralChanges: bigint;
  /** Wall-clock Unix milliseconds of the projection instant. */
  takenAtMs: bigint;
}

/** One node's view of the cluster (meshos-cli.md §1.3). Read-only: do not mutate it. */
export interface MeshOsSnapshot {
  /** Fresh random u64 per loop instance; consumers reset sequence watermarks when it changes. */
  runtimeEpochId: bigint;
  /** The node whose loop built this snapshot (project addition). */
  nodeId: bigint;
  daemons: ReadonlyMap<bigint, DaemonSnapshot>;
  replicas: ReadonlyMap<bigint, ReplicaSnapshot>;
  peers: ReadonlyMap<bigint, PeerSnapshot>;
  avoidList: ReadonlyMap<bigint, AvoidEntrySnapshot>;
  localMaintenance: MaintenanceStateSnapshot;
  scheduling: SchedulingSnapshot;
  recentlyEmitted: readonly EmittedActionSnapshot[];
  recentFailures: readonly FailureRecord[];
  freezeRemainingMs?: bigint;
  adminAudit: readonly AdminAuditRecord[];
  logRing: readonly LogRecord[];
  inFlightMigrations: readonly MigrationSnapshot[];
  /** Keyed by the blob's lead hash (lowercase hex) or id. */
  blobs: ReadonlyMap<string, BlobSnapshot>;
  counters: SnapshotCounters;
}

/** Local admin events (meshos-cli.md §5 decision 8). */
export type AdminEvent =
  | { kind: 'enterMaintenance'; /** Drain deadline (default 10 min). */ drainForMs?: number; reason?: string }
  | { kind: 'exitMaintenance' }
  | { kind: 'drain' }
  | { kind: 'cordon' }
  | { kind: 'uncordon' }
  | { kind: 'freeze'; ttlMs: number; reason?: string }
  | { kind: 'thaw' }
  | { kind: 'clearAvoidList'; /** One peer to un-avoid; all entries when omitted. */ peer?: bigint };

/** The `kind` of an `AdminEvent`. */
export type AdminEventKind = AdminEvent['kind'];

/** What a registered daemon can tell its supervisor; also passed to `start`. */
export interface DaemonContext {
  readonly name: string;
  /** Aborted when the supervisor stops the daemon or the node closes. */
  readonly signal: AbortSignal;
  /** The daemon failed while running: it is marked stopped and restarted after its backoff. */
  crash(reason: string): void;
  /** The daemon finished on its own: it is marked stopped and not restarted. */
  exit(): void;
  /** Reports health and, optionally, saturation in [0, 1]. */
  health(health: DaemonHealth, saturation?: number): void;
  log(level: LogLevel, message: string): void;
}

/** A locally supervised task (sdk.md: start may throw or reject = crash). */
export interface DaemonSpec {
  start(ctx: DaemonContext): void | Promise<void>;
  stop(): void | Promise<void>;
}

/** The registration: dispose to stop the daemon and forget it. */
export interface DaemonHandle extends Disposable {
  readonly id: bigint;
  readonly name: string;
}

/** Deck's status summary (meshos-cli.md §2). */
export interface StatusSummary {
  peers: { healthy: number; degraded: number; unreachable: number; unknown: number };
  daemons: { running: number; starting: number; stopping: number; stopped: number; backingOff: number; crashLooping: number };
  replicaChains: number;
  avoidListEntries: number;
  recentlyEmittedCount: number;
  recentFailureCount: number;
  adminAuditRingDepth: number;
  freezeRemainingMs?: bigint;
  localMaintenanceActive: boolean;
}

/**
 * Time for the loop and Deck: a monotonic `now()` in ms, wall-clock Unix ms, and one-shot timers.
 * The default is `performance.now()`, `Date.now()` and unref'd `setTimeout`.
 */
export interface MeshOsClock {
  now(): number;
  wallNow(): number;
  /** Calls `cb` once after `ms`; returns a function that cancels it. */
  setTimer(cb: () => void, ms: number): () => void;
}
