// The public shapes of nRPC serving and calling (sdk.md "nRPC and tools", rpc-tools.md §4–§5, §10).
import type { RpcHeader, HeaderInput } from './payloads.js';

/** What a handler learns about the call it serves. */
export interface RpcContext {
  /** The node whose session delivered the request. */
  from: bigint;
  callId: bigint;
  /** Fires when the caller cancels (CANCEL), the deadline passes, the caller's node fails, or this node closes. */
  signal: AbortSignal;
  /** The request headers, as sent. */
  headers: RpcHeader[];
  /** The service this call addressed. */
  service: string;
  /** The caller's deadline, absolute Unix time in ns (0n = none). */
  deadlineNs: bigint;
  /** The request flags (rpc-tools.md §3), e.g. STREAMING_RESPONSE when the caller accepts a streamed reply. */
  flags: number;
}

/**
 * A unary or server-streaming handler: return (or resolve to) the response body, or return an
 * AsyncIterable (or a synchronous generator) for a server stream (pulled with backpressure: the caller's credit and the link's
 * backlog). Throw `new RpcError(status, message)` to answer with that status; any other thrown
 * error answers 0x8001 (typed handler error) with its message.
 */
export type RpcHandler = (request: Uint8Array, ctx: RpcContext) => Uint8Array | Promise<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** A client-streaming handler: drains the uploaded items, answers one body. */
export type ClientStreamHandler = (requests: AsyncIterable<Uint8Array>, ctx: RpcContext) => Uint8Array | Promise<Uint8Array>;

/** A duplex handler: reads uploaded items while it yields responses. */
export type DuplexHandler = (requests: AsyncIterable<Uint8Array>, ctx: RpcContext) => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Options of `serve` / `serveClientStream` / `serveDuplex`. */
export interface ServeOptions {
  /** Announce `nrpc:<service>` in this node's capabilities, so `callService` finds it (true). */
  announce?: boolean;
}

/** Options every nRPC call takes: a deadline, an AbortSignal, extra request headers. */
export interface CallOptions {
  /** Deadline relative to now: raced locally and sent as `deadline_ns`. Unary calls without it time out locally after the node's `rpc.defaultTimeoutMs`. */
  deadlineMs?: number;
  /** Aborting cancels the call: a CANCEL frame goes to the server and the call rejects with RpcCancelledError. */
  signal?: AbortSignal;
  /** Extra request headers (names 1–64 bytes, values ≤ 4096 bytes). */
  headers?: readonly HeaderInput[];
}

/** Options of `callStream`: call options plus the response window (credit). */
export interface StreamCallOptions extends CallOptions {
  /**
   * Response credit (`nrpc-stream-window-initial`): the server sends at most this many items
   * ahead of what the consumer has taken. Default: the node's `rpc.streamWindow` (128); 0 turns
   * flow control off (the server sends as fast as it can).
   */
  window?: number;
}

/** Options of `callClientStream` / `callDuplex`: stream options plus the upload window. */
export interface UploadCallOptions extends StreamCallOptions {
  /** Upload credit (`nrpc-request-window-initial`): chunks sent ahead of the server's consumption. Default: the node's `rpc.requestWindow` (64). */
  requestWindow?: number;
}

/** A server-streaming call in progress: iterate its responses; `return()`, `break` or `cancel()` send CANCEL. */
export interface StreamCall extends AsyncIterableIterator<Uint8Array> {
  readonly callId: bigint;
  cancel(): void;
}

/**
 * The caller's side of an upload (client streaming or duplex): `send` one item at a time (it
 * waits on the server's upload credit), then `end` (optionally with a last item, which then
 * carries REQUEST_END as Net v0.27's canonical placement wants). Sends are ordered even when not
 * awaited. The REQUEST goes out with the first `send` or `end`.
 */
export interface UploadCall {
  readonly callId: bigint;
  send(item: Uint8Array): Promise<void>;
  end(last?: Uint8Array): Promise<void>;
  /** Sends CANCEL (if the call started) and fails the call with RpcCancelledError. */
  cancel(): void;
}

/** `callClientStream`: upload items, then one response. */
export interface ClientStreamCall extends UploadCall {
  /** The server's answer (rejects with an RpcError when the call fails). */
  readonly response: Promise<Uint8Array>;
  /** `end(last)`, then the response. */
  finish(last?: Uint8Array): Promise<Uint8Array>;
}

/** `callDuplex`: upload items while reading responses. */
export interface DuplexCall extends UploadCall {
  readonly responses: AsyncIterableIterator<Uint8Array>;
}

/** `callService` node selection among the nodes announcing `nrpc:<service>` (rpc-tools.md §4). */
export type SelectionPolicy = 'round-robin' | 'random' | 'sticky' | 'lowest-latency';

/** Options of `callService`: call options plus the node selection policy (and the sticky key). */
export interface CallServiceOptions extends CallOptions {
  /** round-robin (default), random, sticky (needs `key`), lowest-latency. */
  policy?: SelectionPolicy;
  /** The sticky key (u64): the same key picks the same node while the candidates stay the same. */
  key?: bigint;
}
