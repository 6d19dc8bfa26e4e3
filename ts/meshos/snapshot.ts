// Projection of the loop's state into a MeshOsSnapshot (§1.3) at an instant, and the structural
// view of §1.4: the same projection against the fixed anchor captured when the loop was built, so
// past-relative fields (ages, since) collapse to 0 and future-relative ones (remaining freeze,
// backoff until, maintenance deadline, avoid TTLs) stay constant while their deadline does; the
// live counters are replaced by zeros.
import type { LocalMaintenanceState } from './action.js';
import type { Ring } from './ring.js';
import { cmpBigint } from './reconcile.js';
import type { ActualState, BlobState, DaemonState, PeerState } from './state.js';
import type {
  AdminAuditRecord,
  BlobSnapshot,
  DaemonSnapshot,
  EmittedActionSnapshot,
  FailureRecord,
  LogRecord,
  MaintenanceStateSnapshot,
  MeshOsSnapshot,
  PeerSnapshot,
  ReplicaSnapshot,
  RestartState,
  SnapshotCounters,
} from './types.js';

/** An action as the loop remembers it for `recentlyEmitted`. */
export interface EmittedAction {
  id: bigint;
  kind: string;
  at: number;
}

/** What a projection reads. */
export interface LoopView {
  readonly nodeId: bigint;
  readonly epochId: bigint;
  readonly actual: ActualState;
  readonly emitted: Ring<EmittedAction>;
  readonly failures: Ring<FailureRecord>;
  readonly audit: Ring<AdminAuditRecord>;
  readonly logs: Ring<LogRecord>;
}

export const ZERO_COUNTERS: Readonly<SnapshotCounters> = Object.freeze({
  ticks: 0n,
  publishes: 0n,
  inputs: 0n,
  actionsEmitted: 0n,
  structuralChanges: 0n,
  takenAtMs: 0n,
});

const NO_REPLICAS: ReadonlyMap<bigint, ReplicaSnapshot> = new Map();
const NO_MIGRATIONS: readonly never[] = Object.freeze([]);

/** Milliseconds from `t` to `at` (a past instant's age), saturating at 0. */
function since(at: number, t: number): bigint {
  return BigInt(Math.max(0, Math.floor(at - t)));
}

/** Milliseconds from `at` to `t` (time remaining), saturating at 0. */
function until(at: number, t: number): bigint {
  return BigInt(Math.max(0, Math.floor(t - at)));
}

function restartState(d: DaemonState, at: number): RestartState {
  const g = d.gate.state;
  return g.kind === 'idle' ? { kind: 'idle' } : { kind: g.kind, untilMs: until(at, g.until) };
}

function daemonView(d: DaemonState, at: number, nodeId: bigint): DaemonSnapshot {
  const v: DaemonSnapshot = {
    name: d.name,
    lifecycle: d.lifecycle,
    saturation: d.saturation,
    restartState: restartState(d, at),
    placement: nodeId,
    ageMs: since(at, d.since),
  };
  if (d.health) v.health = d.health;
  return v;
}

export function peerView(p: PeerState): PeerSnapshot {
  if (p.view) return p.view;
  const v: PeerSnapshot = { capabilitySet: p.capabilitySet };
  if (p.rttMs !== undefined) v.rttMs = BigInt(p.rttMs);
  if (p.health !== undefined) v.health = p.health;
  if (p.forkedFrom !== undefined) v.forkedFrom = p.forkedFrom;
  p.view = Object.freeze(v);
  return p.view;
}

function blobView(b: BlobState): BlobSnapshot {
  if (b.view) return b.view;
  const v: BlobSnapshot = { holders: Object.freeze([...b.holders].sort(cmpBigint)) };
  if (b.sizeBytes !== undefined) v.sizeBytes = b.sizeBytes;
  b.view = Object.freeze(v);
  return b.view;
}

function maintenanceView(m: LocalMaintenanceState, at: number): MaintenanceStateSnapshot {
  switch (m.kind) {
    case 'active':
      return { kind: 'active' };
    case 'enteringMaintenance':
      return { kind: m.kind, sinceMs: since(at, m.since), deadlineRemainingMs: until(at, m.deadline) };
    case 'drainFailed':
      return { kind: m.kind, sinceMs: since(at, m.since), reason: m.reason };
    default:
      return { kind: m.kind, sinceMs: since(at, m.since) };
  }
}

/** Sorted by key so two projections of the same state iterate identically. */
function sortedMap<K extends bigint | string, S, V>(src: ReadonlyMap<K, S>, f: (s: S, k: K) => V): Map<K, V> {
  const keys = [...src.keys()].sort((a, b) => (typeof a === 'bigint' ? cmpBigint(a, b as bigint) : a < b ? -1 : a > b ? 1 : 0));
  const out = new Map<K, V>();
  for (const k of keys) out.set(k, f(src.get(k)!, k));
  return out;
}

/**
 * Maps without time fields (peers, blobs) are rebuilt only when their version moves, so successive
 * snapshots and structural views share them and the change gate compares them by identity.
 */
interface Reused {
  peersVersion: number;
  peers: ReadonlyMap<bigint, PeerSnapshot>;
  blobsVersion: number;
  blobs: ReadonlyMap<string, BlobSnapshot>;
}

const reused = new WeakMap<ActualState, Reused>();

function sharedMaps(a: ActualState): Reused {
  let r = reused.get(a);
  if (!r) {
    r = { peersVersion: -1, peers: new Map(), blobsVersion: -1, blobs: new Map() };
    reused.set(a, r);
  }
  if (r.peersVersion !== a.peersVersion) {
    r.peers = sortedMap(a.peers, peerView);
    r.peersVersion = a.peersVersion;
  }
  if (r.blobsVersion !== a.blobsVersion) {
    r.blobs = sortedMap(a.blobs, blobView);
    r.blobsVersion = a.blobsVersion;
  }
  return r;
}

/** Structural (age 0) forms of the emitted ring, per ring copy: rebuilt only when the ring changes. */
const emittedStructural = new WeakMap<readonly EmittedAction[], readonly EmittedActionSnapshot[]>();

function emittedView(ring: readonly EmittedAction[], at: number, structural: boolean): readonly EmittedActionSnapshot[] {
  if (!structural) return ring.map((e) => ({ id: e.id, kind: e.kind, ageMs: since(at, e.at) }));
  let v = emittedStructural.get(ring);
  if (!v) {
    v = Object.freeze(ring.map((e) => Object.freeze({ id: e.id, kind: e.kind, ageMs: 0n })));
    emittedStructural.set(ring, v);
  }
  return v;
}

/**
 * The snapshot of `view` projected at `at` (ms on the loop clock). `structural` marks the
 * projection at the anchor, where every recorded instant is at or after `at`, so ages are 0.
 */
export function project(view: LoopView, at: number, counters: Readonly<SnapshotCounters>, structural = false): MeshOsSnapshot {
  const a = view.actual;
  const shared = sharedMaps(a);
  const s: MeshOsSnapshot = {
    runtimeEpochId: view.epochId,
    nodeId: view.nodeId,
    daemons: sortedMap(a.daemons, (d) => daemonView(d, at, view.nodeId)),
    replicas: NO_REPLICAS,
    peers: shared.peers,
    avoidList: sortedMap(a.avoid, (e) => ({ reason: e.reason, ttlMs: until(at, e.until) })),
    localMaintenance: maintenanceView(a.maintenance, at),
    scheduling: { cordoned: a.cordoned, draining: a.draining },
    recentlyEmitted: emittedView(view.emitted.values(), at, structural),
    recentFailures: view.failures.values(),
    adminAudit: view.audit.values(),
    logRing: view.logs.values(),
    inFlightMigrations: NO_MIGRATIONS,
    blobs: shared.blobs,
    counters,
  };
  if (a.freezeUntil !== undefined) s.freezeRemainingMs = until(at, a.freezeUntil);
  return s;
}

/** The structural view: the projection at the loop's anchor instant, counters zeroed. */
export function structuralView(view: LoopView, anchor: number): MeshOsSnapshot {
  return project(view, anchor, ZERO_COUNTERS, true);
}
