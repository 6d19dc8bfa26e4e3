// The browser path: a Transport over a WebTransport session to a net-mesh relay (ts/relay/), which
// forwards each packet to its mesh UDP address and back. Packets stay end-to-end encrypted: the
// relay sees only the address prefix (framing.ts) and ciphertext.
//
// - bind(): opens the session (pinning the relay's self-signed certificate by its SHA-256), opens
//   the one bidirectional stream, sends the bind request and resolves with the address the relay
//   answers: its UDP socket for this page, as mesh peers see it ("203.0.113.7:40112").
// - send(): a prefixed packet that fits the session's maxDatagramSize goes as one datagram, a
//   larger one as a record on the stream. The two paths may reorder packets against each other,
//   as UDP may.
// - The session can end under the transport (relay restart, idle timeout, network): from then on
//   sends are counted in sendErrors and `lastError` says why; make a new transport to reconnect.
//
// Runs where the WebTransport API exists: browsers (secure contexts) and Deno.

import { ClosedError, InvalidArgumentError, TransportError } from '../errors.js';
import { decodeFrame, encodePrefix, encodeRecord, MAX_RELAY_PACKET_BYTES, prefixCache, RecordReader } from '../relay/framing.js';
import { fromHex } from '../relay/hex.js';
import { PacketWriter } from '../relay/packet-writer.js';
import { parseIpAddress } from './address.js';
import { ReceiveBatcher } from './receive-batcher.js';
import { emptyStats, errorText, type Datagram, type Transport, type TransportStats } from './transport.js';
import { udpSendHost } from './udp-destination.js';

/** Options of `new WebTransportTransport` (sdk.md "Transports"): the relay's URL and certificate hash, limits. */
export interface WebTransportTransportOptions {
  /** The relay's URL, e.g. "https://127.0.0.1:4433/net-mesh" (what the relay prints). */
  url: string;
  /**
   * SHA-256 of the relay's certificate, hex (what the relay prints), passed to
   * `serverCertificateHashes`. Omit it for a relay whose certificate a public CA signed.
   */
  certificateHash?: string;
  /** How long bind() waits for the session and the relay's answer, in ms. Default 10,000. */
  connectTimeoutMs?: number;
  /** Lower the datagram path's limit below the session's maxDatagramSize (bytes of a prefixed packet). */
  maxDatagramSize?: number;
  /** Bytes queued on the stream before sends are refused (counted in sendErrors). Default 4 MiB. */
  maxStreamQueueBytes?: number;
}

/** Datagrams handed to the runtime and not yet taken by it before sends are refused. */
const MAX_QUEUED_DATAGRAMS = 4096;
/** How long close() waits for the session to report closed. */
const CLOSE_WAIT_MS = 1000;

/**
 * The page-side transport of the browser path (sdk.md "Transports"): a WebTransport session to a
 * `net-mesh relay`, which forwards each packet to its mesh UDP address and back. Its addresses are
 * ordinary mesh `host:port` strings. Runs where the WebTransport API exists (browsers, Deno).
 */
export class WebTransportTransport implements Transport {
  private readonly url: string;
  private readonly hash: Uint8Array<ArrayBuffer> | undefined;
  private readonly connectTimeoutMs: number;
  private readonly datagramCap: number;
  private readonly maxStreamQueueBytes: number;
  private wt: WebTransport | undefined;
  private writer: PacketWriter | undefined;
  private readers: ReadableStreamDefaultReader<unknown>[] = [];
  private family: 4 | 6 = 4;
  private bound = '';
  private binding: Promise<string> | undefined;
  private closing: Promise<void> | undefined;
  private sessionEnded: string | undefined;
  private readonly st: TransportStats = emptyStats();
  private readonly batcher = new ReceiveBatcher(this.st);
  private readonly prefixes = prefixCache((a) => {
    udpSendHost(a, this.family, ' (the relay socket for this page is IPv4)');
  });

  constructor(opts: WebTransportTransportOptions) {
    if (opts === null || typeof opts !== 'object') throw new InvalidArgumentError('options must be an object with a url');
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      throw new InvalidArgumentError(`url must be an https:// URL, got ${JSON.stringify(opts.url)}`);
    }
    if (url.protocol !== 'https:') throw new InvalidArgumentError(`url must be an https:// URL, got ${JSON.stringify(opts.url)}`);
    this.url = url.href;
    this.hash = opts.certificateHash === undefined ? undefined : fromHex(opts.certificateHash, 32, 'certificateHash');
    this.connectTimeoutMs = positive(opts.connectTimeoutMs ?? 10_000, 'connectTimeoutMs');
    this.datagramCap = positive(opts.maxDatagramSize ?? Number.MAX_SAFE_INTEGER, 'maxDatagramSize');
    this.maxStreamQueueBytes = positive(opts.maxStreamQueueBytes ?? 4 * 1024 * 1024, 'maxStreamQueueBytes');
  }

  get address(): string {
    return this.bound;
  }

  /**
   * Largest prefixed packet the datagram path takes now (the session's maxDatagramSize, or the
   * `maxDatagramSize` option if lower); 0 before bind. Packets whose prefix (7 bytes for IPv4, 19
   * for IPv6) and bytes exceed it go over the stream.
   */
  get maxDatagramSize(): number {
    return this.writer === undefined ? 0 : Math.min(this.datagramCap, this.wt!.datagrams.maxDatagramSize);
  }

  /**
   * Connect to the relay. `address` must be an IP literal "host:port"; it is sent to the relay as
   * advice only (the relay binds its own host and picks the port). Resolves with the page's mesh
   * address at the relay.
   */
  bind(address: string): Promise<string> {
    if (this.closing) return Promise.reject(new ClosedError('transport'));
    if (this.binding) return Promise.reject(new TransportError(`transport is already bound (${this.bound || 'binding'})`));
    let request: Uint8Array;
    try {
      request = encodePrefix(parseIpAddress(address, 'bind address'));
    } catch (err) {
      return Promise.reject(err);
    }
    const attempt = this.connect(request);
    this.binding = attempt;
    // A failed bind leaves the transport unbound: bind may be retried.
    attempt.catch(() => {
      if (this.binding === attempt && this.bound === '') this.binding = undefined;
    });
    return attempt;
  }

  private async connect(request: Uint8Array): Promise<string> {
    const Ctor = (globalThis as { WebTransport?: typeof WebTransport }).WebTransport;
    if (typeof Ctor !== 'function') throw new TransportError('WebTransport is not available in this runtime (Deno needs --unstable-net)');
    let wt: WebTransport;
    try {
      wt = new Ctor(this.url, this.hash ? { serverCertificateHashes: [{ algorithm: 'sha-256', value: this.hash }] } : {});
    } catch (err) {
      throw new TransportError(`cannot open a WebTransport session to ${this.url}: ${errorText(err)}`, { cause: err });
    }
    this.wt = wt;
    // Rejections of `closed` are read in watchSession; this keeps an early failure from being unhandled.
    wt.closed.catch(() => undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransportError(`no answer from the relay at ${this.url} within ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
    });
    const abandoned = { value: false };
    try {
      const mapped = await Promise.race([this.handshake(wt, request, abandoned), timeout]);
      if (this.closing) throw new ClosedError('transport');
      this.bound = mapped;
      return mapped;
    } catch (err) {
      abandoned.value = true;
      this.closeSession(wt);
      if (err instanceof TransportError || err instanceof ClosedError) throw err;
      throw new TransportError(`cannot connect to the relay at ${this.url}: ${await this.sessionError(wt, err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Open the stream and do the bind exchange; `abandoned` is set when bind() gave up on it (timeout). */
  private async handshake(wt: WebTransport, request: Uint8Array, abandoned: { value: boolean }): Promise<string> {
    await wt.ready;
    const bidi = await wt.createBidirectionalStream();
    const streamWriter = bidi.writable.getWriter();
    await streamWriter.write(encodeRecord(request, new Uint8Array(0)));
    const reader = this.track(bidi.readable.getReader());
    const records = new RecordReader();
    let frames: Uint8Array[] = [];
    while (frames.length === 0) {
      const chunk = await reader.read();
      if (chunk.done) throw new TransportError('the relay closed the stream before answering the bind request');
      frames = records.push(chunk.value as Uint8Array);
    }
    const answer = decodeFrame(frames.shift()!);
    if (answer.packet.length !== 0) throw new TransportError('the relay answered the bind request with a packet');
    if (abandoned.value) throw new TransportError('bind gave up before the relay answered');
    this.family = parseIpAddress(answer.address).family;
    this.writer = new PacketWriter(
      wt.datagrams.writable.getWriter(),
      streamWriter,
      { maxQueuedDatagrams: MAX_QUEUED_DATAGRAMS, maxQueuedStreamBytes: this.maxStreamQueueBytes },
      (packets, err) => {
        this.st.sendErrors += packets;
        this.st.lastError = errorText(err);
      },
    );
    for (const f of frames) this.deliver(f);
    void this.pumpStream(wt, reader, records);
    void this.pumpDatagrams(wt);
    void this.watchSession(wt);
    return answer.address;
  }

  send(batch: readonly Datagram[]): void {
    const st = this.st;
    if (this.closing || this.sessionEnded !== undefined) {
      st.sendErrors += batch.length;
      if (!this.closing) st.lastError = this.sessionEnded;
      return;
    }
    const writer = this.writer;
    if (writer === undefined) throw new TransportError('send() before bind()');
    const maxDatagram = this.maxDatagramSize;
    for (let i = 0; i < batch.length; i++) {
      const dg = batch[i]!;
      const prefix = this.prefixes.get(dg.address);
      if (!(prefix instanceof Uint8Array)) {
        this.refuse(prefix.message);
        continue;
      }
      const size = dg.data.length;
      if (size === 0 || size > MAX_RELAY_PACKET_BYTES) {
        this.refuse(`datagram of ${size} bytes: the relay carries 1..${MAX_RELAY_PACKET_BYTES}`);
        continue;
      }
      const path = writer.add(prefix, dg.data, maxDatagram);
      if (path === 'full') {
        this.refuse('send queue full');
        continue;
      }
      st.datagramsOut++;
      st.bytesOut += size;
    }
    writer.flush();
  }

  onReceive(handler: (batch: Datagram[]) => void): void {
    this.batcher.setHandler(handler);
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  stats(): TransportStats {
    return { ...this.st };
  }

  private async doClose(): Promise<void> {
    this.batcher.close();
    if (this.binding) await this.binding.catch(() => undefined);
    if (this.wt) {
      this.closeSession(this.wt);
      // A session still connecting may take the QUIC handshake timeout to report closed: wait a little, not that long.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.wt.closed.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
    }
  }

  private closeSession(wt: WebTransport): void {
    for (const r of this.readers) r.cancel().catch(() => undefined);
    try {
      wt.close({ closeCode: 0, reason: 'transport closed' });
    } catch {
      // already closed
    }
  }

  private refuse(reason: string): void {
    this.st.sendErrors++;
    this.st.lastError = reason;
  }

  private deliver(frame: Uint8Array): void {
    let f;
    try {
      f = decodeFrame(frame);
    } catch (err) {
      this.st.dropped++;
      this.st.lastError = errorText(err);
      return;
    }
    if (f.packet.length === 0) {
      this.st.dropped++;
      return;
    }
    this.batcher.push(f.packet, f.address);
  }

  private async pumpStream(wt: WebTransport, reader: ReadableStreamDefaultReader<unknown>, records: RecordReader): Promise<void> {
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        for (const f of records.push(chunk.value as Uint8Array)) this.deliver(f);
      }
    } catch (err) {
      // The stream usually fails because the session closed: prefer the session's own reason.
      if (!this.closing) this.endSession(`relay stream failed: ${await this.sessionError(wt, err)}`);
    }
  }

  private async pumpDatagrams(wt: WebTransport): Promise<void> {
    const reader = this.track(wt.datagrams.readable.getReader());
    try {
      for (;;) {
        const dg = await reader.read();
        if (dg.done) return;
        this.deliver(dg.value as Uint8Array);
      }
    } catch {
      // the session ended; watchSession reports why
    }
  }

  private async watchSession(wt: WebTransport): Promise<void> {
    const why = await wt.closed.then(
      (info) => `relay session closed (code ${info?.closeCode ?? 0}${info?.reason ? `: ${info.reason}` : ''})`,
      (err) => `relay session lost: ${errorText(err)}`,
    );
    if (!this.closing) this.endSession(why);
  }

  private endSession(why: string): void {
    if (this.sessionEnded !== undefined) return;
    this.sessionEnded = why;
    this.st.lastError = why;
    if (this.wt) this.closeSession(this.wt);
  }

  /** The session's own close reason, if it has one, else the error's text. */
  private async sessionError(wt: WebTransport, err: unknown): Promise<string> {
    const info = await Promise.race([
      wt.closed.then(
        (i) => (i?.reason ? `closed by the relay (code ${i.closeCode ?? 0}: ${i.reason})` : undefined),
        () => undefined,
      ),
      new Promise<undefined>((r) => setTimeout(r, 200)),
    ]);
    return info ?? errorText(err);
  }

  private track<T>(reader: ReadableStreamDefaultReader<T>): ReadableStreamDefaultReader<T> {
    this.readers.push(reader as ReadableStreamDefaultReader<unknown>);
    return reader;
  }
}

function positive(v: number, what: string): number {
  if (typeof v !== 'number' || !(v > 0)) throw new InvalidArgumentError(`${what} must be a positive number, got ${String(v)}`);
  return v;
}
