// What the nRPC server and caller share: the node's host and channel layer, the frame links and
// inbound ports, this node's origin hash, the options and the counters.
import type { ChannelLayer } from '../channels/layer.js';
import type { MeshHost } from '../node/host.js';
import type { InboundPorts } from './inbound.js';
import type { FrameLinks } from './links.js';
import type { ResolvedRpcOptions } from './options.js';

/** `node.rpcStats()`: what the nRPC layer did and what it dropped. */
export interface RpcStats {
  /** REQUESTs received and handed to a handler. */
  served: number;
  /** Calls this node started. */
  calls: number;
  /** Frames dropped because they did not decode (malformed REQUESTs are also answered UnknownVersion). */
  malformed: number;
  /** Frames for an unknown call, from a node other than the call's, or that the call's state does not allow. */
  strays: number;
  /** REQUESTs whose (origin, call id) was already in flight (answered Internal). */
  duplicateRequests: number;
  /** CANCELs received for calls in flight. */
  cancelsIn: number;
  /** CANCELs sent. */
  cancelsOut: number;
  /** `duplicate REQUEST` answers ignored while a call was pending (rpc-tools.md §4). */
  duplicateAnswersIgnored: number;
  /** REQUESTs that named a service other than the channel's, or a service this node does not serve. */
  unknownService: number;
  /** Server calls in flight now, and caller calls pending now. */
  inFlight: number;
  pending: number;
}

export type RpcCounters = Omit<RpcStats, 'inFlight' | 'pending'>;

export function newRpcCounters(): RpcCounters {
  return { served: 0, calls: 0, malformed: 0, strays: 0, duplicateRequests: 0, cancelsIn: 0, cancelsOut: 0, duplicateAnswersIgnored: 0, unknownService: 0 };
}

export interface RpcRuntime {
  host: MeshHost;
  channels: ChannelLayer;
  links: FrameLinks;
  ports: InboundPorts;
  origin: bigint;
  opts: ResolvedRpcOptions;
  counters: RpcCounters;
}

/** The reply channel of `service` for a caller: `<service>.replies.<origin as 16 lowercase hex>`. */
export function replyChannelName(service: string, origin: bigint): string {
  return `${service}.replies.${origin.toString(16).padStart(16, '0')}`;
}

export function requestChannelName(service: string): string {
  return `${service}.requests`;
}

/** Link backlog (bytes) past which a stream producer waits, and the level it waits for. */
export const BACKLOG_HIGH = 256 * 1024;
export const BACKLOG_LOW = 64 * 1024;
