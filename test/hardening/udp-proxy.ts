// A UDP middlebox on loopback for the handshake tests: the client (node A) talks to `front`, the
// proxy relays to the server (node B) from `back`, and hooks see every datagram each way, so a
// test can capture, drop or inject handshake packets (an on-path attacker, within what UDP allows).
import { createSocket, type Socket } from 'node:dgram';
import { classifyDatagram, DatagramClass, headerFlags, PacketFlags } from '../../ts/core/header.js';

export function isHandshake(d: Uint8Array): boolean {
  return d.length >= 68 && (headerFlags(d) & PacketFlags.HANDSHAKE) !== 0;
}

export async function udpSocket(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

export const addressOf = (s: Socket): string => `127.0.0.1:${s.address().port}`;

export function sendTo(s: Socket, data: Uint8Array, address: string): void {
  const [host, port] = address.split(':') as [string, string];
  s.send(data, Number(port), host);
}

export class UdpProxy {
  /** From the client, before relaying: return false to drop it. */
  fromClient: (d: Uint8Array) => boolean = () => true;
  /** From the server, before relaying: `inject` sends extra datagrams to the client first. */
  fromServer: (d: Uint8Array, inject: (b: Uint8Array) => void) => boolean = () => true;
  private client: { address: string; port: number } | undefined;

  private constructor(
    readonly front: Socket,
    readonly back: Socket,
    private readonly server: string,
  ) {
    front.on('message', (m, r) => {
      const d = new Uint8Array(m);
      // connect()'s unreachable probe (a NAT keep-alive from its own short-lived socket) is not
      // the client: it must not take the client's place.
      if (classifyDatagram(d) === DatagramClass.KEEPALIVE) return;
      this.client = r;
      if (this.fromClient(d)) sendTo(back, d, this.server);
    });
    back.on('message', (m) => {
      const c = this.client;
      if (!c) return;
      const inject = (b: Uint8Array): void => void front.send(b, c.port, c.address);
      const d = new Uint8Array(m);
      if (this.fromServer(d, inject)) front.send(d, c.port, c.address);
    });
  }

  static async start(server: string): Promise<UdpProxy> {
    return new UdpProxy(await udpSocket(), await udpSocket(), server);
  }

  /** Where the client sends. */
  get frontAddress(): string {
    return addressOf(this.front);
  }

  /** The address the server sees the client at. */
  get backAddress(): string {
    return addressOf(this.back);
  }

  close(): void {
    this.front.close();
    this.back.close();
  }
}
