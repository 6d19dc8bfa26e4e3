// The chaos suite (issue 9): a 5-node MemoryHub mesh runs reliable transfers while a seeded
// driver injects random loss, duplication, reordering, partitions, a peer restart, and forged,
// truncated and replayed datagrams. At the end every reliable event whose send() resolved arrived
// exactly once — or its stream reported failure to its sender —, the stream layer's memory stayed
// bounded, and every promise settled. Seeded and bounded: the same seed gives the same impairment
// decisions (real timers still interleave with them), and each case runs in well under a minute.
import { afterEach, describe, expect, it } from 'vitest';
import { MeshNode } from '../../ts/node/mesh-node.js';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import { ENGINE } from '../../ts/engine/engine-host.js';
import type { InlineEngineHost } from '../../ts/engine/inline-host.js';
import type { Stream } from '../../ts/streams/stream.js';
import { PSK, until, type Placement } from '../node/helpers.js';

const N = 5;
const EVENTS_PER_TRANSFER = 120;
const CHAOS_MS = 6000;
/** A reliable stream waits this long without progress before giving up (session timeout). */
const SESSION_TIMEOUT_MS = 3000;
const RESTARTED = 4;

/** xorshift32: the driver's own decisions, independent of the hub's PRNG. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function event(src: number, dst: number, idx: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  const dv = new DataView(b.buffer);
  dv.setUint8(0, src);
  dv.setUint8(1, dst);
  dv.setUint32(2, idx, true);
  for (let k = 6; k < len; k++) b[k] = (src * 31 + dst * 17 + idx + k) & 0xff;
  return b;
}

interface Transfer {
  src: number;
  dst: number;
  stream: Stream;
  resolved: Set<number>;
  /** The sender learned of a failure: a rejected send or closeGraceful, or stream.failed. */
  failureReported: boolean;
  done: Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const addr = (i: number) => `10.9.0.${i + 1}:7000`;

async function runChaos(engine: Placement, seed: number): Promise<void> {
  const rand = rng(seed);
  const hub = new MemoryHub({ seed, loss: 0.03, duplicate: 0.02, reorder: 0.05, delayMs: [0, 3] });
  const opts = { psk: PSK, engine, heartbeatIntervalMs: 300, sessionTimeoutMs: SESSION_TIMEOUT_MS };
  const nodes: MeshNode[] = [];
  for (let i = 0; i < N; i++) nodes.push(await MeshNode.create({ ...opts, transport: hub.transport(), bind: addr(i) }));
  const closers: MeshNode[] = [...nodes];
  try {
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) if (i !== j) nodes[j]!.accept(nodes[i]!.nodeId);
    for (let i = 0; i < N; i++) {
      for (let j = i + 1; j < N; j++) {
        await nodes[i]!.connect(nodes[j]!.address, { publicKey: nodes[j]!.noisePublicKey, nodeId: nodes[j]!.nodeId });
      }
    }

    // Receivers: count every (src, dst, idx) each node is handed.
    const got = new Map<string, number>();
    const readers = nodes.map(async (n) => {
      for await (const e of n.events()) {
        const dv = new DataView(e.payload.buffer, e.payload.byteOffset, e.payload.byteLength);
        const k = `${dv.getUint8(0)}>${dv.getUint8(1)}#${dv.getUint32(2, true)}`;
        got.set(k, (got.get(k) ?? 0) + 1);
      }
    });

    // Memory watch: the stream layer's buffered bytes and records (inline engines only: a
    // worker's table lives in its thread; its streams' figures are checked below).
    let maxBacklog = 0;
    let maxUnread = 0;
    let maxRecords = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        if (engine === 'inline') {
          for (const n of nodes) {
            const m = (n[ENGINE] as InlineEngineHost).engine?.streams.memory();
            if (!m) continue;
            maxBacklog = Math.max(maxBacklog, m.backlogBytes);
            maxUnread = Math.max(maxUnread, m.unreadBytes);
            maxRecords = Math.max(maxRecords, m.records);
          }
        }
        await sleep(50);
      }
    })();

    // Transfers: i → i+1 and i → i+2, reliable, events of 100..2000 bytes.
    const transfers: Transfer[] = [];
    for (let i = 0; i < N; i++) {
      for (const d of [1, 2]) {
        const j = (i + d) % N;
        const stream = nodes[i]!.openStream(nodes[j]!.nodeId, BigInt(100 + i * 10 + j), { reliability: 'reliable' });
        const sizes = Array.from({ length: EVENTS_PER_TRANSFER }, () => 100 + Math.floor(rand() * 1900));
        const t: Transfer = { src: i, dst: j, stream, resolved: new Set(), failureReported: false, done: Promise.resolve() };
        t.done = (async () => {
          try {
            for (let k = 0; k < EVENTS_PER_TRANSFER; k++) {
              await stream.send([event(i, j, k, sizes[k]!)]);
              t.resolved.add(k);
              // Spread over the chaos window, so partitions and the restart hit transfers mid-way.
              await sleep(40);
            }
            await stream.closeGraceful(20_000);
          } catch {
            t.failureReported = true;
          }
        })();
        transfers.push(t);
      }
    }

    // Forged, truncated and replayed datagrams, decided per datagram by the driver's PRNG.
    const recent: Uint8Array[] = [];
    let forged = 0;
    let replayed = 0;
    let truncated = 0;
    let chaosOn = true;
    const untap = hub.tap((d) => {
      if (!chaosOn) return 'pass';
      if (recent.length < 64) recent.push(d.data.slice());
      else recent[Math.floor(rand() * 64)] = d.data.slice();
      const r = rand();
      if (r < 0.01) {
        forged++;
        const junk = d.data.slice();
        junk[Math.floor(rand() * junk.length)]! ^= 0x5a;
        return [d.data, junk];
      }
      if (r < 0.02) {
        replayed++;
        return [d.data, recent[Math.floor(rand() * recent.length)]!];
      }
      if (r < 0.025) {
        truncated++;
        return [d.data, d.data.subarray(0, Math.floor(rand() * d.data.length))];
      }
      return 'pass';
    });

    // The driver: partitions that heal, and one peer restart.
    const t0 = Date.now();
    let restarted = false;
    const cuts: [number, number][] = [];
    while (Date.now() - t0 < CHAOS_MS) {
      const a = Math.floor(rand() * N);
      const b = (a + 1 + Math.floor(rand() * (N - 1))) % N;
      if (rand() < 0.5) {
        hub.partition(addr(a), addr(b));
        cuts.push([a, b]);
      }
      if (cuts.length > 2 || rand() < 0.3) {
        const c = cuts.shift();
        if (c) hub.heal(addr(c[0]), addr(c[1]));
      }
      if (!restarted && Date.now() - t0 > CHAOS_MS / 2) {
        restarted = true;
        // A restart: the node goes away with transfers in flight and comes back under the same
        // identity and address (its peers' sessions to the old instance are stale).
        const old = nodes[RESTARTED]!;
        await old.close();
        const again = await MeshNode.create({ ...opts, identity: old.identity, transport: hub.transport(), bind: addr(RESTARTED) });
        nodes[RESTARTED] = again;
        closers.push(again);
      }
      await sleep(200 + Math.floor(rand() * 400));
    }
    for (const [a, b] of cuts) hub.heal(addr(a), addr(b));
    chaosOn = false;
    untap();

    // No promise hangs: every transfer settles within a bound (give-up or drain).
    const settled = await Promise.race([Promise.all(transfers.map((t) => t.done)).then(() => true), sleep(60_000).then(() => false)]);
    expect(settled, 'every transfer settled').toBe(true);
    for (const t of transfers) if (t.stream.failed) t.failureReported = true;

    // Every event whose send resolved arrived exactly once, or the sender was told of a failure.
    for (const t of transfers) {
      const senderGone = t.src === RESTARTED;
      if (t.failureReported || senderGone) continue;
      await until(() => [...t.resolved].every((k) => got.has(`${t.src}>${t.dst}#${k}`)), 10_000, `transfer ${t.src}→${t.dst}`);
    }
    for (const t of transfers) {
      for (const k of t.resolved) {
        const n = got.get(`${t.src}>${t.dst}#${k}`) ?? 0;
        expect(n, `${t.src}→${t.dst} #${k} delivered at most once`).toBeLessThanOrEqual(1);
        if (!t.failureReported && t.src !== RESTARTED) expect(n, `${t.src}→${t.dst} #${k}`).toBe(1);
      }
    }
    // The restarted node's inbound transfers ran into a dead session: they failed, and said so.
    for (const t of transfers) if (t.dst === RESTARTED && !t.failureReported) expect(t.resolved.size).toBe(EVENTS_PER_TRANSFER);
    // Transfers between nodes that stayed up mostly completed despite the chaos.
    const healthy = transfers.filter((t) => t.src !== RESTARTED && t.dst !== RESTARTED);
    expect(healthy.filter((t) => !t.failureReported).length).toBeGreaterThanOrEqual(healthy.length - 1);
    expect(forged + replayed + truncated).toBeGreaterThan(0);

    // Memory stayed bounded: nothing is buffered beyond windows and the receive budget.
    watching = false;
    await watcher;
    if (engine === 'inline') {
      expect(maxRecords).toBeLessThanOrEqual(4 * N);
      expect(maxBacklog).toBeLessThanOrEqual(2 * N * 256 * 1024);
      expect(maxUnread).toBeLessThanOrEqual(8 << 20);
    }
    for (const t of transfers) expect(t.stream.stats().pending).toBeLessThanOrEqual(t.stream.stats().cwnd + 8 + 4096);
    void readers;
  } finally {
    await Promise.all(closers.map((n) => n.close()));
    await hub.close();
  }
}

describe('chaos: a 5-node hub mesh under loss, duplication, reordering, partitions, a restart and forged/replayed datagrams', () => {
  afterEach(async () => {
    await sleep(10);
  });
  it('inline engines, seed 9001', { timeout: 90_000 }, async () => {
    await runChaos('inline', 9001);
  });
  it('inline engines, seed 9002', { timeout: 90_000 }, async () => {
    await runChaos('inline', 9002);
  });
  it('worker engines, seed 9003', { timeout: 90_000 }, async () => {
    await runChaos('worker', 9003);
  });
});
