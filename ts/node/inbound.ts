// Delivered events on the app thread: decoded from the engine's DELIVER records into buffers the
// events own, handed to a MeshHost layer's stream claim or to events() subscribers (or kept
// until one subscribes), and accounted: the bytes of each event are reported to the engine as
// taken once a consumer takes it (or it is dropped), so the engine's credit follows consumption.
import { AsyncQueue } from '../util/async-queue.js';
import { copyOutOfLink } from '../engine/link-copy.js';
import type { InboundPacket, StreamSink } from './host.js';

export interface ReceivedEvent {
  from: bigint;
  streamId: bigint;
  seq: bigint;
  payload: Uint8Array;
}

/** A received event and, invisible to users, the engine record its bytes are reported against. */
class InboundEvent implements ReceivedEvent {
  #rid: number;
  constructor(
    readonly from: bigint,
    readonly streamId: bigint,
    readonly seq: bigint,
    readonly payload: Uint8Array,
    rid: number,
  ) {
    this.#rid = rid;
  }

  /** The record id to report `bytes` against, once (0 after the first take). */
  static take(e: ReceivedEvent): number {
    if (!(e instanceof InboundEvent)) return 0;
    const rid = e.#rid;
    e.#rid = 0;
    return rid;
  }
}

interface EventSubscription {
  queue: AsyncQueue<ReceivedEvent>;
  stream?: bigint;
  from?: bigint;
  /** A stream reader without a `from`: the peers whose events on the stream it was given. */
  sources?: Set<bigint>;
}

/** Events kept for a subscriber that has not come yet are capped at this many. */
const MAX_UNCLAIMED_EVENTS = 1 << 20;
/** Frame prefix bytes per event: a taken event frees 4 + its length. */
const FRAME_PREFIX = 4;

function matches(s: EventSubscription, e: ReceivedEvent): boolean {
  return (s.stream === undefined || s.stream === e.streamId) && (s.from === undefined || s.from === e.from);
}

export class InboundRouter {
  private readonly subs = new Set<EventSubscription>();
  private unclaimed: ReceivedEvent[] = [];
  private readonly claims: { match: (streamId: bigint) => boolean; sink: StreamSink }[] = [];
  /** Event bytes taken per record since the last report. */
  private takenBytes = new Map<number, number>();
  private closed = false;
  /** Events dropped because nobody subscribed and the unclaimed buffer was full. */
  dropped = 0;

  constructor(
    /** Called when taken bytes wait to be reported (once per turn). */
    private readonly onTaken: () => void,
  ) {}

  /** Takes (and clears) the bytes to report, by record id. */
  takeReport(): Map<number, number> | undefined {
    if (this.takenBytes.size === 0) return undefined;
    const m = this.takenBytes;
    this.takenBytes = new Map();
    return m;
  }

  private report(rid: number, bytes: number): void {
    if (rid === 0 || bytes === 0) return;
    const was = this.takenBytes.size;
    this.takenBytes.set(rid, (this.takenBytes.get(rid) ?? 0) + bytes);
    if (was === 0) this.onTaken();
  }

  private taken = (e: ReceivedEvent): void => {
    this.report(InboundEvent.take(e), FRAME_PREFIX + e.payload.length);
  };

  private discarded = (items: ReceivedEvent[]): void => {
    for (const e of items) this.taken(e);
  };

  subscribe(opts: { stream?: bigint; from?: bigint; signal?: AbortSignal }): AsyncIterable<ReceivedEvent> {
    const sub: EventSubscription = {
      queue: new AsyncQueue<ReceivedEvent>({ signal: opts.signal, onEnd: () => this.subs.delete(sub), onTake: this.taken, onDiscard: this.discarded }),
      stream: opts.stream,
      from: opts.from,
      sources: opts.stream !== undefined && opts.from === undefined ? new Set() : undefined,
    };
    if (this.closed) {
      sub.queue.end();
      return sub.queue;
    }
    // Events that arrived before anyone listened are handed to the first matching subscriber.
    if (this.unclaimed.length) {
      const keep: ReceivedEvent[] = [];
      for (const e of this.unclaimed) (matches(sub, e) ? this.hand(sub, e) : keep.push(e));
      this.unclaimed = keep;
    }
    this.subs.add(sub);
    return sub.queue;
  }

  claimStreams(match: (streamId: bigint) => boolean, sink: StreamSink): () => void {
    const claim = { match, sink };
    this.claims.push(claim);
    return () => {
      const i = this.claims.indexOf(claim);
      if (i >= 0) this.claims.splice(i, 1);
    };
  }

  /**
   * One delivered packet: `buf[start, end)` holds `count` frames `[u32 len][bytes]` (link memory,
   * valid during this call only; `dv` views `buf`). Every event is copied into a buffer of its own.
   */
  deliver(rid: number, from: bigint, streamId: bigint, seq: bigint, channelHash: number, originHash: bigint, count: number, buf: Uint8Array, dv: DataView, start: number, end: number): void {
    const events: Uint8Array[] = new Array(count);
    let at = start;
    let n = 0;
    for (; n < count && at + FRAME_PREFIX <= end; n++) {
      const len = dv.getUint32(at, true);
      if (at + FRAME_PREFIX + len > end) break;
      events[n] = copyOutOfLink(buf, at + FRAME_PREFIX, at + FRAME_PREFIX + len);
      at += FRAME_PREFIX + len;
    }
    events.length = n;
    // Bytes no event carries (a truncated last frame) are freed at once.
    this.report(rid, end - at);
    for (const c of this.claims) {
      if (c.match(streamId)) {
        this.report(rid, at - start);
        const p: InboundPacket = { from, streamId, seq, channelHash, originHash, events };
        c.sink.packet(p);
        return;
      }
    }
    for (const payload of events) {
      const e = new InboundEvent(from, streamId, seq, payload, rid);
      let claimed = 0;
      for (const s of this.subs) {
        if (matches(s, e)) {
          // Several subscribers may get the same event: it is reported once, by the first take.
          claimed++;
          this.hand(s, e);
        }
      }
      if (claimed === 0) {
        if (this.unclaimed.length < MAX_UNCLAIMED_EVENTS && !this.closed) this.unclaimed.push(e);
        else {
          this.dropped++;
          this.taken(e);
        }
      }
    }
  }

  private hand(s: EventSubscription, e: ReceivedEvent): void {
    s.sources?.add(e.from);
    s.queue.push(e);
  }

  /**
   * Stream `streamId` of peer `from` was reset: readers of exactly that (peer, stream) reject
   * with `err` — a reader bound to `from`, or a reader of the stream from any peer that `from`
   * sent events on it to (or its claim hears of it). Other peers' streams are not touched.
   */
  failReads(from: bigint, streamId: bigint, err: Error): void {
    for (const c of this.claims) {
      if (c.match(streamId)) {
        c.sink.reset?.(from, streamId);
        return;
      }
    }
    for (const s of this.subs) {
      if (s.stream !== streamId) continue;
      if (s.from === from || (s.from === undefined && s.sources?.has(from))) s.queue.fail(err);
    }
  }

  /** Every iterable fails with `err` (the engine stopped). */
  failAll(err: Error): void {
    this.closed = true;
    for (const s of [...this.subs]) s.queue.fail(err);
    this.subs.clear();
    this.unclaimed = [];
  }

  /** Node close: every iterable ends. */
  close(): void {
    this.closed = true;
    for (const s of [...this.subs]) s.queue.end();
    this.subs.clear();
    this.unclaimed = [];
  }
}
