// The MeshOS loop of meshos-cli.md §1.1 for one node, without timers of its own: the caller feeds
// inputs and calls tick() every interval and wake() at nextDeadline(). Each step applies its inputs,
// runs the pure reconcile, executes the actions (daemon start/stop through the executor) and
// publishes: a fresh snapshot is stored, and the change gate (§1.4) advances only when the
// structural view changed. Structural inputs (peer health, RTT, capabilities, daemons, admin
// events) publish at once (§5 decision 7); log lines and blob announcements wait for the tick.
import { actionKindName, type MeshOsAction } from './action.js';
import { adminDetail, applyAdmin } from './admin.js';
import { ChangeGate } from './change-gate.js';
import { reconcile } from './reconcile.js';
import { Ring } from './ring.js';
import { project, structuralView, type EmittedAction, type LoopView } from './snapshot.js';
import { DEFAULT_CONFIG, emptyActual, emptyDesired, newDaemonState, type ActualState, type DaemonState, type DesiredState, type MeshOsConfig, type PeerState } from './state.js';
import type { AdminAuditRecord, AdminEvent, DaemonHealth, FailureRecord, LogLevel, LogRecord, MeshOsClock, MeshOsSnapshot, PeerHealth } from './types.js';

export type MeshOsInput =
  | { kind: 'nodeHealth'; node: bigint; health: PeerHealth }
  | { kind: 'rttSample'; node: bigint; rttMs: number }
  /** A node's announced capability tags; `tags` undefined = its fold entry is gone. */
  | { kind: 'capabilities'; node: bigint; tags?: readonly string[] }
  | { kind: 'blob'; blob: string; holder: bigint; sizeBytes?: bigint; added: boolean }
  | { kind: 'admin'; event: AdminEvent }
  | { kind: 'log'; level: LogLevel; source: string; message: string }
  | { kind: 'daemonRegistered'; daemon: bigint; name: string }
  | { kind: 'daemonUnregistered'; daemon: bigint }
  /** Results of the executor, tagged with the attempt they answer. */
  | { kind: 'daemonLifecycle'; daemon: bigint; attempt: number; signal: 'started' | 'stopped' | 'crashed' | 'exited'; reason?: string }
  | { kind: 'daemonHealth'; daemon: bigint; health: DaemonHealth; saturation?: number };

/** Performs daemon starts and stops; reports back through `loop.input` (synchronously or later). */
export interface DaemonExecutor {
  start(daemon: bigint, attempt: number): void;
  stop(daemon: bigint, attempt: number): void;
}

export interface LoopDeps {
  nodeId: bigint;
  /** Only now() and wallNow() are used: the loop sets no timers. */
  clock: Pick<MeshOsClock, 'now' | 'wallNow'>;
  executor?: DaemonExecutor;
  /** Inputs polled on every tick (RTT and health of the current peers). */
  probe?: () => Iterable<MeshOsInput>;
  epochId?: bigint;
}

/** Rounds of "apply the executor's synchronous results, reconcile again" per step. */
const MAX_ROUNDS = 16;
const MAX_TEXT = 4096;

function randomU64(): bigint {
  const w = new Uint32Array(2);
  globalThis.crypto.getRandomValues(w);
  return (BigInt(w[0]!) << 32n) | BigInt(w[1]!);
}

export class MeshOsLoop implements LoopView {
  readonly nodeId: bigint;
  readonly epochId: bigint;
  readonly cfg: Readonly<MeshOsConfig>;
  readonly actual: ActualState = emptyActual();
  readonly desired: DesiredState = emptyDesired();
  readonly emitted: Ring<EmittedAction>;
  readonly failures: Ring<FailureRecord>;
  readonly audit: Ring<AdminAuditRecord>;
  readonly logs: Ring<LogRecord>;
  /** The fixed instant structural views are projected against. */
  readonly anchor: number;
  private readonly gate = new ChangeGate<MeshOsSnapshot>();
  private current!: MeshOsSnapshot;
  private stepping = false;
  private queued: MeshOsInput[] = [];
  private nextDaemonId = 1n;
  private ticks = 0n;
  private publishes = 0n;
  private inputs = 0n;
  private actionsEmitted = 0n;
  /** Blob announcements dropped because `maxBlobs` distinct blobs are tracked. */
  blobsDropped = 0;
  private closedFlag = false;

  constructor(
    private readonly deps: LoopDeps,
    cfg: Partial<MeshOsConfig> = {},
  ) {
    this.nodeId = deps.nodeId;
    this.epochId = deps.epochId ?? randomU64();
    this.cfg = { ...DEFAULT_CONFIG, ...cfg };
    this.emitted = new Ring(this.cfg.actionQueueCapacity);
    this.failures = new Ring(this.cfg.recentFailuresCapacity);
    this.audit = new Ring(this.cfg.adminAuditCapacity);
    this.logs = new Ring(this.cfg.logRingCapacity);
    this.anchor = deps.clock.now();
    this.publish();
  }

  /** The snapshot stored by the last publish. */
  snapshot(): MeshOsSnapshot {
    return this.current;
  }

  /** The structural change counter (wrapping u64). */
  get changeCounter(): bigint {
    return this.gate.counter;
  }

  /** Calls `cb(counter)` after each structural change, once the snapshot is stored. */
  onChange(cb: (counter: bigint) => void): () => void {
    return this.gate.subscribe(cb);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  close(): void {
    this.closedFlag = true;
    this.queued = [];
  }

  /**
   * Applies inputs in one step (queued if they arrive while a step runs, e.g. from the executor).
   * A batch (a peer's health and RTT, a fold resync) publishes once.
   */
  input(ev: MeshOsInput | readonly MeshOsInput[]): void {
    if (this.closedFlag) return;
    const evs = Array.isArray(ev) ? (ev as readonly MeshOsInput[]) : [ev as MeshOsInput];
    if (this.stepping) {
      this.queued.push(...evs);
      return;
    }
    this.step(() => {
      let publish = false;
      for (const e of evs) publish = this.apply(e) || publish;
      return publish;
    });
  }

  /** A fresh daemon id, for a `daemonRegistered` input. */
  reserveDaemonId(): bigint {
    return this.nextDaemonId++;
  }

  /** One tick: expiries, probes, reconcile, publish (always). */
  tick(): void {
    if (this.closedFlag) return;
    this.step(() => {
      this.ticks++;
      this.expire(this.deps.clock.now());
      if (this.deps.probe) for (const ev of this.deps.probe()) this.apply(ev);
      return true;
    });
  }

  /** A deadline (nextDeadline) came: expiries, reconcile, publish. */
  wake(): void {
    if (this.closedFlag) return;
    this.step(() => {
      this.expire(this.deps.clock.now());
      return true;
    });
  }

  /**
   * The earliest instant after `now` at which a time-triggered transition is due (gate release,
   * freeze or avoid expiry, stop grace, maintenance deadline, end of recovery). Instants already
   * past that are still pending (a deadline held by a freeze) are left to the ticks.
   */
  nextDeadline(now: number): number | undefined {
    const a = this.actual;
    let t = Infinity;
    const consider = (x: number | undefined): void => {
      if (x !== undefined && x > now && x < t) t = x;
    };
    consider(a.freezeUntil);
    for (const e of a.avoid.values()) consider(e.until);
    for (const d of a.daemons.values()) {
      consider(d.gate.releaseAt());
      consider(d.stopDeadline);
    }
    const m = a.maintenance;
    if (m.kind === 'enteringMaintenance') consider(m.deadline);
    if (m.kind === 'recovery') consider(m.since + this.cfg.recoveryRampMs);
    return t === Infinity ? undefined : t;
  }

  // ---- one step -------------------------------------------------------------------------------

  private step(first: () => boolean): void {
    this.stepping = true;
    let publish: boolean;
    try {
      publish = first();
      for (let round = 0; round < MAX_ROUNDS; round++) {
        if (publish) this.reconcileAndExecute();
        if (this.queued.length === 0) break;
        const q = this.queued;
        this.queued = [];
        for (const ev of q) publish = this.apply(ev) || publish;
      }
    } finally {
      this.stepping = false;
    }
    if (publish) this.publish();
  }

  private reconcileAndExecute(): void {
    const now = this.deps.clock.now();
    for (const a of reconcile(this.actual, this.desired, now, this.cfg)) this.execute(a, now);
  }

  private publish(): void {
    const changed = this.gate.offer(structuralView(this, this.anchor));
    this.publishes++;
    this.current = project(this, this.deps.clock.now(), {
      ticks: this.ticks,
      publishes: this.publishes,
      inputs: this.inputs,
      actionsEmitted: this.actionsEmitted,
      structuralChanges: this.gate.counter,
      takenAtMs: BigInt(Math.floor(this.deps.clock.wallNow())),
    });
    if (changed) this.gate.notify();
  }

  // ---- time -----------------------------------------------------------------------------------

  private expire(now: number): void {
    const a = this.actual;
    if (a.freezeUntil !== undefined && a.freezeUntil <= now) {
      delete a.freezeUntil;
      this.log('info', 'meshos', 'cluster freeze expired');
    }
    for (const [peer, e] of a.avoid) if (e.until <= now) a.avoid.delete(peer);
    for (const d of a.daemons.values()) {
      d.gate.release(now);
      if (d.lifecycle === 'stopping' && d.stopDeadline !== undefined && d.stopDeadline <= now) {
        this.crashed(d, now, `stop did not finish within ${this.cfg.daemonStopGraceMs} ms`);
      }
    }
  }

  // ---- actions --------------------------------------------------------------------------------

  private execute(a: MeshOsAction, now: number): void {
    this.actionsEmitted++;
    this.emitted.push((id) => ({ id, kind: actionKindName(a), at: now }));
    switch (a.kind) {
      case 'startDaemon': {
        const d = this.actual.daemons.get(a.daemon)!;
        this.enter(d, 'starting', now);
        this.deps.executor?.start(d.id, d.attempt);
        return;
      }
      case 'stopDaemon': {
        const d = this.actual.daemons.get(a.daemon)!;
        this.enter(d, 'stopping', now);
        d.stopDeadline = a.graceDeadline;
        this.deps.executor?.stop(d.id, d.attempt);
        return;
      }
      case 'applyBackoff':
        this.actual.daemons.get(a.daemon)!.backoffRecorded = a.until;
        return;
      case 'markAvoid':
        this.actual.avoid.set(a.peer, { reason: a.reason, until: now + a.ttlMs });
        return;
      case 'commitMaintenanceTransition':
        this.actual.maintenance = a.to === 'active' ? { kind: 'active' } : a.to === 'drainFailed' ? { kind: 'drainFailed', since: now, reason: a.reason ?? 'drain failed' } : { kind: a.to as 'maintenance' | 'exitingMaintenance' | 'recovery', since: now };
        if (a.to === 'drainFailed') this.fail('drain:local', a.reason ?? 'drain failed');
        return;
    }
  }

  /** A start or stop issued: a new attempt, so late results of the previous one are ignored. */
  private enter(d: DaemonState, lifecycle: 'starting' | 'stopping', now: number): void {
    d.lifecycle = lifecycle;
    d.since = now;
    d.attempt++;
    delete d.stopDeadline;
  }

  // ---- inputs ---------------------------------------------------------------------------------

  /** Applies one input; true when it should reconcile and publish now. */
  private apply(ev: MeshOsInput): boolean {
    this.inputs++;
    const now = this.deps.clock.now();
    switch (ev.kind) {
      case 'nodeHealth': {
        if (ev.node === this.nodeId) return false;
        const p = this.peer(ev.node);
        if (p.health !== ev.health) this.touch(p, () => (p.health = ev.health));
        return true;
      }
      case 'rttSample': {
        if (ev.node === this.nodeId || !(ev.rttMs > 0) || !Number.isFinite(ev.rttMs)) return false;
        // A sub-millisecond sample is still a measurement: it shows as 1 ms, never as "none".
        const rtt = Math.max(1, Math.round(ev.rttMs));
        const p = this.peer(ev.node);
        if (p.rttMs !== rtt) this.touch(p, () => (p.rttMs = rtt));
        return true;
      }
      case 'capabilities':
        if (ev.node === this.nodeId) return false;
        this.capabilities(ev.node, ev.tags);
        return true;
      case 'blob':
        // Blob announcements and log lines can be many: they are published by the next tick.
        this.blob(ev);
        return false;
      case 'admin': {
        const r = applyAdmin(this.actual, ev.event, now, this.cfg);
        this.audit.push((seq) => {
          const rec: AdminAuditRecord = { seq, kind: ev.event.kind, detail: adminDetail(ev.event), outcome: r.outcome, recordedAtMs: this.wallMs() };
          if (r.outcome === 'rejected') rec.reason = r.reason;
          return rec;
        });
        return true;
      }
      case 'log':
        this.log(ev.level, ev.source, ev.message);
        return false;
      case 'daemonRegistered':
        this.actual.daemons.set(ev.daemon, newDaemonState(ev.daemon, ev.name, now, this.cfg.backoff));
        this.desired.daemons.set(ev.daemon, 'run');
        return true;
      case 'daemonUnregistered': {
        const d = this.actual.daemons.get(ev.daemon);
        if (!d) return false;
        d.unregistered = true;
        this.desired.daemons.delete(ev.daemon);
        if (d.lifecycle === 'stopped') this.actual.daemons.delete(ev.daemon);
        return true;
      }
      case 'daemonLifecycle':
        return this.lifecycle(ev, now);
      case 'daemonHealth': {
        const d = this.actual.daemons.get(ev.daemon);
        if (!d) return false;
        d.health = ev.health;
        if (ev.saturation !== undefined) d.saturation = Math.min(1, Math.max(0, ev.saturation));
        return true;
      }
    }
  }

  private lifecycle(ev: Extract<MeshOsInput, { kind: 'daemonLifecycle' }>, now: number): boolean {
    const d = this.actual.daemons.get(ev.daemon);
    if (!d || ev.attempt !== d.attempt) return false; // an older attempt's late result
    switch (ev.signal) {
      case 'started':
        if (d.lifecycle !== 'starting') return false;
        d.lifecycle = 'running';
        d.since = now;
        d.gate.observeStart(now);
        return true;
      case 'stopped':
        if (d.lifecycle !== 'stopping') return false;
        this.stopped(d, now);
        return true;
      case 'exited':
        if (d.lifecycle !== 'running' && d.lifecycle !== 'starting') return false;
        d.gate.observeCleanExit(now);
        // It finished its work: it stays stopped until registered again.
        this.desired.daemons.set(d.id, 'stop');
        this.stopped(d, now);
        return true;
      case 'crashed':
        if (d.lifecycle === 'stopped') return false;
        this.crashed(d, now, ev.reason ?? 'crashed');
        return true;
    }
  }

  private crashed(d: DaemonState, now: number, reason: string): void {
    d.gate.observeCrash(now);
    this.fail(`daemon:${d.name}`, reason);
    this.stopped(d, now);
  }

  private stopped(d: DaemonState, now: number): void {
    d.lifecycle = 'stopped';
    d.since = now;
    d.attempt++;
    delete d.stopDeadline;
    if (d.unregistered) this.actual.daemons.delete(d.id);
  }

  private peer(node: bigint): PeerState {
    let p = this.actual.peers.get(node);
    if (!p) {
      p = { capabilitySet: Object.freeze([]) };
      this.actual.peers.set(node, p);
      this.actual.peersVersion++;
    }
    return p;
  }

  /** Mutates a peer and drops its cached view. */
  private touch(p: PeerState, f: () => void): void {
    f();
    delete p.view;
    this.actual.peersVersion++;
  }

  private capabilities(node: bigint, tags: readonly string[] | undefined): void {
    const p = this.actual.peers.get(node);
    if (tags === undefined) {
      if (!p) return;
      if (p.health === undefined && p.rttMs === undefined) {
        this.actual.peers.delete(node);
        this.actual.peersVersion++;
      }
      else if (p.capabilitySet.length > 0) {
        this.touch(p, () => {
          p.capabilitySet = Object.freeze([]);
          delete p.forkedFrom;
        });
      }
      return;
    }
    const sorted = [...tags].sort();
    const q = p ?? this.peer(node);
    if (sameStrings(q.capabilitySet, sorted)) return;
    const fork = sorted.find((t) => t.startsWith('fork-of:'));
    this.touch(q, () => {
      q.capabilitySet = Object.freeze(sorted);
      if (fork) q.forkedFrom = fork.slice('fork-of:'.length);
      else delete q.forkedFrom;
    });
  }

  private blob(ev: Extract<MeshOsInput, { kind: 'blob' }>): void {
    const blobs = this.actual.blobs;
    let b = blobs.get(ev.blob);
    if (!ev.added) {
      if (!b || !b.holders.delete(ev.holder)) return;
      if (b.holders.size === 0) blobs.delete(ev.blob);
      else delete b.view;
      this.actual.blobsVersion++;
      return;
    }
    if (!b) {
      if (blobs.size >= this.cfg.maxBlobs) {
        this.blobsDropped++;
        return;
      }
      b = { holders: new Set() };
      blobs.set(ev.blob, b);
    }
    if (b.holders.has(ev.holder) && (ev.sizeBytes === undefined || ev.sizeBytes === b.sizeBytes)) return;
    b.holders.add(ev.holder);
    if (ev.sizeBytes !== undefined) b.sizeBytes = ev.sizeBytes;
    delete b.view;
    this.actual.blobsVersion++;
  }

  private fail(source: string, reason: string): void {
    this.failures.push((seq) => ({ seq, source, reason: reason.slice(0, MAX_TEXT), recordedAtMs: this.wallMs() }));
  }

  private log(level: LogLevel, source: string, message: string): void {
    this.logs.push((seq) => ({ seq, level, source: source.slice(0, 256), message: message.slice(0, MAX_TEXT), recordedAtMs: this.wallMs() }));
  }

  private wallMs(): bigint {
    return BigInt(Math.max(0, Math.floor(this.deps.clock.wallNow())));
  }
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
