// Streaming calls on the caller's side (rpc-tools.md §5): a server stream's responses with
// response credit (STREAM_GRANT, coalesced), and uploads (client streaming, duplex) with
// REQUEST_CHUNK / REQUEST_END and upload credit (REQUEST_GRANT).
import { InvalidArgumentError, RpcBadResponseError, RpcCancelledError, RpcTimeoutError } from '../errors.js';
import { type RpcClient, type Pending, type ClientService, callOptionsOf, deadlineNsIn, isDuplicateAnswer, serverError } from './client.js';
import { FLAGS, HEADERS } from './constants.js';
import { requestChunkFrame, requestFrame, streamGrantFrame } from './frames-out.js';
import type { HeaderInput, ResponsePayload } from './payloads.js';
import { ItemQueue } from './item-queue.js';
import { windowArg } from './options.js';
import { BACKLOG_HIGH, BACKLOG_LOW, type RpcRuntime } from './runtime.js';
import { responseKind } from './server-codec.js';
import type { ClientStreamCall, DuplexCall, StreamCall, StreamCallOptions, UploadCallOptions } from './types.js';

const EMPTY = new Uint8Array(0);
/** Items a stream without response credit may buffer before the call is cancelled. */
const MAX_UNCREDITED_ITEMS = 65_536;

/**
 * The responses of a streaming call. Each item taken earns the server one credit back; credits go
 * out coalesced (a quarter of the window at a time, at least 1).
 */
export class ResponseItems extends ItemQueue {
  #ungranted = 0;
  readonly #batch: number;

  constructor(
    private readonly window: number,
    private readonly grant: (credits: number) => void,
    /** The consumer stopped early (return / break). */
    private readonly stop: () => void,
  ) {
    super();
    this.#batch = Math.max(1, window >>> 2);
  }

  /** False when the item cannot be taken (ended, or over the bound of a stream without credit). */
  push(item: Uint8Array): boolean {
    if (this.window === 0 && this.size >= MAX_UNCREDITED_ITEMS) return false;
    return this.offer(item);
  }

  protected taken(): void {
    if (this.window === 0 || this.ended) return;
    if (++this.#ungranted >= this.#batch) {
      const n = this.#ungranted;
      this.#ungranted = 0;
      this.grant(n);
    }
  }

  protected override stopped(): void {
    this.stop();
  }
}

function windowHeaders(extra: readonly HeaderInput[] | undefined, response: number | undefined, upload: number | undefined): HeaderInput[] {
  const h: HeaderInput[] = extra ? [...extra] : [];
  if (response !== undefined && response > 0) h.push([HEADERS.STREAM_WINDOW_INITIAL, String(response)]);
  if (upload !== undefined && upload > 0) h.push([HEADERS.REQUEST_WINDOW_INITIAL, String(upload)]);
  return h;
}

/** What a streaming call shares: target, service, call id, deadline, signal, and the pending entry. */
abstract class CallBase {
  readonly callId: bigint;
  protected readonly svc: ClientService;
  protected readonly deadlineMs: number | undefined;
  protected readonly signal: AbortSignal | undefined;
  protected readonly headers: readonly HeaderInput[] | undefined;
  protected started = false;
  protected finished = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onAbort: (() => void) | undefined;
  protected readonly pending: Pending;

  constructor(
    protected readonly client: RpcClient,
    protected readonly rt: RpcRuntime,
    readonly target: bigint,
    service: string,
    opts: StreamCallOptions | undefined,
  ) {
    if (typeof target !== 'bigint') throw new InvalidArgumentError('target must be a bigint node id');
    const o = callOptionsOf(opts);
    this.deadlineMs = o.deadlineMs;
    this.signal = o.signal;
    this.headers = o.headers;
    this.svc = client.service(service);
    this.callId = client.nextCallId();
    this.pending = {
      callId: this.callId,
      target,
      svc: this.svc,
      onResponse: (res) => this.onResponse(res),
      onRequestGrant: (n) => this.onRequestGrant(n),
      fail: (e) => this.settle(e),
    };
  }

  /** Subscribes (first call to this target), registers the call, sends its REQUEST, arms deadline and signal. */
  protected async begin(flags: number, headers: HeaderInput[], body: Uint8Array): Promise<void> {
    this.started = true;
    if (this.signal?.aborted) throw new RpcCancelledError('nRPC call cancelled before it started', { cause: this.signal.reason });
    const sub = this.client.ensureSubscribed(this.target, this.svc);
    if (sub) await sub;
    if (this.finished) throw this.endError() ?? new RpcCancelledError();
    const frame = requestFrame(this.rt.origin, this.callId, { service: this.svc.name, deadlineNs: deadlineNsIn(this.deadlineMs), flags, headers, body });
    this.client.register(this.pending);
    try {
      this.client.send(this.target, this.svc.requests, frame);
    } catch (e) {
      this.client.unregister(this.pending);
      throw e;
    }
    const t0 = this.rt.host.now();
    if (this.deadlineMs !== undefined) {
      this.#timer = setTimeout(() => {
        this.client.cancel(this.pending);
        this.settle(new RpcTimeoutError(this.rt.host.now() - t0));
      }, this.deadlineMs);
    }
    if (this.signal) {
      this.#onAbort = () => this.cancel();
      this.signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** Sends CANCEL if the call is under way and ends it (quietly for iterators, RpcCancelledError for results). */
  cancel(): void {
    if (this.finished) return;
    if (this.client.isRegistered(this.pending)) this.client.cancel(this.pending);
    this.settle(new RpcCancelledError('nRPC call cancelled', { cause: this.signal?.reason }));
  }

  /** Ends the call once: `err` undefined = success. */
  protected settle(err: Error | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.client.unregister(this.pending);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onAbort) this.signal?.removeEventListener('abort', this.#onAbort);
    this.ended(err);
  }

  protected abstract ended(err: Error | undefined): void;
  protected abstract endError(): Error | undefined;
  protected abstract onResponse(res: ResponsePayload): void;
  protected onRequestGrant(_credits: number): void {}

  /** Feeds a streamed RESPONSE into `items`, ending the call at a terminal. */
  protected streamResponse(items: ResponseItems, res: ResponsePayload): void {
    switch (responseKind(res)) {
      case 'continue':
        if (!items.push(res.body)) {
          this.client.cancel(this.pending);
          this.settle(new RpcBadResponseError(`${this.svc.name} sent more than ${MAX_UNCREDITED_ITEMS} unconsumed items without flow control`));
        }
        return;
      case 'unary':
        items.push(res.body);
        this.settle(undefined);
        return;
      case 'end':
        this.settle(undefined);
        return;
      case 'error':
        if (isDuplicateAnswer(res)) {
          this.rt.counters.duplicateAnswersIgnored++;
          return;
        }
        this.settle(serverError(res));
    }
  }

  protected grantResponses(credits: number): void {
    if (this.finished) return;
    try {
      this.client.send(this.target, this.svc.requests, streamGrantFrame(this.rt.origin, this.callId, credits));
    } catch {
      // the session is gone; the call fails through the peer's failure
    }
  }
}

/** `callStream`: starts on the first `next()`; an AbortSignal or `return()` ends it quietly (with CANCEL). */
export class ServerStreamCall extends CallBase implements StreamCall {
  readonly #items: ResponseItems;
  readonly #window: number;
  #error: Error | undefined;

  constructor(client: RpcClient, rt: RpcRuntime, target: bigint, service: string, private readonly body: Uint8Array, opts: StreamCallOptions | undefined) {
    super(client, rt, target, service, opts);
    if (!(body instanceof Uint8Array)) throw new InvalidArgumentError('body must be a Uint8Array');
    this.#window = windowArg('window', opts?.window, rt.opts.streamWindow);
    this.#items = new ResponseItems(this.#window, (n) => this.grantResponses(n), () => this.cancel());
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (!this.started) {
      this.begin(FLAGS.STREAMING_RESPONSE, windowHeaders(this.headers, this.#window, undefined), this.body).catch((e: unknown) => this.settle(e as Error));
    }
    return this.#items.next();
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    return this.#items.return();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }

  protected onResponse(res: ResponsePayload): void {
    this.streamResponse(this.#items, res);
  }

  protected ended(err: Error | undefined): void {
    this.#error = err;
    // Cancellation ends an iterator quietly (sdk.md); a deadline or a server error is thrown.
    this.#items.end(err instanceof RpcCancelledError ? undefined : err);
  }

  protected endError(): Error | undefined {
    return this.#error;
  }
}

/** The upload half shared by `callClientStream` and `callDuplex`. */
abstract class UploadBase extends CallBase {
  #chain: Promise<void> = Promise.resolve();
  #uploadEnded = false;
  #credits: number;
  readonly #uploadWindow: number;
  #creditWaiter: (() => void) | undefined;
  #error: Error | undefined;

  constructor(client: RpcClient, rt: RpcRuntime, target: bigint, service: string, opts: UploadCallOptions | undefined, protected readonly responseWindow: number | undefined) {
    super(client, rt, target, service, opts);
    this.#uploadWindow = windowArg('requestWindow', opts?.requestWindow, rt.opts.requestWindow);
    this.#credits = this.#uploadWindow > 0 ? this.#uploadWindow : Number.POSITIVE_INFINITY;
  }

  protected abstract readonly requestFlags: number;

  send(item: Uint8Array): Promise<void> {
    if (!(item instanceof Uint8Array)) return Promise.reject(new InvalidArgumentError('item must be a Uint8Array'));
    return this.#enqueue(item, false);
  }

  end(last?: Uint8Array): Promise<void> {
    if (last !== undefined && !(last instanceof Uint8Array)) return Promise.reject(new InvalidArgumentError('last must be a Uint8Array'));
    return this.#enqueue(last, true);
  }

  #enqueue(item: Uint8Array | undefined, end: boolean): Promise<void> {
    if (this.#uploadEnded) return Promise.reject(new InvalidArgumentError('the upload has already ended'));
    if (end) this.#uploadEnded = true;
    const step = this.#chain.then(() => this.#step(item, end));
    this.#chain = step.catch(() => {});
    return step;
  }

  async #step(item: Uint8Array | undefined, end: boolean): Promise<void> {
    if (this.finished) throw this.#error ?? new RpcCancelledError('the call has ended');
    if (!this.started) {
      const flags = this.requestFlags | (end ? FLAGS.REQUEST_END : 0);
      try {
        await this.begin(flags, windowHeaders(this.headers, this.responseWindow, this.#uploadWindow), item ?? EMPTY);
      } catch (e) {
        this.settle(e as Error); // the call never started: its response (or responses) fail the same way
        throw e;
      }
      return;
    }
    if (item !== undefined) {
      while (this.#credits <= 0 && !this.finished) await new Promise<void>((resolve) => (this.#creditWaiter = resolve));
      if (this.finished) throw this.#error ?? new RpcCancelledError('the call has ended');
      this.#credits--;
    }
    this.client.send(this.target, this.svc.requests, requestChunkFrame(this.rt.origin, this.callId, { callId: this.callId, flags: end ? FLAGS.REQUEST_END : 0, body: item ?? EMPTY }));
    if (this.rt.links.backlog(this.target, this.svc.requests) > BACKLOG_HIGH) await this.rt.links.whenBelow(this.target, this.svc.requests, BACKLOG_LOW);
  }

  protected override onRequestGrant(credits: number): void {
    if (this.#uploadWindow === 0) return;
    this.#credits += credits;
    const w = this.#creditWaiter;
    this.#creditWaiter = undefined;
    w?.();
  }

  protected ended(err: Error | undefined): void {
    this.#error = err;
    const w = this.#creditWaiter;
    this.#creditWaiter = undefined;
    w?.();
  }

  protected endError(): Error | undefined {
    return this.#error;
  }
}

export class ClientStreamCallImpl extends UploadBase implements ClientStreamCall {
  protected readonly requestFlags = FLAGS.CLIENT_STREAMING_REQUEST;
  readonly response: Promise<Uint8Array>;
  #resolve!: (b: Uint8Array) => void;
  #reject!: (e: Error) => void;
  #body: Uint8Array | undefined;

  constructor(client: RpcClient, rt: RpcRuntime, target: bigint, service: string, opts: UploadCallOptions | undefined) {
    super(client, rt, target, service, opts, undefined);
    this.response = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.response.catch(() => {}); // observed through `response` / `finish`; never an unhandled rejection
  }

  async finish(last?: Uint8Array): Promise<Uint8Array> {
    await this.end(last);
    return this.response;
  }

  protected onResponse(res: ResponsePayload): void {
    const kind = responseKind(res);
    if (kind === 'unary') {
      this.#body = res.body;
      this.settle(undefined);
    } else if (kind === 'error') {
      if (isDuplicateAnswer(res)) {
        this.rt.counters.duplicateAnswersIgnored++;
        return;
      }
      this.settle(serverError(res));
    } else {
      this.client.cancel(this.pending);
      this.settle(new RpcBadResponseError(`${this.svc.name} answered a client stream with a stream; use callDuplex`));
    }
  }

  protected override ended(err: Error | undefined): void {
    super.ended(err);
    if (err) this.#reject(err);
    else this.#resolve(this.#body ?? new Uint8Array(0));
  }
}

export class DuplexCallImpl extends UploadBase implements DuplexCall {
  protected readonly requestFlags = FLAGS.CLIENT_STREAMING_REQUEST | FLAGS.STREAMING_RESPONSE;
  readonly responses: ResponseItems;

  constructor(client: RpcClient, rt: RpcRuntime, target: bigint, service: string, opts: UploadCallOptions | undefined) {
    const window = windowArg('window', opts?.window, rt.opts.streamWindow);
    super(client, rt, target, service, opts, window);
    this.responses = new ResponseItems(window, (n) => this.grantResponses(n), () => this.cancel());
  }

  protected onResponse(res: ResponsePayload): void {
    this.streamResponse(this.responses, res);
  }

  protected override ended(err: Error | undefined): void {
    super.ended(err);
    this.responses.end(err instanceof RpcCancelledError ? undefined : err);
  }
}

