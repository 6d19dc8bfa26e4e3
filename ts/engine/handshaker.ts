// Drives the sans-IO Noise handshake (ts/session/handshake.ts) with datagrams and the engine's
// timers: initiator attempts with per-attempt timeouts, retries and backoff (wire.md §11.3), and
// the responder side for initiators registered with accept() (§11.2), and routed handshakes
// through a relay (§11.4), whose messages travel behind a routing header. Time is passed in.
import { HandshakeError } from '../errors.js';
import { initiatorStart, initiatorFinish, responderRead, KeyDerivationMismatchError, type KeyDerivationMode, type SessionKeys, type InitiatorHandshake } from '../session/handshake.js';
import type { NoiseKeypair } from '../session/noise.js';
import { HANDSHAKE_ATTEMPTS, HANDSHAKE_TIMEOUT_MS, handshakeBackoffMs } from '../session/handshake-params.js';
import { encodeHandshakePacket } from '../core/packet.js';
import type { Timer, Timers } from './timers.js';
import { ROUTED_HANDSHAKE_TTL, routingId, wrapRouted } from '../core/routing-header.js';

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
  /** The next hop toward a node, if the routing table has a live one (routed msg2, §11.4). */
  nextHop?(nodeId: bigint): string | undefined;
}

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
}

export class Handshaker {
  /** Initiator attempts waiting for msg2, by address (routed ones by `rt:` + responder routing id). */
  private readonly pending = new Map<string, Attempt>();
  /** Every connect in progress (waiting for a reply or for its backoff). */
  private readonly active = new Set<Attempt>();
  private readonly expected = new Set<bigint>();
  /** The last initiator ephemeral answered per initiator node id. */
  private readonly answered = new Map<bigint, string>();
  private closed = false;
  failures = 0;
  duplicates = 0;

  constructor(private readonly deps: HandshakerDeps) {}

  accept(nodeId: bigint): void {
    this.expected.add(nodeId);
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
          `no handshake reply from ${a.address} within ${timeoutMs} ms: the peer is unreachable, has not accept()ed this node, or uses a different PSK or Noise key`,
        ),
        t,
      );
    });
    this.pending.set(keyOf(a), a);
    const packet = encodeHandshakePacket(message);
    this.deps.send(a.routed ? wrapRouted(packet, ROUTED_HANDSHAKE_TTL, routingId(this.deps.ownNodeId), a.peer.nodeId) : packet, a.address);
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

  /** A HANDSHAKE packet's Noise message from `address`. */
  onHandshake(message: Uint8Array, address: string, now: number): void {
    const waiting = this.pending.get(address);
    if (waiting) {
      this.finishInitiator(waiting, message, address, now);
      return;
    }
    if (this.expected.size === 0) {
      this.failures++;
      return;
    }
    try {
      const r = responderRead({
        psk: this.deps.psk,
        staticKeypair: this.deps.staticKeypair,
        initiatorNodeId: [...this.expected],
        responderNodeId: this.deps.ownNodeId,
        mode: this.deps.mode,
        message,
      });
      // A duplicated msg1 (same initiator ephemeral) must not install a second session the
      // initiator never learns about (wire.md §11.4 replacement gate): drop it.
      const eph = hex(r.initiatorEphemeral);
      if (this.answered.get(r.initiatorNodeId) === eph) {
        this.duplicates++;
        return;
      }
      this.answered.set(r.initiatorNodeId, eph);
      this.deps.send(encodeHandshakePacket(r.reply), address);
      this.deps.established({ peerNodeId: r.initiatorNodeId, address, keys: r.keys, rttMs: 0, role: 'responder', routed: false }, now);
    } catch (e) {
      this.failures++;
      // A net-v0.27 responder answers a mode mismatch so the initiator fails fast, not by timeout.
      if (e instanceof KeyDerivationMismatchError && e.reply) this.deps.send(encodeHandshakePacket(e.reply), address);
    }
  }

  /** msg2 for an initiator attempt: keys, or that attempt fails. */
  private finishInitiator(waiting: Attempt, message: Uint8Array, address: string, now: number): void {
    this.pending.delete(keyOf(waiting));
    this.deps.timers.cancel(waiting.timer);
    let keys: SessionKeys;
    try {
      keys = initiatorFinish(waiting.state!, message);
    } catch (e) {
      this.failures++;
      this.fail(waiting, e instanceof HandshakeError ? e : new HandshakeError('HANDSHAKE_FAILED', String(e), { cause: e }), now);
      return;
    }
    this.active.delete(waiting);
    // Installed before anything else is read, so data the responder sealed right after msg2 finds it.
    this.deps.established({ peerNodeId: waiting.peer.nodeId, address, keys, rttMs: now - waiting.startedAt, role: 'initiator', routed: waiting.routed }, now);
    this.deps.finished(waiting.reqId, waiting.peer.nodeId, undefined);
  }

  /**
   * A routed HANDSHAKE addressed to this node (§11.4): msg2 when an initiator attempt waits on
   * that routing id, else msg1 (no accept() needed: the PSK and this node's static key gate it).
   */
  onRoutedHandshake(message: Uint8Array, srcId: number, source: string, now: number): void {
    const waiting = this.pending.get(routedKey(srcId));
    if (waiting) {
      this.finishInitiator(waiting, message, waiting.address, now);
      return;
    }
    try {
      const r = responderRead({ psk: this.deps.psk, staticKeypair: this.deps.staticKeypair, routed: { srcId }, responderNodeId: this.deps.ownNodeId, mode: this.deps.mode, message });
      const eph = hex(r.initiatorEphemeral);
      if (this.answered.get(r.initiatorNodeId) === eph) {
        this.duplicates++;
        return;
      }
      this.answered.set(r.initiatorNodeId, eph);
      const back = this.deps.nextHop?.(r.initiatorNodeId) ?? source;
      this.deps.send(wrapRouted(encodeHandshakePacket(r.reply), ROUTED_HANDSHAKE_TTL, routingId(this.deps.ownNodeId), r.initiatorNodeId), back);
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

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
