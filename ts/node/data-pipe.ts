// The node's data path to its core worker: packets to seal and datagrams to open are collected
// during one event-loop turn and cross to the worker as one packed buffer per direction; the
// main thread never runs AEAD per packet. Results come back in request order.
import type { CoreWorker } from '../core/worker-host.js';
import { PackWriter, readOpenResponse, readSealResponse, writeSealRecord, packDatagrams, Status, type OpenRecord, type SealTemplate } from '../core/batch-format.js';
import type { Datagram, Transport } from '../transports/transport.js';

export interface OpenedBatch {
  records: OpenRecord[];
  sources: string[];
}

export class DataPipe {
  private sealWriter = new PackWriter();
  /** Size of the last seal batch, to size the next writer without regrowing. */
  private lastSeal = 1 << 16;
  private sealDest: string[] = [];
  private openQueue: Datagram[] = [];
  private scheduled = false;
  private inFlight = new Set<Promise<void>>();
  private closed = false;
  /** Packets the worker refused to seal (e.g. unknown session after a replacement). */
  sealFailures = 0;

  constructor(
    private readonly worker: CoreWorker,
    private readonly transport: Transport,
    private readonly onOpened: (batch: OpenedBatch) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  addSession(localId: number, sessionId: bigint, txKey: Uint8Array, rxKey: Uint8Array): void {
    this.worker.batch.addSession(localId, sessionId, txKey, rxKey);
  }

  removeSession(localId: number): void {
    if (this.closed) return;
    this.worker.batch.removeSession(localId);
  }

  /** Queues one packet for sealing and sending to `address` at the end of this turn. */
  seal(localId: number, template: SealTemplate, events: readonly Uint8Array[], address: string): void {
    if (this.closed) return;
    writeSealRecord(this.sealWriter, localId, template, events);
    this.sealDest.push(address);
    this.schedule();
  }

  /** Queues received datagrams for opening. */
  open(batch: readonly Datagram[]): void {
    if (this.closed) return;
    for (const d of batch) this.openQueue.push(d);
    this.schedule();
  }

  /** Sends raw datagrams (handshakes) in order with the sealed ones queued before them. */
  sendRaw(batch: Datagram[]): void {
    if (this.closed) return;
    if (this.sealDest.length === 0 && this.inFlight.size === 0) {
      this.transport.send(batch);
      return;
    }
    const p = this.flushNow().then(() => this.transport.send(batch));
    this.track(p);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      void this.flushNow();
    });
  }

  private flushNow(): Promise<void> {
    const jobs: Promise<void>[] = [];
    if (this.sealDest.length > 0) {
      const req = this.sealWriter.finish();
      const dest = this.sealDest;
      this.lastSeal = Math.max(4096, Math.min(8 << 20, Math.ceil(req.length * 1.25)));
      this.sealWriter = new PackWriter(this.lastSeal);
      this.sealDest = [];
      jobs.push(
        this.worker.batch.seal(req).then((resp) => {
          if (this.closed) return;
          const sealed = readSealResponse(resp);
          const out: Datagram[] = [];
          for (let i = 0; i < sealed.length; i++) {
            const s = sealed[i]!;
            if (s.status === Status.OK) out.push({ data: s.datagram, address: dest[i]! });
            else this.sealFailures++;
          }
          if (out.length) this.transport.send(out);
        }),
      );
    }
    if (this.openQueue.length > 0) {
      const batch = this.openQueue;
      this.openQueue = [];
      const req = packDatagrams(batch.map((d) => d.data));
      jobs.push(
        this.worker.batch.open(req).then((resp) => {
          if (this.closed) return;
          this.onOpened({ records: readOpenResponse(resp), sources: batch.map((d) => d.address) });
        }),
      );
    }
    const all = Promise.all(jobs).then(() => undefined);
    return this.track(all);
  }

  private track(p: Promise<unknown>): Promise<void> {
    const q = p.then(
      () => undefined,
      (e) => {
        if (!this.closed) this.onError(e);
      },
    );
    this.inFlight.add(q);
    void q.finally(() => this.inFlight.delete(q));
    return q;
  }

  /** Waits until everything queued so far has been sealed and handed to the transport. */
  async drain(): Promise<void> {
    if (this.sealDest.length || this.openQueue.length) await this.flushNow();
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  close(): void {
    this.closed = true;
    this.sealDest = [];
    this.openQueue = [];
  }
}
