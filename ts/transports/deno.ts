// Deno UDP. Two implementations behind one class:
// - "native": Deno.listenDatagram (Deno 2 only exposes it with --unstable-net) and a receive loop.
// - "node": Deno's node:dgram.
// `api: "auto"` (default) uses native when Deno.listenDatagram exists, else node:dgram.
//
// Measured on Deno 2.9.6, Linux loopback:
// - Neither path can enlarge SO_RCVBUF: listenDatagram has no option, and node:dgram's
//   setRecvBufferSize is accepted but not applied (ss shows rb212992), and it makes every receive
//   allocate a buffer that size (receive latency went from ~0.5 ms to ~5 ms), so it is not called
//   here. A Deno receiver has the kernel default buffer (net.core.rmem_default, often 208 KiB:
//   about 13 full-size datagrams in one burst); raise rmem_default on hosts that take big bursts.
// - Async sends issued in one turn leave the socket in reverse order on both paths, so both send
//   one datagram at a time (serial-sender.ts); for Deno.listenDatagram that is as fast as issuing
//   them together (~115k sends/s either way).
// - Ping-pong of 32 × 1200 B batches: ~15k datagrams/s native, ~5k/s node:dgram.

import { ClosedError, InvalidArgumentError, TransportError } from '../errors.js';
import { AddressCache, PeerAddressFormatter, formatAddress, parseIpAddress, type IpAddress } from './address.js';
import { DelegatingTransport, runtimeApiChoice, type RuntimeApiChoice } from './delegating.js';
import { NodeDgramTransport, type NodeDgramOptions } from './node-dgram.js';
import { ReceiveBatcher } from './receive-batcher.js';
import { SerialSender } from './serial-sender.js';
import { udpSendHost } from './udp-destination.js';
import { emptyStats, errorText, type Datagram, type Transport, type TransportStats } from './transport.js';

/** The slice of the Deno namespace this file uses (Deno's own types are not in this tsconfig). */
interface DenoNetAddr {
  transport: 'udp';
  hostname: string;
  port: number;
}
interface DenoDatagramConn {
  readonly addr: DenoNetAddr;
  receive(buf?: Uint8Array): Promise<[Uint8Array, DenoNetAddr]>;
  send(data: Uint8Array, addr: DenoNetAddr): Promise<number>;
  close(): void;
}
interface DenoNamespace {
  listenDatagram?: (opts: { transport: 'udp'; hostname: string; port: number }) => DenoDatagramConn;
}

function denoNamespace(): DenoNamespace | undefined {
  return (globalThis as { Deno?: DenoNamespace }).Deno;
}

/** True when Deno.listenDatagram is callable (Deno 2 needs --unstable-net for it). */
export function denoHasListenDatagram(): boolean {
  return typeof denoNamespace()?.listenDatagram === 'function';
}

/** Options of DenoTransport: which UDP API to use, plus the node:dgram options it passes on. */
export interface DenoTransportOptions extends NodeDgramOptions {
  /** "auto" (default) and "native": Deno.listenDatagram if present, else node:dgram; "node": node:dgram. */
  api?: RuntimeApiChoice;
}

/** Deno UDP transport; `api` tells which implementation it picked. */
export class DenoTransport extends DelegatingTransport {
  readonly api: 'native' | 'node';

  constructor(opts: DenoTransportOptions = {}) {
    const native = runtimeApiChoice(opts.api) !== 'node' && denoHasListenDatagram();
    super(native ? new DenoNativeTransport() : new NodeDgramTransport({ serialSend: true, setSocketBuffers: false, probes: false, ...opts }));
    this.api = native ? 'native' : 'node';
  }
}

/** Deno.listenDatagram with a receive loop; throws TransportError at bind if the API is missing. */
export class DenoNativeTransport implements Transport {
  private conn: DenoDatagramConn | undefined;
  private family: 4 | 6 = 4;
  private bound = '';
  private binding: Promise<string> | undefined;
  private closing: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private readonly st: TransportStats = emptyStats();
  private readonly batcher = new ReceiveBatcher(this.st);
  private readonly peers = new PeerAddressFormatter();
  private readonly dests = new AddressCache<DenoNetAddr>((a) => this.destination(a));
  private serial: SerialSender<DenoNetAddr> | undefined;

  get address(): string {
    return this.bound;
  }

  bind(address: string): Promise<string> {
    if (this.closing) return Promise.reject(new ClosedError('transport'));
    if (this.binding) return Promise.reject(new TransportError(`transport is already bound (${this.bound || 'binding'})`));
    const attempt = (async () => this.doBind(address))();
    this.binding = attempt;
    // A failed bind (bad address, port in use) leaves the transport unbound: bind may be retried.
    attempt.catch(() => {
      if (this.binding === attempt && this.conn === undefined) this.binding = undefined;
    });
    return attempt;
  }

  private doBind(address: string): string {
    const local = parseIpAddress(address, 'bind address');
    const listen = denoNamespace()?.listenDatagram;
    if (typeof listen !== 'function') {
      throw new TransportError('Deno.listenDatagram is not available (run Deno with --unstable-net)');
    }
    let conn: DenoDatagramConn;
    try {
      conn = listen({ transport: 'udp', hostname: local.host, port: local.port });
    } catch (err) {
      throw new TransportError(`cannot bind UDP socket to ${address}: ${errorText(err)}`, { cause: err });
    }
    this.conn = conn;
    this.family = local.family;
    this.serial = new SerialSender<DenoNetAddr>(
      (data, dest, done) => {
        conn.send(data, dest).then(() => done(), done);
      },
      this.onSendError,
    );
    this.bound = formatAddress(conn.addr.hostname, conn.addr.port);
    this.loop = this.receiveLoop(conn);
    return this.bound;
  }

  private async receiveLoop(conn: DenoDatagramConn): Promise<void> {
    // One reusable 64 KiB buffer; each datagram is copied out of it (receive() returns a view).
    const buf = new Uint8Array(65536);
    for (;;) {
      let got: [Uint8Array, DenoNetAddr];
      try {
        got = await conn.receive(buf);
      } catch (err) {
        if (this.closing) return;
        this.st.lastError = errorText(err);
        const name = (err as { name?: string }).name;
        if (name === 'BadResource' || name === 'Interrupted') return;
        continue;
      }
      const [view, from] = got;
      this.batcher.push(view.slice(), this.peers.format(from.hostname, from.port));
    }
  }

  sendBacklog(): number {
    return this.serial?.queued ?? 0;
  }

  send(batch: readonly Datagram[]): void {
    const st = this.st;
    const conn = this.conn;
    if (this.closing) {
      st.sendErrors += batch.length;
      return;
    }
    if (conn === undefined) throw new TransportError('send() before bind()');
    for (let i = 0; i < batch.length; i++) {
      const dg = batch[i]!;
      const dest = this.dests.get(dg.address);
      if (dest instanceof InvalidArgumentError) {
        st.sendErrors++;
        st.lastError = dest.message;
        continue;
      }
      if (!this.serial!.push(dg.data, dest)) {
        this.onSendError(new TransportError('send queue full'));
        continue;
      }
      st.datagramsOut++;
      st.bytesOut += dg.data.length;
    }
  }

  onReceive(handler: (batch: Datagram[]) => void): void {
    this.batcher.setHandler(handler);
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.batcher.close();
    if (this.binding) await this.binding.catch(() => undefined);
    this.serial?.close();
    try {
      this.conn?.close();
    } catch {
      // already closed
    }
    // The pending receive() holds the socket until it settles; wait so the port is free on return.
    await this.loop;
  }

  stats(): TransportStats {
    return { ...this.st };
  }

  private readonly onSendError = (err: unknown): void => {
    this.st.sendErrors++;
    this.st.lastError = errorText(err);
  };

  private destination(a: IpAddress): DenoNetAddr {
    return { transport: 'udp', hostname: udpSendHost(a, this.family), port: a.port };
  }
}
