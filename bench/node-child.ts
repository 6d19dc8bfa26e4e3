// The child side of the two-process node bench: started by bench/node.ts with `--child`, it runs
// receiving and echo ends on request over the IPC channel and reports what arrived.
import { MeshNode } from '../ts/node/mesh-node.js';
import {
  meshEcho,
  meshRecv,
  tcpEcho,
  tcpRecv,
  udxEcho,
  udxEnd,
  udxId,
  udxRecv,
  type RecvEnd,
  type TransportName,
} from './node-links.js';

export interface ChildRequest {
  rid: number;
  t: 'mesh-init' | 'recv' | 'expect' | 'echo' | 'close' | 'exit';
  trial?: number;
  transport?: TransportName;
  psk?: string;
  peer?: string;
  parentPort?: number;
  udxRemoteId?: number;
  streamId?: string;
  pongStreamId?: string;
  events?: number;
  idleMs?: number;
}

export interface ChildReply {
  rid: number;
  error?: string;
  port?: number;
  udxId?: number;
  address?: string;
  publicKey?: string;
  nodeId?: string;
  events?: number;
  bytes?: number;
  idleTailMs?: number;
  /** Milliseconds between the last event's arrival and this reply being sent. */
  sinceLastMs?: number;
}

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export async function childMain(): Promise<void> {
  let node: MeshNode | undefined;
  let peer = 0n;
  const receivers = new Map<number, RecvEnd>();
  const closers = new Map<number, () => Promise<void>>();
  const send = (r: ChildReply): void => {
    process.send!(r);
  };
  process.on('disconnect', () => process.exit(0));

  async function handle(m: ChildRequest): Promise<ChildReply> {
    const trial = m.trial ?? 0;
    switch (m.t) {
      case 'mesh-init': {
        node = await MeshNode.create({ psk: m.psk!, bind: '127.0.0.1:0' });
        peer = BigInt(m.peer!);
        node.accept(peer);
        return { rid: m.rid, address: node.address, publicKey: toHex(node.noisePublicKey), nodeId: node.nodeId.toString() };
      }
      case 'recv': {
        if (m.transport === 'TCP') {
          const r = await tcpRecv();
          receivers.set(trial, r);
          closers.set(trial, () => r.close());
          return { rid: m.rid, port: r.port };
        }
        if (m.transport === 'udx-native') {
          const id = udxId();
          const end = udxEnd(id);
          end.connect(m.udxRemoteId!, m.parentPort!);
          const r = udxRecv(end);
          receivers.set(trial, r);
          closers.set(trial, () => r.close());
          return { rid: m.rid, port: end.port, udxId: id };
        }
        if (!node) throw new Error('mesh-init first');
        const r = meshRecv(node, BigInt(m.streamId!));
        receivers.set(trial, r);
        closers.set(trial, () => r.close());
        return { rid: m.rid };
      }
      case 'expect': {
        const r = receivers.get(trial);
        if (!r) throw new Error(`no receiver for trial ${trial}`);
        const t = await r.counter.wait(m.events!, m.idleMs!);
        return { rid: m.rid, events: t.events, bytes: t.bytes, idleTailMs: t.idleTailMs, sinceLastMs: performance.now() - t.lastAt };
      }
      case 'echo': {
        if (m.transport === 'TCP') {
          const e = await tcpEcho();
          closers.set(trial, () => e.close());
          return { rid: m.rid, port: e.port };
        }
        if (m.transport === 'udx-native') {
          const id = udxId();
          const end = udxEnd(id);
          end.connect(m.udxRemoteId!, m.parentPort!);
          udxEcho(end);
          closers.set(trial, () => end.close());
          return { rid: m.rid, port: end.port, udxId: id };
        }
        if (!node) throw new Error('mesh-init first');
        const e = meshEcho(node, peer, BigInt(m.streamId!), BigInt(m.pongStreamId!));
        closers.set(trial, () => e.close());
        return { rid: m.rid };
      }
      case 'close': {
        const c = closers.get(trial);
        closers.delete(trial);
        receivers.delete(trial);
        await c?.();
        return { rid: m.rid };
      }
      case 'exit': {
        await node?.close();
        setTimeout(() => process.exit(0), 10);
        return { rid: m.rid };
      }
    }
  }

  process.on('message', (m: ChildRequest) => {
    handle(m).then(send, (e: unknown) => send({ rid: m.rid, error: e instanceof Error ? e.message : String(e) }));
  });
}
