// Drives the sans-IO Noise handshake (ts/session/handshake.ts) with datagrams and the engine's
// timers: initiator attempts with per-attempt timeouts, retries and backoff (wire.md §11.3), and
// the responder side for initiators registered with accept() (§11.2), and routed handshakes
// through a relay (§11.4), whose messages travel behind a routing header. Time is passed in.
import { HandshakeError } from '../errors.js';
import { initiatorStart, initiatorFinish, responderRead, KeyDerivationMismatchError, type KeyDerivationMode, type SessionKeys, type InitiatorHandshake } from '../session/handshake.js';
import type { NoiseKeypair } from '../session/noise.js';
import { HANDSHAKE_ATTEMPTS, HANDSHAKE_TIMEOUT_MS, handshakeBackoffMs } from '../session/handshake-params.js';
import { encodeHandshakePacket } from '../core/packet.js';
import { Msg1Screen } from '../session/msg1-screen.js';
import { HandshakeBudget, type HandshakeBudgetOptions } from './handshake-budget.js';
import type { Timer, Timers } from './timers.js';
import { ROUTED_HANDSHAKE_TTL, routingId, wrapRouted } from '../core/routing-header.js';

/** Initiator ephemerals answered recently: a replayed msg1 among them is dropped before any crypto. */
const RECENT_EPHEMERALS = 4096;


export interface HandshakeOutcome {
  peerNodeId: bigint;
  address: string;
  keys: SessionKeys;
  rttMs: number;
  role: 'initiator' | 'responder';
  /** Set up through a relay: `address` is the relay's, and every packet is routed (§18 (f) 3). */
  routed: boolean;
}

export interface HandshakerDeps {
  psk: Uint8Array;
  mode: KeyDerivationMode;
  staticKeypair: NoiseKeypair;
  ownNodeId: bigint;
  timers: Timers;
  send(datagram: Uint8Array, address: string): void;
  established(outcome: HandshakeOutcome, now: number): void;
  /** A connect finished: `err` undefined on success. */
  finished(reqId: number, nodeId: bigint, err: HandshakeError | undefined): void;
  handshakeTimeoutMs?: number;
  handshakeAttempts?: number;
  budget?: HandshakeBudgetOptions;
  /** The next hop toward a node, if the routing table has a live one (routed msg2, §11.4). */
  nextHop?(nodeId: bigint): string | undefined;
  /**
   * A msg1 was refused: `unaccepted` = it authenticates under the PSK for node `nodeId` (the id its
   * header names), which this node has not accept()ed; `unauthenticated` = under no prologue this
   * node knows (wrong PSK, a Noise key not this node's, or an unaccepted initiator that names no id).
   */
  rejected?(kind: 'unaccepted' | 'unauthenticated', address: string, nodeId: bigint | undefined, now: number): void;
}

/** msg1 checked against an initiator id named in its header but not accepted (classification only), per second. */
const CLASSIFY_PER_SECOND = 20;

interface Attempt {
  reqId: number;
  address: string;
  peer: { publicKey: Uint8Array; nodeId: bigint };
  /** Routed through the relay at `address` (§11.4). */
  routed: boolean;
  attempt: number;
  state?: InitiatorHandshake;
  startedAt: number;
  timer?: Timer;
  lastError?: HandshakeError;
  /** The transport probes the address for ICMP unreachable: a timeout then means something listens there. */
  probed?: boolean;
}

export class Handshaker {
  /** Initiator attempts waiting for msg2, by address (routed ones by `rt:` + responder routing id). */
  private readonly pending = new Map<string, Attempt>();
  /** Every connect in progress (waiting for a reply or for its backoff). */
  private readonly active = new Set<Attempt>();
  /** Accepted initiators, with the per-initiator part of msg1 reading precomputed. */
  private readonly screen: Msg1Screen;
  private readonly budget: HandshakeBudget;
  /** Initiator ephemerals of msg1s answered recently (insertion order = age). */
  private readonly answered = new Set<string>();
  /** accept('any'): admit an initiator under the node id its msg1 header names (any PSK holder). */
  private acceptAny = false;
  private classifyTokens = CLASSIFY_PER_SECOND;
  private classifyAt = -Infinity;
  private closed = false;
  /** Handshake datagrams dropped after a read (forged, wrong PSK or key, junk replies). */
  failures = 0;
  /** msg1s dropped as replays of one answered recently. */
  duplicates = 0;
  /** msg1s dropped unread because a per-source or the global budget was spent. */
  rateLimited = 0;

  constructor(private readonly deps: HandshakerDeps) {
    this.screen = new Msg1Screen(deps.psk, deps.staticKeypair, deps.ownNodeId);
    this.budget = new HandshakeBudget(deps.budget);
  }

  accept(nodeId: bigint): void {
    this.screen.add(nodeId);
  }

  acceptAnyInitiator(): void {
    this.acceptAny = true;
  }

  /** The app abandoned connect `reqId` (abort, timeout): it ends without a report. */
  cancel(reqId: number): void {
    for (const a of this.active) {
      if (a.reqId !== reqId) continue;
      this.deps.timers.cancel(a.timer);
      this.active.delete(a);
      if (this.pending.get(keyOf(a)) === a) this.pending.delete(keyOf(a));
    }
  }

  /** The transport is probing connect `reqId`'s address (see Attempt.probed). */
  probed(reqId: number): void {
    for (const a of this.active) if (a.reqId === reqId) a.probed = true;
  }

  /** The network says nobody listens at `address`: its connects fail now, without retries. */
  unreachable(address: string, detail: string): void {
    for (const a of [...this.active]) {
      if (a.address !== address) continue;
      this.deps.timers.cancel(a.timer);
      this.active.delete(a);
      if (this.pending.get(keyOf(a)) === a) this.pending.delete(keyOf(a));
      this.deps.finished(a.reqId, a.peer.nodeId, new HandshakeError('PEER_UNREACHABLE', `${address} is unreachable: ${detail}`));
    }
  }

  /** Runs up to 3 attempts of 5 s each (configurable); reports through `finished`. */
  connect(reqId: number, address: string, peer: { publicKey: Uint8Array; nodeId: bigint }, now: number, routed = false): void {
    const a: Attempt = { reqId, address, peer, routed, attempt: 0, startedAt: now };
    if (routed && this.pending.has(routedKey(routingId(peer.nodeId)))) {
      // §11.4: at most one routed handshake per responder routing id in flight.
      this.deps.finished(reqId, peer.nodeId, new HandshakeError('HANDSHAKE_FAILED', `a routed handshake with node ${peer.nodeId} is already in flight`));
      return;
    }
    this.active.add(a);
    this.start(a, now);
  }

  private start(a: Attempt, now: number): void {
    if (this.closed) return;
    a.attempt++;
    let message: Uint8Array;
    try {
      const s = initiatorStart({ psk: this.deps.psk, responderStatic: a.peer.publicKey, initiatorNodeId: this.deps.ownNodeId, responderNodeId: a.peer.nodeId, mode: this.deps.mode, routed: a.routed });
      a.state = s.state;
      message = s.message;
    } catch (e) {
      this.fail(a, e instanceof HandshakeError ? e : new HandshakeError('HANDSHAKE_FAILED', String(e), { cause: e }), now);
      return;
    }
    a.startedAt = now;
    const timeoutMs = this.deps.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    a.timer = this.deps.timers.schedule(now + timeoutMs, (t) => {
      if (this.pending.get(keyOf(a)) === a) this.pending.delete(keyOf(a));
      this.fail(
        a,
        new HandshakeError(
          'HANDSHAKE_TIMEOUT',
          a.probed
            ? `no handshake reply from ${a.address} within ${timeoutMs} ms, and no ICMP unreachable came back either (on a local network: something listens there): the node there has not accept()ed this node, or uses a different PSK, or is not the node whose Noise key and id were given`
            : `no handshake reply from ${a.address} within ${timeoutMs} ms: the peer is unreachable, has not accept()ed this node, or uses a different PSK or Noise key`,
        ),
        t,
      );
    });
    this.pending.set(keyOf(a), a);
    const packet = encodeHandshakePacket(message);
    // Direct msg1 names this node in its header (accept('any')); a routed one carries it in the routing header.
    this.deps.send(a.routed ? wrapRouted(packet, ROUTED_HANDSHAKE_TTL, routingId(this.deps.ownNodeId), a.peer.nodeId) : withInitiatorId(packet, this.deps.ownNodeId), a.address);
  }

  /** An attempt failed: retry after the backoff, or report the last error. */
  private fail(a: Attempt, err: HandshakeError, now: number): void {
    this.deps.timers.cancel(a.timer);
    a.lastError = err;
    const attempts = this.deps.handshakeAttempts ?? HANDSHAKE_ATTEMPTS;
    // A key-derivation mismatch will not heal by retrying.
    if (a.attempt < attempts && err.code !== 'KEY_DERIVATION_MISMATCH' && !this.closed) {
      a.timer = this.deps.timers.schedule(now + handshakeBackoffMs(a.attempt), (t) => this.start(a, t));
      return;
    }
    this.active.delete(a);
    this.deps.finished(
      a.reqId,
      a.peer.nodeId,
      new HandshakeError(err.code, `handshake with ${a.address} failed after ${a.attempt} attempt(s): ${err.message}`, { cause: err }),
    );
  }

  /** A HANDSHAKE packet's Noise message from `address`; `namedId` = the initiator id its header names (0: none). */
  onHandshake(message: Uint8Array, address: string, now: number, namedId = 0n): void {
    const waiting = this.pending.get(address);
    if (waiting) {
      this.onReply(waiting, message, address, now);
      return;
    }
    this.onMsg1(message, address, now, namedId !== 0n && namedId !== this.deps.ownNodeId ? namedId : undefined);
  }

  /** msg2 (or junk) from the address an attempt waits on. */
  private onReply(waiting: Attempt, message: Uint8Array, address: string, now: number): void {
    let keys: SessionKeys;
    try {
      keys = initiatorFinish(waiting.state!, message);
    } catch (e) {
      this.failures++;
      // Only a reply that authenticated (a key-derivation mismatch, or a bad payload the real
      // responder sent) ends the attempt. Anything else may come from anyone who can send from
      // that address: drop it and keep waiting for the real msg2 (the state is unchanged).
      if (!waiting.state!.finished) return;
      this.pending.delete(keyOf(waiting));
      this.fail(waiting, e instanceof HandshakeError ? e : new HandshakeError('HANDSHAKE_FAILED', String(e), { cause: e }), now);
      return;
    }
    this.pending.delete(keyOf(waiting));
    this.deps.timers.cancel(waiting.timer);
    this.active.delete(waiting);
    // Installed before anything else is read, so data the responder sealed right after msg2 finds it.
    this.deps.established({ peerNodeId: waiting.peer.nodeId, address, keys, rttMs: now - waiting.startedAt, role: 'initiator', routed: waiting.routed }, now);
    this.deps.finished(waiting.reqId, waiting.peer.nodeId, undefined);
  }

  /**
   * msg1 from a possible initiator. Cheapest checks first: accepted initiators at all, a replay of
   * an ephemeral answered recently, the budgets; then one X25519 for the screen; a full read only
   * for a msg1 that authenticates. Under accept('any') a msg1 naming an id no one accepted is
   * read under that id (the budgets still apply).
   */
  private onMsg1(message: Uint8Array, address: string, now: number, named: bigint | undefined): void {
    const anyNamed = named !== undefined && this.acceptAny && !this.screen.has(named);
    if (this.screen.size === 0 && !anyNamed) {
      this.failures++;
      this.classify(message, address, named, now);
      return;
    }
    const eph = message.length >= 32 ? hex(message.subarray(0, 32)) : '';
    if (this.answered.has(eph)) {
      this.duplicates++;
      return;
    }
    // A msg1 read costs one X25519 (the per-initiator hash and tag checks are noise beside it).
    if (!this.budget.admit(address, now)) {
      this.rateLimited++;
      return;
    }
    const found = this.screen.screen(message);
    let initiator: bigint;
    if (found.ok) initiator = found.initiatorNodeId;
    else if (anyNamed) initiator = named;
    else {
      this.failures++;
      this.classify(message, address, named, now);
      return;
    }
    try {
      const r = responderRead({
        psk: this.deps.psk,
        staticKeypair: this.deps.staticKeypair,
        initiatorNodeId: initiator,
        responderNodeId: this.deps.ownNodeId,
        mode: this.deps.mode,
        message,
      });
      remember(this.answered, eph, RECENT_EPHEMERALS);
      this.deps.send(encodeHandshakePacket(r.reply), address);
      // The engine installs it at once only if no session with that node exists; otherwise it
      // waits for a packet under the new keys (a replayed msg1 never replaces a live session).
      this.deps.established({ peerNodeId: r.initiatorNodeId, address, keys: r.keys, rttMs: 0, role: 'responder', routed: false }, now);
    } catch (e) {
      this.failures++;
      if (e instanceof HandshakeError && e.code === 'HANDSHAKE_AUTH') this.classify(message, address, named, now);
      // A net-v0.27 responder answers a mode mismatch so the initiator fails fast, not by timeout.
      if (e instanceof KeyDerivationMismatchError && e.reply) this.deps.send(encodeHandshakePacket(e.reply), address);
    }
  }

  /**
   * Tells why a msg1 was refused: one that names an initiator id this node did not accept is read
   * under that id's prologue (a bounded number per second) to see whether only accept() was missing.
   */
  private classify(message: Uint8Array, address: string, named: bigint | undefined, now: number): void {
    const report = this.deps.rejected;
    if (!report) return;
    if (named !== undefined && !this.screen.has(named) && !this.acceptAny) {
      this.classifyTokens = Math.min(CLASSIFY_PER_SECOND, this.classifyTokens + ((now - this.classifyAt) * CLASSIFY_PER_SECOND) / 1000);
      this.classifyAt = now;
      if (this.classifyTokens >= 1) {
        this.classifyTokens--;
        try {
          responderRead({ psk: this.deps.psk, staticKeypair: this.deps.staticKeypair, initiatorNodeId: named, responderNodeId: this.deps.ownNodeId, mode: this.deps.mode, message });
          report('unaccepted', address, named, now);
          return;
        } catch (e) {
          if (e instanceof KeyDerivationMismatchError) {
            report('unaccepted', address, named, now);
            return;
          }
        }
      }
    }
    report('unauthenticated', address, named, now);
  }

  /**
   * A routed HANDSHAKE addressed to this node (§11.4): msg2 when an initiator attempt waits on
   * that routing id, else msg1 (no accept() needed: the PSK and this node's static key gate it).
   * A routed msg1 passes the replay and budget checks a direct one does (keyed by its source id).
   */
  onRoutedHandshake(message: Uint8Array, srcId: number, source: string, now: number): void {
    const waiting = this.pending.get(routedKey(srcId));
    if (waiting) {
      this.onReply(waiting, message, waiting.address, now);
      return;
    }
    const eph = message.length >= 32 ? hex(message.subarray(0, 32)) : '';
    if (this.answered.has(eph)) {
      this.duplicates++;
      return;
    }
    if (!this.budget.admit(routedKey(srcId), now)) {
      this.rateLimited++;
      return;
    }
    try {
      const r = responderRead({ psk: this.deps.psk, staticKeypair: this.deps.staticKeypair, routed: { srcId }, responderNodeId: this.deps.ownNodeId, mode: this.deps.mode, message });
      remember(this.answered, eph, RECENT_EPHEMERALS);
      const back = this.deps.nextHop?.(r.initiatorNodeId) ?? source;
      this.deps.send(wrapRouted(encodeHandshakePacket(r.reply), ROUTED_HANDSHAKE_TTL, routingId(this.deps.ownNodeId), r.initiatorNodeId), back);
      // As for a direct one: a session that would replace a live one waits for key confirmation.
      this.deps.established({ peerNodeId: r.initiatorNodeId, address: source, keys: r.keys, rttMs: 0, role: 'responder', routed: true }, now);
    } catch {
      // A routed mode mismatch is not answered: the error does not carry the initiator's full
      // node id, which the reply's routing header needs. The initiator times out.
      this.failures++;
    }
  }

  /** Node shutdown: every connect in progress fails with HANDSHAKE_CLOSED. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const a of this.active) {
      this.deps.timers.cancel(a.timer);
      this.deps.finished(a.reqId, a.peer.nodeId, new HandshakeError('HANDSHAKE_CLOSED', `node closed during the handshake with ${a.address}`));
    }
    this.active.clear();
    this.pending.clear();
  }
}

function routedKey(responderRoutingId: number): string {
  return `rt:${responderRoutingId}`;
}

function keyOf(a: Attempt): string {
  return a.routed ? routedKey(routingId(a.peer.nodeId)) : a.address;
}

function remember(set: Set<string>, key: string, max: number): void {
  if (set.size >= max) set.delete(set.values().next().value!);
  set.add(key);
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Offset of the header's stream_id, where this project's initiators name their node id in msg1 (wire.md §6 says 0; receivers ignore it). */
const NAMED_ID_OFFSET = 32;

function withInitiatorId(packet: Uint8Array, nodeId: bigint): Uint8Array {
  new DataView(packet.buffer, packet.byteOffset, packet.byteLength).setBigUint64(NAMED_ID_OFFSET, nodeId, true);
  return packet;
}
