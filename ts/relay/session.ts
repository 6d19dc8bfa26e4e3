// One browser session at the relay: a WebTransport session on one side, one UDP socket on the mesh
// side, packets forwarded both ways by the prefix in framing.ts. The relay never looks inside a
// packet: it holds no keys and no PSK, and only the page and the mesh peer can read what it carries.
//
// Life of a session: the page opens one bidirectional stream and sends its bind request; the relay
// binds the UDP socket and answers with the socket's mesh address; then datagrams and stream
// records flow until the page leaves, the relay closes it (idle, bind timeout, protocol error,
// byte quota) or the relay shuts down.

import { formatAddress, parseIpAddress } from '../transports/address.js';
import { errorText, type Datagram, type Transport } from '../transports/transport.js';
import { decodeFrame, encodePrefix, encodeRecord, prefixCache, RecordReader } from './framing.js';
import { ByteQuota, DirectionLimiter, SessionTimers, type Expiry, type RelayLimits } from './limits.js';
import { PacketWriter } from './packet-writer.js';
import { RelayCloseCode, type RelayStats } from './stats.js';

export interface SessionContext {
  limits: RelayLimits;
  /** The relay's counters; the session adds to them. */
  stats: RelayStats;
  now(): number;
  /** A fresh unbound UDP transport for this session. */
  createUdp(): Transport;
  /** Where the session's UDP socket binds, e.g. "0.0.0.0:0". */
  udpBindAddress: string;
  /** Host mesh peers reach the relay at; undefined = the UDP socket's own bound host. */
  publicHost: string | undefined;
  allowDestination(address: string): boolean;
}

/** Datagrams toward the page queued in the runtime before more are dropped. */
const MAX_QUEUED_DATAGRAMS = 1024;

export class RelaySession {
  readonly timers: SessionTimers;
  /** Settles when the session is over and its UDP socket is closed. */
  readonly done: Promise<void>;
  /** The page's mesh address once bound, else ''. */
  mappedAddress = '';
  private udp: Transport | undefined;
  private closing = false;
  private readonly quota: ByteQuota;
  private readonly toMesh: DirectionLimiter;
  private readonly toPage: DirectionLimiter;
  private readonly sources = prefixCache();
  private streamWriter: WritableStreamDefaultWriter<Uint8Array> | undefined;
  private writer: PacketWriter | undefined;
  private readers: ReadableStreamDefaultReader<unknown>[] = [];

  constructor(
    private readonly wt: WebTransport,
    private readonly ctx: SessionContext,
    openedAt: number,
  ) {
    this.timers = new SessionTimers(ctx.limits, openedAt);
    this.quota = new ByteQuota(ctx.limits.maxBytesPerSession);
    this.toMesh = new DirectionLimiter(ctx.limits, openedAt, this.quota);
    this.toPage = new DirectionLimiter(ctx.limits, openedAt, this.quota);
    // Never rejects: whatever a page does, the relay's accept loop only sees the session end.
    this.done = this.run()
      .catch(() => undefined)
      .then(() => this.cleanup())
      .catch(() => undefined);
  }

  /** Close the session with a WebTransport close code the page sees; idempotent. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    try {
      this.wt.close({ closeCode: code, reason });
    } catch {
      // already closed by the page or the network
    }
    for (const r of this.readers) r.cancel().catch(() => undefined);
  }

  /** Close the session if a timer ran out; returns why, for the relay's counters. */
  expire(now: number): Expiry {
    const why = this.closing ? null : this.timers.expired(now);
    if (why === 'idle') this.close(RelayCloseCode.IDLE, 'idle timeout');
    else if (why === 'bind-timeout') this.close(RelayCloseCode.BIND_TIMEOUT, 'no bind request in time');
    return why;
  }

  private async run(): Promise<void> {
    this.wt.closed.then(
      () => this.close(RelayCloseCode.SHUTDOWN, 'closed by the page'),
      () => this.close(RelayCloseCode.SHUTDOWN, 'session lost'),
    );
    const incoming = this.track(this.wt.incomingBidirectionalStreams.getReader());
    const first = await incoming.read();
    if (first.done || this.closing) return;
    void this.refuseExtraStreams(incoming);
    void this.refuseUnidirectionalStreams();
    const bidi = first.value as WebTransportBidirectionalStream;
    const streamReader = this.track(bidi.readable.getReader());
    this.streamWriter = bidi.writable.getWriter();
    const records = new RecordReader();

    // The first record is the bind request (framing.ts); records after it wait until the bind.
    let early: Uint8Array[] = [];
    while (early.length === 0) {
      const chunk = await streamReader.read();
      if (chunk.done || this.closing) return;
      early = this.cutRecords(records, chunk.value as Uint8Array);
      if (this.closing) return;
    }
    const request = early.shift()!;
    try {
      if (decodeFrame(request).packet.length !== 0) throw new Error('bind request carries a packet');
    } catch (err) {
      this.protocolError(`bad bind request: ${errorText(err)}`);
      return;
    }
    await this.bindUdp();
    if (this.closing) return;
    for (const frame of early) this.fromPage(frame);
    await Promise.all([this.pumpStream(streamReader, records), this.pumpDatagrams()]);
  }

  private async bindUdp(): Promise<void> {
    const udp = this.ctx.createUdp();
    this.udp = udp;
    let bound: string;
    try {
      bound = await udp.bind(this.ctx.udpBindAddress);
    } catch (err) {
      this.close(RelayCloseCode.UDP_BIND_FAILED, `relay cannot bind a UDP socket: ${errorText(err)}`);
      return;
    }
    const local = parseIpAddress(bound);
    this.mappedAddress = this.ctx.publicHost === undefined ? bound : formatAddress(this.ctx.publicHost, local.port);
    // The bind answer is queued on the stream before anything from the mesh can be.
    const answered = this.streamWriter!.write(encodeRecord(encodePrefix(parseIpAddress(this.mappedAddress)), new Uint8Array(0)));
    this.writer = new PacketWriter(
      this.wt.datagrams.writable.getWriter(),
      this.streamWriter!,
      { maxQueuedDatagrams: MAX_QUEUED_DATAGRAMS, maxQueuedStreamBytes: this.ctx.limits.maxStreamQueueBytes },
      (packets) => {
        if (!this.closing) this.ctx.stats.droppedBackpressure += packets;
      },
    );
    udp.onReceive(this.fromMesh);
    this.timers.markBound(this.ctx.now());
    await answered;
  }

  private async pumpStream(reader: ReadableStreamDefaultReader<unknown>, records: RecordReader): Promise<void> {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done || this.closing) return;
      for (const frame of this.cutRecords(records, chunk.value as Uint8Array)) this.fromPage(frame);
    }
  }

  private async pumpDatagrams(): Promise<void> {
    const reader = this.track(this.wt.datagrams.readable.getReader());
    for (;;) {
      const dg = await reader.read();
      if (dg.done || this.closing) return;
      this.fromPage(dg.value as Uint8Array);
    }
  }

  /** Records from a stream chunk; a framing error cannot be resynchronised, so it ends the session. */
  private cutRecords(records: RecordReader, chunk: Uint8Array): Uint8Array[] {
    this.timers.touch(this.ctx.now());
    try {
      return records.push(chunk);
    } catch (err) {
      this.protocolError(errorText(err));
      return [];
    }
  }

  private fromPage(bytes: Uint8Array): void {
    const st = this.ctx.stats;
    const now = this.ctx.now();
    this.timers.touch(now);
    let frame;
    try {
      frame = decodeFrame(bytes);
    } catch {
      st.droppedMalformed++;
      return;
    }
    const size = frame.packet.length;
    if (size === 0) {
      st.droppedMalformed++;
      return;
    }
    if (!this.ctx.allowDestination(frame.address)) {
      st.droppedDestination++;
      return;
    }
    if (!this.admit(this.toMesh, size, now)) return;
    this.udp!.send([{ data: frame.packet, address: frame.address }]);
    st.packetsToMesh++;
    st.bytesToMesh += size;
  }

  private readonly fromMesh = (batch: Datagram[]): void => {
    if (this.closing) return;
    // This runs as the UDP socket's receive handler, where a throw would be uncaught.
    try {
      this.forwardToPage(batch);
    } catch (err) {
      this.close(RelayCloseCode.SHUTDOWN, `relay error: ${errorText(err)}`);
    }
  };

  private forwardToPage(batch: Datagram[]): void {
    const st = this.ctx.stats;
    const now = this.ctx.now();
    const maxDatagram = this.wt.datagrams.maxDatagramSize;
    const writer = this.writer!;
    for (const dg of batch) {
      const size = dg.data.length;
      if (!this.admit(this.toPage, size, now)) continue;
      const prefix = this.sources.get(dg.address);
      if (!(prefix instanceof Uint8Array)) {
        st.droppedMalformed++;
        continue;
      }
      if (writer.add(prefix, dg.data, maxDatagram) === 'full') {
        st.droppedBackpressure++;
        continue;
      }
      st.packetsToPage++;
      st.bytesToPage += size;
    }
    writer.flush();
  }

  private admit(limiter: DirectionLimiter, size: number, now: number): boolean {
    const verdict = limiter.admit(size, now);
    if (verdict === 'ok') return true;
    const st = this.ctx.stats;
    if (verdict === 'rate') {
      if (limiter === this.toMesh) st.droppedRateLimitedToMesh++;
      else st.droppedRateLimitedToPage++;
      return false;
    }
    st.droppedQuota++;
    if (!this.closing) {
      st.sessionsClosedQuota++;
      this.close(RelayCloseCode.QUOTA, 'session byte quota used up');
    }
    return false;
  }

  private protocolError(reason: string): void {
    if (this.closing) return;
    this.ctx.stats.sessionsClosedProtocol++;
    this.ctx.stats.droppedMalformed++;
    this.close(RelayCloseCode.PROTOCOL, reason);
  }

  /** One stream per session: any further bidirectional stream is a protocol error. */
  private async refuseExtraStreams(incoming: ReadableStreamDefaultReader<unknown>): Promise<void> {
    try {
      const next = await incoming.read();
      if (next.done || this.closing) return;
      const extra = next.value as WebTransportBidirectionalStream;
      extra.readable.cancel().catch(() => undefined);
      extra.writable.abort().catch(() => undefined);
      this.protocolError('a second bidirectional stream');
    } catch {
      // the session ended
    }
  }

  private async refuseUnidirectionalStreams(): Promise<void> {
    const reader = this.track(this.wt.incomingUnidirectionalStreams.getReader());
    try {
      const next = await reader.read();
      if (next.done || this.closing) return;
      (next.value as ReadableStream).cancel().catch(() => undefined);
      this.protocolError('a unidirectional stream');
    } catch {
      // the session ended
    }
  }

  private track<T>(reader: ReadableStreamDefaultReader<T>): ReadableStreamDefaultReader<T> {
    this.readers.push(reader as ReadableStreamDefaultReader<unknown>);
    if (this.closing) reader.cancel().catch(() => undefined);
    return reader;
  }

  private async cleanup(): Promise<void> {
    if (!this.closing) this.close(RelayCloseCode.SHUTDOWN, 'session ended');
    const udp = this.udp;
    this.udp = undefined; // from here the relay's stats() no longer reads it live
    if (udp !== undefined) {
      await udp.close();
      this.ctx.stats.udpSendErrors += udp.stats().sendErrors;
    }
  }

  /** UDP send errors so far (the relay adds these for sessions still open). */
  udpSendErrors(): number {
    return this.udp?.stats().sendErrors ?? 0;
  }
}
