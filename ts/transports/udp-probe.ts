// Unreachable probes for the UDP adapters (Transport.probe). A node's own socket is unconnected,
// and on Linux an unconnected UDP socket never sees ICMP errors (no IP_RECVERR from JS), so a
// probe is a short-lived *connected* node:dgram socket that sends one harmless datagram to the
// address: when the kernel gets ICMP port or host unreachable for it, the socket emits
// ECONNREFUSED / EHOSTUNREACH / ENETUNREACH. Measured on Linux loopback: Node and Bun report
// ECONNREFUSED within a millisecond; Deno's node:dgram never reports it (Deno skips probes).
import type { Socket } from 'node:dgram';
import { parseIpAddress } from './address.js';

type DgramModule = typeof import('node:dgram');

/** How long a probe socket waits for an ICMP answer before it closes (silence means nothing). */
export const PROBE_WINDOW_MS = 3000;
/** Probe sockets open at once; more probes are skipped (connect then relies on its timeout). */
const MAX_PROBES = 16;

const UNREACHABLE_CODES: Record<string, string> = {
  ECONNREFUSED: 'ICMP port unreachable: nothing listens on that UDP port',
  EHOSTUNREACH: 'ICMP host unreachable',
  ENETUNREACH: 'network unreachable',
};

export class UdpProbes {
  private readonly open = new Set<Socket>();
  private closed = false;

  constructor(private readonly dgram: () => DgramModule | Promise<DgramModule>) {}

  probe(address: string, payload: Uint8Array, unreachable: (detail: string) => void): boolean {
    if (this.closed || this.open.size >= MAX_PROBES) return false;
    let dest;
    try {
      dest = parseIpAddress(address, 'probe address');
    } catch {
      return false;
    }
    void Promise.resolve(this.dgram()).then((dgram) => {
      if (this.closed || this.open.size >= MAX_PROBES) return;
      const socket = dgram.createSocket(dest.family === 6 ? 'udp6' : 'udp4');
      this.open.add(socket);
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.open.delete(socket);
        try {
          socket.close();
        } catch {
          // already closed
        }
      };
      const timer = setTimeout(finish, PROBE_WINDOW_MS);
      (timer as { unref?: () => void }).unref?.();
      socket.on('error', (err: Error & { code?: string }) => {
        const detail = err.code ? UNREACHABLE_CODES[err.code] : undefined;
        finish();
        if (detail) unreachable(`${detail} (${err.code})`);
      });
      try {
        socket.unref();
        socket.connect(dest.port, dest.host, () => {
          if (!done) socket.send(payload, (err) => err && socket.emit('error', err));
        });
      } catch {
        finish();
      }
    }, () => undefined);
    return true;
  }

  close(): void {
    this.closed = true;
    for (const s of this.open) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
    this.open.clear();
  }
}
