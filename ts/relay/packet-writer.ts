// The sending half of the framing, shared by the page (WebTransportTransport.send) and the relay
// (toward the page): each prefixed packet goes as one datagram when it fits `maxDatagram`, else as
// a record on the stream; the records added in one call batch go out as one stream write. Both
// queues are bounded: a packet with no room is refused (the caller counts it), never buffered.

import { concatBytes } from '../identity/bytes.js';
import { encodeFrame, encodeRecord } from './framing.js';

export interface PacketWriterLimits {
  /** Datagrams handed to the runtime and not yet taken by it. */
  maxQueuedDatagrams: number;
  /** Stream bytes written and not yet taken by the runtime. */
  maxQueuedStreamBytes: number;
}

export class PacketWriter {
  private queuedDatagrams = 0;
  private queuedStreamBytes = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly datagrams: WritableStreamDefaultWriter<Uint8Array>,
    private readonly stream: WritableStreamDefaultWriter<Uint8Array>,
    private readonly limits: PacketWriterLimits,
    /** Called with how many packets a failed write carried, after they were accepted. */
    private readonly onFailed: (packets: number, err: unknown) => void,
  ) {}

  /**
   * Queue one packet: 'datagram' or 'stream' says which path took it, 'full' that the path's
   * queue had no room. Stream records wait for flush().
   */
  add(prefix: Uint8Array, packet: Uint8Array, maxDatagram: number): 'datagram' | 'stream' | 'full' {
    if (prefix.length + packet.length <= maxDatagram) {
      if (this.queuedDatagrams >= this.limits.maxQueuedDatagrams) return 'full';
      this.queuedDatagrams++;
      this.datagrams.write(encodeFrame(prefix, packet)).then(this.datagramWritten, this.datagramFailed);
      return 'datagram';
    }
    const rec = encodeRecord(prefix, packet);
    if (this.queuedStreamBytes + this.pendingBytes + rec.length > this.limits.maxQueuedStreamBytes) return 'full';
    this.pending.push(rec);
    this.pendingBytes += rec.length;
    return 'stream';
  }

  /** Write the records added since the last flush as one stream write. */
  flush(): void {
    const records = this.pending;
    if (records.length === 0) return;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.queuedStreamBytes += bytes;
    this.stream.write(records.length === 1 ? records[0]! : concatBytes(...records)).then(
      () => {
        this.queuedStreamBytes -= bytes;
      },
      (err: unknown) => {
        this.queuedStreamBytes -= bytes;
        this.onFailed(records.length, err);
      },
    );
  }

  private readonly datagramWritten = (): void => {
    this.queuedDatagrams--;
  };

  private readonly datagramFailed = (err: unknown): void => {
    this.queuedDatagrams--;
    this.onFailed(1, err);
  };
}
