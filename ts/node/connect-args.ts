// connect()'s arguments: (address, peer, opts) or (contact, opts), checked so that a mistake is
// refused at once with a typed error naming the field, instead of being retried into a timeout.
import { HandshakeError, InvalidArgumentError } from '../errors.js';
import { dh25519 } from '../session/noise.js';
import { parseAddress, type ParsedAddress } from '../transports/address.js';
import { durationMs, optionalSignal, optionsObject, requireBytes, u64Id } from '../util/validate.js';
import { isContact, parseContact } from './contact.js';

/** connect()'s options (sdk.md); a routed `via` joins them with routed connects. */
export interface ConnectOptions {
  /** Aborts the connect: it rejects at once with HandshakeError CONNECT_ABORTED (cause = the signal's reason). */
  signal?: AbortSignal;
  /** Bounds the whole connect (name resolution and every handshake attempt): HANDSHAKE_TIMEOUT when it passes. */
  timeoutMs?: number;
  /**
   * Route the handshake through this direct peer (wire.md §11.4), even when an address is given.
   * With a null address and no `via`, the route pingwaves taught this node is used.
   */
  via?: bigint;
}

export interface PeerKey {
  publicKey: Uint8Array;
  nodeId: bigint;
}

export interface ConnectRequest {
  /** null: routed (through `via`, or the learned route). */
  address: string | null;
  parsed: ParsedAddress | undefined;
  via: bigint | undefined;
  peer: PeerKey;
  signal: AbortSignal | undefined;
  timeoutMs: number | undefined;
}

/** A clamped scalar times a small-order point is the identity: dh25519 refuses such keys. */
const PROBE_SECRET = new Uint8Array(32).fill(0x42);

export function parseConnectArgs(target: unknown, second: unknown, third: unknown, self: { nodeId: bigint; noisePublicKey: Uint8Array; address: string }): ConnectRequest {
  let address: unknown;
  let peerArg: unknown;
  let optsArg: unknown;
  if (isContact(target)) {
    const c = parseContact(target);
    address = c.address;
    peerArg = { publicKey: c.publicKey, nodeId: c.nodeId };
    optsArg = second;
  } else {
    address = target;
    peerArg = second;
    optsArg = third;
  }
  const o = optionsObject('connect options', optsArg);
  const signal = optionalSignal('signal', o.signal);
  const timeoutMs = o.timeoutMs === undefined ? undefined : durationMs('timeoutMs', o.timeoutMs, 0);
  const via = o.via === undefined ? undefined : u64Id('via', o.via);
  const routed = via !== undefined || address === null || address === undefined;
  const parsed = routed ? undefined : parseAddress(address as string, 'address');
  if (!peerArg || typeof peerArg !== 'object') throw new InvalidArgumentError('peer must be { publicKey, nodeId } (or pass a contact string "nm1:…" instead of the address)');
  const p = peerArg as Record<string, unknown>;
  const publicKey = requireBytes(p.publicKey, 'peer.publicKey', 32);
  const nodeId = u64Id('peer.nodeId', p.nodeId);
  try {
    dh25519(PROBE_SECRET, publicKey);
  } catch {
    throw new InvalidArgumentError('peer.publicKey has small order (no X25519 key agreement is possible with it): it is not a node\'s noisePublicKey');
  }
  if (nodeId === self.nodeId || bytesEqual(publicKey, self.noisePublicKey) || (!routed && address === self.address)) {
    throw new InvalidArgumentError(`a node cannot connect to itself (peer ${nodeId === self.nodeId ? 'nodeId' : bytesEqual(publicKey, self.noisePublicKey) ? 'publicKey' : 'address'} is this node's own)`);
  }
  if (via !== undefined && (via === self.nodeId || via === nodeId)) {
    throw new InvalidArgumentError('via must be a third node: a direct peer that relays to the target');
  }
  return { address: routed ? null : (address as string), parsed, via, peer: { publicKey: Uint8Array.from(publicKey), nodeId }, signal, timeoutMs };
}

export function abortedError(signal: AbortSignal, what: string): HandshakeError {
  return new HandshakeError('CONNECT_ABORTED', `${what} was aborted`, { cause: signal.reason });
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
