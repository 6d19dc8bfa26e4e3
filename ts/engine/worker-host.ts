// The worker placement, app side: starts a core worker (worker_threads on Node, a module Web
// Worker from a Blob URL on Deno, Bun and browsers; the worker's code is inlined at build time),
// hands it the compiled core, the configuration and two SharedArrayBuffer rings in one `init`
// message, and from then on talks to the engine through the rings only. By default the worker
// creates the node's UDP socket itself; a transport the app passed stays on this thread and its
// datagrams are bridged over the link.
import { WORKER_SOURCE } from '../core/generated/worker-source.js';
import { WASM_BASE64 } from '../core/generated/wasm-base64.js';
import { coreModule } from '../core/wasm.js';
import { spawnWorker, type SpawnedWorker } from '../runtime/spawn-worker.js';
import { EngineFailedError, TransportError } from '../errors.js';
import type { Transport } from '../transports/transport.js';
import { LinkReader, Op, readAddressNote, readDatagrams, writeAddressNote, writeDatagramBatches } from './link-format.js';
import { Ring, RingConsumer, RingProducer, ringsNeedDoorbell } from './ring.js';
import { scheduleAfterIo } from '../transports/receive-batcher.js';
import type { EngineConfig, EngineHost } from './engine-host.js';
import type { InitMessage, WorkerMessage } from './worker-protocol.js';

/**
 * Ring sizes. App → engine carries sends: large enough that a burst of a full scheduler queue
 * (1024 full packets, 8 MiB) crosses in one batch, ahead of whatever the app sends next. Engine →
 * app carries deliveries, bounded by credit and the receive budget. Pages are touched only as
 * the rings fill.
 */
const TO_ENGINE_RING_BYTES = 16 << 20;
const TO_APP_RING_BYTES = 4 << 20;
/** How long dispose() waits for the worker to close its socket before terminating it. */
const CLOSE_WAIT_MS = 1000;

function spawn(): SpawnedWorker<unknown, WorkerMessage> {
  if (!WORKER_SOURCE) throw new Error('net-mesh: worker source missing; run npm run build');
  return spawnWorker<unknown, WorkerMessage>(WORKER_SOURCE, ['node']);
}

/** App-side consumers on this thread: any wake-up drains them all, so records from several engines keep their causal order. */
const consumers = new Set<() => void>();
function drainAll(): void {
  for (const d of consumers) d();
}

export class WorkerEngineHost implements EngineHost {
  readonly placement = 'worker';
  readonly writer: RingProducer;
  private readonly reader: RingConsumer;
  private readonly toEngine: Ring;
  private readonly toApp: Ring;
  private publishScheduled = false;
  private readonly roomWaiters: (() => void)[] = [];
  private failure: ((err: Error) => void) | undefined;
  private failed: Error | undefined;
  private disposed: Promise<void> | undefined;
  private closedByWorker: (() => void) | undefined;
  private workerClosed = false;
  private readonly drainMine: () => void;
  private handler: ((r: LinkReader) => void) | undefined;
  address = '';
  noisePublicKey = new Uint8Array(32);

  private constructor(
    private readonly worker: SpawnedWorker<unknown, WorkerMessage>,
    private readonly transport: Transport | undefined,
  ) {
    this.toEngine = Ring.create(TO_ENGINE_RING_BYTES);
    this.toApp = Ring.create(TO_APP_RING_BYTES);
    const doorbell = ringsNeedDoorbell();
    this.ports = doorbell ? [new MessageChannel(), new MessageChannel()] : undefined;
    this.writer = new RingProducer(this.toEngine, this.ports?.[0].port1);
    this.reader = new RingConsumer(this.toApp, this.ports?.[1].port1);
    this.writer.onDrained = () => {
      const ws = this.roomWaiters.splice(0);
      for (const w of ws) w();
    };
    this.drainMine = () => {
      if (this.handler && !this.failed) this.reader.drain(this.handler);
    };
  }

  private readonly ports: [MessageChannel, MessageChannel] | undefined;

  /** Starts a worker engine; `transport` (already bound) stays on this thread, bridged. */
  static async start(cfg: EngineConfig, transport?: Transport): Promise<WorkerEngineHost> {
    const host = new WorkerEngineHost(spawn(), transport);
    try {
      await host.init(cfg);
    } catch (e) {
      await host.worker.terminate().catch(() => undefined);
      throw e;
    }
    return host;
  }

  private init(cfg: EngineConfig): Promise<void> {
    const msg: InitMessage = {
      t: 'init',
      cfg: { ...cfg, nodeId: cfg.nodeId.toString() },
      toEngine: this.toEngine.sab,
      toApp: this.toApp.sab,
      ...(this.transport ? { bridgedAddress: this.transport.address } : {}),
    };
    const transfer: Transferable[] = [];
    if (this.ports) {
      msg.toEnginePort = this.ports[0].port2;
      msg.toAppPort = this.ports[1].port2;
      transfer.push(this.ports[0].port2 as unknown as Transferable, this.ports[1].port2 as unknown as Transferable);
    }
    const ready = new Promise<void>((resolve, reject) => {
      this.worker.onMessage((m) => {
        if (m.t === 'ready') {
          this.address = m.address;
          this.noisePublicKey = new Uint8Array(m.publicKey);
          resolve();
        } else if (m.t === 'error') {
          reject(m.code === 'TRANSPORT' ? new TransportError(m.message) : new EngineFailedError(`engine worker did not start: ${m.message}`));
        } else if (m.t === 'closed') {
          this.workerClosed = true;
          this.closedByWorker?.();
        } else if (m.t === 'fatal') {
          this.fail(new EngineFailedError(`engine failed: ${m.message}`));
        }
      });
      this.worker.onDeath((why) => {
        const err = new EngineFailedError(`engine worker died: ${why}`);
        reject(err);
        if (!this.disposed) this.fail(err);
      });
    });
    try {
      this.worker.post({ ...msg, module: coreModule() }, transfer);
    } catch {
      // Runtimes that cannot clone a WebAssembly.Module get the bytes instead.
      this.worker.post({ ...msg, wasmBase64: WASM_BASE64 }, transfer);
    }
    return ready;
  }

  get backlog(): number {
    return this.writer.backlog;
  }

  /** Records are published once per macrotask: everything the app did in a turn crosses together. */
  wrote(): void {
    if (this.publishScheduled) return;
    this.publishScheduled = true;
    scheduleAfterIo(this.publish);
  }

  private readonly publish = (): void => {
    this.publishScheduled = false;
    this.writer.publish();
  };

  whenRoom(cb: () => void): void {
    if (this.writer.backlog === 0) queueMicrotask(cb);
    else this.roomWaiters.push(cb);
  }

  start(handler: (r: LinkReader) => void): void {
    const t = this.transport;
    this.handler = t
      ? (r) => {
          if (r.op === Op.DATAGRAMS_OUT) t.send(readDatagrams(r));
          else if (r.op === Op.PROBE) this.probe(t, readAddressNote(r));
          else handler(r);
        }
      : handler;
    if (t) {
      t.onReceive((batch) => {
        writeDatagramBatches(this.writer, Op.DATAGRAMS_IN, batch);
        this.wrote();
      });
    }
    consumers.add(this.drainMine);
    void this.reader.watch(drainAll);
  }

  /** Runs the engine's probe on the app's transport; an ICMP answer goes back as UNREACHABLE. */
  private probe(t: Transport, n: { address: string; data: Uint8Array }): void {
    t.probe?.(n.address, n.data, (detail) => {
      writeAddressNote(this.writer, Op.UNREACHABLE, n.address, new TextEncoder().encode(detail));
      this.wrote();
    });
  }

  poll(): void {
    this.drainMine();
  }

  onFailure(cb: (err: Error) => void): void {
    this.failure = cb;
    if (this.failed) cb(this.failed);
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    this.stopLink();
    this.failure?.(err);
  }

  private stopLink(): void {
    consumers.delete(this.drainMine);
    this.reader.stop();
    this.writer.close();
    this.toApp.close();
    this.toEngine.close();
  }

  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      if (!this.failed && !this.workerClosed) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, CLOSE_WAIT_MS);
          this.closedByWorker = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      this.stopLink();
      await this.worker.terminate().catch(() => undefined);
      await this.transport?.close();
    })();
    return this.disposed;
  }

  async kill(): Promise<void> {
    await this.worker.terminate();
  }
}
