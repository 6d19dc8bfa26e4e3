// Deck watch surfaces (meshos-cli.md §2): woken by the loop's change signal, with the ceiling
// (`snapshot_poll_interval`, 100 ms) as a backstop, never a cadence of their own beyond it.
import { DeckError, InvalidArgumentError } from '../errors.js';
import { deepEqual } from './deep-equal.js';
import { statusSummary } from './status-summary.js';
import type { MeshOsClock, MeshOsSnapshot, StatusSummary } from './types.js';

/** What Deck reads: the stored snapshot, the change signal and the loop's end. */
export interface DeckSource {
  snapshot(): MeshOsSnapshot;
  onChange(cb: () => void): () => void;
  readonly closed: boolean;
  onClose(cb: () => void): () => void;
}

export const DEFAULT_DECK_CEILING_MS = 100;

/** Resolves `wait()` on the next change, ceiling, close or abort; a change seen in between is kept. */
class Wakeup {
  private pending = false;
  private resolve: (() => void) | undefined;
  private cancelTimer: (() => void) | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  ended = false;

  constructor(
    private readonly source: DeckSource,
    private readonly clock: Pick<MeshOsClock, 'setTimer'>,
    private readonly ceilingMs: number,
    private readonly signal?: AbortSignal,
  ) {
    this.unsubscribe.push(source.onChange(() => this.fire()));
    this.unsubscribe.push(source.onClose(() => this.end()));
    if (signal) {
      const onAbort = (): void => this.end();
      signal.addEventListener('abort', onAbort, { once: true });
      this.unsubscribe.push(() => signal.removeEventListener('abort', onAbort));
    }
    if (source.closed || signal?.aborted) this.ended = true;
  }

  get aborted(): boolean {
    return this.signal?.aborted ?? false;
  }

  wait(): Promise<void> {
    if (this.pending || this.ended) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((r) => {
      this.resolve = r;
      this.cancelTimer = this.clock.setTimer(() => this.fire(), Math.max(1, this.ceilingMs));
    });
  }

  private fire(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const r = this.resolve;
    this.resolve = undefined;
    if (r) r();
    else this.pending = true;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.fire();
    this.pending = false;
  }

  dispose(): void {
    this.end();
    for (const u of this.unsubscribe) u();
    this.unsubscribe.length = 0;
  }
}

/** An async iterable of Deck values; ends on abort, on `return()`/dispose, or when the loop closes. */
export class DeckStream<T> implements AsyncIterableIterator<T>, AsyncDisposable {
  private first = true;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly wake: Wakeup,
    /** The value to yield now, or undefined to wait for the next wake-up. */
    private readonly produce: () => T | undefined,
  ) {}

  next(): Promise<IteratorResult<T>> {
    // Calls are served one at a time, in order.
    const r = this.busy.then(() => this.step());
    this.busy = r.catch(() => undefined);
    return r;
  }

  private async step(): Promise<IteratorResult<T>> {
    for (;;) {
      if (!this.first) await this.wake.wait();
      this.first = false;
      if (this.wake.ended) return this.finish();
      const v = this.produce();
      if (v !== undefined) return { value: v, done: false };
    }
  }

  private finish(): IteratorResult<T> {
    this.wake.dispose();
    return { value: undefined, done: true };
  }

  return(): Promise<IteratorResult<T>> {
    return Promise.resolve(this.finish());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.finish();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function checkPredicate(pred: unknown): void {
  if (typeof pred !== 'function') throw new InvalidArgumentError('pred must be a function (snapshot) => boolean');
}

/**
 * Deck watch surfaces over the node's MeshOS snapshot (meshos-cli.md §2), reached as `node.deck`:
 * wait for a predicate, stream snapshots or status summaries. Woken by structural changes, with
 * the ceiling (100 ms) as a backstop.
 */
export class DeckClient {
  readonly #source: DeckSource;
  readonly #clock: Pick<MeshOsClock, 'setTimer'>;
  readonly #ceilingMs: number;

  constructor(source: DeckSource, opts: { clock: Pick<MeshOsClock, 'setTimer'>; ceilingMs?: number }) {
    this.#source = source;
    this.#clock = opts.clock;
    this.#ceilingMs = opts.ceilingMs ?? DEFAULT_DECK_CEILING_MS;
  }

  /** Resolves with the first snapshot `pred` holds for; never resolves if it never holds. */
  async watch(pred: (s: MeshOsSnapshot) => boolean, opts: { signal?: AbortSignal } = {}): Promise<MeshOsSnapshot> {
    checkPredicate(pred);
    opts.signal?.throwIfAborted();
    if (this.#source.closed) throw closedError();
    let s = this.#source.snapshot();
    if (pred(s)) return s;
    const wake = new Wakeup(this.#source, this.#clock, this.#ceilingMs, opts.signal);
    try {
      for (;;) {
        await wake.wait();
        opts.signal?.throwIfAborted();
        if (this.#source.closed) throw closedError();
        s = this.#source.snapshot();
        if (pred(s)) return s;
      }
    } finally {
      wake.dispose();
    }
  }

  /** `watch` bounded by `timeoutMs`: rejects with DeckError `watch_timeout` when it runs out. */
  async watchTimeout(pred: (s: MeshOsSnapshot) => boolean, timeoutMs: number, opts: { signal?: AbortSignal } = {}): Promise<MeshOsSnapshot> {
    checkPredicate(pred);
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw new InvalidArgumentError(`timeoutMs must be a non-negative number, got ${String(timeoutMs)}`);
    }
    const ac = new AbortController();
    const cancel = this.#clock.setTimer(() => ac.abort(new DeckError('watch_timeout', `watch predicate did not hold within ${timeoutMs} ms`)), timeoutMs);
    const outer = opts.signal;
    const onOuter = (): void => ac.abort(outer!.reason);
    if (outer?.aborted) onOuter();
    else outer?.addEventListener('abort', onOuter, { once: true });
    try {
      return await this.watch(pred, { signal: ac.signal });
    } finally {
      cancel();
      outer?.removeEventListener('abort', onOuter);
    }
  }

  /** The snapshot now, then on every change or ceiling elapse (no dedup). */
  snapshots(opts: { signal?: AbortSignal } = {}): DeckStream<MeshOsSnapshot> {
    return new DeckStream(this.#wakeup(opts.signal), () => this.#source.snapshot());
  }

  /** The status summary now, then whenever it differs from the last one yielded. */
  statusSummaries(opts: { signal?: AbortSignal } = {}): DeckStream<StatusSummary> {
    let last: StatusSummary | undefined;
    return new DeckStream(this.#wakeup(opts.signal), () => {
      const s = statusSummary(this.#source.snapshot());
      if (last !== undefined && deepEqual(s, last)) return undefined;
      last = s;
      return s;
    });
  }

  #wakeup(signal: AbortSignal | undefined): Wakeup {
    return new Wakeup(this.#source, this.#clock, this.#ceilingMs, signal);
  }
}

function closedError(): DeckError {
  return new DeckError('loop_closed', 'the MeshOS loop is closed (its node closed)');
}
