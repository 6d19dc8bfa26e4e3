// The engine: a node's whole packet path in one place — datagram classification, header checks,
// the WASM core's packet sessions (seal/open in batches, replay window, unframing), the Noise
// handshake, the stream table (credit, grants, reliable retransmission, the fair scheduler),
// heartbeats and the failure detector, and routing (wire.md §7, §16): routed packets delivered,
// relayed through the fair scheduler or dropped, pingwaves feeding the routing table. Its inputs
// are datagram batches, link records from the app and timer expiries, each with the time passed
// in; its outputs are datagrams and link records. It runs wherever its driver puts it (a core
// worker, or the app's own thread) and, with time passed in, under a test without either.
import type { EngineConfig } from './engine-host.js';
import { PacketSession } from '../core/session.js';
import { SealBuilder } from '../core/seal-builder.js';
import { PacketStatus } from '../core/packet-status.js';
import { checkHeader, classifyDatagram, DatagramClass, headerFlags, headerPayloadLen, headerSessionId, HEADER_SIZE, MAX_DATAGRAM_SIZE, PacketFlags } from '../core/header.js';
import { natKeepAlive, RejectionNotices } from './handshake-notices.js';
import { forwardedCopy, ROUTED_DATA_TTL, routedDestId, routedSrcId, RouteFlags, ROUTING_HEADER_SIZE, routingId, writeRoutingHeader } from '../core/routing-header.js';
import { RoutingTable } from '../routing/routing-table.js';
import { PingwaveRelay, type DirectPeers } from '../routing/pingwave-relay.js';
import { HandshakeError } from '../errors.js';
import type { KeyDerivationMode } from '../session/handshake.js';
import type { NoiseKeypair } from '../session/noise.js';
import type { Datagram } from '../transports/transport.js';
import { SUBPROTOCOL_STREAM_NACK, SUBPROTOCOL_STREAM_RESET, SUBPROTOCOL_STREAM_WINDOW, CONTROL_STREAM_ID } from '../streams/control-frames.js';
import type { Health } from '../node/failure-detector.js';
import { Handshaker, type HandshakeOutcome } from './handshaker.js';
import { EnginePeer } from './peer.js';
import type { HandshakeBudgetOptions } from './handshake-budget.js';
import { StreamTable, type StreamIO, type StreamTableOptions } from './stream-table.js';
import type { StreamRecord, StreamHeader } from './stream-record.js';
import { Timers } from './timers.js';
import { SendSlab } from './send-slab.js';
import { SUBSTRATE_SUBPROTOCOLS } from './subprotocols.js';
import {
  LinkReader,
  type LinkWriter,
  Op,
  PeerKind,
  HEALTH,
  SEND_COUNT,
  SEND_DATA_LEN,
  SEND_TABLE,
  STATUS_STATS,
  STATUS_STATS_AT,
  STATUS_LEN,
  STATUS_FAILED,
  STATUS_PROBING,
  beginDeliver,
  beginSubprotocolIn,
  emptyCounters,
  readConnect,
  readGraceful,
  readKey,
  readOpen,
  readDatagrams,
  writeConnectResult,
  writeGracefulResult,
  writePeer,
  writeReset,
  writeStats,
  writeStreamClosed,
  writeStreamOpened,
  writeWarning,
  readAddressNote,
  type CloseReason,
  type EngineCounters,
} from './link-format.js';
import type { StreamCoreStats } from '../core/reliable.js';

export interface EngineOptions {
  nodeId: bigint;
  psk: Uint8Array;
  keyDerivation: KeyDerivationMode;
  staticKeypair: NoiseKeypair;
  heartbeatIntervalMs: number;
  sessionTimeoutMs: number;
  handshakeTimeoutMs?: number;
  handshakeAttempts?: number;
  /** msg1 admission before any crypto (defaults: DEFAULT_HANDSHAKE_BUDGET). */
  handshakeBudget?: HandshakeBudgetOptions;
  streams?: StreamTableOptions;
}

/** The engine's options from the config a host received (the same in both placements). */
export function engineOptions(cfg: EngineConfig): EngineOptions {
  return {
    nodeId: cfg.nodeId,
    psk: cfg.psk,
    keyDerivation: cfg.keyDerivation,
    staticKeypair: cfg.staticKeypair,
    heartbeatIntervalMs: cfg.heartbeatIntervalMs,
    sessionTimeoutMs: cfg.sessionTimeoutMs,
    handshakeTimeoutMs: cfg.handshakeTimeoutMs,
    handshakeAttempts: cfg.handshakeAttempts,
    // A reliable stream is given at least as long as the session without an answer (issue 9).
    streams: { receiveBudgetBytes: cfg.receiveBudgetBytes, maxWindowBytes: cfg.maxWindowBytes, giveUpMs: cfg.sessionTimeoutMs },
  };
}

export interface EngineOutput {
  /** Datagrams for the transport (sealed, or raw handshakes), once per flush. */
  send(batch: Datagram[]): void;
  /** Records for the app. */
  readonly link: LinkWriter;
  /** Makes the link records written so far visible to the app (called before sealing). */
  publish(): void;
  /** Datagrams handed to `send` that have not left yet (the engine paces its sends by it). */
  backlog?(): number;
  /**
   * After `send`: true when nothing keeps the datagrams' bytes (they were copied to the OS or into
   * the link), so the engine may reuse their buffer. Absent or false: the buffer is left alone.
   */
  released?(): boolean;
  /**
   * Asks the transport to watch for ICMP unreachable at `address` (Transport.probe); answers come
   * to handleUnreachable. True when the transport is probing (its silence then says something).
   */
  probe?(address: string, payload: Uint8Array): boolean;
}

/** performance.timeOrigin where there is one: engine time + this ≈ ms since the Unix epoch. */
const TIME_ORIGIN = (globalThis as { performance?: { timeOrigin?: number } }).performance?.timeOrigin ?? 0;

/** Node counters go to the app at most this often (node.stats() is at most this old). */
const STATS_INTERVAL_MS = 10;
/** When the path to the socket is full, the engine looks again after this long. */
const PATH_POLL_MS = 1;

const HEALTH_INDEX: Record<Health, number> = { healthy: 0, suspected: 1, failed: 2 };
/** PEER updates for RTT changes: at most this often per peer, and only for a change above 20%. */
const RTT_REPORT_MS = 250;
/** Responder sessions waiting for key confirmation, per node (older ones are dropped first). */
const MAX_PENDING_PER_NODE = 4;

/** A datagram of a run to open; `routed` when it arrived behind a routing header (§7 step 1). */
type Inbound = Datagram & { routed?: boolean };

export class Engine {
  readonly timers = new Timers();
  readonly streams: StreamTable;
  private readonly handshaker: Handshaker;
  private readonly notices: RejectionNotices;
  private readonly byNode = new Map<bigint, EnginePeer>();
  private readonly bySession = new Map<bigint, EnginePeer>();
  /** Responder sessions waiting for key confirmation before they replace a live one. */
  private readonly pendingBySession = new Map<bigint, EnginePeer>();
  /** Direct (not routed) peers by address: pingwave sources and next hops (§16). */
  private readonly byAddress = new Map<string, EnginePeer>();
  readonly routes = new RoutingTable();
  private readonly pingwaves: PingwaveRelay;
  private readonly directPeers: DirectPeers = {
    has: (a) => this.byAddress.has(a),
    addresses: () => this.byAddress.keys(),
  };
  /** This node's routing id (low 32 bits of its node id). */
  private readonly rid: number;
  /** Relayed packets refused because the forwarding queue was full (part of stats rateLimited). */
  private forwardsRateLimited = 0;
  private readonly claimed = new Set<number>();
  private readonly sealing = new Set<EnginePeer>();
  private raw: Datagram[] = [];
  private readonly slab = new SendSlab();
  /** Packets queued for sealing since the last flush. */
  private queuedPackets = 0;
  private gen = 0;
  private readonly counters: EngineCounters = emptyCounters();
  private countersDirty = false;
  private immediate = false;
  /** The path to the socket was full with sends waiting: look again at this time. */
  private pollAt = Infinity;
  private heartbeatTimer;
  private readonly statsTimer;
  private statsAt = -Infinity;
  private started = false;
  /** The latest time passed in (for lookups made from callbacks without one). */
  private clock = 0;
  /** SHUTDOWN was handled: inputs are ignored from now on. */
  closed = false;

  constructor(
    private readonly opts: EngineOptions,
    private readonly out: EngineOutput,
  ) {
    const io: StreamIO = {
      timers: this.timers,
      sendData: (peer, streamId, seq, flags, header, frames, eventCount, address) => this.queueFramed(peer, flags, 0, header, streamId, seq, frames, eventCount, address),
      sendControl: (peer, subprotocol, frame, address) => {
        const seq = peer.controlSeq++;
        this.queueEvents(peer, 0, subprotocol, 0, CONTROL_STREAM_ID, seq, 0n, [frame], address);
      },
      opened: (peer, rec, requestedEpoch) => this.streamOpened(peer, rec, requestedEpoch),
      deliver: (_peer, rec, seq, channelHash, originHash, eventCount, plaintext) => {
        const at = beginDeliver(this.out.link, rec.rid, seq, channelHash, originHash, eventCount, plaintext.length);
        this.out.link.buf.set(plaintext, at);
        this.counters.eventsIn += eventCount;
        this.countersDirty = true;
      },
      closed: (_peer, rec, reason, pending) => writeStreamClosed(this.out.link, rec.rid, reason, pending),
      reset: (peer, streamId, gaveUp) => writeReset(this.out.link, peer.nodeId, streamId, gaveUp),
      gracefulResult: (reqId, outcome, reason) => writeGracefulResult(this.out.link, reqId, outcome, reason),
      status: (rec, budgetBytes, budgetPackets, st) => this.writeStatus(rec, budgetBytes, budgetPackets, st),
      warn: (code, message) => writeWarning(this.out.link, code, message),
      // Packets queued for sealing in this turn count: they reach the socket at the flush.
      pathBacklog: () => (this.out.backlog?.() ?? 0) + this.queuedPackets,
    };
    this.streams = new StreamTable(io, opts.streams);
    this.notices = new RejectionNotices((code, message) => writeWarning(this.out.link, code, message));
    this.rid = routingId(opts.nodeId);
    this.pingwaves = new PingwaveRelay(opts.nodeId, this.routes);
    this.streams.sched.onForward = (p) => {
      this.raw.push({ data: p.forward, address: p.address });
      this.counters.forwarded++;
      this.counters.packetsOut++;
      this.queuedPackets++;
    };
    this.handshaker = new Handshaker({
      psk: opts.psk,
      mode: opts.keyDerivation,
      staticKeypair: opts.staticKeypair,
      ownNodeId: opts.nodeId,
      timers: this.timers,
      send: (d, address) => {
        this.raw.push({ data: d, address });
        this.counters.packetsOut++;
        this.countersDirty = true;
      },
      established: (o, now) => this.establish(o, now),
      nextHop: (nodeId) => this.routes.nextHop(nodeId, this.clock),
      finished: (reqId, nodeId, err) => this.connectFinished(reqId, nodeId, err),
      handshakeTimeoutMs: opts.handshakeTimeoutMs,
      handshakeAttempts: opts.handshakeAttempts,
      budget: opts.handshakeBudget,
      rejected: (kind, address, nodeId, now) => {
        if (kind === 'unaccepted') this.counters.handshakeUnaccepted++;
        else this.counters.handshakeUnauthenticated++;
        this.countersDirty = true;
        this.notices.rejected(kind, address, nodeId, now);
      },
    });
    this.heartbeatTimer = this.timers.schedule(Infinity, (now) => this.heartbeat(now));
    // Its flush writes the counters held back by the interval.
    this.statsTimer = this.timers.schedule(Infinity, () => undefined);
  }

  /** Starts the periodic timers; called with the first clock reading. */
  start(now: number): void {
    if (this.started) return;
    this.started = true;
    this.streams.start(now);
    this.timers.reschedule(this.heartbeatTimer, now + this.opts.heartbeatIntervalMs);
  }

  /** When the driver must call `handleTimers` next (−Infinity: at once; Infinity: never). */
  nextDeadline(): number {
    if (this.closed) return Infinity;
    return this.immediate ? -Infinity : Math.min(this.pollAt, this.timers.next());
  }

  handleTimers(now: number): void {
    if (this.closed) return;
    this.clock = now;
    this.immediate = false;
    this.pollAt = Infinity;
    this.timers.run(now);
  }

  // ---- link records from the app --------------------------------------------------------------

  /** Handles the record `r` is positioned on. */
  handleLink(r: LinkReader, now: number): void {
    if (this.closed) return;
    this.clock = now;
    switch (r.op) {
      case Op.SEND: {
        const peer = this.peerFor(r.u64(8), r.u32(0));
        if (!peer) return;
        const n = r.u32(SEND_COUNT);
        const tableAt = r.at + SEND_TABLE;
        // The table is read as u32s in place when aligned (it is: records start 8-aligned).
        const table = new Uint32Array(n * 2);
        for (let i = 0; i < 2 * n; i++) table[i] = r.dv.getUint32(tableAt + 4 * i, true);
        const data = r.buf.subarray(tableAt + 8 * n, tableAt + 8 * n + r.u32(SEND_DATA_LEN));
        this.streams.send(peer, readKey(r), table, data, now);
        return;
      }
      case Op.TAKEN: {
        const n = r.u32(0);
        for (let i = 0; i < n; i++) this.streams.taken(r.u32(8 + 8 * i), r.u32(12 + 8 * i));
        return;
      }
      case Op.WANT: {
        const peer = this.peerFor(r.u64(8), r.u32(0));
        if (peer) this.streams.want(peer, readKey(r));
        return;
      }
      case Op.OPEN: {
        const c = readOpen(r);
        const peer = this.peerFor(c.peer, c.gen);
        if (peer) this.streams.open(peer, c, c.config, c.header, now);
        return;
      }
      case Op.CLOSE_STREAM: {
        const k = readKey(r);
        const peer = this.peerFor(k.peer, k.gen);
        if (peer) this.streams.closeHandle(peer, k, now);
        return;
      }
      case Op.GRACEFUL: {
        const g = readGraceful(r);
        this.streams.graceful(this.peerFor(g.key.peer, g.key.gen), g.key, g.reqId, g.timeoutMs, now);
        return;
      }
      case Op.SET_WEIGHT: {
        const k = readKey(r);
        const peer = this.peerFor(k.peer, k.gen);
        if (peer) this.streams.setWeight(peer, k, r.u32(24));
        return;
      }
      case Op.SUBPROTOCOL: {
        const peer = this.byNode.get(r.u64(0));
        if (!peer) return;
        const sp = r.u16(8);
        const seq = peer.subprotocolSeq.get(sp) ?? 0n;
        peer.subprotocolSeq.set(sp, seq + 1n);
        this.queueEvents(peer, 0, sp, 0, BigInt(sp), seq, 0n, [r.bytes(16, r.u32(12))]);
        return;
      }
      case Op.PACKET: {
        const peer = this.byNode.get(r.u64(0));
        if (!peer) return;
        const header: StreamHeader = { channelHash: r.u16(12), originHash: r.u64(32) };
        this.queueFramed(peer, r.u8(8), r.u16(10), header, r.u64(16), r.u64(24), r.bytes(48, r.u32(44)), r.u32(40));
        return;
      }
      case Op.ACCEPT:
        if (r.flags & 1) this.handshaker.acceptAnyInitiator();
        else this.handshaker.accept(r.u64(0));
        return;
      case Op.CONNECT: {
        const c = readConnect(r);
        const peer = { publicKey: c.publicKey, nodeId: c.nodeId };
        if (c.address !== null) {
          this.handshaker.connect(c.reqId, c.address, peer, now);
          if (this.out.probe?.(c.address, natKeepAlive(this.opts.nodeId))) this.handshaker.probed(c.reqId);
          return;
        }
        // Routed (§11.4): through the relay the caller named, else the routing table's next hop.
        const relay = c.via !== undefined ? this.byNode.get(c.via) : undefined;
        const hop = c.via !== undefined ? (relay && !relay.routed ? relay.address : undefined) : this.routes.nextHop(c.nodeId, now);
        if (hop === undefined) {
          const why = c.via !== undefined ? `relay node ${c.via} is not a direct peer of this node` : `no route to node ${c.nodeId} is known (no address given and no pingwave learned one)`;
          this.connectFinished(c.reqId, c.nodeId, new HandshakeError('HANDSHAKE_NO_ROUTE', why));
          return;
        }
        this.handshaker.connect(c.reqId, hop, peer, now, true);
        return;
      }
      case Op.CANCEL_CONNECT:
        this.handshaker.cancel(r.u32(0));
        return;
      case Op.UNREACHABLE: {
        const n = readAddressNote(r);
        this.handleUnreachable(n.address, new TextDecoder().decode(n.data));
        return;
      }
      case Op.CLAIM:
        if (r.u8(2)) this.claimed.add(r.u16(0));
        else this.claimed.delete(r.u16(0));
        return;
      case Op.DATAGRAMS_IN:
        this.handleDatagrams(readDatagrams(r), now);
        return;
      case Op.SHUTDOWN:
        this.shutdown(now);
        return;
    }
  }

  /** Handles every record of a batch (inline placement and tests). */
  handleLinkBatch(batch: Uint8Array, now: number): void {
    const r = new LinkReader(batch);
    while (r.next()) this.handleLink(r, now);
  }

  /** The peer a command names, if its session is the one the app knew (generation `gen`). */
  private peerFor(nodeId: bigint, gen: number): EnginePeer | undefined {
    const p = this.byNode.get(nodeId);
    return p && p.gen === gen ? p : undefined;
  }

  // ---- datagrams from the transport -----------------------------------------------------------

  handleDatagrams(batch: readonly Datagram[], now: number): void {
    if (this.closed) return;
    const c = this.counters;
    this.countersDirty = true;
    this.clock = now;
    let run: Inbound[] = [];
    let runPeer: EnginePeer | undefined;
    for (const d of batch) {
      let b = d.data;
      c.packetsIn++;
      c.bytesIn += b.length;
      // wire.md §1, in its order.
      const cls = classifyDatagram(b);
      let routed = false;
      if (cls === DatagramClass.KEEPALIVE) {
        // §17: it only keeps a NAT binding open; nothing here waits on a punch.
        c.keepalivesIn++;
        continue;
      }
      if (cls === DatagramClass.PINGWAVE) {
        this.onPingwave(d, now);
        continue;
      }
      if (cls === DatagramClass.ROUTED) {
        if (routedDestId(b) !== this.opts.nodeId) {
          this.relay(d, now);
          continue;
        }
        // §7 step 1: for this node. No TTL check at the destination.
        routed = true;
        b = b.subarray(ROUTING_HEADER_SIZE);
      } else if (cls !== DatagramClass.DIRECT) {
        c.malformed++;
        continue;
      }
      if (checkHeader(b) !== 0) {
        c.malformed++;
        continue;
      }
      const flags = headerFlags(b);
      if (flags & PacketFlags.HANDSHAKE) {
        if (b.length !== HEADER_SIZE + headerPayloadLen(b)) {
          c.malformed++;
          continue;
        }
        if (routed) this.handshaker.onRoutedHandshake(b.slice(HEADER_SIZE), routedSrcId(d.data), d.address, now);
        else this.handshaker.onHandshake(b.slice(HEADER_SIZE), d.address, now, new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(32, true));
        continue;
      }
      if (routed && flags & PacketFlags.HEARTBEAT) {
        // Heartbeats are link-local (§6).
        c.unsupported++;
        continue;
      }
      const sid = headerSessionId(b);
      const peer = this.bySession.get(sid) ?? this.pendingBySession.get(sid);
      if (!peer) {
        c.unknownSession++;
        continue;
      }
      if (peer !== runPeer && run.length) {
        this.openRun(runPeer!, run, now);
        run = [];
      }
      runPeer = peer;
      run.push(routed ? { data: b, address: d.address, routed } : d);
    }
    if (run.length) this.openRun(runPeer!, run, now);
  }

  /** A routed datagram for another node (§7 steps 2–4): dropped and counted, or relayed. */
  private relay(d: Datagram, now: number): void {
    const c = this.counters;
    const b = d.data;
    if (b[2] === 0) {
      c.ttlExpired++;
      return;
    }
    if (routedSrcId(b) === this.rid) {
      c.loop++;
      return;
    }
    if (b.length > MAX_DATAGRAM_SIZE) {
      c.malformed++;
      return;
    }
    const dest = routedDestId(b);
    const hop = this.routes.nextHop(dest, now);
    if (hop === undefined) {
      c.noRoute++;
      return;
    }
    // Never decrypted: the inner packet leaves byte for byte, from this node's own socket, behind
    // the other relayed and originated traffic in the fair scheduler (§18 (e)).
    const ok = this.streams.sched.enqueueForward(dest, { forward: forwardedCopy(b), address: hop }, (b[4]! & RouteFlags.PRIORITY) !== 0);
    if (!ok) this.forwardsRateLimited++;
  }

  /** A pingwave (§16): learn a route from it, pass copies on. */
  private onPingwave(d: Datagram, now: number): void {
    const r = this.pingwaves.receive(d.data, d.address, this.directPeers, now);
    if (r.dropped === undefined || r.dropped === 'duplicate') this.counters.pingwavesIn++;
    else this.counters.other++;
    for (const [data, address] of r.forward) this.sendRaw(data, address);
  }

  private sendRaw(data: Uint8Array, address: string): void {
    this.raw.push({ data, address });
    this.counters.packetsOut++;
  }

  /** Opens datagrams of one session in one core call and dispatches each result. */
  private openRun(peer: EnginePeer, run: readonly Inbound[], now: number): void {
    const c = this.counters;
    // A session replaced (or a pending one dropped) earlier in this batch reads nothing more.
    if (peer.pending ? this.pendingBySession.get(peer.sessionId) !== peer : this.byNode.get(peer.nodeId) !== peer) return;
    const b = peer.session.openBatch(run.map((d) => d.data));
    for (let i = 0; i < b.count; i++) {
      const s = b.status(i);
      if (s < 0) {
        if (s === PacketStatus.AUTH_FAILED) c.authFailure++;
        else if (s === PacketStatus.REPLAY) c.replay++;
        else c.malformed++;
        continue;
      }
      const source = run[i]!.address;
      if (peer.pending) this.confirm(peer, source, now);
      peer.lastActivity = now;
      // A routed packet's source is the last relay, not the peer: the route decides where replies go.
      if (peer.address !== source && !peer.routed && !run[i]!.routed) {
        this.byAddress.delete(peer.address);
        peer.address = source;
        this.byAddress.set(source, peer);
        this.peerRecord(peer, PeerKind.UPDATE);
      }
      if (s === PacketStatus.HEARTBEAT) {
        c.heartbeatsIn++;
        this.healthChanged(peer, peer.detector.heard(now));
        continue;
      }
      const sp = b.subprotocolId(i);
      if (sp === 0) {
        this.streams.onEventPlane(peer, b.flags(i), b.streamId(i), b.sequence(i), b.frameCount(i), b, i, b.channelHash(i), b.originHash(i), now);
      } else if (sp === SUBPROTOCOL_STREAM_WINDOW || sp === SUBPROTOCOL_STREAM_NACK || sp === SUBPROTOCOL_STREAM_RESET) {
        this.streams.onControl(peer, sp, b.events(i), source, now);
      } else if (SUBSTRATE_SUBPROTOCOLS.has(sp) || this.claimed.has(sp)) {
        // wire.md §8: a handled id is consumed by its handler (on the app side: capability
        // announcements and whatever a layer claimed) and never creates stream state or grants.
        const pt = b.payload(i);
        const at = beginSubprotocolIn(this.out.link, peer.nodeId, sp, b.frameCount(i), pt.length, b.streamId(i), b.sequence(i));
        this.out.link.buf.set(pt, at);
      } else {
        this.streams.onEventPlane(peer, b.flags(i), b.streamId(i), b.sequence(i), b.frameCount(i), b, i, b.channelHash(i), b.originHash(i), now);
      }
    }
  }

  /** The transport's probe saw ICMP unreachable for `address`: connects to it fail with PEER_UNREACHABLE. */
  handleUnreachable(address: string, detail: string): void {
    if (!this.closed) this.handshaker.unreachable(address, detail);
  }

  // ---- sessions, peers, heartbeats ------------------------------------------------------------

  /**
   * A handshake completed. The initiator's session (its own fresh ephemeral answered) and a
   * responder's first session with a node are installed at once; a responder's session that would
   * replace a live one waits for key confirmation (`confirm`). The initiator confirms at once
   * with a heartbeat, so a genuine reconnect (or a restarted peer) takes over within a round trip.
   */
  private establish(o: HandshakeOutcome, now: number): void {
    const old = this.byNode.get(o.peerNodeId);
    if (old && old.sessionId === o.keys.sessionId) return;
    if (this.bySession.has(o.keys.sessionId) || this.pendingBySession.has(o.keys.sessionId)) return;
    const session = new PacketSession({ txKey: o.keys.txKey, rxKey: o.keys.rxKey, sessionId: o.keys.sessionId });
    const peer = new EnginePeer(o.peerNodeId, o.address, session, 0, this.opts.sessionTimeoutMs, now, o.rttMs);
    peer.routed = o.routed;
    if (o.role === 'responder' && old) {
      peer.pending = true;
      this.addPending(peer);
      return;
    }
    this.install(peer, now);
    // Heartbeats are link-local (§6): a routed session confirms with its first data packet instead.
    if (o.role === 'initiator' && !peer.routed) {
      this.queueEvents(peer, PacketFlags.HEARTBEAT, 0, 0, 0n, 0n, 0n, []);
      this.counters.heartbeatsOut++;
    }
  }

  /** Makes `peer` the node's session, replacing (and disposing) any other one. */
  private install(peer: EnginePeer, now: number): void {
    const old = this.byNode.get(peer.nodeId);
    peer.gen = ++this.gen;
    if (old) {
      // A new session replaces the old one (new id, counters, replay window); streams start afresh.
      if (this.byAddress.get(old.address) === old) this.byAddress.delete(old.address);
      this.bySession.delete(old.sessionId);
      this.streams.dropPeer(old);
      this.sealing.delete(old);
      old.session.dispose();
    }
    // Other sessions still waiting for that node are stale now (replays, superseded attempts).
    for (const p of this.pendingBySession.values()) if (p.nodeId === peer.nodeId) this.dropPending(p);
    this.byNode.set(peer.nodeId, peer);
    this.bySession.set(peer.sessionId, peer);
    if (!peer.routed) this.byAddress.set(peer.address, peer);
    // §16: a session inserts a metric-1 route (a routed one through its relay, §11.4).
    this.routes.installDirect(peer.nodeId, peer.address, now);
    this.streams.addPeer(peer);
    this.peerRecord(peer, old && old.detector.health !== 'healthy' ? PeerKind.RECOVERED : PeerKind.UP);
  }

  /** A packet authenticated under a pending session: it replaces the live one, at that address. */
  private confirm(peer: EnginePeer, source: string, now: number): void {
    this.pendingBySession.delete(peer.sessionId);
    peer.pending = false;
    peer.address = source;
    peer.lastActivity = now;
    this.install(peer, now);
  }

  private addPending(peer: EnginePeer): void {
    let mine = 0;
    let oldest: EnginePeer | undefined;
    for (const p of this.pendingBySession.values()) {
      if (p.nodeId !== peer.nodeId) continue;
      mine++;
      oldest ??= p;
    }
    if (mine >= MAX_PENDING_PER_NODE && oldest) this.dropPending(oldest);
    this.pendingBySession.set(peer.sessionId, peer);
  }

  private dropPending(p: EnginePeer): void {
    this.pendingBySession.delete(p.sessionId);
    p.session.dispose();
  }

  /** Pending sessions nobody confirmed within a session timeout are forgotten. */
  private expirePending(now: number): void {
    for (const p of this.pendingBySession.values()) if (now - p.lastActivity > this.opts.sessionTimeoutMs) this.dropPending(p);
  }

  private connectFinished(reqId: number, nodeId: bigint, err: HandshakeError | undefined): void {
    writeConnectResult(this.out.link, { reqId, ok: !err, nodeId, code: err?.code ?? '', message: err?.message ?? '' });
    this.countersDirty = true;
  }

  private peerRecord(peer: EnginePeer, kind: number): void {
    writePeer(this.out.link, { kind, health: HEALTH_INDEX[peer.detector.health], gen: peer.gen, nodeId: peer.nodeId, rttMs: peer.rttMs, address: peer.address });
    peer.rttReported = peer.rttMs;
  }

  private healthChanged(peer: EnginePeer, t: { from: Health; to: Health } | undefined): void {
    if (!t) return;
    // §16: a failed next hop is skipped (traffic moves to an alternate route) until it recovers.
    if (!peer.routed && (t.to === 'failed' || t.from === 'failed')) this.routes.setDown(peer.address, t.to === 'failed');
    this.peerRecord(peer, t.to === 'healthy' ? PeerKind.RECOVERED : t.to === 'suspected' ? PeerKind.SUSPECTED : PeerKind.FAILED);
  }

  private heartbeat(now: number): void {
    this.timers.reschedule(this.heartbeatTimer, now + this.opts.heartbeatIntervalMs);
    this.expirePending(now);
    // One pingwave per tick, the same to every direct peer (§16); its timestamp is informational.
    const wave = this.byAddress.size ? this.pingwaves.originate(BigInt(Math.round((TIME_ORIGIN + now) * 1000))) : undefined;
    this.routes.sweep(now);
    for (const peer of this.byNode.values()) {
      this.streams.sweep(peer, now);
      // Routed sessions get neither heartbeats nor pingwaves (§18 (f) 3), so their detector is not
      // run: their liveness is the route's, whose next hop is a direct peer with its own detector.
      if (peer.routed) continue;
      this.queueEvents(peer, PacketFlags.HEARTBEAT, 0, 0, 0n, 0n, 0n, []);
      this.counters.heartbeatsOut++;
      if (wave) this.sendRaw(wave, peer.address);
      this.healthChanged(peer, peer.detector.evaluate(now));
    }
    this.countersDirty = true;
  }

  private streamOpened(peer: EnginePeer, rec: StreamRecord, requestedEpoch: number): void {
    writeStreamOpened(this.out.link, {
      rid: rec.rid,
      gen: peer.gen,
      epoch: rec.epoch,
      requestedEpoch: requestedEpoch < 0 ? rec.epoch : requestedEpoch,
      peer: peer.nodeId,
      stream: rec.streamId,
      config: rec.config,
    });
  }

  private writeStatus(rec: StreamRecord, budgetBytes: number, budgetPackets: number, st: StreamCoreStats): void {
    const w = this.out.link;
    const at = w.begin(Op.STATUS, STATUS_LEN);
    const dv = w.dv;
    dv.setUint32(at, rec.rid, true);
    dv.setUint32(at + 4, (st.failed ? STATUS_FAILED : 0) | (st.probing ? STATUS_PROBING : 0), true);
    dv.setFloat64(at + 8, rec.receivedBytes, true);
    dv.setFloat64(at + 16, budgetBytes, true);
    dv.setUint32(at + 24, rec.receivedPackets, true);
    dv.setUint32(at + 28, budgetPackets >>> 0, true);
    dv.setUint32(at + 32, rec.backlogPackets + rec.queuedInScheduler, true);
    let o = at + STATUS_STATS_AT;
    for (const k of STATUS_STATS) {
      dv.setFloat64(o, st[k], true);
      o += 8;
    }
    // A status is lazy unless the app waits on this record's budget.
    if (rec.appWaiting || rec.closed) w.urgent = true;
    rec.appWaiting = false;
  }

  // ---- sending --------------------------------------------------------------------------------

  private sealerOf(peer: EnginePeer): SealBuilder {
    if (!peer.sealer) peer.sealer = new SealBuilder(1 << 14);
    if (!this.sealing.has(peer)) this.sealing.add(peer);
    return peer.sealer;
  }

  private queueFramed(peer: EnginePeer, flags: number, subprotocol: number, header: StreamHeader | undefined, streamId: bigint, seq: bigint, frames: Uint8Array, eventCount: number, address?: string): void {
    this.sealerOf(peer).addFramed(flags, subprotocol, header?.channelHash ?? 0, streamId, seq, header?.originHash ?? 0n, frames, eventCount);
    peer.sealDest.push(address ?? peer.address);
    this.counters.packetsOut++;
    this.queuedPackets++;
  }

  private queueEvents(peer: EnginePeer, flags: number, subprotocol: number, channelHash: number, streamId: bigint, seq: bigint, originHash: bigint, events: readonly Uint8Array[], address?: string): void {
    this.sealerOf(peer).addEvents(flags, subprotocol, channelHash, streamId, seq, originHash, events);
    peer.sealDest.push(address ?? peer.address);
    this.counters.packetsOut++;
    this.queuedPackets++;
  }

  /**
   * The end of an engine turn: grants and the stream statuses, the link records made visible,
   * then every queued packet sealed (one core call per session) and handed to the transport.
   */
  flush(now: number): void {
    const more = this.streams.flush(now);
    this.immediate = more === 'now';
    this.pollAt = more === 'soon' ? now + PATH_POLL_MS : Infinity;
    for (const peer of this.byNode.values()) {
      if (Math.abs(peer.rttMs - peer.rttReported) > 0.2 * peer.rttReported && now - peer.rttReportedAt >= RTT_REPORT_MS) {
        peer.rttReportedAt = now;
        this.peerRecord(peer, PeerKind.UPDATE);
      }
    }
    if (this.countersDirty && now - this.statsAt >= STATS_INTERVAL_MS) {
      this.countersDirty = false;
      this.statsAt = now;
      this.handshakeCounters();
      writeStats(this.out.link, this.counters);
    } else if (this.countersDirty) this.timers.reschedule(this.statsTimer, this.statsAt + STATS_INTERVAL_MS);
    this.out.publish();
    const out: Datagram[] = [];
    this.queuedPackets = 0;
    for (const peer of this.sealing) {
      const b = peer.sealer!;
      if (b.count === 0) continue;
      const dest = peer.sealDest;
      peer.sealDest = [];
      try {
        const sealed = peer.session.sealBuilt(b);
        const views = sealed.datagramViewsIn(this.slab.take(sealed.outputBytes));
        // Every packet of a routed session travels behind a routing header, to the current next
        // hop toward the peer (§18 (f) 3), which a reroute may have changed.
        const hop = peer.routed ? (this.routes.nextHop(peer.nodeId, now) ?? peer.address) : undefined;
        for (let i = 0; i < views.length; i++) {
          let d = views[i]!;
          if (hop !== undefined) {
            const w = new Uint8Array(ROUTING_HEADER_SIZE + d.length);
            writeRoutingHeader(w, 0, ROUTED_DATA_TTL, 0, 0, this.rid, peer.nodeId);
            w.set(d, ROUTING_HEADER_SIZE);
            d = w;
          }
          out.push({ data: d, address: hop ?? dest[sealed.recordIndex(i)]! });
          this.counters.bytesOut += d.length;
        }
      } catch (e) {
        this.counters.other += b.count;
        writeWarning(this.out.link, 'SEAL_FAILED', `sealing ${b.count} packets for node ${peer.nodeId} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      b.reset();
    }
    this.sealing.clear();
    if (this.raw.length) {
      for (const d of this.raw) {
        out.push(d);
        this.counters.bytesOut += d.data.length;
      }
      this.raw = [];
    }
    if (out.length) {
      // The stats record went out above: the bytes counted here reach the app with the next one.
      this.countersDirty = true;
      this.timers.reschedule(this.statsTimer, this.statsAt + STATS_INTERVAL_MS);
      try {
        this.out.send(out);
      } finally {
        this.slab.release(this.out.released?.() ?? false);
      }
    } else this.slab.release(true);
  }

  /** Node shutdown: connects in progress fail, streams close, what is queued still leaves. */
  private shutdown(now: number): void {
    this.handshaker.close();
    this.streams.close();
    this.timers.clear();
    this.flush(now);
    for (const p of this.byNode.values()) p.session.dispose();
    for (const p of this.pendingBySession.values()) p.session.dispose();
    this.pendingBySession.clear();
    this.byNode.clear();
    this.bySession.clear();
    this.byAddress.clear();
    this.out.link.begin(Op.CLOSED, 0);
    this.out.publish();
    this.closed = true;
  }

  /** Counters for tests and the stats record. */
  stats(): Readonly<EngineCounters> {
    this.handshakeCounters();
    return { ...this.counters };
  }

  /**
   * Handshake datagrams dropped: failed reads and replays. rateLimited: msg1s left unread for the
   * handshake budget, and relayed packets refused by a full forwarding queue.
   */
  private handshakeCounters(): void {
    this.counters.handshake = this.handshaker.failures + this.handshaker.duplicates;
    this.counters.rateLimited = this.handshaker.rateLimited + this.forwardsRateLimited;
  }

  peer(nodeId: bigint): EnginePeer | undefined {
    return this.byNode.get(nodeId);
  }
}

export type { CloseReason };
