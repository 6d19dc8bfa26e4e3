// Drives the sans-IO Noise handshake (ts/session/handshake.ts) with datagrams and the engine's
// timers: initiator attempts with per-attempt timeouts, retries and backoff (wire.md §11.3), and
// the responder side for initiators registered with accept() (§11.2). Time is passed in.
import { HandshakeError } from '../errors.js';
import { initiatorStart, initiatorFinish, responderRead, KeyDerivationMismatchError, type KeyDerivationMode, type SessionKeys, type InitiatorHandshake } from '../session/handshake.js';
import type { NoiseKeypair } from '../session/noise.js';
import { HANDSHAKE_ATTEMPTS, HANDSHAKE_TIMEOUT_MS, handshakeBackoffMs } from '../session/handshake-params.js';
import { encodeHandshakePacket } from '../core/packet.js';
import { Msg1Screen } from '../session/msg1-screen.js';
import { HandshakeBudget, type HandshakeBudgetOptions } from './handshake-budget.js';
import type { Timer, Timers } from './timers.js';

/** Initiator ephemerals answered recently: a replayed msg1 among them is dropped before any crypto. */
const RECENT_EPHEMERALS = 4096;


export interface HandshakeOutcome {
  peerNodeId: bigint;
  address: string;
  keys: SessionKeys;
  rttMs: number;
  role: 'initiator' | 'responder';
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
}

interface Attempt {
  reqId: number;
  address: string;
  peer: { publicKey: Uint8Array; nodeId: bigint };
  attempt: number;
  state?: InitiatorHandshake;
  startedAt: number;
  timer?: Timer;
  lastError?: HandshakeError;
}

export class Handshaker {
  /** Initiator attempts waiting for msg2, by address. */
  private readonly pending = new Map<string, Attempt>();
  /** Every connect in progress (waiting for a reply or for its backoff). */
  private readonly active = new Set<Attempt>();
  /** Accepted initiators, with the per-initiator part of msg1 reading precomputed. */
  private readonly screen: Msg1Screen;
  private readonly budget: HandshakeBudget;
  /** Initiator ephemerals of msg1s answered recently (insertion order = age). */
  private readonly answered = new Set<string>();
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

  /** Runs up to 3 attempts of 5 s each (configurable); reports through `finished`. */
  connect(reqId: number, address: string, peer: { publicKey: Uint8Array; nodeId: bigint }, now: number): void {
    const a: Attempt = { reqId, address, peer, attempt: 0, startedAt: now };
    this.active.add(a);
    this.start(a, now);
  }

  private start(a: Attempt, now: number): void {
    if (this.closed) return;
    a.attempt++;
    let message: Uint8Array;
    try {
      const s = initiatorStart({ psk: this.deps.psk, responderStatic: a.peer.publicKey, initiatorNodeId: this.deps.ownNodeId, responderNodeId: a.peer.nodeId, mode: this.deps.mode });
      a.state = s.state;
      message = s.message;
    } catch (e) {
      this.fail(a, e instanceof HandshakeError ? e : new HandshakeError('HANDSHAKE_FAILED', String(e), { cause: e }), now);
      return;
    }
    a.startedAt = now;
    const timeoutMs = this.deps.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    a.timer = this.deps.timers.schedule(now + timeoutMs, (t) => {
      if (this.pending.get(a.address) === a) this.pending.delete(a.address);
      this.fail(
        a,
        new HandshakeError(
          'HANDSHAKE_TIMEOUT',
          `no handshake reply from ${a.address} within ${timeoutMs} ms: the peer is unreachable, has not accept()ed this node, or uses a different PSK or Noise key`,
        ),
        t,
      );
    });
    this.pending.set(a.address, a);
    this.deps.send(encodeHandshakePacket(message), a.address);
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
      this.onReply(waiting, message, address, now);
      return;
    }
    this.onMsg1(message, address, now);
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
      this.pending.delete(address);
      this.fail(waiting, e instanceof HandshakeError ? e : new HandshakeError('HANDSHAKE_FAILED', String(e), { cause: e }), now);
      return;
    }
    this.pending.delete(address);
    this.deps.timers.cancel(waiting.timer);
    this.active.delete(waiting);
    // Installed before anything else is read, so data the responder sealed right after msg2 finds it.
    this.deps.established({ peerNodeId: waiting.peer.nodeId, address, keys, rttMs: now - waiting.startedAt, role: 'initiator' }, now);
    this.deps.finished(waiting.reqId, waiting.peer.nodeId, undefined);
  }

  /**
   * msg1 from a possible initiator. Cheapest checks first: accepted initiators at all, a replay of
   * an ephemeral answered recently, the budgets; then one X25519 for the screen; a full read only
   * for a msg1 that authenticates.
   */
  private onMsg1(message: Uint8Array, address: string, now: number): void {
    if (this.screen.size === 0) {
      this.failures++;
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
    if (!found.ok) {
      this.failures++;
      return;
    }
    try {
      const r = responderRead({
        psk: this.deps.psk,
        staticKeypair: this.deps.staticKeypair,
        initiatorNodeId: found.initiatorNodeId,
        responderNodeId: this.deps.ownNodeId,
        mode: this.deps.mode,
        message,
      });
      remember(this.answered, eph, RECENT_EPHEMERALS);
      this.deps.send(encodeHandshakePacket(r.reply), address);
      // The engine installs it at once only if no session with that node exists; otherwise it
      // waits for a packet under the new keys (a replayed msg1 never replaces a live session).
      this.deps.established({ peerNodeId: r.initiatorNodeId, address, keys: r.keys, rttMs: 0, role: 'responder' }, now);
    } catch (e) {
      this.failures++;
      // A net-v0.27 responder answers a mode mismatch so the initiator fails fast, not by timeout.
      if (e instanceof KeyDerivationMismatchError && e.reply) this.deps.send(encodeHandshakePacket(e.reply), address);
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

function remember(set: Set<string>, key: string, max: number): void {
  if (set.size >= max) set.delete(set.values().next().value!);
  set.add(key);
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
