// Node bench: MeshNode with DEFAULT options — engine in its core worker (the default) and inline —
// beside udx-native and Node TCP, all measured in this run in interleaved rounds, in one process
// and across two processes: 32-byte ping-pong round trips (median and p99; unreliable and
// reliable streams), one-way event throughput (1 KiB and 8 KiB events) and CPU per MB per side.
//
//   npm run bench:node
//   node dist/bench/node.mjs --child     (the receiving/echo process; started by the bench itself)
//   options: --quick (fewer rounds and bytes)
import { fileURLToPath } from 'node:url';
import { MeshNode } from '../ts/node/mesh-node.js';
import { childMain, type ChildReply, type ChildRequest } from './node-child.js';
import { threadHopRoundTrips } from './thread-hop.js';
import {
  attempt,
  benchEntry,
  BenchChild,
  cpuMsSince,
  meshEcho,
  meshPinger,
  meshRecv,
  meshSend,
  pump,
  tcpConnect,
  tcpEcho,
  tcpPinger,
  tcpRecv,
  tcpSend,
  udxEcho,
  udxEnd,
  udxId,
  udxLoopbackPair,
  udxPinger,
  udxRecv,
  udxSend,
  withTimeout,
  type Outcome,
  type Pinger,
  type Placement,
  type RecvEnd,
  type Reliability,
  type SendEnd,
} from './node-links.js';
import { MB, filledBytes, fmtRatio, fmtUs, median, note, now, percentile, printEnvironment, printTable, roundsOf } from './harness.js';

const QUICK = process.argv.includes('--quick');
const PSK = '6e65742d6d6573682062656e6368206b657920666f72206c6f63616c2072756e'; // 32 bytes, hex
type Peer = 'MeshNode worker' | 'MeshNode inline' | 'udx-native' | 'TCP';
const PEERS: readonly Peer[] = ['MeshNode worker', 'MeshNode inline', 'udx-native', 'TCP'];
const MESH_PEERS: readonly Peer[] = ['MeshNode worker', 'MeshNode inline'];
const placementOf = (p: Peer): Placement => (p === 'MeshNode inline' ? 'inline' : 'worker');
const isMesh = (p: Peer): boolean => p.startsWith('MeshNode');
const EVENT_SIZES: readonly [string, number][] = [
  ['1 KiB', 1024],
  ['8 KiB*', 8104],
];
/** Payload bytes per throughput run (per transport, per round). */
const RUN_BYTES = (QUICK ? 8 : 24) * MB;
/** A run stops sending after this long, whatever it reached (a slow path cannot stall the bench). */
const SEND_CAP_MS = 5000;
/** The receiver gives up this long after its last event (unreliable streams may lose packets). */
const IDLE_MS = 1000;
const SEND_BATCH = 64;
const THROUGHPUT_ROUNDS = QUICK ? 2 : 3;
const PING_ROUNDS = QUICK ? 2 : 3;
const PINGS_PER_ROUND = QUICK ? 200 : 400;
const PING_WARMUP = 50;
const PING_SIZE = 32;

type Mode = 'one process' | 'two processes';
const MODES: readonly Mode[] = ['one process', 'two processes'];

const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

type Child = BenchChild<ChildRequest, ChildReply>;
const startChild = (): Promise<Child> => BenchChild.start<ChildRequest, ChildReply>(fileURLToPath(import.meta.url), 30_000);

// ---------------------------------------------------------------------------------------------
// MeshNode pairs (one per mode and placement, reused by every trial with fresh stream ids)

interface MeshPair {
  a: MeshNode;
  /** The receiving node's id (in this process or the child). */
  bId: bigint;
  /** One process only: the receiving node. */
  b?: MeshNode;
  close(): Promise<void>;
}

async function oneProcessMesh(placement: Placement): Promise<MeshPair> {
  const a = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0', engine: placement });
  const b = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0', engine: placement });
  b.accept(a.nodeId);
  a.accept(b.nodeId);
  await withTimeout(a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId }), 10_000, 'MeshNode connect');
  return { a, b, bId: b.nodeId, close: async () => void (await Promise.all([a.close(), b.close()])) };
}

async function twoProcessMesh(child: Child, placement: Placement): Promise<MeshPair> {
  const a = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0', engine: placement });
  const info = await child.call({ t: 'mesh-init', psk: PSK, peer: a.nodeId.toString(), placement });
  const bId = BigInt(info.nodeId!);
  a.accept(bId);
  await withTimeout(a.connect(info.address!, { publicKey: fromHex(info.publicKey!), nodeId: bId }), 10_000, 'MeshNode connect');
  return { a, bId, close: () => a.close() };
}

let nextStream = 100n;
let nextTrial = 1;

// ---------------------------------------------------------------------------------------------
// Throughput

interface Throughput {
  mbps: number;
  eventsPerSec: number;
  sent: number;
  delivered: number;
  /** CPU ms per MB delivered, per side: [sender, receiver] (one process: half of its total each). */
  cpu: [number, number];
}

/** One one-way run: pump events, wait for the receiver, MB/s over first send → last arrival. */
async function throughputRun(mode: Mode, peer: Peer, size: number, mesh: MeshPair | undefined, child: Child | undefined): Promise<Throughput> {
  const payload = filledBytes(size, size);
  const total = Math.ceil(RUN_BYTES / size);
  const trial = nextTrial++;
  let sender: SendEnd;
  let recv: RecvEnd | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  const placement = placementOf(peer);

  if (mode === 'one process') {
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
      recv = meshRecv(mesh!.b!, sid);
      sender = meshSend(mesh!.a, mesh!.bId, sid, payload);
    }
    cleanups.push(() => recv!.close());
  } else {
    const c = child!;
    if (peer === 'TCP') {
      const r = await c.call({ t: 'recv', transport: 'TCP', trial });
      sender = tcpSend(await tcpConnect(r.port!), payload);
    } else if (peer === 'udx-native') {
      const id = udxId();
      const end = udxEnd(id);
      const r = await c.call({ t: 'recv', transport: 'udx-native', trial, parentPort: end.port, udxRemoteId: id });
      end.connect(r.udxId!, r.port!);
      sender = udxSend(end, payload);
    } else {
      const sid = nextStream++;
      await c.call({ t: 'recv', transport: 'MeshNode', trial, streamId: sid.toString(), placement });
      sender = meshSend(mesh!.a, mesh!.bId, sid, payload);
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
    return { mbps: bytes / MB / sec, eventsPerSec: delivered / sec, sent, delivered, cpu };
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Ping-pong

async function pingRun(mode: Mode, peer: Peer, reliability: Reliability, mesh: MeshPair | undefined, child: Child | undefined): Promise<number[]> {
  const trial = nextTrial++;
  const cleanups: (() => Promise<unknown>)[] = [];
  let pinger: Pinger;
  if (mode === 'one process') {
    if (peer === 'TCP') {
      const e = await tcpEcho();
      cleanups.push(() => e.close());
      pinger = await tcpPinger(e.port);
    } else if (peer === 'udx-native') {
      const { a, b } = udxLoopbackPair();
      udxEcho(b);
      cleanups.push(() => b.close());
      pinger = udxPinger(a);
    } else {
      const ping = nextStream++, pong = nextStream++;
      const e = meshEcho(mesh!.b!, mesh!.a.nodeId, ping, pong, reliability);
      cleanups.push(() => e.close());
      pinger = meshPinger(mesh!.a, mesh!.bId, ping, pong, reliability);
    }
  } else {
    const c = child!;
    cleanups.push(() => c.call({ t: 'close', trial }));
    if (peer === 'TCP') {
      const r = await c.call({ t: 'echo', transport: 'TCP', trial });
      pinger = await tcpPinger(r.port!);
    } else if (peer === 'udx-native') {
      const id = udxId();
      const end = udxEnd(id);
      const r = await c.call({ t: 'echo', transport: 'udx-native', trial, parentPort: end.port, udxRemoteId: id });
      end.connect(r.udxId!, r.port!);
      pinger = udxPinger(end);
    } else {
      const ping = nextStream++, pong = nextStream++;
      await c.call({ t: 'echo', transport: 'MeshNode', trial, streamId: ping.toString(), pongStreamId: pong.toString(), placement: placementOf(peer), reliability });
      pinger = meshPinger(mesh!.a, mesh!.bId, ping, pong, reliability);
    }
  }
  const msg = filledBytes(PING_SIZE, 99);
  const samples: number[] = [];
  try {
    for (let i = 0; i < PING_WARMUP; i++) await withTimeout(pinger.ping(msg), 5000, `${peer} ping`);
    for (let i = 0; i < PINGS_PER_ROUND; i++) {
      const s = now();
      await withTimeout(pinger.ping(msg), 5000, `${peer} ping`);
      samples.push((now() - s) * 1000);
    }
    return samples;
  } finally {
    await pinger.close().catch(() => {});
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------

const fmtCpu = (mode: Mode, c: [number, number]): string => (mode === 'one process' ? c[0].toFixed(1) : `${c[0].toFixed(1)} / ${c[1].toFixed(1)}`);

async function main(): Promise<void> {
  printEnvironment('net-mesh node bench');
  console.log(
    `Throughput: ${RUN_BYTES / MB} MB one way per run (capped at ${SEND_CAP_MS / 1000} s of sending), ${SEND_BATCH} events per send call, ` +
      `${THROUGHPUT_ROUNDS} interleaved rounds. Ping-pong: ${PING_SIZE}-byte message, ${PING_ROUNDS} rounds × ${PINGS_PER_ROUND} round trips. ` +
      'MeshNode streams use DEFAULT options.',
  );
  const t0 = now();
  const child = await startChild();
  const failures = new Set<string>();
  const meshes = new Map<string, Outcome<MeshPair>>();
  for (const mode of MODES) {
    for (const p of MESH_PEERS) {
      const placement = placementOf(p);
      meshes.set(`${mode}/${p}`, await attempt(() => (mode === 'one process' ? oneProcessMesh(placement) : twoProcessMesh(child, placement)), 20_000, `${p} setup (${mode})`));
    }
  }

  const tputRows: string[][] = [];
  const pingRows: string[][] = [];
  const summary: string[] = [];
  for (const mode of MODES) {
    const meshOf = (p: Peer) => meshes.get(`${mode}/${p}`);
    for (const p of MESH_PEERS) if (meshOf(p)!.error) failures.add(`${p} (${mode}): ${meshOf(p)!.error}`);
    const peers = PEERS.filter((p) => !isMesh(p) || meshOf(p)!.ok);
    const childIf = mode === 'two processes' ? child : undefined;

    for (const [label, size] of EVENT_SIZES) {
      const trials = peers.map((p) => () => attempt(() => throughputRun(mode, p, size, meshOf(p)?.ok, childIf), 30_000, `${p} run`));
      const results = await roundsOf(trials, THROUGHPUT_ROUNDS);
      const byPeer = new Map(peers.map((p, i) => [p, results[i]!]));
      const udxRuns = byPeer.get('udx-native');
      for (const p of PEERS) {
        const runs = byPeer.get(p);
        const ok = runs?.filter((r) => r.ok).map((r) => r.ok!) ?? [];
        for (const r of runs ?? []) if (r.error) failures.add(`${p} (${mode}, ${label}): ${r.error}`);
        if (ok.length === 0) {
          tputRows.push([mode, label, p, '—', '—', '—', '—', runs ? 'failed (see below)' : 'not run (see below)']);
          continue;
        }
        const sent = ok.reduce((s, r) => s + r.sent, 0);
        const got = ok.reduce((s, r) => s + r.delivered, 0);
        let vsUdx = '';
        if (p !== 'udx-native' && udxRuns) {
          // Paired per round: this peer's run and udx-native's run of the same round.
          const pairs: number[] = [];
          for (let i = 0; i < THROUGHPUT_ROUNDS; i++) {
            const m = runs![i]?.ok, u = udxRuns[i]?.ok;
            if (m && u) pairs.push(m.mbps / u.mbps);
          }
          vsUdx = fmtRatio(median(pairs));
        }
        const cpu: [number, number] = [median(ok.map((r) => r.cpu[0])), median(ok.map((r) => r.cpu[1]))];
        tputRows.push([mode, label, p, median(ok.map((r) => r.mbps)).toFixed(1), `${(median(ok.map((r) => r.eventsPerSec)) / 1000).toFixed(1)}k`, `${((100 * got) / sent).toFixed(1)}%`, fmtCpu(mode, cpu), vsUdx]);
      }
    }

    // Ping-pong: MeshNode unreliable and reliable streams; udx-native and TCP are reliable streams.
    const pingCases: { p: Peer; reliability: Reliability; name: string }[] = [];
    for (const p of peers) {
      if (isMesh(p)) for (const reliability of ['unreliable', 'reliable'] as const) pingCases.push({ p, reliability, name: `${p} ${reliability}` });
      else pingCases.push({ p, reliability: 'reliable', name: p });
    }
    const pingTrials = pingCases.map((c) => () => attempt(() => pingRun(mode, c.p, c.reliability, meshOf(c.p)?.ok, childIf), 60_000, `${c.name} ping-pong`));
    const pings = await roundsOf(pingTrials, PING_ROUNDS);
    const pooled = new Map<string, number[]>();
    pingCases.forEach((c, i) => {
      const ok = pings[i]!.filter((r) => r.ok).flatMap((r) => r.ok!);
      for (const r of pings[i]!) if (r.error) failures.add(`${c.name} ping-pong (${mode}): ${r.error}`);
      if (ok.length) pooled.set(c.name, ok);
    });
    const udx = pooled.get('udx-native');
    const udxMedian = udx ? median(udx) : NaN;
    for (const c of pingCases) {
      const s = pooled.get(c.name);
      if (!s) {
        pingRows.push([mode, c.name, '—', '—', '—', '—', 'failed (see below)']);
        continue;
      }
      const med = median(s);
      const p99 = percentile(s, 99);
      pingRows.push([mode, c.name, fmtUs(med), fmtUs(p99), fmtRatio(p99 / med), String(s.length), c.p === 'udx-native' ? '' : fmtRatio(med / udxMedian)]);
      if (isMesh(c.p)) {
        const goal = c.reliability === 'unreliable' ? 1.5 : 2;
        const r = med / udxMedian;
        summary.push(`${mode}, ${c.name}: RTT ${fmtRatio(r)} udx-native (target ≤ ${goal}×: ${r <= goal ? 'met' : 'NOT met'}), p99 ${fmtRatio(p99 / med)} its median (target ≤ 4×: ${p99 / med <= 4 ? 'met' : 'NOT met'})`);
      }
    }
    if (mode === 'one process') {
      // The floor under the worker placement, in the same run: bare thread crossings, no engine.
      const hop = await threadHopRoundTrips(PING_ROUNDS * PINGS_PER_ROUND);
      const med = median(hop);
      pingRows.push([mode, 'bare thread crossing ×2 (floor)', fmtUs(med), fmtUs(percentile(hop, 99)), fmtRatio(percentile(hop, 99) / med), String(hop.length), fmtRatio(med / udxMedian)]);
      const floor = 2 * med + udxMedian;
      summary.push(
        `${mode}: the worker placement crosses threads twice per side and its engines talk over UDP between threads; ` +
          `its floor here is ≥ 2 × ${fmtUs(med)} + ${fmtUs(udxMedian)} = ${fmtUs(floor)} = ${fmtRatio(floor / udxMedian)} udx-native before any engine work`,
      );
    }
  }

  printTable(
    'One-way event throughput, default unreliable stream (payload MB/s, first send → last arrival)',
    ['setup', 'event', 'transport', 'MB/s', 'events/s', 'delivered', 'CPU ms/MB per side', 'vs udx-native'],
    tputRows,
  );
  note('* 8104 B: the largest single MeshNode event (8192-byte packet − header − tag − frame prefix); all');
  note('  transports send the same size. TCP and udx-native carry events as [u32 length][payload] frames.');
  note('  CPU ms/MB per side: one process — half of the process total (both nodes, every thread);');
  note('  two processes — sender process / receiver process (engine workers included).');
  note('  vs udx-native: median over rounds of the per-round ratio (>1: faster than udx-native).');

  printTable(
    `Ping-pong round trip, ${PING_SIZE}-byte message`,
    ['setup', 'transport', 'median', 'p99', 'p99/median', 'samples', 'RTT / udx-native RTT'],
    pingRows,
  );
  note('RTT / udx-native RTT: <1 means a shorter round trip than udx-native.');
  note('bare thread crossing ×2: this thread and a worker ping-pong through a SharedArrayBuffer, woken with');
  note('  Atomics.waitAsync/notify as the engine rings are, doing nothing else (see bench/thread-hop.ts).');
  console.log('\nTargets (issue 8):');
  for (const s of summary) console.log(`  ${s}`);

  if (failures.size) {
    console.log('\nFailures:');
    for (const f of failures) console.log(`  ${f}`);
  }
  for (const m of meshes.values()) await m.ok?.close().catch(() => {});
  await child.stop();
  console.log(`\ndone in ${((now() - t0) / 1000).toFixed(0)} s`);
}

benchEntry(main, childMain);
