// Node bench: MeshNode event throughput and ping-pong latency beside udx-native and Node TCP, all
// measured in this run (interleaved rounds), in one process and across two processes.
//
//   npm run bench:node
//   node dist/bench/node.mjs --child     (the receiving/echo process; started by the bench itself)
import { fileURLToPath } from 'node:url';
import { MeshNode } from '../ts/node/mesh-node.js';
import { childMain, type ChildReply, type ChildRequest } from './node-child.js';
import {
  attempt,
  benchEntry,
  BenchChild,
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
  type RecvEnd,
  type SendEnd,
  type TransportName,
} from './node-links.js';
import { MB, filledBytes, fmtRatio, fmtUs, median, note, now, percentile, printEnvironment, printTable, roundsOf } from './harness.js';

const PSK = '6e65742d6d6573682062656e6368206b657920666f72206c6f63616c2072756e'; // 32 bytes, hex
const TRANSPORTS: readonly TransportName[] = ['MeshNode', 'udx-native', 'TCP'];
const EVENT_SIZES: readonly [string, number][] = [
  ['1 KiB', 1024],
  ['8 KiB*', 8104],
];
/** Payload bytes per throughput run (per transport, per round). */
const RUN_BYTES = 24 * MB;
/** A run stops sending after this long, whatever it reached (a slow path cannot stall the bench). */
const SEND_CAP_MS = 5000;
/** The receiver gives up this long after its last event (unreliable streams may lose packets). */
const IDLE_MS = 1000;
const SEND_BATCH = 64;
const THROUGHPUT_ROUNDS = 5;
const PING_ROUNDS = 5;
const PINGS_PER_ROUND = 200;
const PING_WARMUP = 30;
const PING_SIZE = 32;

type Mode = 'same process' | 'two processes';
const MODES: readonly Mode[] = ['same process', 'two processes'];

const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

// ---------------------------------------------------------------------------------------------
// The child process, over the IPC channel

type Child = BenchChild<ChildRequest, ChildReply>;
const startChild = (): Promise<Child> => BenchChild.start<ChildRequest, ChildReply>(fileURLToPath(import.meta.url), 30_000);

// ---------------------------------------------------------------------------------------------
// MeshNode pairs (made once per mode, reused by every trial with fresh stream ids)

interface MeshPair {
  a: MeshNode;
  /** The receiving node's id (in this process or the child). */
  bId: bigint;
  /** Same-process only: the receiving node. */
  b?: MeshNode;
  close(): Promise<void>;
}

async function sameProcessMesh(): Promise<MeshPair> {
  const a = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0' });
  const b = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0' });
  b.accept(a.nodeId);
  a.accept(b.nodeId);
  await withTimeout(a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId }), 10_000, 'MeshNode connect');
  return { a, b, bId: b.nodeId, close: async () => void (await Promise.all([a.close(), b.close()])) };
}

async function twoProcessMesh(child: Child): Promise<MeshPair> {
  const a = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0' });
  const info = await child.call({ t: 'mesh-init', psk: PSK, peer: a.nodeId.toString() });
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
}

/** One one-way run: pump events, wait for the receiver, MB/s over first send → last arrival. */
async function throughputRun(mode: Mode, t: TransportName, size: number, mesh: MeshPair | undefined, child: Child | undefined): Promise<Throughput> {
  const payload = filledBytes(size, size);
  const total = Math.ceil(RUN_BYTES / size);
  const trial = nextTrial++;
  let sender: SendEnd;
  let recv: RecvEnd | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];

  if (mode === 'same process') {
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
      recv = meshRecv(mesh!.b!, sid);
      sender = meshSend(mesh!.a, mesh!.bId, sid, payload);
    }
    cleanups.push(() => recv!.close());
  } else {
    const c = child!;
    if (t === 'TCP') {
      const r = await c.call({ t: 'recv', transport: t, trial });
      sender = tcpSend(await tcpConnect(r.port!), payload);
    } else if (t === 'udx-native') {
      const id = udxId();
      const end = udxEnd(id);
      const r = await c.call({ t: 'recv', transport: t, trial, parentPort: end.port, udxRemoteId: id });
      end.connect(r.udxId!, r.port!);
      sender = udxSend(end, payload);
    } else {
      const sid = nextStream++;
      await c.call({ t: 'recv', transport: t, trial, streamId: sid.toString() });
      sender = meshSend(mesh!.a, mesh!.bId, sid, payload);
    }
    cleanups.push(() => c.call({ t: 'close', trial }));
  }
  cleanups.push(() => sender.close());

  try {
    const { sent, t0 } = await pump(sender, total, SEND_BATCH, SEND_CAP_MS);
    let end: number, delivered: number, bytes: number;
    if (recv) {
      const tally = await recv.counter.wait(sent, IDLE_MS);
      end = tally.lastAt;
      delivered = tally.events;
      bytes = tally.bytes;
    } else {
      const r = await child!.call({ t: 'expect', trial, events: sent, idleMs: IDLE_MS });
      end = now() - r.sinceLastMs!;
      delivered = r.events!;
      bytes = r.bytes!;
    }
    const sec = Math.max(end - t0, 1e-3) / 1000;
    return { mbps: bytes / MB / sec, eventsPerSec: delivered / sec, sent, delivered };
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Ping-pong

async function pingRun(mode: Mode, t: TransportName, mesh: MeshPair | undefined, child: Child | undefined): Promise<number[]> {
  const trial = nextTrial++;
  const cleanups: (() => Promise<unknown>)[] = [];
  let pinger: Pinger;
  if (mode === 'same process') {
    if (t === 'TCP') {
      const e = await tcpEcho();
      cleanups.push(() => e.close());
      pinger = await tcpPinger(e.port);
    } else if (t === 'udx-native') {
      const { a, b } = udxLoopbackPair();
      udxEcho(b);
      cleanups.push(() => b.close());
      pinger = udxPinger(a);
    } else {
      const ping = nextStream++, pong = nextStream++;
      const e = meshEcho(mesh!.b!, mesh!.a.nodeId, ping, pong);
      cleanups.push(() => e.close());
      pinger = meshPinger(mesh!.a, mesh!.bId, ping, pong);
    }
  } else {
    const c = child!;
    cleanups.push(() => c.call({ t: 'close', trial }));
    if (t === 'TCP') {
      const r = await c.call({ t: 'echo', transport: t, trial });
      pinger = await tcpPinger(r.port!);
    } else if (t === 'udx-native') {
      const id = udxId();
      const end = udxEnd(id);
      const r = await c.call({ t: 'echo', transport: t, trial, parentPort: end.port, udxRemoteId: id });
      end.connect(r.udxId!, r.port!);
      pinger = udxPinger(end);
    } else {
      const ping = nextStream++, pong = nextStream++;
      await c.call({ t: 'echo', transport: t, trial, streamId: ping.toString(), pongStreamId: pong.toString() });
      pinger = meshPinger(mesh!.a, mesh!.bId, ping, pong);
    }
  }
  const msg = filledBytes(PING_SIZE, 99);
  const samples: number[] = [];
  try {
    for (let i = 0; i < PING_WARMUP; i++) await withTimeout(pinger.ping(msg), 5000, `${t} ping`);
    for (let i = 0; i < PINGS_PER_ROUND; i++) {
      const s = now();
      await withTimeout(pinger.ping(msg), 5000, `${t} ping`);
      samples.push((now() - s) * 1000);
    }
    return samples;
  } finally {
    await pinger.close().catch(() => {});
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  printEnvironment('net-mesh node bench');
  console.log(
    `Throughput: ${RUN_BYTES / MB} MB one way per run (capped at ${SEND_CAP_MS / 1000} s of sending), ${SEND_BATCH} events per send call, ` +
      `${THROUGHPUT_ROUNDS} interleaved rounds. Ping-pong: ${PING_SIZE}-byte message, ${PING_ROUNDS} rounds × ${PINGS_PER_ROUND} round trips.`,
  );
  const t0 = now();
  const child = await startChild();
  const meshes = new Map<Mode, Outcome<MeshPair>>();
  meshes.set('same process', await attempt(sameProcessMesh, 20_000, 'MeshNode setup (same process)'));
  meshes.set('two processes', await attempt(() => twoProcessMesh(child), 20_000, 'MeshNode setup (two processes)'));

  const tputRows: string[][] = [];
  const pingRows: string[][] = [];
  const failures = new Set<string>();

  for (const mode of MODES) {
    const mesh = meshes.get(mode)!;
    if (mesh.error) failures.add(`MeshNode (${mode}): ${mesh.error}`);
    const transports = TRANSPORTS.filter((t) => t !== 'MeshNode' || mesh.ok);

    for (const [label, size] of EVENT_SIZES) {
      const trials = transports.map(
        (t) => () => attempt(() => throughputRun(mode, t, size, mesh.ok, mode === 'two processes' ? child : undefined), 30_000, `${t} run`),
      );
      const results = await roundsOf(trials, THROUGHPUT_ROUNDS);
      const byT = new Map(transports.map((t, i) => [t, results[i]!]));
      const meshRuns = byT.get('MeshNode');
      for (const t of TRANSPORTS) {
        const runs = byT.get(t);
        const ok = runs?.filter((r) => r.ok).map((r) => r.ok!) ?? [];
        const errs = runs?.filter((r) => r.error).map((r) => r.error!) ?? [];
        for (const e of errs) failures.add(`${t} (${mode}, ${label}): ${e}`);
        if (ok.length === 0) {
          tputRows.push([mode, label, t, '—', '—', '—', runs ? 'failed (see below)' : 'not run (see below)']);
          continue;
        }
        const mbps = median(ok.map((r) => r.mbps));
        const eps = median(ok.map((r) => r.eventsPerSec));
        const sent = ok.reduce((s, r) => s + r.sent, 0);
        const got = ok.reduce((s, r) => s + r.delivered, 0);
        let vs = '';
        if (t !== 'MeshNode' && meshRuns) {
          // Paired per round: MeshNode's run and this peer's run of the same round.
          const pairs: number[] = [];
          for (let i = 0; i < THROUGHPUT_ROUNDS; i++) {
            const m = meshRuns[i]?.ok, p = runs![i]?.ok;
            if (m && p) pairs.push(m.mbps / p.mbps);
          }
          vs = fmtRatio(median(pairs));
        }
        tputRows.push([mode, label, t, mbps.toFixed(1), `${(eps / 1000).toFixed(1)}k`, `${((100 * got) / sent).toFixed(1)}%`, vs]);
      }
    }

    const pingTrials = transports.map(
      (t) => () => attempt(() => pingRun(mode, t, mesh.ok, mode === 'two processes' ? child : undefined), 60_000, `${t} ping-pong`),
    );
    const pings = await roundsOf(pingTrials, PING_ROUNDS);
    const pooled = new Map<TransportName, number[]>();
    transports.forEach((t, i) => {
      const ok = pings[i]!.filter((r) => r.ok).flatMap((r) => r.ok!);
      for (const r of pings[i]!) if (r.error) failures.add(`${t} ping-pong (${mode}): ${r.error}`);
      if (ok.length) pooled.set(t, ok);
    });
    const meshMedian = pooled.has('MeshNode') ? median(pooled.get('MeshNode')!) : NaN;
    for (const t of TRANSPORTS) {
      const s = pooled.get(t);
      if (!s) {
        pingRows.push([mode, t, '—', '—', '—', transports.includes(t) ? 'failed (see below)' : 'not run (see below)']);
        continue;
      }
      const med = median(s);
      pingRows.push([mode, t, fmtUs(med), fmtUs(percentile(s, 99)), String(s.length), t === 'MeshNode' ? '' : fmtRatio(med / meshMedian)]);
    }
  }

  printTable(
    'One-way event throughput (payload MB/s, first send → last arrival)',
    ['setup', 'event', 'transport', 'MB/s', 'events/s', 'delivered', 'MeshNode/peer'],
    tputRows,
  );
  note('* 8104 B: the largest single MeshNode event (8192-byte packet − header − tag − frame prefix); all');
  note('  transports send the same size. TCP and udx-native carry events as [u32 length][payload] frames');
  note('  parsed by the receiver. MeshNode streams use the default config (unreliable, 64 KiB credit).');
  note('  MeshNode/peer: median over rounds of the per-round ratio (>1: MeshNode faster).');

  printTable(
    `Ping-pong round trip, ${PING_SIZE}-byte message`,
    ['setup', 'transport', 'median', 'p99', 'samples', 'peer RTT / MeshNode RTT'],
    pingRows,
  );
  note('peer RTT / MeshNode RTT: >1 means MeshNode has the shorter round trip.');

  if (failures.size) {
    console.log('\nFailures:');
    for (const f of failures) console.log(`  ${f}`);
  }
  for (const m of meshes.values()) await m.ok?.close().catch(() => {});
  await child.stop();
  console.log(`\ndone in ${((now() - t0) / 1000).toFixed(0)} s`);
}

benchEntry(main, childMain);
