// A UDP forwarder between the relay and a mesh node that sees every datagram both ways, as an
// observer on the relay's mesh side would: the browser test checks that what leaves and enters the
// relay carries its events' bytes only encrypted (no plaintext marker ever appears).
import dgram from 'node:dgram';

export interface UdpTap {
  /** Give this to the page instead of the node's address. */
  address: string;
  readonly seen: { toMesh: number; toMeshBytes: number; toPage: number; toPageBytes: number; withPattern: number };
  close(): Promise<void>;
}

export async function startUdpTap(target: string, pattern: Uint8Array): Promise<UdpTap> {
  const [targetHost, targetPort] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const opts = { type: 'udp4' as const, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 };
  const front = dgram.createSocket(opts); // faces the relay
  const back = dgram.createSocket(opts); // faces the mesh node
  const needle = Buffer.from(pattern);
  const seen = { toMesh: 0, toMeshBytes: 0, toPage: 0, toPageBytes: 0, withPattern: 0 };
  let relay: { address: string; port: number } | undefined;
  front.on('message', (msg, from) => {
    relay = { address: from.address, port: from.port };
    seen.toMesh++;
    seen.toMeshBytes += msg.length;
    if (msg.indexOf(needle) >= 0) seen.withPattern++;
    back.send(msg, targetPort, targetHost);
  });
  back.on('message', (msg) => {
    seen.toPage++;
    seen.toPageBytes += msg.length;
    if (msg.indexOf(needle) >= 0) seen.withPattern++;
    if (relay) front.send(msg, relay.port, relay.address);
  });
  await Promise.all([front, back].map((s) => new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))));
  return {
    address: `127.0.0.1:${front.address().port}`,
    seen,
    close: async () => {
      await Promise.all([front, back].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
