// Node options of the nRPC layer (`MeshNodeOptions.rpc`), validated before the node starts.
import { InvalidArgumentError } from '../errors.js';
import { resolveStreamConfig, type StreamConfig } from '../streams/config.js';

/** Node options of the nRPC layer (`MeshNode.create({ rpc })`); every field is optional. */
export interface RpcOptions {
  /** Local deadline of unary calls that pass no `deadlineMs`, in ms (30,000; 0 = none). Not sent on the wire. */
  defaultTimeoutMs?: number;
  /** Response window `callStream` / `callDuplex` ask for unless the call says (128; 0 = no flow control). */
  streamWindow?: number;
  /** Upload window `callClientStream` / `callDuplex` ask for unless the call says (64; 0 = no flow control). */
  requestWindow?: number;
  /** Settings of nRPC's channel streams; always reliable; maxRetries 64 by default (a lossy path must not make a call give up). */
  streamConfig?: Omit<StreamConfig, 'reliability'>;
  /** How long an out-of-order gap in an inbound nRPC stream is waited for before it is skipped, in ms (10,000). */
  gapTimeoutMs?: number;
  /** Upload items a served call may hold unconsumed beyond its window; past that the call fails with Backpressure (1024). */
  maxQueuedItems?: number;
  /** Calls one caller node may have in flight on this node; more are answered Backpressure (4096). */
  maxInFlightPerPeer?: number;
}

export interface ResolvedRpcOptions {
  defaultTimeoutMs: number;
  streamWindow: number;
  requestWindow: number;
  streamConfig: Omit<StreamConfig, 'reliability'>;
  gapTimeoutMs: number;
  maxQueuedItems: number;
  maxInFlightPerPeer: number;
}

const U32_MAX = 0xffff_ffff;

function num(name: string, v: unknown, dflt: number, min: number, max: number, integer = true): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new InvalidArgumentError(`${name} must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got ${String(v)}`);
  }
  return v;
}

/** Validates a window option (u32 item count). */
export function windowArg(name: string, v: unknown, dflt: number): number {
  return num(name, v, dflt, 0, U32_MAX);
}

export function resolveRpcOptions(o: RpcOptions | undefined): ResolvedRpcOptions {
  if (o !== undefined && (typeof o !== 'object' || o === null)) throw new InvalidArgumentError('rpc must be an options object');
  const c = o ?? {};
  const sc = c.streamConfig ?? {};
  if (typeof sc !== 'object' || sc === null) throw new InvalidArgumentError('rpc.streamConfig must be an object');
  if ('reliability' in sc) throw new InvalidArgumentError('rpc.streamConfig cannot set reliability: nRPC frames are always reliable');
  resolveStreamConfig(sc);
  return {
    defaultTimeoutMs: num('rpc.defaultTimeoutMs', c.defaultTimeoutMs, 30_000, 0, 2 ** 31 - 1, false),
    streamWindow: windowArg('rpc.streamWindow', c.streamWindow, 128),
    requestWindow: windowArg('rpc.requestWindow', c.requestWindow, 64),
    streamConfig: { maxRetries: 64, ...sc },
    gapTimeoutMs: num('rpc.gapTimeoutMs', c.gapTimeoutMs, 10_000, 1, 2 ** 31 - 1, false),
    maxQueuedItems: num('rpc.maxQueuedItems', c.maxQueuedItems, 1024, 1, 2 ** 24),
    maxInFlightPerPeer: num('rpc.maxInFlightPerPeer', c.maxInFlightPerPeer, 4096, 1, 2 ** 24),
  };
}
