// A hand-driven Engine for unit tests: its own clock, its outbox of datagrams and the records it
// writes to the app, decoded; `exchange` moves datagrams between two of them until quiet.
import { Engine, type EngineOptions } from '../../ts/engine/engine.js';
import { afterEach } from 'vitest';
import { BufferLinkWriter, LinkReader, Op, readConnectResult, readPeer, readStats, readStreamOpened, emptyCounters, writeShutdown } from '../../ts/engine/link-format.js';
import { generateNoiseKeypair, type NoiseKeypair } from '../../ts/session/noise.js';
import type { Datagram } from '../../ts/transports/transport.js';

export const PSK = new Uint8Array(32).fill(0x5a);

export interface Rec {
  op: number;
  r: Record<string, unknown>;
}

/** One engine with a hand-driven clock, its outbox of datagrams and its records to the app. */
export class Box {
  now = 10;
  readonly out: Datagram[] = [];
  readonly records: Rec[] = [];
  private readonly toApp = new BufferLinkWriter();
  readonly engine: Engine;
  readonly cmd = new BufferLinkWriter();
  readonly publicKey: Uint8Array;

  constructor(
    readonly nodeId: bigint,
    readonly address: string,
    opts: Partial<EngineOptions> & { staticKeypair?: NoiseKeypair } = {},
  ) {
    const kp = opts.staticKeypair ?? generateNoiseKeypair();
    this.publicKey = kp.publicKey;
    this.engine = new Engine(
      { nodeId, psk: PSK, keyDerivation: 'noise', heartbeatIntervalMs: 100, sessionTimeoutMs: 300, ...opts, staticKeypair: kp },
      { send: (b) => this.out.push(...b), link: this.toApp, publish: () => this.collect() },
    );
    this.engine.start(this.now);
  }

  private collect(): void {
    const chunk = this.toApp.take();
    if (!chunk) return;
    const r = new LinkReader(chunk);
    while (r.next()) {
      const rec: Rec = { op: r.op, r: {} };
      if (r.op === Op.PEER) rec.r = { ...readPeer(r) };
      else if (r.op === Op.CONNECT_RESULT) rec.r = { ...readConnectResult(r) };
      else if (r.op === Op.STREAM_OPENED) rec.r = { ...readStreamOpened(r) };
      else if (r.op === Op.DELIVER) rec.r = { rid: r.u32(0), count: r.u32(4), seq: r.u64(8), frames: r.bytes(32, r.u32(28)).slice() };
      else if (r.op === Op.SUBPROTOCOL_IN) rec.r = { from: r.u64(0), sp: r.u16(8), frames: r.bytes(24, r.u32(16)).slice() };
      else if (r.op === Op.STATS) {
        const c = emptyCounters();
        readStats(r, c);
        rec.r = { ...c };
      }
      this.records.push(rec);
    }
  }

  /** Hands the commands written so far to the engine, then flushes it. */
  commands(): void {
    const chunk = this.cmd.take();
    if (chunk) this.engine.handleLinkBatch(chunk, this.now);
    this.engine.flush(this.now);
  }

  receive(batch: Datagram[]): void {
    this.engine.handleDatagrams(batch, this.now);
    this.engine.flush(this.now);
  }

  advance(ms: number): void {
    this.now += ms;
    this.engine.handleTimers(this.now);
    this.engine.flush(this.now);
  }

  of(op: number): Record<string, unknown>[] {
    return this.records.filter((x) => x.op === op).map((x) => x.r);
  }

  /** The node counters, once the 10 ms interval between two STATS records has passed. */
  lastStats(): Record<string, number> {
    this.advance(10);
    return this.of(Op.STATS).at(-1) as Record<string, number>;
  }
}

/** Moves every datagram each box sent to the other (optionally dropping some), until quiet. */
export function exchange(a: Box, b: Box, keep: (d: Datagram, from: Box) => boolean = () => true): void {
  for (let i = 0; i < 20 && (a.out.length || b.out.length); i++) {
    const fromA = a.out.splice(0).filter((d) => keep(d, a));
    const fromB = b.out.splice(0).filter((d) => keep(d, b));
    if (fromA.length) b.receive(fromA.map((d) => ({ data: d.data, address: a.address })));
    if (fromB.length) a.receive(fromB.map((d) => ({ data: d.data, address: b.address })));
  }
}

/** Boxes made in the current test: each is shut down after it (call `shutDownAfterEach` once per file). */
export const liveBoxes: Box[] = [];

export function shutDownAfterEach(): void {
  afterEach(() => {
    for (const b of liveBoxes.splice(0)) {
      writeShutdown(b.cmd);
      b.commands();
    }
  });
}
