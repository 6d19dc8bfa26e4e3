// MeshOs: the node's MeshOS loop wired to its inputs and timers (sdk.md "MeshOS / Deck"). Peer
// health and RTT come from the node's peer hooks (and a probe of peers() on every tick),
// capability and blob announcements from the fold's change signal, daemons from registerDaemon,
// admin events and log lines from the API. The loop (loop.ts) holds the logic; this file only
// connects it: ticks every `tickMs`, an alarm at the loop's next deadline, daemon callbacks.
import { ClosedError, InvalidArgumentError } from '../errors.js';
import type { PeerEvent, PeerInfo } from '../node/peer.js';
import type { Health } from '../node/failure-detector.js';
import { AsyncQueue } from '../util/async-queue.js';
import { realClock } from './clock.js';
import { DeckClient, type DeckSource } from './deck.js';
import { validateAdminEvent } from './admin.js';
import { MeshOsLoop, type DaemonExecutor, type MeshOsInput } from './loop.js';
import type { MeshOsConfig } from './state.js';
import type { AdminEvent, DaemonContext, DaemonHandle, DaemonHealth, DaemonSpec, LogLevel, MeshOsClock, MeshOsSnapshot, PeerHealth } from './types.js';

/** Node options for MeshOS and Deck (`MeshNodeOptions.meshos`). */
export interface MeshOsOptions {
  /** Time source for the loop and Deck (default: performance.now, Date.now, setTimeout). */
  clock?: MeshOsClock;
  /** Loop tick interval (default 500 ms). */
  tickMs?: number;
  /** Deck's wake-up ceiling (`snapshot_poll_interval`, default 100 ms). */
  deckCeilingMs?: number;
  /** RTT above which a peer is put on the avoid list (default 250 ms). */
  degradedRttMs?: number;
  /** How long a daemon's stop() may take before it counts as a crash (default 10 s). */
  daemonStopGraceMs?: number;
}

/** What MeshOs reads from its node (a MeshHost provides all of it). */
export interface MeshOsDeps {
  nodeId: bigint;
  peers(): PeerInfo[];
  onPeerEvent(cb: (e: PeerEvent) => void): () => void;
  onClose(cb: () => void): () => void;
  /** The capability fold: announcements of capabilities and `dataforts.blob.has=` hints. */
  fold?: { onChange(cb: () => void): () => void; nodes(): bigint[]; tagsOf(node: bigint): string[] | undefined };
}

const HEALTH: Record<Health, PeerHealth> = { healthy: 'healthy', suspected: 'degraded', failed: 'unreachable' };
const BLOB_HINT = 'dataforts.blob.has=';
const HEX64 = /^[0-9a-f]{64}$/;
const MAX_CHANGE_BACKLOG = 1024;
const MAX_NAME = 128;
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

function positive(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(`meshos.${name} must be a positive number of milliseconds, got ${String(v)}`);
  return v;
}

/** Checks `MeshNodeOptions.meshos` (before any socket exists). */
export function validateMeshOsOptions(o: unknown): MeshOsOptions {
  if (o === undefined) return {};
  if (!o || typeof o !== 'object') throw new InvalidArgumentError('meshos options must be an object');
  const m = o as MeshOsOptions;
  if (m.clock !== undefined && (typeof m.clock !== 'object' || typeof m.clock.now !== 'function' || typeof m.clock.wallNow !== 'function' || typeof m.clock.setTimer !== 'function')) {
    throw new InvalidArgumentError('meshos.clock must have now(), wallNow() and setTimer(cb, ms)');
  }
  positive('tickMs', m.tickMs);
  positive('deckCeilingMs', m.deckCeilingMs);
  positive('degradedRttMs', m.degradedRttMs);
  positive('daemonStopGraceMs', m.daemonStopGraceMs);
  return m;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

interface Registration {
  name: string;
  spec: DaemonSpec;
  /** The current attempt's context, aborted when it is stopped. */
  run?: AbortController;
  disposed: boolean;
}

/**
 * The node's MeshOS loop (meshos-cli.md §1, sdk.md "MeshOS / Deck"), reached as `node.meshos`:
 * its snapshot, structural changes, local admin events, supervised daemons and log lines.
 */
export class MeshOs {
  readonly #deps: MeshOsDeps;
  readonly #clock: MeshOsClock;
  readonly #loop: MeshOsLoop;
  readonly #tickMs: number;
  readonly #daemons = new Map<bigint, Registration>();
  readonly #disposed = new Set<bigint>();
  readonly #changeQueues = new Set<AsyncQueue<bigint>>();
  readonly #closeListeners = new Set<() => void>();
  readonly #unsubscribe: (() => void)[] = [];
  /** Blob hints last seen per fold node, to turn tag changes into announcements. */
  readonly #blobHints = new Map<bigint, Set<string>>();
  #foldNodes = new Set<bigint>();
  #foldResync = false;
  #cancelTick: (() => void) | undefined;
  #cancelAlarm: (() => void) | undefined;
  #alarmAt: number | undefined;
  #closed = false;
  /** Deck over this loop (node.deck). */
  readonly deck: DeckClient;

  constructor(deps: MeshOsDeps, opts: MeshOsOptions = {}) {
    validateMeshOsOptions(opts);
    this.#deps = deps;
    this.#clock = opts.clock ?? realClock;
    const cfg: Partial<MeshOsConfig> = {};
    if (opts.tickMs !== undefined) cfg.tickMs = opts.tickMs;
    if (opts.degradedRttMs !== undefined) cfg.degradedRttMs = opts.degradedRttMs;
    if (opts.daemonStopGraceMs !== undefined) cfg.daemonStopGraceMs = opts.daemonStopGraceMs;
    const executor: DaemonExecutor = { start: (id, attempt) => this.#start(id, attempt), stop: (id, attempt) => this.#stop(id, attempt) };
    this.#loop = new MeshOsLoop({ nodeId: deps.nodeId, clock: this.#clock, executor, probe: () => this.#probe() }, cfg);
    this.#tickMs = this.#loop.cfg.tickMs;
    this.deck = new DeckClient(this.#deckSource(), { clock: this.#clock, ceilingMs: opts.deckCeilingMs });
    this.#unsubscribe.push(deps.onPeerEvent((e) => this.#onPeerEvent(e)));
    this.#unsubscribe.push(deps.onClose(() => this.close()));
    this.#unsubscribe.push(this.#loop.onChange((c) => this.#onChange(c)));
    if (deps.fold) {
      this.#unsubscribe.push(deps.fold.onChange(() => this.#scheduleFoldResync()));
      this.#resyncFold();
    }
    for (const p of deps.peers()) this.#onPeerEvent({ kind: 'up', nodeId: p.nodeId, address: p.address, health: p.health });
    this.#scheduleTick();
  }

  /** The snapshot stored by the loop's last publish (read-only). */
  snapshot(): MeshOsSnapshot {
    return this.#loop.snapshot();
  }

  /** The structural change counter now. */
  get changeCounter(): bigint {
    return this.#loop.changeCounter;
  }

  /**
   * The structural change counter, once per structural change from now on (a consumer more than
   * 1024 changes behind skips the excess; the counter shows the gap). Ends on abort, dispose or close.
   */
  changes(opts: { signal?: AbortSignal } = {}): AsyncIterableIterator<bigint> & AsyncDisposable {
    const q: AsyncQueue<bigint> = new AsyncQueue<bigint>({ signal: opts.signal, onEnd: () => this.#changeQueues.delete(q) });
    if (this.#closed) q.end();
    else this.#changeQueues.add(q);
    return q;
  }

  /**
   * Applies a local admin event. Its outcome goes to the snapshot's `adminAudit` (an ordinary
   * event during a freeze is rejected there with `freeze_in_effect`).
   */
  admin(event: AdminEvent): void {
    this.#assertOpen();
    this.#feed({ kind: 'admin', event: validateAdminEvent(event) });
  }

  /** Registers a supervised daemon (started at once unless frozen, cordoned or drained). */
  registerDaemon(name: string, spec: DaemonSpec): DaemonHandle {
    this.#assertOpen();
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME) throw new InvalidArgumentError(`daemon name must be a non-empty string of at most ${MAX_NAME} characters`);
    if (!spec || typeof spec.start !== 'function' || typeof spec.stop !== 'function') throw new InvalidArgumentError('daemon must have start() and stop() functions');
    for (const r of this.#daemons.values()) if (r.name === name && !r.disposed) throw new InvalidArgumentError(`a daemon named ${JSON.stringify(name)} is already registered`);
    const id = this.#loop.reserveDaemonId();
    const reg: Registration = { name, spec, disposed: false };
    this.#daemons.set(id, reg);
    this.#feed({ kind: 'daemonRegistered', daemon: id, name });
    return {
      id,
      name,
      [Symbol.dispose]: () => {
        if (reg.disposed) return;
        reg.disposed = true;
        this.#disposed.add(id);
        this.#feed({ kind: 'daemonUnregistered', daemon: id });
      },
    };
  }

  /** Appends a line to the loop's log ring. */
  log(level: LogLevel, text: string, source = 'app'): void {
    if (!LOG_LEVELS.includes(level)) throw new InvalidArgumentError(`level must be one of ${LOG_LEVELS.join(', ')}, got ${String(level)}`);
    if (typeof text !== 'string' || typeof source !== 'string') throw new InvalidArgumentError('log text and source must be strings');
    this.#feed({ kind: 'log', level, source, message: text });
  }

  /**
   * A blob announcement from a layer (dataforts): `holder` has (or, with `added: false`, no longer
   * has) the blob with this lead hash. Fold `dataforts.blob.has=` hints arrive on their own.
   */
  reportBlob(a: { blob: string; holder: bigint; sizeBytes?: bigint; added: boolean }): void {
    if (!a || typeof a.blob !== 'string' || a.blob.length === 0 || a.blob.length > 128) throw new InvalidArgumentError('blob must be a non-empty id or hex hash of at most 128 characters');
    if (typeof a.holder !== 'bigint' || typeof a.added !== 'boolean') throw new InvalidArgumentError('holder must be a bigint node id and added a boolean');
    if (a.sizeBytes !== undefined && (typeof a.sizeBytes !== 'bigint' || a.sizeBytes < 0n)) throw new InvalidArgumentError('sizeBytes must be a non-negative bigint');
    const ev: MeshOsInput = { kind: 'blob', blob: a.blob.toLowerCase(), holder: a.holder, added: a.added };
    if (a.sizeBytes !== undefined) ev.sizeBytes = a.sizeBytes;
    this.#feed(ev);
  }

  /** Stops the loop, its timers and daemons; ends iterables (the node calls it when it closes). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#loop.close();
    this.#cancelTick?.();
    this.#cancelAlarm?.();
    for (const u of this.#unsubscribe) u();
    for (const [, reg] of this.#daemons) {
      if (!reg.run) continue;
      reg.run.abort();
      reg.run = undefined;
      try {
        const r = reg.spec.stop();
        if (isThenable(r)) r.then(undefined, () => undefined);
      } catch {
        // closing anyway: a daemon's failing stop cannot keep the node open
      }
    }
    this.#daemons.clear();
    for (const q of this.#changeQueues) q.end();
    this.#changeQueues.clear();
    for (const cb of [...this.#closeListeners]) cb();
    this.#closeListeners.clear();
  }

  // ---- loop plumbing ----------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError('MeshOS');
  }

  #feed(ev: MeshOsInput | MeshOsInput[]): void {
    if (this.#closed) return;
    this.#loop.input(ev);
    // Disposed daemons are forgotten once the loop has let them go (after their stop).
    for (const id of this.#disposed) {
      if (this.#loop.actual.daemons.has(id)) continue;
      this.#disposed.delete(id);
      this.#daemons.delete(id);
    }
    this.#arm();
  }

  #scheduleTick(): void {
    this.#cancelTick = this.#clock.setTimer(() => {
      if (this.#closed) return;
      this.#loop.tick();
      this.#arm();
      this.#scheduleTick();
    }, this.#tickMs);
  }

  /** Keeps one alarm set at the loop's next deadline (§5 decision 7: gates open on time). */
  #arm(): void {
    if (this.#closed) return;
    const at = this.#loop.nextDeadline(this.#clock.now());
    if (at === this.#alarmAt) return;
    this.#cancelAlarm?.();
    this.#cancelAlarm = undefined;
    this.#alarmAt = at;
    if (at === undefined) return;
    this.#cancelAlarm = this.#clock.setTimer(() => {
      this.#alarmAt = undefined;
      this.#cancelAlarm = undefined;
      this.#loop.wake();
      this.#arm();
    }, at - this.#clock.now());
  }

  #onChange(counter: bigint): void {
    for (const q of this.#changeQueues) if (q.size < MAX_CHANGE_BACKLOG) q.push(counter);
  }

  #deckSource(): DeckSource {
    const self = this;
    return {
      snapshot: () => this.#loop.snapshot(),
      onChange: (cb) => this.#loop.onChange(() => cb()),
      get closed() {
        return self.#closed;
      },
      onClose: (cb) => {
        this.#closeListeners.add(cb);
        return () => this.#closeListeners.delete(cb);
      },
    };
  }

  // ---- peers and the fold -------------------------------------------------------------------

  #onPeerEvent(e: PeerEvent): void {
    const evs: MeshOsInput[] = [{ kind: 'nodeHealth', node: e.nodeId, health: HEALTH[e.health] }];
    if (e.kind === 'up' || e.kind === 'recovered') {
      const p = this.#deps.peers().find((x) => x.nodeId === e.nodeId);
      if (p) evs.push({ kind: 'rttSample', node: p.nodeId, rttMs: p.rttMs });
    }
    this.#feed(evs);
  }

  #probe(): MeshOsInput[] {
    const evs: MeshOsInput[] = [];
    for (const p of this.#deps.peers()) {
      evs.push({ kind: 'nodeHealth', node: p.nodeId, health: HEALTH[p.health] }, { kind: 'rttSample', node: p.nodeId, rttMs: p.rttMs });
    }
    return evs;
  }

  /** Fold changes come in bursts (one per announcement): resync once per turn. */
  #scheduleFoldResync(): void {
    if (this.#foldResync) return;
    this.#foldResync = true;
    queueMicrotask(() => {
      this.#foldResync = false;
      if (!this.#closed) this.#resyncFold();
    });
  }

  /** Feeds the fold's current capability sets and blob hints to the loop in one step. */
  #resyncFold(): void {
    const fold = this.#deps.fold!;
    const now = new Set<bigint>();
    const evs: MeshOsInput[] = [];
    for (const node of fold.nodes()) {
      if (node === this.#deps.nodeId) continue;
      now.add(node);
      const tags = fold.tagsOf(node) ?? [];
      evs.push({ kind: 'capabilities', node, tags });
      this.#blobs(node, tags, evs);
    }
    for (const node of this.#foldNodes) {
      if (now.has(node)) continue;
      evs.push({ kind: 'capabilities', node });
      this.#blobs(node, [], evs);
    }
    this.#foldNodes = now;
    if (evs.length > 0) this.#feed(evs);
  }

  /** Turns a node's `dataforts.blob.has=<hex>` hints into blob announcements (added / removed). */
  #blobs(node: bigint, tags: readonly string[], evs: MeshOsInput[]): void {
    const next = new Set<string>();
    for (const t of tags) {
      if (!t.startsWith(BLOB_HINT)) continue;
      const h = t.slice(BLOB_HINT.length).toLowerCase();
      if (HEX64.test(h)) next.add(h);
    }
    const prev = this.#blobHints.get(node);
    for (const h of next) if (!prev?.has(h)) evs.push({ kind: 'blob', blob: h, holder: node, added: true });
    if (prev) for (const h of prev) if (!next.has(h)) evs.push({ kind: 'blob', blob: h, holder: node, added: false });
    if (next.size > 0) this.#blobHints.set(node, next);
    else this.#blobHints.delete(node);
  }

  // ---- daemons ------------------------------------------------------------------------------

  #context(id: bigint, attempt: number, reg: Registration, run: AbortController): DaemonContext {
    const lifecycle = (signal: 'crashed' | 'exited', reason?: string): void => {
      if (reg.run === run) {
        reg.run = undefined;
        run.abort();
      }
      const ev: MeshOsInput = { kind: 'daemonLifecycle', daemon: id, attempt, signal };
      if (reason !== undefined) ev.reason = reason;
      this.#feed(ev);
    };
    return {
      name: reg.name,
      signal: run.signal,
      crash: (reason) => lifecycle('crashed', typeof reason === 'string' ? reason : String(reason)),
      exit: () => lifecycle('exited'),
      health: (health: DaemonHealth, saturation?: number) => {
        const ok = health && (health.kind === 'healthy' || health.kind === 'unhealthy' || (health.kind === 'degraded' && typeof health.reason === 'string'));
        if (!ok) throw new InvalidArgumentError('health must be { kind: "healthy" | "unhealthy" } or { kind: "degraded", reason }');
        if (saturation !== undefined && (typeof saturation !== 'number' || !Number.isFinite(saturation))) throw new InvalidArgumentError('saturation must be a finite number in [0, 1]');
        const h: DaemonHealth = health.kind === 'degraded' ? { kind: 'degraded', reason: health.reason.slice(0, 512) } : { kind: health.kind };
        const ev: MeshOsInput = { kind: 'daemonHealth', daemon: id, health: h };
        if (saturation !== undefined) ev.saturation = saturation;
        this.#feed(ev);
      },
      log: (level, text) => this.log(level, text, `daemon:${reg.name}`),
    };
  }

  #start(id: bigint, attempt: number): void {
    const reg = this.#daemons.get(id);
    if (!reg) return;
    reg.run?.abort();
    const run = new AbortController();
    reg.run = run;
    const done = (signal: 'started' | 'crashed', reason?: string): void => {
      if (signal === 'crashed' && reg.run === run) {
        reg.run = undefined;
        run.abort();
      }
      const ev: MeshOsInput = { kind: 'daemonLifecycle', daemon: id, attempt, signal };
      if (reason !== undefined) ev.reason = reason;
      this.#feed(ev);
    };
    let r: unknown;
    try {
      r = reg.spec.start(this.#context(id, attempt, reg, run));
    } catch (e) {
      done('crashed', `start threw: ${message(e)}`);
      return;
    }
    if (isThenable(r)) r.then(() => done('started'), (e) => done('crashed', `start rejected: ${message(e)}`));
    else done('started');
  }

  #stop(id: bigint, attempt: number): void {
    const reg = this.#daemons.get(id);
    if (!reg) return;
    reg.run?.abort();
    reg.run = undefined;
    const done = (signal: 'stopped' | 'crashed', reason?: string): void => {
      const ev: MeshOsInput = { kind: 'daemonLifecycle', daemon: id, attempt, signal };
      if (reason !== undefined) ev.reason = reason;
      this.#feed(ev);
    };
    let r: unknown;
    try {
      r = reg.spec.stop();
    } catch (e) {
      done('crashed', `stop threw: ${message(e)}`);
      return;
    }
    if (isThenable(r)) r.then(() => done('stopped'), (e) => done('crashed', `stop rejected: ${message(e)}`));
    else done('stopped');
  }
}
