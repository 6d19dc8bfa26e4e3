// A dedicated MessagePort for the data path between a thread and its core worker. comlink stays
// the control plane; batches use this port because comlink's per-call machinery (proxies, random
// message ids, wrapper objects) cost about 50 µs per round trip here, more than the postMessage
// itself. Messages are small arrays; batch buffers are transferred. One port carries session
// changes and batches, so they are applied in the order they were sent.
import type { CoreService } from './core-service.js';

const OP_SEAL = 0;
const OP_OPEN = 1;
const OP_ADD_SESSION = 2;
const OP_REMOVE_SESSION = 3;

interface Port {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((ev: { data: unknown }) => void) | null;
  close(): void;
}

/** The caller's end: `call` resolves with the worker's response buffer. */
export class BatchChannel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void }>();
  private closed = false;

  constructor(private readonly port: Port) {
    port.onmessage = (ev) => {
      const [id, payload] = ev.data as [number, Uint8Array | string];
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (typeof payload === 'string') p.reject(new Error(`core worker: ${payload}`));
      else p.resolve(payload);
    };
  }

  seal(request: Uint8Array): Promise<Uint8Array> {
    return this.call(OP_SEAL, request);
  }

  open(request: Uint8Array): Promise<Uint8Array> {
    return this.call(OP_OPEN, request);
  }

  addSession(localId: number, sessionId: bigint, txKey: Uint8Array, rxKey: Uint8Array): void {
    if (!this.closed) this.port.postMessage([0, OP_ADD_SESSION, localId, sessionId, txKey, rxKey]);
  }

  removeSession(localId: number): void {
    if (!this.closed) this.port.postMessage([0, OP_REMOVE_SESSION, localId]);
  }

  private call(op: number, request: Uint8Array): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new Error('core worker batch channel is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.port.postMessage([id, op, request], [request.buffer as ArrayBuffer]);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.onmessage = null;
    this.port.close();
    const err = new Error('core worker batch channel closed');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/** The worker's end: runs each message against the service, replying with transferred buffers. */
export function serveBatchChannel(port: Port, service: CoreService): void {
  port.onmessage = (ev) => {
    const m = ev.data as unknown[];
    const id = m[0] as number;
    try {
      switch (m[1]) {
        case OP_SEAL: {
          const out = service.sealBatch(m[2] as Uint8Array);
          port.postMessage([id, out], [out.buffer as ArrayBuffer]);
          break;
        }
        case OP_OPEN: {
          const out = service.openBatch(m[2] as Uint8Array);
          port.postMessage([id, out], [out.buffer as ArrayBuffer]);
          break;
        }
        case OP_ADD_SESSION:
          service.addSession(m[2] as number, m[3] as bigint, m[4] as Uint8Array, m[5] as Uint8Array);
          break;
        case OP_REMOVE_SESSION:
          service.removeSession(m[2] as number);
          break;
      }
    } catch (e) {
      if (id) port.postMessage([id, e instanceof Error ? e.message : String(e)]);
    }
  };
}
