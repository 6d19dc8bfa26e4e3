// The app side of the link to a node's engine: it writes the app's commands (connect, accept,
// stream opens and sends framed straight into the link, consumption reports, subprotocol sends)
// and applies the engine's records to mirrors the synchronous API reads — peers, stream records
// with their budgets and counters, node counters — and to the pending promises they settle.
import { HandshakeError, NotConnectedError, StreamResetError, type NetMeshError, type NetMeshErrorCode } from '../errors.js';
import { warn, type WarningSink } from '../util/diagnostics.js';
import type { EngineHost } from '../engine/engine-host.js';
import {
  SUBPROTOCOL_IN_FRAMES,
  CloseReasons,
  DELIVER_FRAMES,
  GracefulOutcome,
  HEALTH,
  LinkReader,
  Op,
  PeerKind,
  STATUS_BACKLOG,
  STATUS_BUDGET_BYTES,
  STATUS_BUDGET_PACKETS,
  STATUS_FAILED,
  STATUS_FLAGS,
  STATUS_PROBING,
  STATUS_RECEIVED_BYTES,
  STATUS_RECEIVED_PACKETS,
  STATUS_RID,
  SEND_TABLE,
  beginSend,
  emptyCounters,
  readConnectResult,
  readPeer,
  readStats,
  readStatusStats,
  readStreamOpened,
  readWarning,
  writeAccept,
  writeClaim,
  writeCloseStream,
  writeConnect,
  writeCancelConnect,
  writeGraceful,
  writeOpen,
  writePacket,
  writeSetWeight,
  writeShutdown,
  writeSubprotocol,
  writeTaken,
  writeWant,
  type CloseReason,
  type EngineCounters,
  type StatusStats,
  type WireStreamConfig,
} from '../engine/link-format.js';
import { PACKET_WIRE_OVERHEAD } from '../core/reliable.js';
import { resolveStreamConfig, type ResolvedStreamConfig, type StreamConfig } from '../streams/config.js';
import { Stream, type StreamOps } from '../streams/stream.js';
import type { PlannedPacket } from '../streams/pack.js';
import { InboundRouter } from './inbound.js';
import { copyIntoLink } from '../engine/link-copy.js';
import { PeerMirror, type PeerEvent, type PeerEventKind, type PeerInfo } from './peer.js';
import { RecordMirror } from './stream-mirror.js';
import type { PacketTemplate, StreamHeader } from './host.js';
import { GRANT_QUARANTINE_WINDOW_MS } from '../engine/stream-table.js';

/** Sends wait while this many bytes wait for room in the link. */
const LINK_BACKLOG_LIMIT = 1 << 20;

export interface ClientEvents {
  /** `newSession`: the event opened a session (up, or recovered by a new handshake). */
  peer(e: PeerEvent, mirror: PeerMirror, newSession: boolean): void;
  subprotocol(from: bigint, subprotocol: number, frames: Uint8Array[], packet: { streamId: bigint; seq: bigint }): void;
}

type Config = ResolvedStreamConfig & { windowExplicit: boolean };

function toWire(c: Config): WireStreamConfig {
  return {
    reliable: c.reliability === 'reliable',
    scheduled: c.scheduled,
    weight: c.weight,
    priority: c.priority,
    windowBytes: c.windowBytes,
    windowExplicit: c.windowExplicit,
    maxRetries: c.maxRetries,
  };
}

function fromWire(w: WireStreamConfig): Config {
  return {
    reliability: w.reliable ? 'reliable' : 'unreliable',
    scheduled: w.scheduled,
    weight: w.weight,
    priority: w.priority,
    windowBytes: w.windowBytes,
    windowExplicit: w.windowExplicit,
    maxRetries: w.maxRetries,
  };
}

function sameConfig(a: ResolvedStreamConfig, b: ResolvedStreamConfig): boolean {
  return a.reliability === b.reliability && a.scheduled === b.scheduled && a.weight === b.weight && a.priority === b.priority && a.windowBytes === b.windowBytes && a.maxRetries === b.maxRetries;
}

interface Pending<T> {
  resolve(v: T): void;
  reject(e: unknown): void;
}

export class EngineClient implements StreamOps {
  readonly peers = new Map<bigint, PeerMirror>();
  private readonly records = new Map<number, RecordMirror>();
  readonly inbound: InboundRouter;
  readonly counters: EngineCounters = emptyCounters();
  /** Owned subprotocol packets nobody claimed on this side (counted as unsupported). */
  unclaimedSubprotocol = 0;
  private nextReq = 1;
  private readonly connects = new Map<number, Pending<PeerInfo>>();
  private readonly graces = new Map<number, Pending<void> & { m: RecordMirror; timeoutMs: number }>();
  private takenScheduled = false;
  private closedWaiter: (() => void) | undefined;
  private engineClosed = false;
  /** Set once the node closes (or the engine failed): every later call fails with it. */
  private ended: NetMeshError | undefined;
  failure: NetMeshError | undefined;

  constructor(
    private readonly host: EngineHost,
    private readonly events: ClientEvents,
    private readonly warnings: WarningSink | undefined,
  ) {
    this.inbound = new InboundRouter(() => this.scheduleTaken());
  }

  start(): void {
    this.host.start((r) => this.handle(r));
  }

  private wrote(): void {
    this.host.wrote();
  }

  // ---- commands -------------------------------------------------------------------------------

  /** Expects `nodeId`, or (`'any'`) admits any initiator holding the PSK. */
  accept(nodeId: bigint | 'any'): void {
    writeAccept(this.host.writer, nodeId === 'any' ? 0n : nodeId, nodeId === 'any');
    this.wrote();
  }

  /**
   * Runs a connect in the engine. `bound`: the signal abandons it (CONNECT_ABORTED), `timeoutMs`
   * bounds it (HANDSHAKE_TIMEOUT); either way the engine is told to stop its attempts. `address`
   * null: a routed handshake through `via` or the learned route (wire.md §11.4).
   */
  connect(address: string | null, peer: { publicKey: Uint8Array; nodeId: bigint }, bound: { signal?: AbortSignal; timeoutMs?: number; totalTimeoutMs?: number; abortError?: () => Error } = {}, via?: bigint): Promise<PeerInfo> {
    const reqId = this.nextReq++;
    return new Promise<PeerInfo>((resolve, reject) => {
      const { signal, timeoutMs } = bound;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const abandon = (err: Error): void => {
        if (!this.connects.delete(reqId)) return;
        settle();
        if (!this.ended) {
          writeCancelConnect(this.host.writer, reqId);
          this.wrote();
        }
        reject(err);
      };
      const onAbort = (): void => abandon(bound.abortError?.() ?? new HandshakeError('CONNECT_ABORTED', `connect to ${address} was aborted`, { cause: signal?.reason }));
      this.connects.set(reqId, {
        resolve: (v) => {
          settle();
          resolve(v);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => abandon(new HandshakeError('HANDSHAKE_TIMEOUT', `connect to ${address} did not complete within timeoutMs (${bound.totalTimeoutMs ?? timeoutMs} ms): the peer is unreachable, has not accept()ed this node, or uses a different PSK or Noise key`)), timeoutMs);
      }
      writeConnect(this.host.writer, { reqId, nodeId: peer.nodeId, publicKey: peer.publicKey, address, ...(via !== undefined ? { via } : {}) });
      this.wrote();
    });
  }

  /** The live peer mirror, or NotConnectedError. */
  peer(nodeId: bigint): PeerMirror {
    const p = this.peers.get(nodeId);
    if (!p) throw new NotConnectedError(`no session to node ${nodeId}`);
    return p;
  }

  openStream(nodeId: bigint, streamId: bigint, config: StreamConfig | undefined, header: StreamHeader | undefined): Stream {
    const peer = this.peer(nodeId);
    const resolved: Config = { ...resolveStreamConfig(config), windowExplicit: config?.windowBytes !== undefined };
    const existing = peer.streams.get(streamId);
    if (existing && !existing.closed) {
      if (config !== undefined && !sameConfig(existing.config, resolved)) {
        warn(this.warnings, 'STREAM_CONFIG_MISMATCH', `stream ${streamId} to node ${nodeId} already exists with another config; keeping the existing one`);
      }
      return new Stream(this, existing);
    }
    if (resolved.windowBytes > 0 && resolved.windowBytes < 8192) {
      warn(this.warnings, 'STREAM_WINDOW_TOO_SMALL', `stream ${streamId} has windowBytes ${resolved.windowBytes}; a packet charging more than that can never be sent`);
    }
    const epoch = peer.nextEpoch++;
    const q = peer.quarantine.get(streamId);
    const quarantined = q !== undefined && q > performance.now();
    const m = new RecordMirror(peer, streamId, epoch, resolved, header, quarantined);
    peer.streams.set(streamId, m);
    peer.pending.set(epoch, m);
    writeOpen(this.host.writer, { ...m.key, config: toWire(resolved), ...(header ? { header } : {}) });
    this.wrote();
    return new Stream(this, m);
  }

  sendSubprotocol(nodeId: bigint, subprotocol: number, payload: Uint8Array): void {
    this.peer(nodeId);
    writeSubprotocol(this.host.writer, nodeId, subprotocol, payload);
    this.wrote();
  }

  sendPacket(nodeId: bigint, t: PacketTemplate, frames: Uint8Array[]): void {
    this.peer(nodeId);
    writePacket(this.host.writer, { peer: nodeId, flags: t.flags, subprotocol: t.subprotocol, channelHash: t.channelHash ?? 0, streamId: t.streamId, sequence: t.sequence, originHash: t.originHash ?? 0n, events: frames });
    this.wrote();
  }

  claim(subprotocol: number, on: boolean): void {
    writeClaim(this.host.writer, subprotocol, on);
    this.wrote();
  }

  private scheduleTaken(): void {
    if (this.takenScheduled) return;
    this.takenScheduled = true;
    queueMicrotask(() => {
      this.takenScheduled = false;
      const report = this.inbound.takeReport();
      if (!report || this.ended) return;
      writeTaken(this.host.writer, report);
      this.wrote();
    });
  }

  /** Asks the engine to stop; resolves once it did (or at once when it already failed). */
  shutdown(): Promise<void> {
    if (this.failure || this.engineClosed) return Promise.resolve();
    return new Promise((resolve) => {
      this.closedWaiter = resolve;
      writeShutdown(this.host.writer);
      this.wrote();
    });
  }

  // ---- StreamOps (the Stream handles' side) ---------------------------------------------------

  assertLive(m: RecordMirror): void {
    if (this.failure) throw this.failure;
    if (m.closed) {
      const why = m.closed === 'gave-up' ? 'was reset (retransmission gave up)' : m.closed === 'reset' ? 'was reset by the peer' : `is closed (${m.closed})`;
      throw new NotConnectedError(`stream ${m.streamId} to node ${m.peer.nodeId} ${why}`, 'STREAM_CLOSED');
    }
    if (this.peers.get(m.peer.nodeId) !== m.peer) throw new NotConnectedError(`no session to node ${m.peer.nodeId}`);
  }

  linkHasRoom(): boolean {
    return this.host.backlog < LINK_BACKLOG_LIMIT;
  }

  submit(m: RecordMirror, events: readonly Uint8Array[], plan: readonly PlannedPacket[], from: number, to: number): void {
    const w = this.host.writer;
    const key = m.key;
    const limit = Math.min(w.maxRecord, 1 << 20) - SEND_TABLE - 64;
    let i = from;
    while (i < to) {
      let dataLen = 0;
      let j = i;
      while (j < to) {
        const add = plan[j]!.framedLen;
        if (j > i && dataLen + add + 8 * (j - i + 1) > limit) break;
        dataLen += add;
        j++;
      }
      const at = beginSend(w, key, j - i, dataLen);
      const buf = w.buf;
      const dv = w.dv;
      let t = at.table;
      let d = at.data;
      let charge = 0;
      for (let k = i; k < j; k++) {
        const p = plan[k]!;
        dv.setUint32(t, p.framedLen, true);
        dv.setUint32(t + 4, p.end - p.start, true);
        t += 8;
        charge += p.framedLen + PACKET_WIRE_OVERHEAD;
        for (let e = p.start; e < p.end; e++) {
          const ev = events[e]!;
          dv.setUint32(d, ev.length, true);
          copyIntoLink(buf, d + 4, ev);
          d += 4 + ev.length;
        }
      }
      m.submittedBytes += charge;
      m.submittedPackets += j - i;
      i = j;
    }
    this.wrote();
  }

  want(m: RecordMirror): void {
    if (m.wantSent || m.closed) return;
    m.wantSent = true;
    writeWant(this.host.writer, m.key);
    this.wrote();
  }

  poll(): void {
    if (!this.ended) this.host.poll();
  }

  whenRoom(m: RecordMirror): void {
    this.host.whenRoom(() => m.wake());
  }

  setWeight(m: RecordMirror, weight: number): void {
    this.assertLive(m);
    writeSetWeight(this.host.writer, m.key, weight);
    this.wrote();
  }

  close(m: RecordMirror): void {
    if (m.closed) return;
    this.markClosed(m, 'closed');
    if (this.ended) return;
    writeCloseStream(this.host.writer, m.key);
    this.wrote();
  }

  graceful(m: RecordMirror, timeoutMs: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const reqId = this.nextReq++;
    return new Promise<void>((resolve, reject) => {
      this.graces.set(reqId, { resolve, reject, m, timeoutMs });
      writeGraceful(this.host.writer, reqId, m.key, timeoutMs);
      this.wrote();
    });
  }

  private markClosed(m: RecordMirror, reason: CloseReason): void {
    if (m.closed) return;
    m.closed = reason;
    if (reason === 'gave-up') m.failed = true;
    const p = m.peer;
    if (p.streams.get(m.streamId) === m) p.streams.delete(m.streamId);
    if (p.pending.get(m.keyEpoch) === m && m.rid === 0) p.pending.delete(m.keyEpoch);
    if (reason !== 'session' && reason !== 'node-closed') p.quarantine.set(m.streamId, performance.now() + GRANT_QUARANTINE_WINDOW_MS);
    m.wake();
  }

  // ---- records from the engine ----------------------------------------------------------------

  private handle(r: LinkReader): void {
    switch (r.op) {
      case Op.DELIVER: {
        const m = this.records.get(r.u32(0));
        if (!m) return;
        const framesLen = r.u32(28);
        const start = r.at + DELIVER_FRAMES;
        this.inbound.deliver(m.rid, m.peer.nodeId, m.streamId, r.u64(8), r.u16(24), r.u64(16), r.u32(4), r.buf, r.dv, start, start + framesLen);
        return;
      }
      case Op.STATUS:
        return this.onStatus(r);
      case Op.STATS:
        readStats(r, this.counters);
        return;
      case Op.SUBPROTOCOL_IN: {
        const n = r.u32(12);
        const len = r.u32(16);
        const frames: Uint8Array[] = [];
        let o = SUBPROTOCOL_IN_FRAMES;
        const end = SUBPROTOCOL_IN_FRAMES + len;
        for (let k = 0; k < n && o + 4 <= end; k++) {
          const fl = r.u32(o);
          if (o + 4 + fl > end) break;
          frames.push(r.bytes(o + 4, fl).slice());
          o += 4 + fl;
        }
        this.events.subprotocol(r.u64(0), r.u16(8), frames, { streamId: r.u64(24), seq: r.u64(32) });
        return;
      }
      case Op.STREAM_OPENED:
        return this.onStreamOpened(r);
      case Op.STREAM_CLOSED: {
        const rid = r.u32(0);
        const m = this.records.get(rid);
        this.records.delete(rid);
        if (m) this.markClosed(m, CloseReasons[r.u8(4)] ?? 'closed');
        return;
      }
      case Op.RESET: {
        const from = r.u64(0);
        const id = r.u64(8);
        const gaveUp = (r.flags & 1) === 1;
        const msg = gaveUp ? `stream ${id} to node ${from} gave up (retransmission exhausted)` : `stream ${id} was reset by node ${from}`;
        this.inbound.failReads(from, id, new StreamResetError(msg));
        return;
      }
      case Op.PEER:
        return this.onPeer(r);
      case Op.CONNECT_RESULT: {
        const c = readConnectResult(r);
        const p = this.connects.get(c.reqId);
        if (!p) return;
        this.connects.delete(c.reqId);
        // The engine reports handshake failures by their stable code (HANDSHAKE_*, KEY_DERIVATION_MISMATCH).
        if (!c.ok) p.reject(new HandshakeError((c.code || 'HANDSHAKE_FAILED') as NetMeshErrorCode, c.message));
        else {
          const peer = this.peers.get(c.nodeId);
          if (peer) p.resolve(peer.info());
          else p.reject(new HandshakeError('HANDSHAKE_FAILED', 'session vanished after the handshake'));
        }
        return;
      }
      case Op.GRACEFUL_RESULT:
        return this.onGracefulResult(r.u32(0), r.u8(4), r.u8(5));
      case Op.WARNING: {
        const w = readWarning(r);
        warn(this.warnings, w.code, w.message);
        return;
      }
      case Op.CLOSED: {
        this.engineClosed = true;
        const w = this.closedWaiter;
        this.closedWaiter = undefined;
        w?.();
        return;
      }
    }
  }

  private onStatus(r: LinkReader): void {
    const m = this.records.get(r.u32(STATUS_RID));
    if (!m) return;
    const stats = readStatusStats(r);
    const flags = r.u32(STATUS_FLAGS);
    m.onStatus(r.f64(STATUS_RECEIVED_BYTES), r.f64(STATUS_BUDGET_BYTES), r.u32(STATUS_RECEIVED_PACKETS), r.u32(STATUS_BUDGET_PACKETS), r.u32(STATUS_BACKLOG), (flags & STATUS_FAILED) !== 0, (flags & STATUS_PROBING) !== 0, stats);
  }

  private onStreamOpened(r: LinkReader): void {
    const s = readStreamOpened(r);
    const peer = this.peers.get(s.peer);
    if (!peer || peer.gen !== s.gen) return;
    const known = this.records.get(s.rid);
    if (known) {
      known.epoch = s.epoch;
      return;
    }
    let m = peer.pending.get(s.requestedEpoch);
    if (m && s.requestedEpoch !== 0) peer.pending.delete(s.requestedEpoch);
    else {
      // An inbound packet created the record while this side's open of it was on its way.
      const live = peer.streams.get(s.stream);
      m = live && live.rid === 0 && !live.closed ? live : undefined;
      if (m) peer.pending.delete(m.keyEpoch);
    }
    if (m) {
      m.epoch = s.epoch;
      m.config = fromWire(s.config);
    } else {
      m = new RecordMirror(peer, s.stream, s.epoch, fromWire(s.config), undefined, false);
      peer.streams.set(s.stream, m);
    }
    m.rid = s.rid;
    this.records.set(s.rid, m);
  }

  private onPeer(r: LinkReader): void {
    const p = readPeer(r);
    const health = HEALTH[p.health] ?? 'healthy';
    let mirror = this.peers.get(p.nodeId);
    if (p.kind === PeerKind.UP || (p.kind === PeerKind.RECOVERED && mirror?.gen !== p.gen)) {
      if (mirror) this.retireSession(mirror, 'session');
      mirror = new PeerMirror(p.nodeId, p.gen, p.address, health, p.rttMs);
      this.peers.set(p.nodeId, mirror);
      this.emitPeer(mirror, p.kind === PeerKind.UP ? 'up' : 'recovered', true);
      return;
    }
    if (!mirror || mirror.gen !== p.gen) return;
    mirror.address = p.address;
    mirror.health = health;
    mirror.rttMs = p.rttMs;
    if (p.kind === PeerKind.UPDATE) return;
    this.emitPeer(mirror, p.kind === PeerKind.SUSPECTED ? 'suspected' : p.kind === PeerKind.FAILED ? 'failed' : 'recovered', false);
  }

  private retireSession(peer: PeerMirror, reason: CloseReason): void {
    peer.live = false;
    for (const m of [...peer.streams.values(), ...peer.pending.values()]) {
      if (m.rid) this.records.delete(m.rid);
      this.markClosed(m, reason);
    }
    peer.pending.clear();
  }

  private emitPeer(peer: PeerMirror, kind: PeerEventKind, newSession: boolean): void {
    this.events.peer({ kind, nodeId: peer.nodeId, address: peer.address, health: peer.health }, peer, newSession);
  }

  private onGracefulResult(reqId: number, outcome: number, reasonIndex: number): void {
    const g = this.graces.get(reqId);
    if (!g) return;
    this.graces.delete(reqId);
    const m = g.m;
    const what = `stream ${m.streamId} to node ${m.peer.nodeId}`;
    const reason = CloseReasons[reasonIndex] ?? 'closed';
    switch (outcome) {
      case GracefulOutcome.DRAINED:
        this.markClosed(m, 'closed');
        return g.resolve();
      case GracefulOutcome.TIMEOUT:
        this.markClosed(m, 'closed');
        return g.reject(new NotConnectedError(`${what}: sends not acknowledged within ${g.timeoutMs} ms`, 'CLOSE_TIMEOUT'));
      case GracefulOutcome.CLOSED_PENDING:
        this.markClosed(m, reason);
        if (reason === 'reset') return g.reject(new StreamResetError(`${what} was reset by the peer with sends unacknowledged`));
        if (reason === 'gave-up') return g.reject(new StreamResetError(`${what} gave up: retransmission exhausted, StreamReset sent`));
        return g.reject(new NotConnectedError(`${what} was ${reason === 'evicted' ? 'evicted' : 'closed'} with sends unacknowledged (${reason})`, 'STREAM_CLOSED'));
      default:
        if (m.failed) return g.reject(new StreamResetError(`${what} gave up before closeGraceful`));
        this.markClosed(m, 'closed');
        return g.resolve();
    }
  }

  // ---- the end --------------------------------------------------------------------------------

  /** Node close (`err` a ClosedError) or engine failure: settles everything pending with `err`. */
  end(err: NetMeshError, failed: boolean): void {
    if (this.ended) return;
    this.ended = err;
    if (failed) this.failure = err;
    for (const p of this.peers.values()) this.retireSession(p, 'node-closed');
    const connectErr = failed ? err : new HandshakeError('HANDSHAKE_CLOSED', 'node closed during the handshake');
    for (const c of this.connects.values()) c.reject(connectErr);
    this.connects.clear();
    for (const g of this.graces.values()) g.reject(failed ? err : new NotConnectedError(`stream ${g.m.streamId} to node ${g.m.peer.nodeId} is closed (node-closed)`, 'STREAM_CLOSED'));
    this.graces.clear();
    if (failed) this.inbound.failAll(err);
    else this.inbound.close();
    const w = this.closedWaiter;
    this.closedWaiter = undefined;
    w?.();
  }

  get closedError(): NetMeshError | undefined {
    return this.ended;
  }
}

