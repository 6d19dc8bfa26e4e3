// The transports the node bench drives, each as a receiving end (counts events), a sending end
// (pumps events under backpressure) and an echo end (ping-pong): MeshNode streams, udx-native
// streams and Node TCP. The same code runs in the parent and in the child process.
import net from 'node:net';
import { once } from 'node:events';
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { MeshNode } from '../ts/node/mesh-node.js';
import { now } from './harness.js';

export type TransportName = 'MeshNode' | 'udx-native' | 'TCP';
/** Where a MeshNode's engine runs. */
export type Placement = 'worker' | 'inline';
/** The stream config a MeshNode end uses: default options, reliable or not. */
export type Reliability = 'unreliable' | 'reliable';

// ---------------------------------------------------------------------------------------------
// udx-native (CommonJS, native addon) — only the parts used here.

export interface UdxSocket {
  bind(port?: number, host?: string): void;
  address(): { host: string; family: number; port: number };
  close(): Promise<void>;
}
export interface UdxStream {
  connect(socket: UdxSocket, remoteId: number, port: number, host?: string): void;
  write(b: Uint8Array): boolean;
  on(ev: 'data', f: (b: Uint8Array) => void): void;
  on(ev: 'drain' | 'close' | 'error', f: (e?: unknown) => void): void;
  once(ev: string, f: (...a: unknown[]) => void): void;
  destroy(): void;
  destroyed: boolean;
}
interface Udx {
  createSocket(): UdxSocket;
  createStream(id: number): UdxStream;
}

let udxInstance: Udx | undefined;
export function udx(): Udx {
  if (!udxInstance) {
    const UDX = createRequire(import.meta.url)('udx-native') as new () => Udx;
    udxInstance = new UDX();
  }
  return udxInstance;
}

let nextUdxId = 1;
/** Fresh stream ids per process (udx ids are per instance). */
export function udxId(): number {
  return nextUdxId++;
}

export interface UdxEnd {
  port: number;
  socket: UdxSocket;
  stream: UdxStream;
  connect(remoteId: number, remotePort: number): void;
  close(): Promise<void>;
}

export function udxEnd(id: number): UdxEnd {
  const u = udx();
  const socket = u.createSocket();
  socket.bind(0, '127.0.0.1');
  const stream = u.createStream(id);
  stream.on('error', () => {}); // teardown races surface as errors on a destroyed stream
  return {
    port: socket.address().port,
    socket,
    stream,
    connect: (remoteId, remotePort) => stream.connect(socket, remoteId, remotePort, '127.0.0.1'),
    async close() {
      if (!stream.destroyed) {
        const closed = new Promise<void>((r) => stream.once('close', () => r()));
        stream.destroy();
        await Promise.race([closed, sleep(500)]);
      }
      await Promise.race([socket.close(), sleep(500)]);
    },
  };
}

/** Two udx-native ends in this process, connected to each other. */
export function udxLoopbackPair(): { a: UdxEnd; b: UdxEnd } {
  const ia = udxId(), ib = udxId();
  const a = udxEnd(ia), b = udxEnd(ib);
  a.connect(ib, b.port);
  b.connect(ia, a.port);
  return { a, b };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Counting what arrives

export interface Tally {
  events: number;
  bytes: number;
  /** Time (this process's clock) the last event arrived. */
  lastAt: number;
  /** How long after the last event the receiver gave up waiting (0 when everything arrived). */
  idleTailMs: number;
  /** Time (this process's clock) the receiver finished. */
  doneAt: number;
}

/** Counts events; `wait(n)` resolves once n arrived, or after `idleMs` without any arrival. */
export class Counter {
  events = 0;
  bytes = 0;
  lastAt = now();
  private expected = Infinity;
  private resolve: ((t: Tally) => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  add(bytes: number): void {
    this.events++;
    this.bytes += bytes;
    this.lastAt = now();
    if (this.events >= this.expected) this.finish(0);
  }

  wait(expected: number, idleMs: number): Promise<Tally> {
    this.expected = expected;
    this.lastAt = Math.max(this.lastAt, now());
    return new Promise((resolve) => {
      this.resolve = resolve;
      if (this.events >= expected) return this.finish(0);
      this.timer = setInterval(() => {
        const idle = now() - this.lastAt;
        if (idle >= idleMs) this.finish(idle);
      }, 50);
    });
  }

  private finish(idleTailMs: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const r = this.resolve;
    this.resolve = undefined;
    r?.({ events: this.events, bytes: this.bytes, lastAt: this.lastAt, idleTailMs, doneAt: now() });
  }
}

/**
 * Splits a byte stream into `[u32 LE length][payload]` events, as an application on TCP or a udx
 * stream must. Payloads inside one chunk are views; a payload split across chunks is assembled.
 */
export class FrameParser {
  private readonly head = new Uint8Array(4);
  private headFill = 0;
  private body: Uint8Array | undefined;
  private bodyFill = 0;

  constructor(private readonly onFrame: (payload: Uint8Array) => void) {}

  feed(c: Uint8Array): void {
    let p = 0;
    while (p < c.length) {
      if (!this.body) {
        let len: number;
        if (this.headFill === 0 && c.length - p >= 4) {
          len = (c[p]! | (c[p + 1]! << 8) | (c[p + 2]! << 16) | (c[p + 3]! << 24)) >>> 0;
          p += 4;
          if (c.length - p >= len) {
            this.onFrame(c.subarray(p, p + len));
            p += len;
            continue;
          }
        } else {
          const take = Math.min(4 - this.headFill, c.length - p);
          this.head.set(c.subarray(p, p + take), this.headFill);
          this.headFill += take;
          p += take;
          if (this.headFill < 4) return;
          const h = this.head;
          len = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
          this.headFill = 0;
          if (len === 0) {
            this.onFrame(new Uint8Array(0));
            continue;
          }
        }
        this.body = new Uint8Array(len);
        this.bodyFill = 0;
      }
      const take = Math.min(this.body.length - this.bodyFill, c.length - p);
      this.body.set(c.subarray(p, p + take), this.bodyFill);
      this.bodyFill += take;
      p += take;
      if (this.bodyFill === this.body.length) {
        const b = this.body;
        this.body = undefined;
        this.onFrame(b);
      }
    }
  }
}

/** `[u32 LE length][payload]`: what a byte-stream sender writes per event. */
export function framed(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length, true);
  out.set(payload, 4);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Receiving ends

export interface RecvEnd {
  counter: Counter;
  close(): Promise<void>;
}

export async function tcpRecv(): Promise<RecvEnd & { port: number }> {
  const counter = new Counter();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.setNoDelay(true);
    const parser = new FrameParser((p) => counter.add(p.length));
    s.on('data', (c) => parser.feed(c));
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    counter,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export function udxRecv(end: UdxEnd): RecvEnd {
  const counter = new Counter();
  const parser = new FrameParser((p) => counter.add(p.length));
  end.stream.on('data', (c) => parser.feed(c));
  return { counter, close: () => end.close() };
}

export function meshRecv(node: MeshNode, streamId: bigint): RecvEnd {
  const counter = new Counter();
  const ac = new AbortController();
  void (async () => {
    try {
      for await (const ev of node.events({ stream: streamId, signal: ac.signal })) counter.add(ev.payload.length);
    } catch {
      // aborted
    }
  })();
  return {
    counter,
    async close() {
      ac.abort();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Sending ends: `pump` sends `total` events in batches, stopping early after `capMs`.

export interface SendEnd {
  /** Sends one batch of `n` events; resolves when more may be sent (backpressure honoured). */
  sendBatch(n: number): Promise<void> | void;
  close(): Promise<void>;
}

export async function pump(end: SendEnd, total: number, batch: number, capMs: number): Promise<{ sent: number; t0: number }> {
  const t0 = now();
  let sent = 0;
  while (sent < total) {
    const n = Math.min(batch, total - sent);
    const r = end.sendBatch(n);
    if (r) await r;
    sent += n;
    if (now() - t0 > capMs) break;
  }
  return { sent, t0 };
}

export async function tcpConnect(port: number): Promise<net.Socket> {
  const s = net.connect(port, '127.0.0.1');
  s.setNoDelay(true);
  s.on('error', () => {});
  await once(s, 'connect');
  return s;
}

export function tcpSend(s: net.Socket, payload: Uint8Array): SendEnd {
  const f = framed(payload);
  return {
    async sendBatch(n) {
      s.cork();
      let ok = true;
      for (let i = 0; i < n; i++) ok = s.write(f);
      s.uncork();
      if (!ok) await once(s, 'drain');
    },
    async close() {
      s.destroy();
    },
  };
}

export function udxSend(end: UdxEnd, payload: Uint8Array): SendEnd {
  const f = framed(payload);
  const st = end.stream;
  return {
    async sendBatch(n) {
      let ok = true;
      for (let i = 0; i < n; i++) ok = st.write(f);
      if (!ok) await new Promise<void>((r) => st.once('drain', () => r()));
    },
    close: () => end.close(),
  };
}

export function meshSend(node: MeshNode, peer: bigint, streamId: bigint, payload: Uint8Array, reliability: Reliability = 'unreliable'): SendEnd & { stream: ReturnType<MeshNode['openStream']> } {
  // Default options otherwise: the window starts at 64 KiB (reliable streams grow it).
  const stream = node.openStream(peer, streamId, { reliability });
  const batches = new Map<number, Uint8Array[]>();
  return {
    sendBatch(n) {
      let b = batches.get(n);
      if (!b) batches.set(n, (b = Array.from({ length: n }, () => payload)));
      return stream.send(b);
    },
    stream,
    async close() {
      if (reliability === 'reliable') await stream.closeGraceful(10_000).catch(() => stream.close());
      else stream.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Ping-pong: an echo end returns every message; a pinger times round trips.

export interface Pinger {
  /** One round trip of `msg`; resolves when the whole echo arrived. */
  ping(msg: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** A byte-stream pinger: resolves once as many bytes came back as were sent. */
function streamPinger(write: (b: Uint8Array) => void, onData: (f: (c: Uint8Array) => void) => void, close: () => Promise<void>): Pinger {
  let want = 0;
  let got = 0;
  let wake: (() => void) | undefined;
  onData((c) => {
    got += c.length;
    if (got >= want && wake) {
      const w = wake;
      wake = undefined;
      w();
    }
  });
  return {
    ping(msg) {
      return new Promise<void>((resolve) => {
        got = 0;
        want = msg.length;
        wake = resolve;
        write(msg);
      });
    },
    close,
  };
}

export async function tcpEcho(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.setNoDelay(true);
    s.on('data', (c) => s.write(c));
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export async function tcpPinger(port: number): Promise<Pinger> {
  const s = await tcpConnect(port);
  return streamPinger(
    (b) => s.write(b),
    (f) => s.on('data', f),
    async () => {
      s.destroy();
    },
  );
}

export function udxEcho(end: UdxEnd): void {
  end.stream.on('data', (c) => end.stream.write(c));
}

export function udxPinger(end: UdxEnd): Pinger {
  return streamPinger(
    (b) => end.stream.write(b),
    (f) => end.stream.on('data', f),
    () => end.close(),
  );
}

/** Echoes every event on `pingStream` back to `peer` on `pongStream`. */
export function meshEcho(node: MeshNode, peer: bigint, pingStream: bigint, pongStream: bigint, reliability: Reliability = 'unreliable'): { close(): Promise<void> } {
  const ac = new AbortController();
  const back = node.openStream(peer, pongStream, { reliability });
  void (async () => {
    try {
      for await (const ev of node.events({ stream: pingStream, signal: ac.signal })) await back.send([ev.payload]);
    } catch {
      // aborted
    }
  })();
  return {
    async close() {
      ac.abort();
      back.close();
    },
  };
}

export function meshPinger(node: MeshNode, peer: bigint, pingStream: bigint, pongStream: bigint, reliability: Reliability = 'unreliable'): Pinger {
  const ac = new AbortController();
  const out = node.openStream(peer, pingStream, { reliability });
  const it = node.events({ stream: pongStream, signal: ac.signal })[Symbol.asyncIterator]();
  return {
    async ping(msg) {
      await out.send([msg]);
      const r = await it.next();
      if (r.done) throw new Error('MeshNode: pong stream ended');
    },
    async close() {
      ac.abort();
      out.close();
    },
  };
}

/** Rejects after `ms` with a message naming `what` (so a stuck transport cannot hang the bench). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** CPU milliseconds of this whole process (every thread, core workers included) since `from`. */
export function cpuMsSince(from: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
}

export interface Outcome<T> {
  ok?: T;
  error?: string;
}

/** Runs a trial, turning a failure into a recorded error so the other transports still run. */
export async function attempt<T>(f: () => Promise<T>, limitMs: number, what: string): Promise<Outcome<T>> {
  try {
    return { ok: await withTimeout(f(), limitMs, what) };
  } catch (e) {
    return { error: errorMessage(e) };
  }
}

// ---------------------------------------------------------------------------------------------
// The bench's child process, driven over the IPC channel

/**
 * A forked copy of a bench script (started with `--child`) answering requests: each request gets
 * an id `rid`, its reply echoes it and fails the call when it carries `error`.
 */
export class BenchChild<Req extends { rid: number; t: string }, Reply extends { rid: number; error?: string }> {
  private rid = 0;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly proc: ChildProcess,
    private readonly defaultTimeoutMs: number,
  ) {
    proc.on('message', (r: Reply) => {
      const p = this.pending.get(r.rid);
      if (!p) return;
      this.pending.delete(r.rid);
      if (r.error) p.reject(new Error(`child: ${r.error}`));
      else p.resolve(r);
    });
    proc.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`child exited (${code})`));
      this.pending.clear();
    });
  }

  /** Forks `script --child` and waits until it is running. */
  static async start<Req extends { rid: number; t: string }, Reply extends { rid: number; error?: string }>(
    script: string,
    defaultTimeoutMs: number,
  ): Promise<BenchChild<Req, Reply>> {
    const proc = fork(script, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      proc.once('spawn', () => resolve());
      proc.once('error', reject);
    });
    return new BenchChild<Req, Reply>(proc, defaultTimeoutMs);
  }

  call(req: Omit<Req, 'rid'> & { t: Req['t'] }, timeoutMs = this.defaultTimeoutMs): Promise<Reply> {
    const rid = ++this.rid;
    const p = new Promise<Reply>((resolve, reject) => this.pending.set(rid, { resolve, reject }));
    this.proc.send({ ...req, rid });
    return withTimeout(p, timeoutMs, `child ${req.t}`);
  }

  /** Asks the child to exit (it is going away either way), then kills it. */
  async stop(): Promise<void> {
    await this.call({ t: 'exit' } as Omit<Req, 'rid'> & { t: Req['t'] }, 3000).catch(() => undefined);
    this.proc.kill();
  }
}

/** The bench's entry: `--child` runs `childMain`, anything else `main`; exits 1 on a failure. */
export function benchEntry(main: () => Promise<void>, childMain: () => Promise<void>): void {
  if (process.argv.includes('--child')) {
    childMain().catch((e) => {
      console.error(e);
      process.exit(1);
    });
  } else {
    main().then(
      () => process.exit(0),
      (e) => {
        console.error(e instanceof Error ? (e.stack ?? e.message) : e);
        process.exit(1);
      },
    );
  }
}
