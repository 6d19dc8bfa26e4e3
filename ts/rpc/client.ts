// The calling side of nRPC (rpc-tools.md §1, §4): per service, one reply channel
// `<service>.replies.<own origin>` received here and subscribed once per target (the membership
// Subscribe is cached, so only a target's first call pays its round trip); CSPRNG call ids
// registered before the REQUEST leaves and bound to the target; local deadlines, AbortSignal
// cancel → CANCEL; replies from any node but the target ignored; `duplicate REQUEST` answers
// ignored while the call is pending.
import { ClosedError, InvalidArgumentError, MembershipRejectedError, MembershipTimeoutError, NetMeshError, NotConnectedError, RpcBadResponseError, RpcCancelledError, RpcError, RpcNoRouteError, RpcTimeoutError, RpcTransportError } from '../errors.js';
import { CallIds } from './call-ids.js';
import { DISPATCH } from './constants.js';
import type { EventMeta } from './event-meta.js';
import { bareFrame, requestFrame } from './frames-out.js';
import { decodeRequestGrant } from './grants.js';
import { channelRef, type ChannelRef } from './links.js';
import { decodeResponse, type HeaderInput, type ResponsePayload } from './payloads.js';
import { responseKind } from './server-codec.js';
import { replyChannelName, requestChannelName, type RpcRuntime } from './runtime.js';
import { validateServiceName } from './service-name.js';
import { RpcStatus } from './status.js';
import type { CallOptions } from './types.js';

export interface ClientService {
  readonly name: string;
  readonly requests: ChannelRef;
  readonly reply: ChannelRef;
  /** Targets whose reply-channel Subscribe was accepted (true) or is under way. */
  readonly subs: Map<bigint, true | Promise<void>>;
}

/** A call waiting for frames on its reply channel. */
export interface Pending {
  readonly callId: bigint;
  readonly target: bigint;
  readonly svc: ClientService;
  onResponse(res: ResponsePayload): void;
  onRequestGrant?(credits: number): void;
  /** The call failed locally (peer failed, stream reset, node closed). */
  fail(err: Error): void;
}

const DUPLICATE_PREFIX = new TextEncoder().encode('duplicate REQUEST');
const decoder = new TextDecoder();

/** `Internal` with a body starting `duplicate REQUEST`: a retransmitted REQUEST's answer (§4), not the call's. */
export function isDuplicateAnswer(res: ResponsePayload): boolean {
  if (res.status !== RpcStatus.Internal || res.body.length < DUPLICATE_PREFIX.length) return false;
  for (let i = 0; i < DUPLICATE_PREFIX.length; i++) if (res.body[i] !== DUPLICATE_PREFIX[i]) return false;
  return true;
}

/** The caller's error for a non-Ok RESPONSE: RpcError with the status and the body as message. */
export function serverError(res: ResponsePayload): RpcError {
  return new RpcError(res.status, decoder.decode(res.body));
}

/** Validates the options every call takes; returns the deadline in ms (undefined = none). */
export function callOptionsOf(opts: CallOptions | undefined): { deadlineMs: number | undefined; signal: AbortSignal | undefined; headers: readonly HeaderInput[] | undefined } {
  if (opts === undefined) return { deadlineMs: undefined, signal: undefined, headers: undefined };
  if (typeof opts !== 'object' || opts === null) throw new InvalidArgumentError('call options must be an object');
  const { deadlineMs, signal, headers } = opts;
  if (deadlineMs !== undefined && (typeof deadlineMs !== 'number' || !(deadlineMs > 0) || deadlineMs > 2 ** 31 - 1)) throw new InvalidArgumentError(`deadlineMs must be a positive number of milliseconds, got ${String(deadlineMs)}`);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidArgumentError('signal must be an AbortSignal');
  if (headers !== undefined && !Array.isArray(headers)) throw new InvalidArgumentError('headers must be an array of [name, value] pairs');
  return { deadlineMs, signal, headers };
}

/** `deadline_ns` for a deadline `ms` from now (absolute Unix ns). */
export function deadlineNsIn(ms: number | undefined): bigint {
  return ms === undefined ? 0n : BigInt(Math.round(Date.now() + ms)) * 1_000_000n;
}

export class RpcClient {
  readonly #services = new Map<string, ClientService>();
  readonly #pending = new Map<bigint, Pending>();
  readonly #ids = new CallIds();
  readonly #releases: (() => void)[] = [];
  /** Unary calls under the default timeout, and the sweep that checks them. */
  readonly #swept = new Set<UnaryCall>();
  #sweep: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly rt: RpcRuntime,
    /** Whether this node serves `service` (a call to oneself needs it). */
    private readonly servesLocally: (service: string) => boolean,
  ) {}

  get pending(): number {
    return this.#pending.size;
  }

  /** The per-service state, created (name validated, reply channel received) on first use. */
  service(name: string): ClientService {
    let svc = this.#services.get(name);
    if (svc) return svc;
    validateServiceName(name);
    const reply = channelRef(replyChannelName(name, this.rt.origin));
    svc = { name, requests: channelRef(requestChannelName(name)), reply, subs: new Map() };
    const s = svc;
    this.#releases.push(this.rt.ports.open(reply, (from, meta, payload) => this.#frame(s, from, meta, payload)));
    this.#services.set(name, svc);
    return svc;
  }

  /** Undefined when `target` is already subscribed (the per-call fast path), else the pending Subscribe. */
  ensureSubscribed(target: bigint, svc: ClientService): Promise<void> | undefined {
    const s = svc.subs.get(target);
    if (s === true) return undefined;
    if (s) return s;
    if (target === this.rt.host.nodeId) {
      if (!this.servesLocally(svc.name)) throw new RpcNoRouteError(target, `this node does not serve ${svc.name}`);
      return undefined;
    }
    const p = this.rt.channels.subscribe(target, svc.reply.name).then(
      () => {
        svc.subs.set(target, true);
      },
      (e: unknown) => {
        svc.subs.delete(target);
        throw noRoute(target, e);
      },
    );
    svc.subs.set(target, p);
    return p;
  }

  nextCallId(): bigint {
    return this.#ids.next();
  }

  register(p: Pending): void {
    this.#pending.set(p.callId, p);
    this.rt.counters.calls++;
  }

  isRegistered(p: Pending): boolean {
    return this.#pending.get(p.callId) === p;
  }

  unregister(p: Pending): void {
    if (this.#pending.get(p.callId) === p) this.#pending.delete(p.callId);
  }

  /** Queues a frame for `target`; a missing session becomes RpcNoRouteError. */
  send(target: bigint, ref: ChannelRef, frame: Uint8Array): void {
    try {
      this.rt.links.send(target, ref, frame);
    } catch (e) {
      throw noRoute(target, e);
    }
  }

  /** CANCEL (EventMeta only, on the request channel); best effort. */
  cancel(p: Pending): void {
    this.rt.counters.cancelsOut++;
    try {
      this.rt.links.send(p.target, p.svc.requests, bareFrame(DISPATCH.CANCEL, this.rt.origin, p.callId));
    } catch {
      // no session any more: nothing to tell the server
    }
  }

  /** A unary call (sdk.md `node.call`). */
  async call(target: bigint, service: string, body: Uint8Array, opts?: CallOptions): Promise<Uint8Array> {
    if (typeof target !== 'bigint') throw new InvalidArgumentError('target must be a bigint node id');
    if (!(body instanceof Uint8Array)) throw new InvalidArgumentError('body must be a Uint8Array');
    const o = callOptionsOf(opts);
    const svc = this.service(service);
    const sub = this.ensureSubscribed(target, svc);
    if (sub) await sub;
    if (o.signal?.aborted) throw new RpcCancelledError('nRPC call cancelled before it started', { cause: o.signal.reason });
    const callId = this.#ids.next();
    const frame = requestFrame(this.rt.origin, callId, { service, deadlineNs: deadlineNsIn(o.deadlineMs), flags: 0, headers: o.headers, body });
    return new Promise<Uint8Array>((resolve, reject) => {
      const call = new UnaryCall(this, callId, target, svc, resolve, reject, o.signal);
      this.register(call);
      try {
        this.send(target, svc.requests, frame);
      } catch (e) {
        call.fail(e as Error);
        return;
      }
      if (o.deadlineMs !== undefined) call.arm(o.deadlineMs);
      else if (this.rt.opts.defaultTimeoutMs > 0) this.#defaultDeadline(call);
    });
  }

  /** The node's default timeout, checked by one coarse sweep for all calls rather than a timer per call. */
  #defaultDeadline(call: UnaryCall): void {
    call.expiresAt = this.rt.host.now() + this.rt.opts.defaultTimeoutMs;
    this.#swept.add(call);
    if (this.#sweep !== undefined) return;
    this.#sweep = setInterval(() => {
      const now = this.rt.host.now();
      for (const c of this.#swept) {
        if (!this.isRegistered(c)) this.#swept.delete(c);
        else if (c.expiresAt <= now) {
          this.#swept.delete(c);
          c.timeout();
        }
      }
      if (this.#swept.size === 0) {
        clearInterval(this.#sweep);
        this.#sweep = undefined;
      }
    }, DEFAULT_DEADLINE_SWEEP_MS);
    (this.#sweep as { unref?: () => void }).unref?.();
  }

  /** Counts an ignored `duplicate REQUEST` answer. */
  duplicateIgnored(): void {
    this.rt.counters.duplicateAnswersIgnored++;
  }

  now(): number {
    return this.rt.host.now();
  }

  // ---- failures ---------------------------------------------------------------------------------

  /** A peer failed: its pending calls fail and its subscriptions are forgotten (the next call subscribes again). */
  dropPeer(peer: bigint): void {
    for (const svc of this.#services.values()) svc.subs.delete(peer);
    this.#failWhere((p) => p.target === peer, () => new RpcNoRouteError(peer, 'the peer failed'));
  }

  /** The stream carrying `ref` to or from `peer` was reset or gave up: calls that used it may have lost frames. */
  streamReset(peer: bigint, ref: ChannelRef): void {
    this.#failWhere(
      (p) => p.target === peer && (p.svc.requests.streamId === ref.streamId || p.svc.reply.streamId === ref.streamId),
      () => new RpcTransportError(`the nRPC stream ${ref.name} to node ${peer} was reset`),
    );
  }

  close(): void {
    if (this.#sweep !== undefined) clearInterval(this.#sweep);
    this.#swept.clear();
    this.#failWhere(
      () => true,
      () => new RpcCancelledError('the node closed', { cause: new ClosedError('MeshNode') }),
    );
    for (const r of this.#releases) r();
  }

  #failWhere(match: (p: Pending) => boolean, err: () => Error): void {
    for (const p of [...this.#pending.values()]) {
      if (!match(p)) continue;
      this.#pending.delete(p.callId);
      p.fail(err());
    }
  }

  // ---- inbound ----------------------------------------------------------------------------------

  #frame(svc: ClientService, from: bigint, meta: EventMeta, payload: Uint8Array): void {
    const c = this.rt.counters;
    const p = this.#pending.get(meta.callId);
    // Bound to the target (§4): a reply from any other node, or for an unknown call, is ignored.
    if (!p || p.target !== from || p.svc !== svc) {
      c.strays++;
      return;
    }
    switch (meta.dispatch) {
      case DISPATCH.RESPONSE: {
        let res: ResponsePayload;
        try {
          res = decodeResponse(payload);
        } catch (e) {
          c.malformed++;
          this.#pending.delete(p.callId);
          this.cancel(p);
          p.fail(new RpcBadResponseError(`malformed RESPONSE from node ${from}: ${(e as Error).message}`, { cause: e }));
          return;
        }
        p.onResponse(res);
        return;
      }
      case DISPATCH.REQUEST_GRANT: {
        let g;
        try {
          g = decodeRequestGrant(payload);
        } catch {
          c.malformed++;
          return;
        }
        // A grant naming another call, or of 0 credits, is ignored (§5).
        if (g.callId !== meta.callId || g.credits === 0) return;
        p.onRequestGrant?.(g.credits);
        return;
      }
      case DISPATCH.DEADLINE_EXCEEDED:
        return; // never sent by Net v0.27.0 and ignored by its callers; the terminal RESPONSE decides
      default:
        c.strays++;
    }
  }
}

const DEFAULT_DEADLINE_SWEEP_MS = 250;

/** A unary call waiting for its RESPONSE: one object per call (no closures), resolved once. */
class UnaryCall implements Pending {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onAbort: (() => void) | undefined;
  readonly #started: number;
  /** When the node's default timeout fails the call (set only under it). */
  expiresAt = 0;

  constructor(
    private readonly client: RpcClient,
    readonly callId: bigint,
    readonly target: bigint,
    readonly svc: ClientService,
    private readonly resolve: (b: Uint8Array) => void,
    private readonly reject: (e: Error) => void,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.#started = client.now();
    if (signal) {
      this.#onAbort = () => {
        this.#done();
        client.cancel(this);
        reject(new RpcCancelledError('nRPC call cancelled', { cause: signal.reason }));
      };
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** An explicit deadline: its own timer, so it fires on time. */
  arm(ms: number): void {
    this.#timer = setTimeout(() => this.timeout(), ms);
  }

  timeout(): void {
    this.#done();
    this.client.cancel(this);
    this.reject(new RpcTimeoutError(this.client.now() - this.#started));
  }

  onResponse(res: ResponsePayload): void {
    const kind = responseKind(res);
    if (kind === 'unary') {
      this.#done();
      this.resolve(res.body);
    } else if (kind === 'error') {
      if (isDuplicateAnswer(res)) {
        this.client.duplicateIgnored();
        return;
      }
      this.#done();
      this.reject(serverError(res));
    } else {
      this.#done();
      this.client.cancel(this);
      this.reject(new RpcBadResponseError(`${this.svc.name} answered with a stream; use callStream`));
    }
  }

  fail(e: Error): void {
    this.#done();
    this.reject(e);
  }

  #done(): void {
    this.client.unregister(this);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onAbort) this.signal?.removeEventListener('abort', this.#onAbort);
  }
}

/** The caller's error for a failed subscribe or a missing session. */
export function noRoute(target: bigint, e: unknown): Error {
  if (e instanceof RpcError) return e;
  if (e instanceof ClosedError) return new RpcCancelledError('the node closed', { cause: e });
  if (e instanceof MembershipRejectedError) return new RpcNoRouteError(target, `reply-channel subscribe rejected (${e.reason})`, { cause: e });
  if (e instanceof MembershipTimeoutError) return new RpcNoRouteError(target, 'reply-channel subscribe timed out', { cause: e });
  if (e instanceof NotConnectedError) return new RpcNoRouteError(target, 'no session', { cause: e });
  if (e instanceof NetMeshError && e.code === 'BODY_TOO_LARGE') return e;
  return e instanceof Error ? e : new Error(String(e));
}
