// The serving side of nRPC (rpc-tools.md §1, §4, §5): services registered on their request
// channel, REQUEST dispatch (malformed → UnknownVersion, duplicates → Internal, the deadline skew
// rule, the shape checks of §5), handler runs with an AbortSignal, CANCEL, response credit
// (STREAM_GRANT), uploads (REQUEST_CHUNK, REQUEST_GRANT), and replies: to the node whose session
// delivered the REQUEST (cached per caller origin), else to the node known for that origin, else
// by roster fan-out on the reply channel.
import { InvalidArgumentError, NetMeshError, RpcError } from '../errors.js';
import { originHashFromPublicKey } from '../identity/node-id.js';
import { DISPATCH, FLAGS, HEADERS, TYPED_HANDLER_ERROR } from './constants.js';
import type { EventMeta } from './event-meta.js';
import { requestGrantFrame, responseFrame } from './frames-out.js';
import { decodeStreamGrant } from './grants.js';
import { channelRef, type ChannelRef } from './links.js';
import { decodeRequestChunk, type RequestPayload, type ResponseInput } from './payloads.js';
import { decodeRequestOrReject, windowInitial } from './server-codec.js';
import { BACKLOG_HIGH, BACKLOG_LOW, replyChannelName, requestChannelName, type RpcRuntime } from './runtime.js';
import { validateServiceName } from './service-name.js';
import { RpcStatus } from './status.js';
import type { ClientStreamHandler, DuplexHandler, RpcContext, RpcHandler } from './types.js';
import { UploadQueue } from './upload-queue.js';

export type ServiceKind = 'unary' | 'client-stream' | 'duplex';

interface Service {
  name: string;
  kind: ServiceKind;
  handler: RpcHandler | ClientStreamHandler | DuplexHandler;
  requests: ChannelRef;
  releasePort: () => void;
  /** Reply channel per caller origin (bounded: origins come from the wire). */
  replies: Map<bigint, ChannelRef>;
}

type AbortCause = 'cancel' | 'deadline' | 'peer' | 'close' | 'backpressure';

interface ServerCall {
  svc: Service;
  from: bigint;
  origin: bigint;
  callId: bigint;
  /** Made when the handler first reads `ctx.signal` (most unary handlers never do). */
  ctl: AbortController | undefined;
  /** Set when the call is aborted. */
  cause: AbortCause | undefined;
  onAbort: (() => void) | undefined;
  /** Response items the caller still credits (Infinity without a window). */
  credit: number;
  windowed: boolean;
  wake: (() => void) | undefined;
  upload: UploadQueue | undefined;
  /** The upload window the caller asked for (0 = none). */
  uploadWindow: number;
  finished: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Resolves with ABORTED when the call is aborted (made on first use). */
  aborted: Promise<typeof ABORTED> | undefined;
}

const ABORTED = Symbol('aborted');
const SKEW_NS = 10_000_000_000n;
const MAX_REPLY_CACHE = 4096;
const MAX_ERROR_BODY = 2048;
const encoder = new TextEncoder();
const CONTINUE: [string, Uint8Array][] = [[HEADERS.STREAMING, encoder.encode('continue')]];
const END: [string, Uint8Array][] = [[HEADERS.STREAMING, encoder.encode('end')]];
const KIND_WORD: Record<ServiceKind | 'streaming', string> = { unary: 'unary', streaming: 'streaming', 'client-stream': 'client-streaming', duplex: 'duplex' };

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function text(s: string): Uint8Array {
  return encoder.encode(s.length > MAX_ERROR_BODY ? `${s.slice(0, MAX_ERROR_BODY)}…` : s);
}

/** The RESPONSE a thrown value becomes: an RpcError's status, else 0x8001 with the message. */
export function errorResponse(e: unknown): ResponseInput {
  if (e instanceof RpcError) return { status: e.status === RpcStatus.Ok ? RpcStatus.Internal : e.status, body: text(e.message) };
  if (e instanceof Error) return { status: TYPED_HANDLER_ERROR, body: text(e.message) };
  return { status: TYPED_HANDLER_ERROR, body: text(String(e)) };
}

/** What `ctx.signal.reason` says for each way a call is aborted. */
function abortReason(cause: AbortCause): RpcError {
  if (cause === 'deadline') return new RpcError(RpcStatus.Timeout, 'deadline exceeded');
  if (cause === 'backpressure') return new RpcError(RpcStatus.Backpressure, 'upload overflow');
  return new RpcError(RpcStatus.Cancelled, cause === 'cancel' ? 'the caller cancelled the call' : cause === 'peer' ? "the caller's node failed" : 'this node is closing');
}

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array> {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** A handler's stream: an AsyncIterable, or a synchronous iterable (a generator) other than bytes themselves. */
function streamOf(v: unknown): AsyncIterable<Uint8Array> | undefined {
  if (isAsyncIterable(v)) return v;
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array || ArrayBuffer.isView(v)) return undefined;
  const it = (v as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (typeof it !== 'function') return undefined;
  const sync = v as Iterable<Uint8Array>;
  return (async function* () {
    yield* sync;
  })();
}

export class RpcServer {
  readonly #services = new Map<string, Service>();
  readonly #inflight = new Map<bigint, ServerCall>();
  /** Caller origin → the node whose session last delivered its REQUEST. */
  readonly #routes = new Map<bigint, bigint>();
  /** Calls in flight per caller node (bounded by `maxInFlightPerPeer`). */
  readonly #perPeer = new Map<bigint, number>();

  constructor(private readonly rt: RpcRuntime) {}

  get inFlight(): number {
    return this.#inflight.size;
  }

  serves(name: string): boolean {
    return this.#services.has(name);
  }

  /**
   * Registers a service on its request channel, with the open configs of §1 (a built-in service
   * registers them only once the node has a config registry, so it never installs one). Throws
   * InvalidArgumentError if the service is served already.
   */
  register(name: string, kind: ServiceKind, handler: Service['handler'], builtin = false): () => void {
    validateServiceName(name);
    if (typeof handler !== 'function') throw new InvalidArgumentError('handler must be a function');
    if (this.#services.has(name)) throw new InvalidArgumentError(`service ${JSON.stringify(name)} is already served by this node`);
    const requests = channelRef(requestChannelName(name));
    // The open request config and the open reply prefix (channels.md §2, `sdk/src/mesh_rpc.rs`).
    const configs = (): void => {
      this.rt.channels.registerChannel(requests.name, {});
      this.rt.channels.registerChannel(`${name}.replies.`, { prefix: true, channelId: `${name}.replies.prefix` });
    };
    if (builtin) this.rt.channels.onRegistryInstalled(configs);
    else configs();
    const svc: Service = { name, kind, handler, requests, releasePort: () => {}, replies: new Map() };
    svc.releasePort = this.rt.ports.open(requests, (from, meta, payload) => this.#frame(svc, from, meta, payload));
    this.#services.set(name, svc);
    return () => {
      if (this.#services.get(name) !== svc) return;
      this.#services.delete(name);
      svc.releasePort();
    };
  }

  /** Aborts the calls of a failed peer. */
  dropPeer(peer: bigint): void {
    for (const c of [...this.#inflight.values()]) if (c.from === peer) this.#abort(c, 'peer');
  }

  /** The stream carrying `ref` to or from `peer` was reset: its calls may have lost frames. */
  streamReset(peer: bigint, ref: ChannelRef): void {
    for (const c of [...this.#inflight.values()]) {
      if (c.from === peer && (c.svc.requests.streamId === ref.streamId || c.svc.replies.get(c.origin)?.streamId === ref.streamId)) this.#abort(c, 'peer');
    }
  }

  close(): void {
    for (const c of [...this.#inflight.values()]) this.#abort(c, 'close');
    for (const s of this.#services.values()) s.releasePort();
    this.#services.clear();
  }

  // ---- inbound frames ---------------------------------------------------------------------------

  #frame(svc: Service, from: bigint, meta: EventMeta, payload: Uint8Array): void {
    const c = this.rt.counters;
    switch (meta.dispatch) {
      case DISPATCH.REQUEST:
        this.#request(svc, from, meta.originHash, meta.callId, payload);
        return;
      case DISPATCH.CANCEL: {
        const call = this.#own(from, meta.callId);
        if (!call) return; // CANCEL for an unknown call is a no-op (§4)
        c.cancelsIn++;
        this.#abort(call, 'cancel');
        return;
      }
      case DISPATCH.STREAM_GRANT: {
        // Grants still in flight when a stream ends are normal: an unknown call is not a stray here.
        const found = this.#inflight.get(meta.callId);
        const call = found && found.from === from ? found : undefined;
        let credits: number;
        try {
          credits = decodeStreamGrant(payload);
        } catch {
          c.malformed++;
          return;
        }
        if (!call || !call.windowed || credits === 0) return; // grants without a window are ignored (§5)
        call.credit += credits;
        this.#wake(call);
        return;
      }
      case DISPATCH.REQUEST_CHUNK:
        this.#chunk(from, meta.callId, payload);
        return;
      default:
        c.strays++;
    }
  }

  /** The call `callId` if it is in flight and `from` is the node that started it. */
  #own(from: bigint, callId: bigint): ServerCall | undefined {
    const call = this.#inflight.get(callId);
    if (call && call.from === from) return call;
    this.rt.counters.strays++;
    return undefined;
  }

  #request(svc: Service, from: bigint, origin: bigint, callId: bigint, payload: Uint8Array): void {
    const c = this.rt.counters;
    const decoded = decodeRequestOrReject(payload);
    if (!decoded.ok) {
      c.malformed++;
      this.#replyTo(svc, from, origin, responseFrame(this.rt.origin, callId, decoded.response));
      return;
    }
    const req = decoded.request;
    if (req.service !== svc.name) {
      // A REQUEST on this channel naming another service (§1: disambiguate by the name inside).
      c.unknownService++;
      return;
    }
    this.#remember(origin, from);
    if (this.#inflight.has(callId)) {
      c.duplicateRequests++;
      this.#replyTo(svc, from, origin, responseFrame(this.rt.origin, callId, { status: RpcStatus.Internal, body: text(`duplicate REQUEST (origin ${origin}, call_id ${callId}) already in flight`) }));
      return;
    }
    if ((this.#perPeer.get(from) ?? 0) >= this.rt.opts.maxInFlightPerPeer) {
      this.#replyTo(svc, from, origin, responseFrame(this.rt.origin, callId, { status: RpcStatus.Backpressure, body: text(`more than ${this.rt.opts.maxInFlightPerPeer} calls in flight from node ${from}`) }));
      return;
    }
    const shape = this.#shapeError(svc, req.flags);
    if (shape) {
      this.#replyTo(svc, from, origin, responseFrame(this.rt.origin, callId, { status: RpcStatus.Internal, body: text(shape) }));
      return;
    }
    if (req.deadlineNs !== 0n && nowNs() - SKEW_NS > req.deadlineNs) {
      this.#replyTo(svc, from, origin, responseFrame(this.rt.origin, callId, { status: RpcStatus.Timeout, body: text('deadline already passed when request landed') }));
      return;
    }
    const window = windowInitial(req.headers, HEADERS.STREAM_WINDOW_INITIAL);
    const call: ServerCall = {
      svc,
      from,
      origin,
      callId,
      ctl: undefined,
      cause: undefined,
      onAbort: undefined,
      credit: window ?? Number.POSITIVE_INFINITY,
      windowed: window !== undefined,
      wake: undefined,
      upload: undefined,
      uploadWindow: 0,
      finished: false,
      timer: undefined,
      aborted: undefined,
    };
    this.#inflight.set(callId, call);
    this.#perPeer.set(from, (this.#perPeer.get(from) ?? 0) + 1);
    c.served++;
    if (req.deadlineNs !== 0n) {
      // Backstop for a caller that never sends CANCEL: abort at the deadline plus the skew tolerance.
      const ms = Number((req.deadlineNs + SKEW_NS - nowNs()) / 1_000_000n);
      call.timer = setTimeout(() => this.#abort(call, 'deadline'), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
      (call.timer as { unref?: () => void }).unref?.();
    }
    const ctx: RpcContext = {
      from,
      callId,
      get signal() {
        if (!call.ctl) {
          call.ctl = new AbortController();
          if (call.cause !== undefined) call.ctl.abort(abortReason(call.cause));
        }
        return call.ctl.signal;
      },
      headers: req.headers,
      service: svc.name,
      deadlineNs: req.deadlineNs,
      flags: req.flags,
    };
    if (svc.kind === 'unary') this.#runUnary(call, req, ctx);
    else this.#runUpload(call, req, ctx);
  }

  /** §5: a client-streaming service needs bit 4, a duplex one bits 4 and 1; a unary one takes no upload. */
  #shapeError(svc: Service, flags: number): string | undefined {
    const upload = (flags & FLAGS.CLIENT_STREAMING_REQUEST) !== 0;
    if (svc.kind === 'client-stream' && !upload) return `service ${svc.name} is client-streaming: the REQUEST must set CLIENT_STREAMING_REQUEST`;
    if (svc.kind === 'duplex' && (!upload || (flags & FLAGS.STREAMING_RESPONSE) === 0)) return `service ${svc.name} is duplex: the REQUEST must set CLIENT_STREAMING_REQUEST and STREAMING_RESPONSE`;
    if (svc.kind === 'unary' && upload) return `service ${svc.name} does not take a client stream`;
    return undefined;
  }

  #chunk(from: bigint, callId: bigint, payload: Uint8Array): void {
    const call = this.#own(from, callId);
    if (!call) return;
    let chunk;
    try {
      chunk = decodeRequestChunk(payload);
    } catch {
      this.rt.counters.malformed++;
      return;
    }
    const up = call.upload;
    // A chunk naming another call, or for a call without an upload (or past its END), is dropped (§5).
    if (chunk.callId !== callId || !up || up.ended) {
      this.rt.counters.strays++;
      return;
    }
    const end = (chunk.flags & FLAGS.REQUEST_END) !== 0;
    if (!(end && chunk.body.length === 0)) up.push(chunk.body, false);
    if (end) up.end();
    else if (up.size > this.rt.opts.maxQueuedItems + call.uploadWindow) this.#abort(call, 'backpressure');
  }

  // ---- running handlers -------------------------------------------------------------------------

  #runUnary(call: ServerCall, req: RequestPayload, ctx: RpcContext): void {
    let out: ReturnType<RpcHandler>;
    try {
      out = (call.svc.handler as RpcHandler)(req.body, ctx);
    } catch (e) {
      this.#fail(call, e, 'unary');
      return;
    }
    const stream = streamOf(out);
    if (stream) {
      void this.#pump(call, stream, 'streaming');
      return;
    }
    Promise.resolve(out).then(
      (body) => this.#unaryDone(call, body, 'unary'),
      (e) => this.#fail(call, e, 'unary'),
    );
  }

  #runUpload(call: ServerCall, req: RequestPayload, ctx: RpcContext): void {
    const window = windowInitial(req.headers, HEADERS.REQUEST_WINDOW_INITIAL);
    call.uploadWindow = window ?? 0;
    const up = new UploadQueue(window, (credits) => {
      if (!call.finished && call.cause === undefined) this.#send(call, requestGrantFrame(this.rt.origin, call.callId, credits));
    });
    call.upload = up;
    const end = (req.flags & FLAGS.REQUEST_END) !== 0;
    if (!(end && req.body.length === 0)) up.push(req.body, true);
    if (end) up.end();
    const word = call.svc.kind === 'duplex' ? 'duplex' : 'client-stream';
    let out: ReturnType<ClientStreamHandler> | ReturnType<DuplexHandler>;
    try {
      out = (call.svc.handler as ClientStreamHandler | DuplexHandler)(up, ctx);
    } catch (e) {
      this.#fail(call, e, word);
      return;
    }
    if (call.svc.kind === 'duplex') {
      const stream = streamOf(out);
      if (!stream) {
        this.#fail(call, new RpcError(RpcStatus.Internal, 'duplex handler must return an AsyncIterable'), word);
        return;
      }
      void this.#pump(call, stream, word);
      return;
    }
    Promise.resolve(out as Uint8Array | Promise<Uint8Array>).then(
      (body) => this.#unaryDone(call, body, word),
      (e) => this.#fail(call, e, word),
    );
  }

  #unaryDone(call: ServerCall, body: unknown, word: ServiceKind | 'streaming'): void {
    if (call.cause !== undefined) {
      this.#abortedTerminal(call, word);
      return;
    }
    if (!(body instanceof Uint8Array)) {
      this.#fail(call, new RpcError(RpcStatus.Internal, `handler of ${call.svc.name} resolved to ${body === null ? 'null' : typeof body}, not a Uint8Array`), word);
      return;
    }
    let frame: Uint8Array;
    try {
      frame = responseFrame(this.rt.origin, call.callId, { status: RpcStatus.Ok, body });
    } catch (e) {
      // BODY_TOO_LARGE: the reply does not fit one event (§3); say so rather than truncate.
      this.#fail(call, new RpcError(RpcStatus.Internal, `response does not fit one frame: ${(e as Error).message}`), word);
      return;
    }
    this.#finish(call, frame);
  }

  #fail(call: ServerCall, e: unknown, word: ServiceKind | 'streaming'): void {
    if (call.cause !== undefined) {
      this.#abortedTerminal(call, word);
      return;
    }
    this.#finish(call, responseFrame(this.rt.origin, call.callId, errorResponse(e)));
  }

  /** Server streaming: one credit and room on the link per item; stops pulling at once on abort. */
  async #pump(call: ServerCall, source: AsyncIterable<Uint8Array>, word: ServiceKind | 'streaming'): Promise<void> {
    let it: AsyncIterator<Uint8Array>;
    try {
      it = source[Symbol.asyncIterator]();
    } catch (e) {
      this.#fail(call, e, word);
      return;
    }
    const aborted = (): boolean => call.cause !== undefined;
    try {
      for (;;) {
        while (call.credit <= 0 && !aborted()) await this.#waitCredit(call);
        if (aborted()) break;
        const ref = this.#replyRef(call.svc, call.origin);
        const to = this.#routes.get(call.origin) ?? call.from;
        if (this.rt.links.backlog(to, ref) > BACKLOG_HIGH) {
          await Promise.race([this.rt.links.whenBelow(to, ref, BACKLOG_LOW), this.#abortedPromise(call)]);
          if (aborted()) break;
        }
        const r = await Promise.race([it.next(), this.#abortedPromise(call)]);
        if (r === ABORTED || aborted()) break;
        if (r.done) {
          this.#finish(call, responseFrame(this.rt.origin, call.callId, { status: RpcStatus.Ok, headers: END }));
          return;
        }
        if (!(r.value instanceof Uint8Array)) throw new RpcError(RpcStatus.Internal, `stream handler of ${call.svc.name} yielded a ${typeof r.value}, not a Uint8Array`);
        const frame = responseFrame(this.rt.origin, call.callId, { status: RpcStatus.Ok, headers: CONTINUE, body: r.value });
        call.credit--;
        this.#send(call, frame);
      }
      this.#stopSource(it);
      this.#abortedTerminal(call, word);
    } catch (e) {
      this.#stopSource(it);
      this.#fail(call, e, word);
    }
  }

  #stopSource(it: AsyncIterator<Uint8Array>): void {
    try {
      void it.return?.()?.catch(() => {});
    } catch {
      // a throwing return() changes nothing: the call is over
    }
  }

  #waitCredit(call: ServerCall): Promise<void> {
    return new Promise((resolve) => {
      call.wake = resolve;
    });
  }

  #wake(call: ServerCall): void {
    const w = call.wake;
    call.wake = undefined;
    w?.();
  }

  #abortedPromise(call: ServerCall): Promise<typeof ABORTED> {
    return (call.aborted ??= new Promise((resolve) => {
      if (call.cause !== undefined) resolve(ABORTED);
      else call.onAbort = () => resolve(ABORTED);
    }));
  }

  // ---- ending calls -----------------------------------------------------------------------------

  /**
   * Aborts a call: the handler's signal fires and its upload ends. CANCEL and peer failure remove
   * it from the in-flight table at once (a repeated call id may start afresh); the terminal
   * RESPONSE follows when the handler returns (rpc-tools.md §4).
   */
  #abort(call: ServerCall, cause: AbortCause): void {
    if (call.finished || call.cause !== undefined) return;
    call.cause = cause;
    this.#forget(call);
    if (call.timer !== undefined) clearTimeout(call.timer);
    call.upload?.end();
    call.ctl?.abort(abortReason(cause));
    call.onAbort?.();
    this.#wake(call);
  }

  /** Removes a call from the in-flight tables (once). */
  #forget(call: ServerCall): void {
    if (this.#inflight.get(call.callId) !== call) return;
    this.#inflight.delete(call.callId);
    const n = (this.#perPeer.get(call.from) ?? 1) - 1;
    if (n > 0) this.#perPeer.set(call.from, n);
    else this.#perPeer.delete(call.from);
  }

  #abortedTerminal(call: ServerCall, word: ServiceKind | 'streaming'): void {
    const cause = call.cause;
    if (cause === 'peer' || cause === 'close') {
      this.#finish(call, undefined);
      return;
    }
    const res: ResponseInput =
      cause === 'deadline'
        ? { status: RpcStatus.Timeout, body: text(`deadline exceeded during ${KIND_WORD[word]} handler execution`) }
        : cause === 'backpressure'
          ? { status: RpcStatus.Backpressure, body: text(`upload exceeded ${this.rt.opts.maxQueuedItems} unconsumed items beyond its window`) }
          : { status: RpcStatus.Cancelled, body: text(`server observed CANCEL during ${KIND_WORD[word]} handler execution`) };
    this.#finish(call, responseFrame(this.rt.origin, call.callId, res));
  }

  /** Sends the terminal frame (if any) once and forgets the call. */
  #finish(call: ServerCall, frame: Uint8Array | undefined): void {
    if (call.finished) return;
    call.finished = true;
    this.#forget(call);
    if (call.timer !== undefined) clearTimeout(call.timer);
    call.upload?.end();
    if (frame) this.#send(call, frame);
  }

  // ---- replies ----------------------------------------------------------------------------------

  #remember(origin: bigint, from: bigint): void {
    if (this.#routes.get(origin) === from) return;
    this.#routes.delete(origin);
    if (this.#routes.size >= MAX_REPLY_CACHE) this.#routes.delete(this.#routes.keys().next().value!);
    this.#routes.set(origin, from);
  }

  #replyRef(svc: Service, origin: bigint): ChannelRef {
    let ref = svc.replies.get(origin);
    if (!ref) {
      if (svc.replies.size >= MAX_REPLY_CACHE) svc.replies.delete(svc.replies.keys().next().value!);
      ref = channelRef(replyChannelName(svc.name, origin));
      svc.replies.set(origin, ref);
    }
    return ref;
  }

  #send(call: ServerCall, frame: Uint8Array): void {
    this.#replyTo(call.svc, call.from, call.origin, frame);
  }

  /** Directly to the delivering session (cached per origin), else the node known for the origin, else the roster. */
  #replyTo(svc: Service, from: bigint, origin: bigint, frame: Uint8Array): void {
    const ref = this.#replyRef(svc, origin);
    const first = this.#routes.get(origin) ?? from;
    if (this.#trySend(first, ref, frame)) return;
    if (from !== first && this.#trySend(from, ref, frame)) return;
    const known = this.#nodeOfOrigin(origin);
    if (known !== undefined && known !== first && known !== from && this.#trySend(known, ref, frame)) return;
    this.rt.channels.publish(ref.name, [frame], { reliability: 'reliable', policy: 'collect' }).catch(() => {});
  }

  #trySend(to: bigint, ref: ChannelRef, frame: Uint8Array): boolean {
    try {
      this.rt.links.send(to, ref, frame);
      return true;
    } catch (e) {
      if (e instanceof NetMeshError) return false;
      throw e;
    }
  }

  /** A connected peer whose pinned entity has this origin hash. */
  #nodeOfOrigin(origin: bigint): bigint | undefined {
    for (const p of this.rt.host.peers()) {
      const e = this.rt.host.peerEntity(p.nodeId);
      if (e && originHashFromPublicKey(e) === origin) return p.nodeId;
    }
    return undefined;
  }
}
