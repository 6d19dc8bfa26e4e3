// UDP over the `node:dgram` API: Node itself, and the fallback for Deno (without --unstable-net)
// and Bun (no Bun.udpSocket, or when chosen for its socket-buffer control).
//
// Choices:
// - udp4 or udp6 by the bind address; an IPv6 socket is dual-stack unless `ipv6Only`, and IPv4 peers
//   seen through it ("::ffff:1.2.3.4") are reported as plain "1.2.3.4:port" (and an IPv4 destination
//   is mapped back on send), so peer addresses look the same whichever socket family is used.
// - A synchronous `lookup` (addresses are IP literals, parsed once and memoised): dgram's default
//   dns.lookup would cost a tick per datagram.
// - Every send gets one shared completion callback: without a callback, dgram drops send errors
//   silently; with it they are counted in `sendErrors`.
// - SO_RCVBUF/SO_SNDBUF set after bind (4 MiB asked, stepping down if the OS refuses), so bursts
//   of full-size (8210-byte) datagrams are not dropped by a small default buffer.

import type { RemoteInfo, Socket } from 'node:dgram';
import { ClosedError, InvalidArgumentError, TransportError } from '../errors.js';
import { AddressCache, PeerAddressFormatter, formatAddress, parseIpAddress, type IpAddress } from './address.js';
import { ReceiveBatcher } from './receive-batcher.js';
import { SerialSender } from './serial-sender.js';
import { udpSendHost } from './udp-destination.js';
import { UdpProbes } from './udp-probe.js';
import {
  DEFAULT_SOCKET_BUFFER_BYTES,
  emptyStats,
  errorText,
  type Datagram,
  type Transport,
  type TransportStats,
} from './transport.js';

type DgramModule = typeof import('node:dgram');

/** Options of NodeDgramTransport (also used by the Deno and Bun adapters when they run on node:dgram). */
export interface NodeDgramOptions {
  /** SO_RCVBUF to ask for (bytes); default 4 MiB. The OS may clamp it. */
  recvBufferSize?: number;
  /** SO_SNDBUF to ask for (bytes); default 4 MiB. */
  sendBufferSize?: number;
  /**
   * Whether to set SO_RCVBUF/SO_SNDBUF at all (default true). Deno's node:dgram turns it off: there
   * setRecvBufferSize does not reach the socket (ss still shows the default) and it makes every
   * receive allocate a buffer of that size, slowing receive by milliseconds.
   */
  setSocketBuffers?: boolean;
  /** For an IPv6 bind: refuse IPv4 peers (default false: dual-stack). */
  ipv6Only?: boolean;
  /** SO_REUSEADDR (default false: binding an address in use fails). */
  reuseAddr?: boolean;
  /** The dgram module to use; default `await import('node:dgram')`. */
  dgram?: DgramModule;
  /**
   * Send one datagram at a time, the next after the previous completes (see serial-sender.ts).
   * Needed on Deno, whose node:dgram reverses datagrams sent in the same turn; Node and Bun keep
   * order without it. Default false.
   */
  serialSend?: boolean;
  /** Answer probe() with a connected socket that sees ICMP unreachable (default true; Deno's node:dgram cannot see it). */
  probes?: boolean;
}

interface Destination {
  host: string;
  port: number;
}

/**
 * UDP over `node:dgram`: the default transport on Node (and the fallback on Deno and Bun). Binds
 * IPv4 or IPv6 literals (`"[::]:0"` is dual-stack unless `ipv6Only`), delivers every datagram
 * received in one event-loop turn as one batch, and counts what it drops in `stats()`.
 */
export class NodeDgramTransport implements Transport {
  private socket: Socket | undefined;
  private family: 4 | 6 = 4;
  private bound = '';
  private binding: Promise<string> | undefined;
  private closing: Promise<void> | undefined;
  private readonly st: TransportStats = emptyStats();
  private readonly batcher = new ReceiveBatcher(this.st);
  private readonly dests = new AddressCache<Destination>((a) => this.destination(a));
  private readonly peers = new PeerAddressFormatter();
  private serial: SerialSender<Destination> | undefined;
  private readonly probes: UdpProbes | undefined;

  constructor(private readonly opts: NodeDgramOptions = {}) {
    if (opts.probes !== false) this.probes = new UdpProbes(async () => this.opts.dgram ?? (await import('node:dgram')));
    for (const key of ['recvBufferSize', 'sendBufferSize'] as const) {
      const v = opts[key];
      if (v !== undefined && !(Number.isInteger(v) && v > 0)) {
        throw new InvalidArgumentError(`${key} must be a positive integer, got ${String(v)}`);
      }
    }
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
    const dgram = this.opts.dgram ?? (await import('node:dgram'));
    if (this.closing) throw new ClosedError('transport');
    this.family = local.family;
    const socket = dgram.createSocket({
      type: local.family === 6 ? 'udp6' : 'udp4',
      reuseAddr: this.opts.reuseAddr ?? false,
      ipv6Only: this.opts.ipv6Only ?? false,
      lookup: literalLookup,
    } as Parameters<DgramModule['createSocket']>[0]);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        reject(new TransportError(`cannot bind UDP socket to ${address}: ${errorText(err)}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.bind({ address: local.host, port: local.port, exclusive: true }, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    this.socket = socket;
    socket.on('error', (err: Error) => {
      this.st.lastError = errorText(err);
    });
    if (this.opts.setSocketBuffers ?? true) {
      setBufferSize((n) => socket.setRecvBufferSize(n), this.opts.recvBufferSize ?? DEFAULT_SOCKET_BUFFER_BYTES);
      setBufferSize((n) => socket.setSendBufferSize(n), this.opts.sendBufferSize ?? DEFAULT_SOCKET_BUFFER_BYTES);
    }
    socket.on('message', this.onMessage);
    if (this.opts.serialSend) {
      this.serial = new SerialSender<Destination>(
        (data, dest, done) => socket.send(data, dest.port, dest.host, done),
        this.onSendError,
      );
    }
    const a = socket.address();
    this.bound = formatAddress(a.address, a.port);
    if (this.closing) {
      // close() ran while we were binding; it waits for us, then closes the socket.
      throw new ClosedError('transport');
    }
    return this.bound;
  }

  sendBacklog(): number {
    const s = this.socket as (Socket & { getSendQueueCount?: () => number }) | undefined;
    return (s?.getSendQueueCount?.() ?? 0) + (this.serial?.queued ?? 0);
  }

  sendReleased(): boolean {
    // A datagram libuv could not send at once waits in its queue, reading our buffer later.
    const s = this.socket as (Socket & { getSendQueueCount?: () => number }) | undefined;
    return this.serial === undefined && s?.getSendQueueCount !== undefined && s.getSendQueueCount() === 0;
  }

  send(batch: readonly Datagram[]): void {
    const st = this.st;
    const socket = this.socket;
    if (this.closing) {
      st.sendErrors += batch.length;
      return;
    }
    if (socket === undefined) throw new TransportError('send() before bind()');
    for (let i = 0; i < batch.length; i++) {
      const dg = batch[i]!;
      const dest = this.dests.get(dg.address);
      if (dest instanceof InvalidArgumentError) {
        st.sendErrors++;
        st.lastError = dest.message;
        continue;
      }
      if (this.serial !== undefined) {
        if (!this.serial.push(dg.data, dest)) {
          this.onSendError(new TransportError('send queue full'));
          continue;
        }
      } else {
        try {
          socket.send(dg.data, dest.port, dest.host, this.afterSend);
        } catch (err) {
          this.onSendError(err);
          continue;
        }
      }
      st.datagramsOut++;
      st.bytesOut += dg.data.length;
    }
  }

  onReceive(handler: (batch: Datagram[]) => void): void {
    this.batcher.setHandler(handler);
  }

  probe(address: string, payload: Uint8Array, unreachable: (detail: string) => void): boolean {
    return !this.closing && this.probes !== undefined && this.probes.probe(address, payload, unreachable);
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.batcher.close();
    this.probes?.close();
    if (this.binding) await this.binding.catch(() => undefined);
    this.serial?.close();
    const socket = this.socket;
    if (socket === undefined) return;
    await new Promise<void>((resolve) => {
      // Node calls back on the next tick (the fd is already closed by then). Deno's node:dgram
      // closes the socket but never calls back, so a macrotask later counts as closed too.
      const fallback = setTimeout(resolve, 0);
      try {
        socket.close(() => {
          clearTimeout(fallback);
          resolve();
        });
      } catch {
        clearTimeout(fallback);
        resolve(); // already closed
      }
    });
  }

  stats(): TransportStats {
    return { ...this.st };
  }

  private readonly afterSend = (err: Error | null): void => {
    if (err) this.onSendError(err);
  };

  private readonly onSendError = (err: unknown): void => {
    this.st.sendErrors++;
    this.st.lastError = errorText(err);
  };

  private readonly onMessage = (msg: Uint8Array, rinfo: RemoteInfo): void => {
    this.batcher.push(msg, this.peers.format(rinfo.address, rinfo.port));
  };

  private destination(a: IpAddress): Destination {
    return { host: udpSendHost(a, this.family, ' (bind "[::]:port" for both families)'), port: a.port };
  }
}

/** dgram `lookup` for IP literals: answers synchronously with the address itself. */
function literalLookup(
  address: string,
  family: unknown,
  callback?: (err: Error | null, address: string, family: number) => void,
): void {
  const cb = (typeof family === 'function' ? family : callback) as (e: Error | null, a: string, f: number) => void;
  cb(null, address, address.includes(':') ? 6 : 4);
}

/** Ask for `size` bytes, halving on refusal down to 256 KiB; the OS default stays if all fail. */
function setBufferSize(set: (n: number) => void, size: number): void {
  for (let n = size; n >= 256 * 1024; n = Math.floor(n / 2)) {
    try {
      set(n);
      return;
    } catch {
      // try a smaller size
    }
  }
}
