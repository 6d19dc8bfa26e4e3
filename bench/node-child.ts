// The child side of the two-process node bench: started by bench/node.ts with `--child`, it runs
// receiving and echo ends on request over the IPC channel and reports what arrived and the CPU
// this process spent meanwhile (its engine worker included).
import { MeshNode } from '../ts/node/mesh-node.js';
import {
  cpuMsSince,
  meshEcho,
  meshRecv,
  tcpEcho,
  tcpRecv,
  udxEcho,
  udxEnd,
  udxId,
  udxRecv,
  type Placement,
  type Reliability,
  type RecvEnd,
  type TransportName,
} from './node-links.js';

export interface ChildRequest {
  rid: number;
  t: 'mesh-init' | 'recv' | 'expect' | 'echo' | 'close' | 'exit';
  trial?: number;
  transport?: TransportName;
  placement?: Placement;
  reliability?: Reliability;
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
  /** CPU ms of this process from the `recv` request to the last event. */
  cpuMs?: number;
}

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export async function childMain(): Promise<void> {
  const nodes = new Map<Placement, MeshNode>();
  const peers = new Map<Placement, bigint>();
  const receivers = new Map<number, { r: RecvEnd; cpu0: NodeJS.CpuUsage }>();
  const closers = new Map<number, () => Promise<void>>();
  const send = (r: ChildReply): void => {
    process.send!(r);
  };
  process.on('disconnect', () => process.exit(0));
  const nodeFor = (m: ChildRequest): MeshNode => {
    const n = nodes.get(m.placement ?? 'worker');
    if (!n) throw new Error('mesh-init first');
    return n;
  };

  async function handle(m: ChildRequest): Promise<ChildReply> {
    const trial = m.trial ?? 0;
    switch (m.t) {
      case 'mesh-init': {
        const node = await MeshNode.create({ psk: m.psk!, bind: '127.0.0.1:0', engine: m.placement ?? 'worker' });
        nodes.set(m.placement ?? 'worker', node);
        const peer = BigInt(m.peer!);
        peers.set(m.placement ?? 'worker', peer);
        node.accept(peer);
        return { rid: m.rid, address: node.address, publicKey: toHex(node.noisePublicKey), nodeId: node.nodeId.toString() };
      }
      case 'recv': {
        const cpu0 = process.cpuUsage();
        if (m.transport === 'TCP') {
          const r = await tcpRecv();
          receivers.set(trial, { r, cpu0 });
          closers.set(trial, () => r.close());
          return { rid: m.rid, port: r.port };
        }
        if (m.transport === 'udx-native') {
          const id = udxId();
          const end = udxEnd(id);
          end.connect(m.udxRemoteId!, m.parentPort!);
          const r = udxRecv(end);
          receivers.set(trial, { r, cpu0 });
          closers.set(trial, () => r.close());
          return { rid: m.rid, port: end.port, udxId: id };
        }
        const r = meshRecv(nodeFor(m), BigInt(m.streamId!));
        receivers.set(trial, { r, cpu0 });
        closers.set(trial, () => r.close());
        return { rid: m.rid };
      }
      case 'expect': {
        const e = receivers.get(trial);
        if (!e) throw new Error(`no receiver for trial ${trial}`);
        const t = await e.r.counter.wait(m.events!, m.idleMs!);
        // CPU up to now, less what an idle tail could have cost (nothing, at these rates).
        return { rid: m.rid, events: t.events, bytes: t.bytes, idleTailMs: t.idleTailMs, sinceLastMs: performance.now() - t.lastAt, cpuMs: cpuMsSince(e.cpu0) };
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
        const e = meshEcho(nodeFor(m), peers.get(m.placement ?? 'worker')!, BigInt(m.streamId!), BigInt(m.pongStreamId!), m.reliability ?? 'unreliable');
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
        await Promise.all([...nodes.values()].map((n) => n.close()));
        setTimeout(() => process.exit(0), 10);
        return { rid: m.rid };
      }
    }
  }

  process.on('message', (m: ChildRequest) => {
    handle(m).then(send, (e: unknown) => send({ rid: m.rid, error: e instanceof Error ? e.message : String(e) }));
  });
}
