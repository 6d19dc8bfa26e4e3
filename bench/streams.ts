// Streams bench: an encrypted reliable MeshNode stream beside udx-native (a reliable UDP stream
// library) and Node TCP, all measured in this run in interleaved rounds — one process and two
// processes over 127.0.0.1 — plus the reliable stream on the memory hub without and with 1% loss.
// Reports payload MB/s, CPU per MB (every thread of every process involved) and retransmits.
//
//   npm run bench:streams
//   node dist/bench/streams.mjs --child      (the receiving process; started by the bench itself)
//   options: --quick (fewer bytes and rounds)
import { fileURLToPath } from 'node:url';
import { MeshNode } from '../ts/node/mesh-node.js';
import { MemoryHub } from '../ts/transports/memory-hub.js';
import type { Stream } from '../ts/streams/stream.js';
import type { StreamConfig } from '../ts/streams/config.js';
import {
  attempt,
  benchEntry,
  BenchChild,
  errorMessage,
  meshRecv,
  pump,
  tcpConnect,
  tcpRecv,
  tcpSend,
  udxEnd,
  udxId,
  udxLoopbackPair,
  udxRecv,
  udxSend,
  withTimeout,
  type Outcome,
  type RecvEnd,
  type SendEnd,
} from './node-links.js';
import { MB, filledBytes, fmtRatio, median, note, now, printEnvironment, printTable, roundsOf } from './harness.js';

const QUICK = process.argv.includes('--quick');
const PSK = '73747265616d732062656e6368206b657920666f72206c6f63616c2072756e73'; // 32 bytes, hex
/** Payload bytes per run (per transport, per round). */
const RUN_BYTES = (QUICK ? 12 : 32) * MB;
const ROUNDS = QUICK ? 2 : 3;
const SEND_BATCH = 64;
/** A run stops sending after this long, whatever it reached. */
const SEND_CAP_MS = 15_000;
/** Every transport here is reliable: the receiver waits this long after its last event at most. */
const IDLE_MS = 3000;
const EVENT_SIZES: readonly [string, number][] = [
  ['1 KiB', 1024],
  ['8 KiB*', 8104],
];
/** The reliable stream's credit window on loopback (256 full packets in flight). */
const LOOPBACK_WINDOW = 2 << 20;
/** On the hub: 64 full packets, the receiver's look-ahead, so a hole never strands the rest. */
const HUB_WINDOW = 512 << 10;
const HUB_LOSSES = [0, 0.01];

type Transport = 'MeshNode reliable' | 'udx-native' | 'TCP';
const TRANSPORTS: readonly Transport[] = ['MeshNode reliable', 'udx-native', 'TCP'];
type Mode = 'same process' | 'two processes';
const MODES: readonly Mode[] = ['same process', 'two processes'];

const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

// ---------------------------------------------------------------------------------------------
// The receiving child process

interface Req {
  rid: number;
  t: 'init' | 'recv' | 'expect' | 'close' | 'exit';
  id?: number;
  kind?: Transport;
  psk?: string;
  peer?: string;
  streamId?: string;
  parentPort?: number;
  udxRemoteId?: number;
  events?: number;
}

interface Reply {
  rid: number;
  error?: string;
  address?: string;
  publicKey?: string;
  nodeId?: string;
  port?: number;
  udxId?: number;
  events?: number;
  bytes?: number;
  sinceLastMs?: number;
  cpuMs?: number;
}

async function childMain(): Promise<void> {
  let node: MeshNode | undefined;
  const recvs = new Map<number, { r: RecvEnd; cpu0: NodeJS.CpuUsage }>();
  process.on('disconnect', () => process.exit(0));
  const handle = async (m: Req): Promise<Reply> => {
    switch (m.t) {
      case 'init': {
        node = await MeshNode.create({ psk: m.psk!, bind: '127.0.0.1:0' });
        node.accept(BigInt(m.peer!));
        return { rid: m.rid, address: node.address, publicKey: toHex(node.noisePublicKey), nodeId: node.nodeId.toString() };
      }
      case 'recv': {
        const cpu0 = process.cpuUsage();
        if (m.kind === 'TCP') {
          const r = await tcpRecv();
          recvs.set(m.id!, { r, cpu0 });
          return { rid: m.rid, port: r.port };
        }
        if (m.kind === 'udx-native') {
          const id = udxId();
          const end = udxEnd(id);
          end.connect(m.udxRemoteId!, m.parentPort!);
          recvs.set(m.id!, { r: udxRecv(end), cpu0 });
          return { rid: m.rid, port: end.port, udxId: id };
        }
        recvs.set(m.id!, { r: meshRecv(node!, BigInt(m.streamId!)), cpu0 });
        return { rid: m.rid };
      }
      case 'expect': {
        const e = recvs.get(m.id!)!;
        const t = await e.r.counter.wait(m.events!, IDLE_MS);
        return { rid: m.rid, events: t.events, bytes: t.bytes, sinceLastMs: now() - t.lastAt, cpuMs: cpuMs(process.cpuUsage(e.cpu0)) };
      }
      case 'close': {
        const e = recvs.get(m.id!);
        recvs.delete(m.id!);
        await e?.r.close();
        return { rid: m.rid };
      }
      case 'exit': {
        await node?.close();
        setTimeout(() => process.exit(0), 10);
        return { rid: m.rid };
      }
    }
  };
  process.on('message', (m: Req) => {
    handle(m).then(
      (r) => process.send!(r),
      (e: unknown) => process.send!({ rid: m.rid, error: errorMessage(e) }),
    );
  });
}

type Child = BenchChild<Req, Reply>;
const startChild = (): Promise<Child> => BenchChild.start<Req, Reply>(fileURLToPath(import.meta.url), 60_000);

// ---------------------------------------------------------------------------------------------
// MeshNode pairs and the reliable sending end

interface MeshPair {
  a: MeshNode;
  bId: bigint;
  /** Same process only. */
  b?: MeshNode;
  hub?: MemoryHub;
  close(): Promise<void>;
}

async function sameProcessPair(): Promise<MeshPair> {
  const a = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0' });
  const b = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0' });
  b.accept(a.nodeId);
  await withTimeout(a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId }), 10_000, 'MeshNode connect');
  return { a, b, bId: b.nodeId, close: async () => void (await Promise.all([a.close(), b.close()])) };
}

async function twoProcessPair(child: Child): Promise<MeshPair> {
  const a = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0' });
  const info = await child.call({ t: 'init', psk: PSK, peer: a.nodeId.toString() });
  const bId = BigInt(info.nodeId!);
  await withTimeout(a.connect(info.address!, { publicKey: fromHex(info.publicKey!), nodeId: bId }), 10_000, 'MeshNode connect');
  return { a, bId, close: () => a.close() };
}

/** Connected nodes on a memory hub; the link gets `loss` after the handshake. */
async function hubPair(loss: number): Promise<MeshPair> {
  const hub = new MemoryHub({ seed: 7 });
  const a = await MeshNode.create({ psk: PSK, transport: hub.transport(), bind: '10.0.0.1:7000' });
  const b = await MeshNode.create({ psk: PSK, transport: hub.transport(), bind: '10.0.0.2:7000' });
  b.accept(a.nodeId);
  await withTimeout(a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId }), 10_000, 'MeshNode connect (hub)');
  if (loss > 0) hub.setLink(a.address, b.address, { loss });
  return {
    a,
    b,
    bId: b.nodeId,
    hub,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
      await hub.close();
    },
  };
}

let nextStream = 1000n;
let nextId = 1;

function meshReliableSend(node: MeshNode, peer: bigint, streamId: bigint, payload: Uint8Array, config: StreamConfig): SendEnd & { stream: Stream } {
  const stream = node.openStream(peer, streamId, { reliability: 'reliable', ...config });
  const batches = new Map<number, Uint8Array[]>();
  return {
    stream,
    sendBatch(n) {
      let b = batches.get(n);
      if (!b) batches.set(n, (b = Array.from({ length: n }, () => payload)));
      return stream.send(b);
    },
    async close() {
      await stream.closeGraceful(10_000).catch(() => stream.close());
    },
  };
}

// ---------------------------------------------------------------------------------------------
// One run

interface Run {
  mbps: number;
  /** CPU time of every process involved, per MB of payload. */
  cpuPerMB: number;
  delivered: number;
  sent: number;
  /** Reliable MeshNode streams: retransmitted packets / packets sent. */
  retransmits?: number;
  packets?: number;
}

async function throughputRun(mode: Mode | 'hub', t: Transport, size: number, pair: MeshPair | undefined, child: Child | undefined, window: number): Promise<Run> {
  const payload = filledBytes(size, size);
  const total = Math.ceil(RUN_BYTES / size);
  const id = nextId++;
  let sender: SendEnd;
  let stream: Stream | undefined;
  let recv: RecvEnd | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  const cpu0 = process.cpuUsage();

  if (mode !== 'two processes') {
    if (t === 'TCP') {
      const r = await tcpRecv();
      recv = r;
      sender = tcpSend(await tcpConnect(r.port), payload);
    } else if (t === 'udx-native') {
      const { a, b } = udxLoopbackPair();
      recv = udxRecv(b);
      sender = udxSend(a, payload);
    } else {
      const sid = nextStream++;
      recv = meshRecv(pair!.b!, sid);
      const m = meshReliableSend(pair!.a, pair!.bId, sid, payload, { windowBytes: window });
      sender = m;
      stream = m.stream;
    }
    cleanups.push(() => recv!.close());
  } else {
    const c = child!;
    if (t === 'TCP') {
      const r = await c.call({ t: 'recv', kind: t, id });
      sender = tcpSend(await tcpConnect(r.port!), payload);
    } else if (t === 'udx-native') {
      const uid = udxId();
      const end = udxEnd(uid);
      const r = await c.call({ t: 'recv', kind: t, id, parentPort: end.port, udxRemoteId: uid });
      end.connect(r.udxId!, r.port!);
      sender = udxSend(end, payload);
    } else {
      const sid = nextStream++;
      await c.call({ t: 'recv', kind: t, id, streamId: sid.toString() });
      const m = meshReliableSend(pair!.a, pair!.bId, sid, payload, { windowBytes: window });
      sender = m;
      stream = m.stream;
    }
    cleanups.push(() => c.call({ t: 'close', id }));
  }
  cleanups.push(() => sender.close());

  try {
    const { sent, t0 } = await pump(sender, total, SEND_BATCH, SEND_CAP_MS);
    let end: number, delivered: number, bytes: number, childCpu = 0;
    if (recv) {
      const tally = await recv.counter.wait(sent, IDLE_MS);
      end = tally.lastAt;
      delivered = tally.events;
      bytes = tally.bytes;
    } else {
      const r = await child!.call({ t: 'expect', id, events: sent });
      end = now() - r.sinceLastMs!;
      delivered = r.events!;
      bytes = r.bytes!;
      childCpu = r.cpuMs!;
    }
    const cpu = cpuMs(process.cpuUsage(cpu0)) + childCpu;
    const sec = Math.max(end - t0, 1e-3) / 1000;
    const st = stream?.stats();
    return {
      mbps: bytes / MB / sec,
      cpuPerMB: cpu / Math.max(bytes / MB, 1e-9),
      delivered,
      sent,
      retransmits: st?.retransmits,
      packets: st?.sent,
    };
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

function pairedRatio(ours: Outcome<Run>[], peer: Outcome<Run>[]): number {
  const rs: number[] = [];
  for (let i = 0; i < Math.min(ours.length, peer.length); i++) {
    const o = ours[i]?.ok, p = peer[i]?.ok;
    if (o && p) rs.push(o.mbps / p.mbps);
  }
  return median(rs);
}

function summarize(runs: Outcome<Run>[]): { mbps: number; cpu: number; retx: string; delivered: string } | undefined {
  const ok = runs.filter((r) => r.ok).map((r) => r.ok!);
  if (ok.length === 0) return undefined;
  const sent = ok.reduce((s, r) => s + r.sent, 0);
  const got = ok.reduce((s, r) => s + r.delivered, 0);
  const withRetx = ok.filter((r) => r.retransmits !== undefined);
  const retx = withRetx.length
    ? `${withRetx.reduce((s, r) => s + r.retransmits!, 0)}/${withRetx.reduce((s, r) => s + r.packets!, 0)}`
    : '';
  return { mbps: median(ok.map((r) => r.mbps)), cpu: median(ok.map((r) => r.cpuPerMB)), retx, delivered: `${((100 * got) / sent).toFixed(1)}%` };
}

async function main(): Promise<void> {
  printEnvironment('net-mesh streams bench');
  console.log(
    `${RUN_BYTES / MB} MB one way per run, ${SEND_BATCH} events per send call, ${ROUNDS} interleaved rounds. MeshNode: reliable stream, ` +
      `encrypted (ChaCha20-Poly1305 in the core worker), windowBytes ${LOOPBACK_WINDOW >> 10} KiB on loopback, ${HUB_WINDOW >> 10} KiB on the hub.`,
  );
  const t0 = now();
  const child = await startChild();
  const failures = new Set<string>();
  const pairs = new Map<Mode, Outcome<MeshPair>>();
  pairs.set('same process', await attempt(sameProcessPair, 20_000, 'MeshNode setup (same process)'));
  pairs.set('two processes', await attempt(() => twoProcessPair(child), 20_000, 'MeshNode setup (two processes)'));

  const rows: string[][] = [];
  const udxFigures = new Map<string, number>();
  const worst: number[] = [];
  for (const mode of MODES) {
    const pair = pairs.get(mode)!;
    if (pair.error) failures.add(`MeshNode (${mode}): ${pair.error}`);
    const transports = TRANSPORTS.filter((t) => t !== 'MeshNode reliable' || pair.ok);
    for (const [label, size] of EVENT_SIZES) {
      const trials = transports.map(
        (t) => () => attempt(() => throughputRun(mode, t, size, pair.ok, mode === 'two processes' ? child : undefined, LOOPBACK_WINDOW), 60_000, `${t} run`),
      );
      const results = await roundsOf(trials, ROUNDS);
      const byT = new Map(transports.map((t, i) => [t, results[i]!]));
      for (const t of TRANSPORTS) {
        const runs = byT.get(t);
        for (const r of runs ?? []) if (r.error) failures.add(`${t} (${mode}, ${label}): ${r.error}`);
        const s = runs && summarize(runs);
        if (!s) {
          rows.push([mode, label, t, '—', '—', '—', '—', '—', '—']);
          continue;
        }
        if (t === 'udx-native' && mode === 'same process') udxFigures.set(label, s.mbps);
        let vsUdx = '', vsTcp = '';
        if (t === 'MeshNode reliable') {
          const ru = byT.get('udx-native'), rt = byT.get('TCP');
          if (ru) {
            const r = pairedRatio(runs!, ru);
            vsUdx = fmtRatio(r);
            if (Number.isFinite(r)) worst.push(r);
          }
          if (rt) vsTcp = fmtRatio(pairedRatio(runs!, rt));
        }
        rows.push([mode, label, t, s.mbps.toFixed(1), s.cpu.toFixed(1), s.delivered, s.retx, vsUdx, vsTcp]);
      }
    }
  }
  printTable(
    'Reliable stream throughput over 127.0.0.1 (payload MB/s, first send → last arrival)',
    ['setup', 'event', 'transport', 'MB/s', 'CPU ms/MB', 'delivered', 'retransmits', 'MeshNode/udx', 'MeshNode/TCP'],
    rows,
  );
  note('* 8104 B: the largest single MeshNode event (8192-byte packet − header − tag − frame prefix); every');
  note('  transport sends the same events. TCP and udx-native carry them as [u32 length][payload] frames.');
  note('  CPU ms/MB: CPU time of every thread of both processes (sender and receiver) per MB delivered.');
  note('  retransmits: MeshNode packets resent / packets sent, summed over rounds (loss-free: spurious ones).');
  note('  Ratios: median over rounds of the per-round ratio (>1: MeshNode faster).');

  // The memory hub: same process, reliable stream, without and with 1% loss on the data link.
  const hubRows: string[][] = [];
  for (const [label, size] of EVENT_SIZES) {
    const byLoss = new Map<number, Outcome<Run>[]>();
    for (const loss of HUB_LOSSES) {
      const pair = await attempt(() => hubPair(loss), 20_000, 'MeshNode setup (hub)');
      if (pair.error) {
        failures.add(`hub (${loss * 100}% loss): ${pair.error}`);
        continue;
      }
      const runs = (await roundsOf([() => attempt(() => throughputRun('hub', 'MeshNode reliable', size, pair.ok, undefined, HUB_WINDOW), 90_000, 'hub run')], ROUNDS))[0]!;
      for (const r of runs) if (r.error) failures.add(`hub (${label}, ${loss * 100}% loss): ${r.error}`);
      byLoss.set(loss, runs);
      await pair.ok!.close();
    }
    const clean = byLoss.get(0) && summarize(byLoss.get(0)!);
    for (const loss of HUB_LOSSES) {
      const s = byLoss.get(loss) && summarize(byLoss.get(loss)!);
      if (!s) {
        hubRows.push([label, `${loss * 100}%`, '—', '—', '—', '—', '—', '—']);
        continue;
      }
      const udx = udxFigures.get(label);
      hubRows.push([
        label,
        `${loss * 100}%`,
        s.mbps.toFixed(1),
        s.cpu.toFixed(1),
        s.delivered,
        s.retx,
        clean ? fmtRatio(s.mbps / clean.mbps) : '—',
        udx ? fmtRatio(s.mbps / udx) : '—',
      ]);
    }
  }
  printTable(
    'MeshNode reliable stream on the memory hub, one process (payload MB/s)',
    ['event', 'loss', 'MB/s', 'CPU ms/MB', 'delivered', 'retransmits', 'vs loss-free', 'vs udx-native*'],
    hubRows,
  );
  note('loss: random loss on the data direction (grants and NACKs on the way back are lost at the same rate).');
  note('* udx-native on loopback in one process, from the table above (udx cannot run on the hub).');

  const w = worst.length ? Math.min(...worst) : NaN;
  console.log(`\nTarget: reliable stream ≥ 3× udx-native. Lowest MeshNode/udx ratio in this run: ${fmtRatio(w)} — ${w >= 3 ? 'met' : 'NOT met'}.`);
  if (failures.size) {
    console.log('\nFailures:');
    for (const f of failures) console.log(`  ${f}`);
  }
  for (const p of pairs.values()) await p.ok?.close().catch(() => {});
  await child.stop();
  console.log(`\ndone in ${((now() - t0) / 1000).toFixed(0)} s`);
}

benchEntry(main, childMain);
