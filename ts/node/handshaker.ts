// Drives the sans-IO Noise handshake (ts/session/handshake.ts) with datagrams and timers:
// initiator attempts with per-attempt timeouts, retries and backoff (wire.md §11.3), and the
// responder side for initiators registered with accept() (§11.2).
import { HandshakeError } from '../errors.js';
import { initiatorStart, initiatorFinish, responderRead, KeyDerivationMismatchError, type KeyDerivationMode, type SessionKeys } from '../session/handshake.js';
import type { NoiseKeypair } from '../session/noise.js';
import { HANDSHAKE_ATTEMPTS, HANDSHAKE_TIMEOUT_MS, handshakeBackoffMs } from '../session/handshake-params.js';
import { handshakeDatagram } from './handshake-datagram.js';

export interface HandshakeOutcome {
  peerNodeId: bigint;
  address: string;
  keys: SessionKeys;
  rttMs: number;
  role: 'initiator' | 'responder';
}

interface PendingInitiator {
  onReply(message: Uint8Array): void;
  fail(err: HandshakeError): void;
}

export interface HandshakerDeps {
  psk: Uint8Array;
  mode: KeyDerivationMode;
  staticKeypair: NoiseKeypair;
  ownNodeId: bigint;
  send(datagram: Uint8Array, address: string): void;
  established(outcome: HandshakeOutcome): void;
  now(): number;
  handshakeTimeoutMs?: number;
  handshakeAttempts?: number;
}

export class Handshaker {
  private readonly pending = new Map<string, PendingInitiator>();
  private readonly expected = new Set<bigint>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Wakes sleepers when the node closes. */
  private readonly sleepers = new Set<() => void>();
  private closed = false;
  /** The last initiator ephemeral answered per initiator node id. */
  private readonly answered = new Map<bigint, string>();
  failures = 0;
  duplicates = 0;

  constructor(private readonly deps: HandshakerDeps) {}

  accept(nodeId: bigint): void {
    this.expected.add(nodeId);
  }

  /** Runs up to 3 attempts of 5 s each (configurable); rejects with HandshakeError naming the cause. */
  async connect(address: string, peer: { publicKey: Uint8Array; nodeId: bigint }): Promise<HandshakeOutcome> {
    const attempts = this.deps.handshakeAttempts ?? HANDSHAKE_ATTEMPTS;
    let lastError: HandshakeError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.closed) throw new HandshakeError('HANDSHAKE_CLOSED', 'node closed during the handshake');
      try {
        return await this.attempt(address, peer);
      } catch (e) {
        lastError = e instanceof HandshakeError ? e : new HandshakeError('HANDSHAKE_FAILED', String(e), { cause: e });
        // A key-derivation mismatch will not heal by retrying.
        if (lastError.code === 'KEY_DERIVATION_MISMATCH') break;
        if (attempt < attempts) await this.sleep(handshakeBackoffMs(attempt));
      }
    }
    throw new HandshakeError(
      lastError?.code ?? 'HANDSHAKE_FAILED',
      `handshake with ${address} failed after ${attempts} attempt(s): ${lastError?.message ?? 'unknown'}`,
      { cause: lastError },
    );
  }

  private attempt(address: string, peer: { publicKey: Uint8Array; nodeId: bigint }): Promise<HandshakeOutcome> {
    const start = initiatorStart({
      psk: this.deps.psk,
      responderStatic: peer.publicKey,
      initiatorNodeId: this.deps.ownNodeId,
      responderNodeId: peer.nodeId,
      mode: this.deps.mode,
    });
    const t0 = this.deps.now();
    return new Promise<HandshakeOutcome>((resolve, reject) => {
      const timeoutMs = this.deps.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.pending.get(address) === entry) this.pending.delete(address);
        reject(
          new HandshakeError(
            'HANDSHAKE_TIMEOUT',
            `no handshake reply from ${address} within ${timeoutMs} ms: the peer is unreachable, has not accept()ed this node, or uses a different PSK or Noise key`,
          ),
        );
      }, timeoutMs);
      this.timers.add(timer);
      const entry: PendingInitiator = {
        onReply: (message) => {
          clearTimeout(timer);
          this.timers.delete(timer);
          this.pending.delete(address);
          try {
            const keys = initiatorFinish(start.state, message);
            const outcome: HandshakeOutcome = { peerNodeId: peer.nodeId, address, keys, rttMs: this.deps.now() - t0, role: 'initiator' };
            // Installed synchronously, so data sealed by the responder right after msg2 finds it.
            this.deps.established(outcome);
            resolve(outcome);
          } catch (e) {
            this.failures++;
            reject(e);
          }
        },
        fail: (err) => {
          clearTimeout(timer);
          this.timers.delete(timer);
          reject(err);
        },
      };
      this.pending.set(address, entry);
      this.deps.send(handshakeDatagram(start.message), address);
    });
  }

  /** A HANDSHAKE packet's Noise message from `address`. */
  onHandshake(message: Uint8Array, address: string): void {
    const waiting = this.pending.get(address);
    if (waiting) {
      waiting.onReply(message);
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
      this.deps.send(handshakeDatagram(r.reply), address);
      this.deps.established({ peerNodeId: r.initiatorNodeId, address, keys: r.keys, rttMs: 0, role: 'responder' });
    } catch (e) {
      this.failures++;
      // A net-v0.27 responder answers a mode mismatch so the initiator fails fast, not by timeout.
      if (e instanceof KeyDerivationMismatchError && e.reply) this.deps.send(handshakeDatagram(e.reply), address);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.timers.delete(t);
        this.sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.timers.add(t);
      this.sleepers.add(wake);
    });
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const [addr, p] of this.pending) {
      this.pending.delete(addr);
      p.fail(new HandshakeError('HANDSHAKE_CLOSED', `node closed during the handshake with ${addr}`));
    }
    for (const wake of [...this.sleepers]) wake();
  }
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
