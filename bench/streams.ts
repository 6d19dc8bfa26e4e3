// Streams bench: a reliable MeshNode stream with DEFAULT options — engine in its core worker and
// inline — beside udx-native (a reliable UDP stream library) and Node TCP, all measured in this
// run in interleaved rounds, in one process and across two processes over 127.0.0.1: 64 MiB
// transfers of 8 KiB and 1 KiB events, payload MB/s, CPU per MB per side, retransmits; then the
// reliable stream on the memory hub without and with 1% loss.
//
//   npm run bench:streams
//   node dist/bench/streams.mjs --child      (the receiving process; started by the bench itself)
//   options: --quick (fewer bytes and rounds)
import { fileURLToPath } from 'node:url';
import { MeshNode } from '../ts/node/mesh-node.js';
import { MemoryHub } from '../ts/transports/memory-hub.js';
import { childMain, type ChildReply, type ChildRequest } from './node-child.js';
import {
  attempt,
  benchEntry,
  BenchChild,
  cpuMsSince,
  meshRecv,
  meshSend,
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
  type Placement,
  type RecvEnd,
  type SendEnd,
} from './node-links.js';
import { MB, filledBytes, fmtRatio, median, note, now, printEnvironment, printTable, roundsOf } from './harness.js';

const QUICK = process.argv.includes('--quick');
const PSK = '73747265616d732062656e6368206b657920666f72206c6f63616c2072756e73'; // 32 bytes, hex
/** Payload bytes per loopback run (per transport, per round). */
const RUN_BYTES = (QUICK ? 16 : 64) * 2 ** 20;
/** Payload bytes per hub run. */
const HUB_BYTES = (QUICK ? 8 : 32) * 2 ** 20;
const ROUNDS = QUICK ? 2 : 3;
const SEND_BATCH = 64;
/** A run stops sending after this long, whatever it reached. */
const SEND_CAP_MS = 30_000;
/** Every transport here is reliable: the receiver waits this long after its last event at most. */
const IDLE_MS = 3000;
const EVENT_SIZES: readonly [string, number][] = [
  ['8 KiB*', 8104],
  ['1 KiB', 1024],
];
const HUB_LOSSES = [0, 0.01];

type Peer = 'MeshNode worker' | 'MeshNode inline' | 'udx-native' | 'TCP';
const PEERS: readonly Peer[] = ['MeshNode worker', 'MeshNode inline', 'udx-native', 'TCP'];
const MESH_PEERS: readonly Peer[] = ['MeshNode worker', 'MeshNode inline'];
const placementOf = (p: Peer): Placement => (p === 'MeshNode inline' ? 'inline' : 'worker');
const isMesh = (p: Peer): boolean => p.startsWith('MeshNode');
type Mode = 'one process' | 'two processes';
const MODES: readonly Mode[] = ['one process', 'two processes'];

const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

type Child = BenchChild<ChildRequest, ChildReply>;
const startChild = (): Promise<Child> => BenchChild.start<ChildRequest, ChildReply>(fileURLToPath(import.meta.url), 120_000);

// ---------------------------------------------------------------------------------------------
// MeshNode pairs

interface MeshPair {
  a: MeshNode;
  bId: bigint;
  /** One process (and the hub) only. */
  b?: MeshNode;
  close(): Promise<void>;
}

async function oneProcessPair(placement: Placement): Promise<MeshPair> {
  const a = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0', engine: placement });
  const b = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0', engine: placement });
  b.accept(a.nodeId);
  await withTimeout(a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId }), 10_000, 'MeshNode connect');
  return { a, b, bId: b.nodeId, close: async () => void (await Promise.all([a.close(), b.close()])) };
}

async function twoProcessPair(child: Child, placement: Placement): Promise<MeshPair> {
  const a = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0', engine: placement });
  const info = await child.call({ t: 'mesh-init', psk: PSK, peer: a.nodeId.toString(), placement });
  const bId = BigInt(info.nodeId!);
  await withTimeout(a.connect(info.address!, { publicKey: fromHex(info.publicKey!), nodeId: bId }), 10_000, 'MeshNode connect');
  return { a, bId, close: () => a.close() };
}

/** Connected nodes on a memory hub; the link gets `loss` after the handshake. */
async function hubPair(placement: Placement, loss: number): Promise<MeshPair> {
  const hub = new MemoryHub({ seed: 7 });
  const a = await MeshNode.create({ psk: PSK, transport: hub.transport(), bind: '10.0.0.1:7000', engine: placement });
  const b = await MeshNode.create({ psk: PSK, transport: hub.transport(), bind: '10.0.0.2:7000', engine: placement });
  b.accept(a.nodeId);
  await withTimeout(a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId }), 10_000, 'MeshNode connect (hub)');
  if (loss > 0) hub.setLink(a.address, b.address, { loss });
  return {
    a,
    b,
    bId: b.nodeId,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
      await hub.close();
    },
  };
}

let nextStream = 1000n;
let nextTrial = 1;

// ---------------------------------------------------------------------------------------------
// One run

interface Run {
  mbps: number;
  /** CPU ms per MB delivered: [sender side, receiver side] (one process: half the total each). */
  cpu: [number, number];
  delivered: number;
  sent: number;
  /** MeshNode streams: retransmitted packets, packets sent, the window it ended with. */
  retransmits?: number;
  /** Of those, resent by a retransmit timeout. */
  timeouts?: number;
  packets?: number;
  window?: number;
}

async function transferRun(mode: Mode | 'hub', peer: Peer, size: number, bytesPerRun: number, pair: MeshPair | undefined, child: Child | undefined): Promise<Run> {
  const payload = filledBytes(size, size);
  const total = Math.ceil(bytesPerRun / size);
  const trial = nextTrial++;
  let sender: SendEnd;
  let stream: ReturnType<MeshNode['openStream']> | undefined;
  let recv: RecvEnd | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];

  if (mode !== 'two processes') {
    if (peer === 'TCP') {
      const r = await tcpRecv();
      recv = r;
      sender = tcpSend(await tcpConnect(r.port), payload);
    } else if (peer === 'udx-native') {
      const { a, b } = udxLoopbackPair();
      recv = udxRecv(b);
      sender = udxSend(a, payload);
    } else {
      const sid = nextStream++;
      recv = meshRecv(pair!.b!, sid);
      const m = meshSend(pair!.a, pair!.bId, sid, payload, 'reliable');
      sender = m;
      stream = m.stream;
    }
    cleanups.push(() => recv!.close());
  } else {
    const c = child!;
    if (peer === 'TCP') {
      const r = await c.call({ t: 'recv', transport: 'TCP', trial });
      sender = tcpSend(await tcpConnect(r.port!), payload);
    } else if (peer === 'udx-native') {
      const uid = udxId();
      const end = udxEnd(uid);
      const r = await c.call({ t: 'recv', transport: 'udx-native', trial, parentPort: end.port, udxRemoteId: uid });
      end.connect(r.udxId!, r.port!);
      sender = udxSend(end, payload);
    } else {
      const sid = nextStream++;
      await c.call({ t: 'recv', transport: 'MeshNode', trial, streamId: sid.toString(), placement: placementOf(peer) });
      const m = meshSend(pair!.a, pair!.bId, sid, payload, 'reliable');
      sender = m;
      stream = m.stream;
    }
    cleanups.push(() => c.call({ t: 'close', trial }));
  }
  cleanups.push(() => sender.close());

  try {
    const cpu0 = process.cpuUsage();
    const { sent, t0 } = await pump(sender, total, SEND_BATCH, SEND_CAP_MS);
    let end: number, delivered: number, bytes: number;
    let cpu: [number, number];
    if (recv) {
      const tally = await recv.counter.wait(sent, IDLE_MS);
      end = tally.lastAt;
      delivered = tally.events;
      bytes = tally.bytes;
      const half = cpuMsSince(cpu0) / 2 / Math.max(bytes / MB, 1e-9);
      cpu = [half, half];
    } else {
      const own = cpuMsSince(cpu0);
      const r = await child!.call({ t: 'expect', trial, events: sent, idleMs: IDLE_MS });
      end = now() - r.sinceLastMs!;
      delivered = r.events!;
      bytes = r.bytes!;
      const mb = Math.max(bytes / MB, 1e-9);
      cpu = [own / mb, r.cpuMs! / mb];
    }
    const sec = Math.max(end - t0, 1e-3) / 1000;
    const st = stream?.stats();
    return { mbps: bytes / MB / sec, cpu, delivered, sent, retransmits: st?.retransmits, timeouts: st?.timeoutRetransmits, packets: st?.sent, window: st?.txWindow };
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

interface Summary {
  mbps: number;
  cpu: [number, number];
  retx: string;
  timeouts: string;
  delivered: string;
  window: string;
}

function summarize(runs: Outcome<Run>[]): Summary | undefined {
  const ok = runs.filter((r) => r.ok).map((r) => r.ok!);
  if (ok.length === 0) return undefined;
  const sent = ok.reduce((s, r) => s + r.sent, 0);
  const got = ok.reduce((s, r) => s + r.delivered, 0);
  const withRetx = ok.filter((r) => r.retransmits !== undefined);
  const retx = withRetx.length ? `${withRetx.reduce((s, r) => s + r.retransmits!, 0)}/${withRetx.reduce((s, r) => s + r.packets!, 0)}` : '';
  const windows = ok.filter((r) => r.window !== undefined).map((r) => r.window!);
  return {
    mbps: median(ok.map((r) => r.mbps)),
    cpu: [median(ok.map((r) => r.cpu[0])), median(ok.map((r) => r.cpu[1]))],
    retx,
    timeouts: withRetx.length ? String(withRetx.reduce((s, r) => s + (r.timeouts ?? 0), 0)) : '',
    delivered: `${((100 * got) / sent).toFixed(1)}%`,
    window: windows.length ? `${(median(windows) / 1024).toFixed(0)} KiB` : '',
  };
}

const fmtCpu = (mode: Mode, c: [number, number]): string => (mode === 'one process' ? c[0].toFixed(1) : `${c[0].toFixed(1)} / ${c[1].toFixed(1)}`);

async function main(): Promise<void> {
  printEnvironment('net-mesh streams bench');
  console.log(
    `${RUN_BYTES / 2 ** 20} MiB one way per run, ${SEND_BATCH} events per send call, ${ROUNDS} interleaved rounds. MeshNode: reliable stream ` +
      'with DEFAULT options (the window starts at 64 KiB and grows with the measured bandwidth-delay product), encrypted.',
  );
  const t0 = now();
  const child = await startChild();
  const failures = new Set<string>();
  const pairs = new Map<string, Outcome<MeshPair>>();
  for (const mode of MODES) {
    for (const p of MESH_PEERS) {
      const placement = placementOf(p);
      pairs.set(`${mode}/${p}`, await attempt(() => (mode === 'one process' ? oneProcessPair(placement) : twoProcessPair(child, placement)), 20_000, `${p} setup (${mode})`));
    }
  }

  const rows: string[][] = [];
  const targets: string[] = [];
  for (const mode of MODES) {
    const pairOf = (p: Peer) => pairs.get(`${mode}/${p}`);
    for (const p of MESH_PEERS) if (pairOf(p)!.error) failures.add(`${p} (${mode}): ${pairOf(p)!.error}`);
    const peers = PEERS.filter((p) => !isMesh(p) || pairOf(p)!.ok);
    for (const [label, size] of EVENT_SIZES) {
      const trials = peers.map((p) => () => attempt(() => transferRun(mode, p, size, RUN_BYTES, pairOf(p)?.ok, mode === 'two processes' ? child : undefined), 120_000, `${p} run`));
      const results = await roundsOf(trials, ROUNDS);
      const byPeer = new Map(peers.map((p, i) => [p, results[i]!]));
      for (const p of PEERS) {
        const runs = byPeer.get(p);
        for (const r of runs ?? []) if (r.error) failures.add(`${p} (${mode}, ${label}): ${r.error}`);
        const s = runs && summarize(runs);
        if (!s) {
          rows.push([mode, label, p, '—', '—', '—', '—', '—', '—', '—']);
          continue;
        }
        let vsUdx = '', vsTcp = '';
        if (isMesh(p)) {
          const ru = byPeer.get('udx-native'), rt = byPeer.get('TCP');
          if (ru) {
            const r = pairedRatio(runs!, ru);
            vsUdx = fmtRatio(r);
            if (label.startsWith('8')) {
              const goal = mode === 'one process' ? 2 : 1.5;
              targets.push(`${mode}, ${p}, ${RUN_BYTES / 2 ** 20} MiB of 8 KiB events: ${fmtRatio(r)} udx-native (target ≥ ${goal}×: ${r >= goal ? 'met' : 'NOT met'}); CPU ms/MB per side ${fmtCpu(mode, s.cpu)} (target ≤ 6: ${Math.max(...s.cpu) <= 6 ? 'met' : 'NOT met'})`);
            }
          }
          if (rt) vsTcp = fmtRatio(pairedRatio(runs!, rt));
        }
        rows.push([mode, label, p, s.mbps.toFixed(1), fmtCpu(mode, s.cpu), s.delivered, s.retx, s.window, vsUdx, vsTcp]);
      }
    }
  }
  printTable(
    `Reliable stream, ${RUN_BYTES / 2 ** 20} MiB over 127.0.0.1 (payload MB/s, first send → last arrival)`,
    ['setup', 'event', 'transport', 'MB/s', 'CPU ms/MB per side', 'delivered', 'retransmits', 'window', 'vs udx-native', 'vs TCP'],
    rows,
  );
  note('* 8104 B: the largest single MeshNode event; every transport sends the same events. TCP and udx-native');
  note('  carry them as [u32 length][payload] frames. CPU ms/MB per side: one process — half of the process');
  note('  total (both nodes, every thread); two processes — sender process / receiver process.');
  note('  retransmits: MeshNode packets resent / packets sent, summed over rounds (loss-free: spurious ones).');
  note('  window: the send window the stream ended with (autotuned). Ratios: median of per-round ratios.');

  // The memory hub: one process, reliable stream, default options, without and with 1% loss.
  const hubRows: string[][] = [];
  for (const p of MESH_PEERS) {
    const placement = placementOf(p);
    for (const [label, size] of EVENT_SIZES) {
      const byLoss = new Map<number, Outcome<Run>[]>();
      for (const loss of HUB_LOSSES) {
        const pair = await attempt(() => hubPair(placement, loss), 20_000, `hub setup (${placement})`);
        if (pair.error) {
          failures.add(`hub (${placement}, ${loss * 100}% loss): ${pair.error}`);
          continue;
        }
        const runs = (await roundsOf([() => attempt(() => transferRun('hub', p, size, HUB_BYTES, pair.ok, undefined), 120_000, 'hub run')], ROUNDS))[0]!;
        for (const r of runs) if (r.error) failures.add(`hub (${p}, ${label}, ${loss * 100}% loss): ${r.error}`);
        byLoss.set(loss, runs);
        await pair.ok!.close();
      }
      const clean = byLoss.get(0) && summarize(byLoss.get(0)!);
      for (const loss of HUB_LOSSES) {
        const s = byLoss.get(loss) && summarize(byLoss.get(loss)!);
        if (!s) {
          hubRows.push([p, label, `${loss * 100}%`, '—', '—', '—', '—', '—', '—']);
          continue;
        }
        const r = clean ? s.mbps / clean.mbps : NaN;
        hubRows.push([p, label, `${loss * 100}%`, s.mbps.toFixed(1), s.delivered, s.retx, s.timeouts, s.window, clean ? fmtRatio(r) : '—']);
        if (loss > 0 && label.startsWith('8')) targets.push(`hub, ${p}, 1% loss: ${fmtRatio(r)} of loss-free (target ≥ 0.8×: ${r >= 0.8 ? 'met' : 'NOT met'})`);
      }
    }
  }
  printTable(
    `MeshNode reliable stream on the memory hub, one process, ${HUB_BYTES / 2 ** 20} MiB per run (payload MB/s)`,
    ['transport', 'event', 'loss', 'MB/s', 'delivered', 'retransmits', 'by timeout', 'window', 'vs loss-free'],
    hubRows,
  );
  note('loss: random loss on the data direction (grants and NACKs on the way back are lost at the same rate).');

  console.log('\nTargets (issue 8):');
  for (const t of targets) console.log(`  ${t}`);
  if (failures.size) {
    console.log('\nFailures:');
    for (const f of failures) console.log(`  ${f}`);
  }
  for (const p of pairs.values()) await p.ok?.close().catch(() => {});
  await child.stop();
  console.log(`\ndone in ${((now() - t0) / 1000).toFixed(0)} s`);
}

benchEntry(main, childMain);
