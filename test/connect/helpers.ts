// Helpers for the connect suites: nodes on loopback UDP that close after each test, a port
// nobody listens on, a socket that swallows datagrams silently, and a timed await.
import dgram from 'node:dgram';
import { MeshNode, type MeshNodeOptions } from '../../ts/node/mesh-node.js';
import type { Warning } from '../../ts/util/diagnostics.js';
import { PSK } from '../node/helpers.js';

export { PLACEMENTS, PSK } from '../node/helpers.js';

export class NodeSet {
  private readonly nodes: MeshNode[] = [];
  private readonly sockets: dgram.Socket[] = [];

  async node(engine: 'worker' | 'inline', opts: Partial<MeshNodeOptions> = {}): Promise<MeshNode & { warned: Warning[] }> {
    const warnings: Warning[] = [];
    const n = await MeshNode.create({ psk: PSK, engine, onWarning: (w) => warnings.push(w), ...opts });
    this.nodes.push(n);
    return Object.assign(n, { warned: warnings });
  }

  /** A bound socket that reads and ignores everything (no ICMP, no answer); `received` counts datagrams. */
  async silent(): Promise<{ address: string; received: number[] }> {
    const s = dgram.createSocket('udp4');
    const received: number[] = [];
    s.on('message', (m) => received.push(m.length));
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    this.sockets.push(s);
    return { address: `127.0.0.1:${s.address().port}`, received };
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.splice(0).map((n) => n.close()));
    for (const s of this.sockets.splice(0)) s.close();
  }
}

/** A loopback UDP port that was free a moment ago (bound, then closed): sends to it draw ICMP port unreachable. */
export async function deadPort(): Promise<string> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return `127.0.0.1:${port}`;
}

/** The rejection of `p` and how long it took to come. */
export async function rejection(p: Promise<unknown>): Promise<{ err: { code?: string; message: string; name: string; cause?: unknown }; ms: number }> {
  const t0 = performance.now();
  try {
    await p;
  } catch (err) {
    return { err: err as { code?: string; message: string; name: string }, ms: performance.now() - t0 };
  }
  throw new Error('expected a rejection, but it resolved');
}

export function peerOf(n: MeshNode): { publicKey: Uint8Array; nodeId: bigint } {
  return { publicKey: n.noisePublicKey, nodeId: n.nodeId };
}
