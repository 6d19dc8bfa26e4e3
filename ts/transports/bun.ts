// Bun UDP. Two implementations behind one class:
// - "native": Bun.udpSocket, batches sent with sendMany (one call per batch). It has no option for
//   SO_RCVBUF, so the kernel default receive buffer applies (net.core.rmem_default, often 208 KiB):
//   measured, a burst of 64 × 8210 B on loopback delivered 13.
// - "node": Bun's node:dgram, which does set 4 MiB socket buffers (ss shows rb8388608) and
//   delivered all 64.
// `api: "auto"` (default) picks node:dgram for that receive buffer; `api: "native"` picks
// Bun.udpSocket when present (else node:dgram). Measured ping-pong of 32 × 1200 B batches on Bun
// 1.4.5: ~36k datagrams/s native, ~22k/s node:dgram (Node's dgram: ~29k/s). Both keep send order.

import { ClosedError, InvalidArgumentError, TransportError } from '../errors.js';
import { AddressCache, PeerAddressFormatter, formatAddress, parseIpAddress, type IpAddress } from './address.js';
import { DelegatingTransport, runtimeApiChoice, type RuntimeApiChoice } from './delegating.js';
import { NodeDgramTransport, type NodeDgramOptions } from './node-dgram.js';
import { ReceiveBatcher } from './receive-batcher.js';
import { udpSendHost } from './udp-destination.js';
import { UdpProbes } from './udp-probe.js';
import { emptyStats, errorText, type Datagram, type Transport, type TransportStats } from './transport.js';

/** The slice of Bun's UDP API this file uses (bun-types are not in this tsconfig). */
interface BunUdpSocket {
  readonly port: number;
  readonly hostname: string;
  readonly address: { address: string; port: number; family: string };
  send(data: Uint8Array, port: number, address: string): boolean;
  sendMany(packets: readonly (Uint8Array | number | string)[]): number;
  close(): void;
}
interface BunUdpHandler {
  data(socket: BunUdpSocket, data: Uint8Array, port: number, address: string): void;
  drain(socket: BunUdpSocket): void;
  error?(socket: BunUdpSocket, err: Error): void;
}
type BunUdpFactory = (opts: {
  hostname: string;
  port: number;
  binaryType: 'uint8array';
  socket: BunUdpHandler;
}) => Promise<BunUdpSocket>;

function bunUdpFactory(): BunUdpFactory | undefined {
  const bun = (globalThis as { Bun?: { udpSocket?: BunUdpFactory } }).Bun;
  return typeof bun?.udpSocket === 'function' ? bun.udpSocket.bind(bun) : undefined;
}

/** True when Bun.udpSocket exists. */
export function bunHasUdpSocket(): boolean {
  return bunUdpFactory() !== undefined;
}

/** Options of BunTransport: which UDP API to use, plus the node:dgram options it passes on. */
export interface BunTransportOptions extends NodeDgramOptions {
  /** "auto" (default) = node:dgram; "native" = Bun.udpSocket if present, else node:dgram; "node". */
  api?: RuntimeApiChoice;
  /** Native only: datagrams held while the socket is back-pressured before new ones are refused. */
  maxQueuedDatagrams?: number;
}

/** Bun UDP transport; `api` tells which implementation it picked. */
export class BunTransport extends DelegatingTransport {
  readonly api: 'native' | 'node';

  constructor(opts: BunTransportOptions = {}) {
    const native = runtimeApiChoice(opts.api) === 'native' && bunHasUdpSocket();
    super(native ? new BunNativeTransport(opts) : new NodeDgramTransport(opts));
    this.api = native ? 'native' : 'node';
  }
}

interface Destination {
  host: string;
  port: number;
}

/** Bun.udpSocket; throws TransportError at bind if the API is missing. */
export class BunNativeTransport implements Transport {
  private socket: BunUdpSocket | undefined;
  private family: 4 | 6 = 4;
  private bound = '';
  private binding: Promise<string> | undefined;
  private closing: Promise<void> | undefined;
  private readonly st: TransportStats = emptyStats();
  private readonly batcher = new ReceiveBatcher(this.st);
  private readonly peers = new PeerAddressFormatter();
  private readonly dests = new AddressCache<Destination>((a) => this.destination(a));
  /** Flat [data, port, host, ...] triples waiting for `drain` after sendMany sent only part. */
  private queue: (Uint8Array | number | string)[] = [];
  private readonly maxQueued: number;
  /** Bun.udpSocket has no ICMP errors for unconnected sends; Bun's node:dgram reports them on a connected socket. */
  private readonly probes = new UdpProbes(() => import('node:dgram'));

  constructor(opts: BunTransportOptions = {}) {
    const m = opts.maxQueuedDatagrams ?? 4096;
    if (!(Number.isInteger(m) && m > 0)) {
      throw new InvalidArgumentError(`maxQueuedDatagrams must be a positive integer, got ${String(m)}`);
    }
    this.maxQueued = m;
  }

  get address(): string {
    return this.bound;
  }

  bind(address: string): Promise<string> {
    if (this.closing) return Promise.reject(new ClosedError('transport'));
    if (this.binding) return Promise.reject(new TransportError(`transport is already bound (${this.bound || 'binding'})`));
    const attempt = this.doBind(address);
    this.binding = attempt;
    // A failed bind (bad address, port in use) leaves the transport unbound: bind may be retried.
    attempt.catch(() => {
      if (this.binding === attempt && this.socket === undefined) this.binding = undefined;
    });
    return attempt;
  }

  private async doBind(address: string): Promise<string> {
    const local = parseIpAddress(address, 'bind address');
    const factory = bunUdpFactory();
    if (factory === undefined) throw new TransportError('Bun.udpSocket is not available');
    this.family = local.family;
    let socket: BunUdpSocket;
    try {
      socket = await factory({
        hostname: local.host,
        port: local.port,
        binaryType: 'uint8array',
        socket: {
          data: (_s, data, port, host) => this.batcher.push(data, this.peers.format(host, port)),
          drain: () => this.flushQueue(),
          error: (_s, err) => {
            this.st.lastError = errorText(err);
          },
        },
      });
    } catch (err) {
      throw new TransportError(`cannot bind UDP socket to ${address}: ${errorText(err)}`, { cause: err });
    }
    this.socket = socket;
    this.bound = formatAddress(socket.address.address, socket.port);
    if (this.closing) throw new ClosedError('transport');
    return this.bound;
  }

  send(batch: readonly Datagram[]): void {
    const st = this.st;
    if (this.closing) {
      st.sendErrors += batch.length;
      return;
    }
    if (this.socket === undefined) throw new TransportError('send() before bind()');
    const flat: (Uint8Array | number | string)[] = [];
    for (let i = 0; i < batch.length; i++) {
      const dg = batch[i]!;
      const dest = this.dests.get(dg.address);
      if (dest instanceof InvalidArgumentError) {
        st.sendErrors++;
        st.lastError = dest.message;
        continue;
      }
      flat.push(dg.data, dest.port, dest.host);
    }
    if (this.queue.length > 0) {
      this.enqueue(flat, 0);
      return;
    }
    this.sendFlat(flat);
  }

  /** sendMany, isolating a datagram the OS refuses and queueing the rest on back-pressure. */
  private sendFlat(flat: (Uint8Array | number | string)[]): void {
    const socket = this.socket!;
    const st = this.st;
    let at = 0;
    while (at < flat.length) {
      let sent: number;
      try {
        sent = socket.sendMany(at === 0 ? flat : flat.slice(at));
      } catch (err) {
        sent = 0;
        st.lastError = errorText(err);
      }
      for (let i = 0; i < sent; i++) this.countOut(flat[at + i * 3] as Uint8Array);
      at += sent * 3;
      if (at >= flat.length) return;
      // sendMany stopped early: either an error for this datagram or a full socket buffer.
      const data = flat[at] as Uint8Array;
      try {
        if (!socket.send(data, flat[at + 1] as number, flat[at + 2] as string)) {
          this.enqueue(flat, at);
          return;
        }
        this.countOut(data);
      } catch (err) {
        st.sendErrors++;
        st.lastError = errorText(err);
      }
      at += 3;
    }
  }

  private enqueue(flat: (Uint8Array | number | string)[], from: number): void {
    for (let i = from; i < flat.length; i += 3) {
      if (this.queue.length / 3 >= this.maxQueued) {
        this.st.sendErrors++;
        this.st.lastError = 'send queue full (socket back-pressured)';
        continue;
      }
      this.queue.push(flat[i]!, flat[i + 1]!, flat[i + 2]!);
    }
  }

  private flushQueue(): void {
    if (this.queue.length === 0 || this.socket === undefined || this.closing) return;
    const q = this.queue;
    this.queue = [];
    this.sendFlat(q);
  }

  private countOut(data: Uint8Array): void {
    this.st.datagramsOut++;
    this.st.bytesOut += data.length;
  }

  onReceive(handler: (batch: Datagram[]) => void): void {
    this.batcher.setHandler(handler);
  }

  probe(address: string, payload: Uint8Array, unreachable: (detail: string) => void): boolean {
    return !this.closing && this.probes.probe(address, payload, unreachable);
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.batcher.close();
    this.probes.close();
    if (this.binding) await this.binding.catch(() => undefined);
    this.st.sendErrors += this.queue.length / 3;
    this.queue = [];
    try {
      this.socket?.close();
    } catch {
      // already closed
    }
  }

  stats(): TransportStats {
    return { ...this.st };
  }

  private destination(a: IpAddress): Destination {
    return { host: udpSendHost(a, this.family), port: a.port };
  }
}
