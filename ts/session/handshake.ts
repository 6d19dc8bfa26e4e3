// The net-mesh handshake (wire.md §11, §18 (g)): Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s with the
// Net prologue and payloads, and session keys in one of two modes. Sans-IO: the node layer moves
// the bytes, owns timers and retries (handshake-params.ts) and wraps messages in packets.
//
// Modes:
//  - "net-v0.27": keys from the handshake hash (§11.5); byte-identical to the reference.
//  - "noise" (default): keys from Noise Split(); each message's payload ends with the marker 0x01
//    so a peer in the other mode fails with KEY_DERIVATION_MISMATCH instead of a dead session.

import { HandshakeError, InvalidArgumentError } from '../errors.js';
import { ascii, concatBytes, readU64LE, requireBytes, requireU32, requireU64, writeU64LE } from '../identity/bytes.js';
import { routingIdOf } from '../identity/node-id.js';
import { netV027Keys, sessionIdFromHandshakeHash } from './kdf.js';
import {
  DHLEN,
  HandshakeState,
  NoiseDecryptError,
  NoiseMalformedError,
  PATTERN_NKPSK0,
  dh25519,
  type NoiseKeypair,
  type RandomSource,
} from './noise.js';
import { parsePsk } from './psk.js';

export { generateNoiseKeypair, noiseKeypairFromSecret, type NoiseKeypair, type RandomSource } from './noise.js';
export { parsePsk } from './psk.js';
export * from './handshake-params.js';

/**
 * How session keys come out of the handshake (wire.md §18(g)): "noise" (the default) takes them
 * from Noise's Split() and is forward-secret against other PSK holders; "net-v0.27" derives them
 * as Net v0.27 does, which interoperates with Net nodes. Every node of a mesh uses the same mode.
 */
export type KeyDerivationMode = 'noise' | 'net-v0.27';
export const KEY_DERIVATION_MODES: readonly KeyDerivationMode[] = ['noise', 'net-v0.27'];
export const DEFAULT_KEY_DERIVATION_MODE: KeyDerivationMode = 'noise';

/** Payload byte a "noise"-mode node appends to msg1 and msg2. */
export const NOISE_MODE_MARKER = 0x01;
export const HANDSHAKE_PROLOGUE_LABEL = 'net-handshake-v1';
export const HANDSHAKE_PROLOGUE_LENGTH = 32;
const PROLOGUE_LABEL_BYTES = ascii(HANDSHAKE_PROLOGUE_LABEL);
const NODE_ID_LENGTH = 8;

export interface SessionKeys {
  /** h[0..8] as u64 LE; the header's session_id. */
  sessionId: bigint;
  /** Key for packets this side sends. */
  txKey: Uint8Array;
  /** Key for packets this side receives. */
  rxKey: Uint8Array;
  /** Noise handshake hash after msg2 (32 bytes). */
  handshakeHash: Uint8Array;
  /** Initiator: the responder's static X25519 key. Responder: undefined (NK initiators have no static key). */
  remoteStatic?: Uint8Array;
  /** The peer's ephemeral X25519 public key from this handshake. */
  remoteEphemeral: Uint8Array;
  mode: KeyDerivationMode;
}

/**
 * The two sides run different key-derivation modes. `reply` is set only when this side is a
 * "net-v0.27" responder: sending it lets a "noise" initiator see the mismatch too. A "noise"
 * responder gives no reply, since the initiator may be a reference node that would otherwise
 * install a session whose every packet fails to decrypt; that initiator times out instead.
 */
export class KeyDerivationMismatchError extends HandshakeError {
  readonly localMode: KeyDerivationMode;
  readonly peerMode: KeyDerivationMode;
  readonly reply: Uint8Array | undefined;
  constructor(localMode: KeyDerivationMode, peerMode: KeyDerivationMode, detail: string, reply?: Uint8Array) {
    super(
      'KEY_DERIVATION_MISMATCH',
      `key-derivation mismatch: this node uses "${localMode}" but the peer uses "${peerMode}" (${detail}); ` +
        'every node of a mesh must use the same mode',
    );
    this.localMode = localMode;
    this.peerMode = peerMode;
    this.reply = reply;
  }
}

/** 32-byte prologue: "net-handshake-v1" ‖ initiator routing id u64 LE ‖ responder routing id u64 LE. */
export function handshakePrologue(initiatorRoutingId: number | bigint, responderRoutingId: number | bigint): Uint8Array {
  const out = new Uint8Array(HANDSHAKE_PROLOGUE_LENGTH);
  out.set(PROLOGUE_LABEL_BYTES, 0);
  writeU64LE(out, 16, BigInt(requireU32(initiatorRoutingId, 'initiatorRoutingId')));
  writeU64LE(out, 24, BigInt(requireU32(responderRoutingId, 'responderRoutingId')));
  return out;
}

function requireMode(mode: unknown): KeyDerivationMode {
  if (mode === undefined) return DEFAULT_KEY_DERIVATION_MODE;
  if (mode === 'noise' || mode === 'net-v0.27') return mode;
  throw new InvalidArgumentError(`key-derivation mode must be "noise" or "net-v0.27", got ${JSON.stringify(mode)}`);
}

function modeSuffix(mode: KeyDerivationMode): Uint8Array {
  return mode === 'noise' ? Uint8Array.of(NOISE_MODE_MARKER) : new Uint8Array(0);
}

/** The peer's mode from the bytes where the marker goes, or undefined if they are neither form. */
function peerModeFromSuffix(suffix: Uint8Array): KeyDerivationMode | undefined {
  if (suffix.length === 0) return 'net-v0.27';
  if (suffix.length === 1 && suffix[0] === NOISE_MODE_MARKER) return 'noise';
  return undefined;
}

function toHandshakeError(err: unknown, what: string): never {
  if (err instanceof NoiseDecryptError) {
    throw new HandshakeError(
      'HANDSHAKE_AUTH',
      `${what} failed to authenticate: wrong PSK, responder static key or prologue (node ids)`,
      { cause: err },
    );
  }
  if (err instanceof NoiseMalformedError) {
    throw new HandshakeError('HANDSHAKE_MALFORMED', `${what} is malformed: ${err.message}`, { cause: err });
  }
  throw err;
}

function deriveKeys(hs: HandshakeState, mode: KeyDerivationMode, role: 'initiator' | 'responder'): SessionKeys {
  const h = hs.handshakeHash;
  let txKey: Uint8Array;
  let rxKey: Uint8Array;
  if (mode === 'net-v0.27') {
    ({ txKey, rxKey } = netV027Keys(h, role));
  } else {
    const [i2r, r2i] = hs.split();
    [txKey, rxKey] = role === 'initiator' ? [i2r, r2i] : [r2i, i2r];
  }
  const keys: SessionKeys = {
    sessionId: sessionIdFromHandshakeHash(h),
    txKey,
    rxKey,
    handshakeHash: h,
    remoteEphemeral: hs.remoteEphemeral!,
    mode,
  };
  const rs = role === 'initiator' ? hs.remoteStatic : undefined;
  if (rs !== undefined) keys.remoteStatic = rs;
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Initiator

export interface InitiatorStartOptions {
  psk: Uint8Array | string;
  /** The responder's static X25519 public key (known out of band). */
  responderStatic: Uint8Array;
  initiatorNodeId: bigint;
  responderNodeId: bigint;
  mode?: KeyDerivationMode;
  /** Routed handshake: msg1 carries the initiator node_id (wire.md §11.4). */
  routed?: boolean;
  /** Randomness for the ephemeral key (default: platform CSPRNG). */
  random?: RandomSource;
}

/** An initiator waiting for msg2. One attempt = one state; a retry needs a fresh initiatorStart(). */
export class InitiatorHandshake {
  readonly mode: KeyDerivationMode;
  readonly routed: boolean;
  readonly initiatorNodeId: bigint;
  readonly responderNodeId: bigint;
  /** The responder's routing id: a routed msg2 is recognised by routing src_id == this. */
  readonly responderRoutingId: number;
  /** This attempt's ephemeral public key (the first 32 bytes of msg1). */
  readonly ephemeralPublicKey: Uint8Array;
  #noise: HandshakeState;
  #finished = false;

  /** @internal use initiatorStart() */
  constructor(noise: HandshakeState, opts: { mode: KeyDerivationMode; routed: boolean; initiatorNodeId: bigint; responderNodeId: bigint }) {
    this.#noise = noise;
    this.mode = opts.mode;
    this.routed = opts.routed;
    this.initiatorNodeId = opts.initiatorNodeId;
    this.responderNodeId = opts.responderNodeId;
    this.responderRoutingId = routingIdOf(opts.responderNodeId);
    this.ephemeralPublicKey = Uint8Array.from(noise.localEphemeral!.publicKey);
  }

  get finished(): boolean {
    return this.#finished;
  }

  /** @internal */
  finish(reply: Uint8Array): SessionKeys {
    if (this.#finished) throw new InvalidArgumentError('this handshake state has already completed; start a new attempt');
    requireBytes(reply, 'reply');
    // Read on a copy, so a forged or corrupted msg2 leaves this state usable for the real one.
    const hs = this.#noise.clone();
    let payload: Uint8Array;
    try {
      payload = hs.readMessage(reply);
    } catch (err) {
      toHandshakeError(err, 'msg2');
    }
    const peerMode = peerModeFromSuffix(payload);
    if (peerMode === undefined) {
      throw new HandshakeError('HANDSHAKE_MALFORMED', `msg2 payload is neither empty nor the noise-mode marker (${payload.length} bytes)`);
    }
    this.#finished = true;
    if (peerMode !== this.mode) {
      throw new KeyDerivationMismatchError(this.mode, peerMode, `msg2 from responder node 0x${this.responderNodeId.toString(16)}`);
    }
    this.#noise = hs;
    return deriveKeys(hs, this.mode, 'initiator');
  }
}

/** Builds msg1. The returned state reads msg2 with initiatorFinish(). */
export function initiatorStart(opts: InitiatorStartOptions): { message: Uint8Array; state: InitiatorHandshake } {
  const psk = parsePsk(opts.psk);
  const responderStatic = requireBytes(opts.responderStatic, 'responderStatic', DHLEN);
  const initiatorNodeId = requireU64(opts.initiatorNodeId, 'initiatorNodeId');
  const responderNodeId = requireU64(opts.responderNodeId, 'responderNodeId');
  const mode = requireMode(opts.mode);
  const routed = opts.routed === true;

  const hsOpts: ConstructorParameters<typeof HandshakeState>[0] = {
    pattern: PATTERN_NKPSK0,
    initiator: true,
    prologue: handshakePrologue(routingIdOf(initiatorNodeId), routingIdOf(responderNodeId)),
    rs: responderStatic,
    psk,
  };
  if (opts.random !== undefined) hsOpts.random = opts.random;
  const hs = new HandshakeState(hsOpts);

  let payload = modeSuffix(mode);
  if (routed) {
    const id = new Uint8Array(NODE_ID_LENGTH);
    writeU64LE(id, 0, initiatorNodeId);
    payload = concatBytes(id, payload);
  }
  let message: Uint8Array;
  try {
    message = hs.writeMessage(payload);
  } catch (err) {
    // Only a low-order responderStatic can fail here.
    if (err instanceof NoiseMalformedError) throw new InvalidArgumentError(`responderStatic is not a usable X25519 key: ${err.message}`);
    throw err;
  }
  return { message, state: new InitiatorHandshake(hs, { mode, routed, initiatorNodeId, responderNodeId }) };
}

/**
 * Reads msg2 and returns the session keys. Throws HandshakeError: HANDSHAKE_AUTH (msg2 does not
 * authenticate), HANDSHAKE_MALFORMED, or KeyDerivationMismatchError (KEY_DERIVATION_MISMATCH).
 * A failed read leaves `state` unchanged (still waiting), except that a mode mismatch ends it.
 */
export function initiatorFinish(state: InitiatorHandshake, reply: Uint8Array): SessionKeys {
  if (!(state instanceof InitiatorHandshake)) throw new InvalidArgumentError('state must come from initiatorStart()');
  return state.finish(reply);
}

// ---------------------------------------------------------------------------------------------
// Responder

export interface ResponderReadOptions {
  psk: Uint8Array | string;
  /** This node's static X25519 keypair. */
  staticKeypair: NoiseKeypair;
  responderNodeId: bigint;
  mode?: KeyDerivationMode;
  /** msg1 as received (the HANDSHAKE packet's payload). */
  message: Uint8Array;
  /**
   * Direct handshake: the expected initiator node_id, or several (accept() registrations); msg1 is
   * read under each one's prologue in order and answered under the first that authenticates.
   */
  initiatorNodeId?: bigint | readonly bigint[];
  /** Routed handshake: the routing header's src_id (the initiator's routing id). */
  routed?: { srcId: number | bigint };
  random?: RandomSource;
}

export interface ResponderResult {
  /** msg2, to send back. */
  reply: Uint8Array;
  keys: SessionKeys;
  /** Direct: the candidate that authenticated. Routed: from the msg1 payload. */
  initiatorNodeId: bigint;
  /** First 32 bytes of msg1 (the replacement gate of wire.md §11.4 compares it). */
  initiatorEphemeral: Uint8Array;
}

/**
 * Reads msg1 and builds msg2. Throws HandshakeError: HANDSHAKE_AUTH (msg1 does not authenticate
 * under any candidate prologue: wrong PSK, static key or node ids), HANDSHAKE_MALFORMED (too
 * short, bad payload, routed node id not matching src_id, low-order ephemeral), or
 * KeyDerivationMismatchError.
 */
export function responderRead(opts: ResponderReadOptions): ResponderResult {
  const psk = parsePsk(opts.psk);
  const staticKeypair = requireKeypair(opts.staticKeypair);
  const responderNodeId = requireU64(opts.responderNodeId, 'responderNodeId');
  const mode = requireMode(opts.mode);
  const message = requireBytes(opts.message, 'message');
  const direct = opts.initiatorNodeId !== undefined;
  if (direct === (opts.routed !== undefined)) {
    throw new InvalidArgumentError('responderRead needs exactly one of initiatorNodeId (direct) or routed');
  }
  if (message.length < DHLEN) {
    throw new HandshakeError('HANDSHAKE_MALFORMED', `msg1 is ${message.length} bytes, shorter than an ephemeral key`);
  }
  const initiatorEphemeral = message.slice(0, DHLEN);
  const responderRoutingId = routingIdOf(responderNodeId);

  // es = DH(s, re) is the same under every candidate prologue; compute it once.
  const dhCache = new Map<string, Uint8Array>();
  const dh = (secret: Uint8Array, pub: Uint8Array): Uint8Array => {
    const key = hex(secret) + hex(pub);
    let v = dhCache.get(key);
    if (v === undefined) {
      v = dh25519(secret, pub);
      dhCache.set(key, v);
    }
    return v;
  };
  const newState = (initiatorRoutingId: number): HandshakeState => {
    const o: ConstructorParameters<typeof HandshakeState>[0] = {
      pattern: PATTERN_NKPSK0,
      initiator: false,
      prologue: handshakePrologue(initiatorRoutingId, responderRoutingId),
      s: staticKeypair,
      psk,
      dh,
    };
    if (opts.random !== undefined) o.random = opts.random;
    return new HandshakeState(o);
  };

  let hs: HandshakeState | undefined;
  let payload: Uint8Array | undefined;
  let initiatorNodeId: bigint;
  let suffix: Uint8Array;

  if (opts.routed !== undefined) {
    const srcId = requireU32(opts.routed.srcId, 'routed.srcId');
    hs = newState(srcId);
    try {
      payload = hs.readMessage(message);
    } catch (err) {
      toHandshakeError(err, 'routed msg1');
    }
    if (payload.length < NODE_ID_LENGTH) {
      throw new HandshakeError('HANDSHAKE_MALFORMED', `routed msg1 payload is ${payload.length} bytes; it must start with the 8-byte initiator node_id`);
    }
    initiatorNodeId = readU64LE(payload, 0);
    if (routingIdOf(initiatorNodeId) !== srcId) {
      throw new HandshakeError(
        'HANDSHAKE_MALFORMED',
        `routed msg1 names initiator node 0x${initiatorNodeId.toString(16)} whose routing id does not match src_id 0x${srcId.toString(16)}`,
      );
    }
    suffix = payload.subarray(NODE_ID_LENGTH);
  } else {
    const raw = opts.initiatorNodeId!;
    const candidates: readonly unknown[] = typeof raw === 'bigint' ? [raw] : raw;
    if (!Array.isArray(candidates)) throw new InvalidArgumentError('initiatorNodeId must be a bigint or an array of bigints');
    let found: bigint | undefined;
    for (const c of candidates) {
      const candidate = requireU64(c, 'initiatorNodeId');
      const attempt = newState(routingIdOf(candidate));
      try {
        payload = attempt.readMessage(message);
      } catch (err) {
        if (err instanceof NoiseDecryptError) continue;
        toHandshakeError(err, 'msg1');
      }
      hs = attempt;
      found = candidate;
      break;
    }
    if (hs === undefined || payload === undefined || found === undefined) {
      throw new HandshakeError(
        'HANDSHAKE_AUTH',
        `msg1 failed to authenticate under ${candidates.length} expected initiator(s): wrong PSK, responder static key or initiator node id`,
      );
    }
    initiatorNodeId = found;
    suffix = payload;
  }

  const peerMode = peerModeFromSuffix(suffix);
  if (peerMode === undefined) {
    throw new HandshakeError('HANDSHAKE_MALFORMED', `msg1 payload after the node id is neither empty nor the noise-mode marker (${suffix.length} bytes)`);
  }
  const reply = hs.writeMessage(modeSuffix(mode));
  if (peerMode !== mode) {
    throw new KeyDerivationMismatchError(
      mode,
      peerMode,
      `msg1 from initiator node 0x${initiatorNodeId.toString(16)}`,
      mode === 'net-v0.27' ? reply : undefined,
    );
  }
  return { reply, keys: deriveKeys(hs, mode, 'responder'), initiatorNodeId, initiatorEphemeral };
}

function requireKeypair(kp: unknown): NoiseKeypair {
  if (typeof kp !== 'object' || kp === null) throw new InvalidArgumentError('staticKeypair must be { publicKey, secretKey }');
  const { publicKey, secretKey } = kp as NoiseKeypair;
  requireBytes(publicKey, 'staticKeypair.publicKey', DHLEN);
  requireBytes(secretKey, 'staticKeypair.secretKey', DHLEN);
  return { publicKey, secretKey };
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
