// The inline placement: the engine runs on the calling thread (browser pages, tests, the relay to
// come). The same link records as the worker placement, handed over in memory at the end of the
// turn instead of through rings.
import type { Transport } from '../transports/transport.js';
import { Engine, engineOptions } from './engine.js';
import { EngineDriver } from './driver.js';
import { BufferLinkWriter, LinkReader } from './link-format.js';
import type { EngineConfig, EngineHost } from './engine-host.js';

export class InlineEngineHost implements EngineHost {
  readonly placement = 'inline';
  readonly writer = new BufferLinkWriter();
  readonly backlog = 0;
  readonly noisePublicKey: Uint8Array;
  readonly engine: Engine;
  private readonly toApp = new BufferLinkWriter();
  private readonly driver: EngineDriver;
  private inbox: Uint8Array[] = [];
  private handoffScheduled = false;
  private handler: ((r: LinkReader) => void) | undefined;
  private failure: ((err: Error) => void) | undefined;
  private failed: Error | undefined;
  private disposed: Promise<void> | undefined;

  constructor(
    cfg: EngineConfig,
    private readonly transport: Transport,
  ) {
    this.noisePublicKey = cfg.staticKeypair.publicKey;
    this.engine = new Engine(engineOptions(cfg), {
      send: (batch) => this.transport.send(batch),
      link: this.toApp,
      publish: () => this.publish(),
      backlog: () => this.transport.sendBacklog?.() ?? 0,
      released: () => this.transport.sendReleased?.() ?? false,
      probe: (address, payload) => this.transport.probe?.(address, payload, (detail) => this.driver.onUnreachable(address, detail)) ?? false,
    });
    this.driver = new EngineDriver(this.engine, (now) => this.drainInbox(now), (e) => this.fail(e));
    transport.onReceive((batch) => this.driver.onDatagrams(batch));
  }

  get address(): string {
    return this.transport.address;
  }

  /** Records are handed over at the end of the app's turn (a microtask: no extra event-loop hop). */
  wrote(): void {
    if (this.handoffScheduled) return;
    this.handoffScheduled = true;
    queueMicrotask(this.handoff);
  }

  private readonly handoff = (): void => {
    this.handoffScheduled = false;
    const chunk = this.writer.take();
    if (!chunk) return;
    this.inbox.push(chunk);
    this.driver.onLink();
  };

  private drainInbox(now: number): void {
    if (this.inbox.length === 0) return;
    const chunks = this.inbox;
    this.inbox = [];
    for (const c of chunks) {
      this.engine.handleLinkBatch(c, now);
      this.writer.recycle(c);
    }
  }

  /** The engine's records so far go to the app at the end of this turn. */
  private publish(): void {
    const chunk = this.toApp.take();
    if (!chunk) return;
    queueMicrotask(() => {
      const h = this.handler;
      if (h) {
        const r = new LinkReader(chunk);
        while (r.next()) h(r);
      }
      this.toApp.recycle(chunk);
    });
  }

  poll(): void {
    // Inline, records are handed over at the end of the engine's turn: nothing waits.
  }

  whenRoom(cb: () => void): void {
    queueMicrotask(cb);
  }

  start(handler: (r: LinkReader) => void): void {
    this.handler = handler;
  }

  onFailure(cb: (err: Error) => void): void {
    this.failure = cb;
    if (this.failed) cb(this.failed);
  }

  private fail(e: unknown): void {
    if (this.failed) return;
    this.failed = e instanceof Error ? e : new Error(String(e));
    this.failure?.(this.failed);
  }

  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      this.driver.stop();
      await this.transport.close();
    })();
    return this.disposed;
  }

  async kill(): Promise<void> {
    this.driver.stop();
    this.fail(new Error('engine killed'));
  }
}
