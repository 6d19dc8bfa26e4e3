// Capability fold bench on the 10,000-node fixture of fold.md §9: each of the seven queries (and
// the control) through `CapabilityFold.query` on the main thread, the same queries answered by a
// straightforward JS full scan over the same data, and the time to apply 10k announcements; each
// printed against Net v0.27.0's M1 Max medians (target: ≤ 1/10 of those).
//
//   npm run bench:fold
//   npx esbuild bench/fold.ts --bundle --platform=node --format=esm --outfile=/tmp/fold-bench.mjs && node /tmp/fold-bench.mjs
import { initCore } from '../ts/core/wasm.js';
import { MeshNode } from '../ts/node/mesh-node.js';
import { decodeAnnouncement, encodeAnnouncement, type CapabilityAnnouncement } from '../ts/fold/announcement.js';
import { CapabilityFold } from '../ts/fold/capability-fold.js';
import {
  FIXTURE_COMPLEX_70,
  FIXTURE_NOW_MS,
  FIXTURE_QUERIES,
  NET_INSERT_10K_MS,
  buildFixtureFold,
  fixtureAnnouncements,
  scrambledNodeId,
  type FixtureQuery,
} from '../ts/fold/fixture.js';
import { membershipOf, type Membership } from '../ts/fold/membership.js';
import { normalizeQuery, type CapabilityQuery } from '../ts/fold/query.js';
import { announcementVerifySection } from './fold-verify.js';
import { consume, fmtUs, median, note, percentile, printEnvironment, printTable } from './harness.js';

const QUERIES: readonly FixtureQuery[] = [...FIXTURE_QUERIES, FIXTURE_COMPLEX_70];

/** Per-query timing: microseconds of every run, after a warm-up. */
export interface QueryTimings {
  id: string;
  results: number;
  runsUs: number[];
  /** Mean process CPU time per run (user + system), µs; NaN where unavailable. */
  cpuMeanUs: number;
}

/** Process CPU time in µs (Node, Deno and Bun provide `process.cpuUsage`); NaN elsewhere. */
function cpuNowUs(): number {
  const p = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  if (!p?.cpuUsage) return Number.NaN;
  const u = p.cpuUsage();
  return u.user + u.system;
}

/**
 * ── Reusable query measurement ──────────────────────────────────────────────────────────────
 * Times `runner` on every fixture query: `warmup` untimed runs, then `runs` timed runs, each run
 * measured on its own (so medians and p99 are per call). `runner` may be synchronous (main-thread
 * fold) or return a promise (e.g. a fold living in a worker); promises are awaited inside the
 * timed region. It must return the result ids (an array-like), which are counted and checked.
 */
export async function measureQueries(
  runner: (q: CapabilityQuery) => ArrayLike<unknown> | Promise<ArrayLike<unknown>>,
  opts: { runs?: number; warmup?: number; queries?: readonly FixtureQuery[] } = {},
): Promise<QueryTimings[]> {
  const runs = opts.runs ?? 500;
  const warmup = opts.warmup ?? 50;
  const out: QueryTimings[] = [];
  for (const q of opts.queries ?? QUERIES) {
    let results = -1;
    for (let i = 0; i < warmup; i++) {
      const r = runner(q.query);
      results = ((r instanceof Promise ? await r : r) as ArrayLike<unknown>).length;
    }
    if (results !== q.expected) throw new Error(`bench: ${q.id} returned ${results} results, expected ${q.expected}`);
    const runsUs: number[] = [];
    const cpu0 = cpuNowUs();
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = runner(q.query);
      const v = r instanceof Promise ? await r : r;
      runsUs.push((performance.now() - t0) * 1000);
      consume(v);
    }
    out.push({ id: q.id, results, runsUs, cpuMeanUs: (cpuNowUs() - cpu0) / runs });
  }
  return out;
}

/** A node as a plain JS store would keep it: tag set, synthetic keys and numeric fields. */
interface ScanNode {
  id: bigint;
  tags: Set<string>;
  synthetic: Set<string>;
  memoryGb: number;
  vramGb: number;
  region: string | undefined;
}

function scanNode(id: bigint, m: Membership): ScanNode {
  return { id, tags: new Set(m.tags), synthetic: new Set(m.synthetic), memoryGb: m.hardware?.memoryGb ?? 0, vramGb: m.hardware?.vramGb ?? 0, region: m.region };
}

/**
 * A straightforward JS full scan: every node checked against the translated filter with plain
 * indexed loops (no allocation per node), ids collected in id order.
 */
function scanRunner(nodes: readonly ScanNode[]): (q: CapabilityQuery) => bigint[] {
  return (q) => {
    const nq = normalizeQuery(q);
    const { tagsAll, groups } = nq;
    const minMem = nq.minMemoryGb ?? 0;
    const minVram = nq.minVramGb ?? 0;
    const out: bigint[] = [];
    outer: for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      for (let t = 0; t < tagsAll.length; t++) if (!n.tags.has(tagsAll[t]!)) continue outer;
      for (let g = 0; g < groups.length; g++) {
        const group = groups[g]!;
        let hit = group.length === 0;
        for (let k = 0; k < group.length && !hit; k++) hit = n.synthetic.has(group[k]!);
        if (!hit) continue outer;
      }
      if (n.memoryGb < minMem || n.vramGb < minVram) continue;
      out.push(n.id);
    }
    return out;
  };
}

function timeMs(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

interface InsertTimes {
  wallMs: number[];
  cpuMs: number[];
}

function timeInsert(rounds: number, fill: (f: CapabilityFold) => void, expected: number): InsertTimes {
  const out: InsertTimes = { wallMs: [], cpuMs: [] };
  for (let r = 0; r < rounds + 1; r++) {
    const f = new CapabilityFold({ seed: 1n });
    const c0 = cpuNowUs();
    const w = timeMs(() => fill(f));
    const c = (cpuNowUs() - c0) / 1000;
    if (f.size !== expected) throw new Error('bench: insert lost entries');
    f.dispose();
    // Round 0 warms the JIT and is not reported.
    if (r > 0) {
      out.wallMs.push(w);
      out.cpuMs.push(c);
    }
  }
  return out;
}

function insertBench(anns: readonly CapabilityAnnouncement[], rounds: number): { objects: InsertTimes; json: InsertTimes } {
  const objects = timeInsert(rounds, (f) => {
    for (const x of anns) f.applyAnnouncement(x, { trusted: true, nowMs: FIXTURE_NOW_MS });
  }, anns.length);
  const jsons = anns.map(encodeAnnouncement);
  const json = timeInsert(rounds, (f) => {
    for (const j of jsons) f.applyAnnouncement(decodeAnnouncement(j)!, { trusted: true, nowMs: FIXTURE_NOW_MS });
  }, anns.length);
  return { objects, json };
}

async function main(): Promise<void> {
  await initCore();
  printEnvironment('net-mesh capability fold bench (fold.md §9 fixture, 10,000 nodes)');
  note('per-call timings: median and p99 over every timed run; Net figures are its v0.27.0 medians on an M1 Max.');

  let anns: CapabilityAnnouncement[] = [];
  const buildMs = timeMs(() => {
    anns = fixtureAnnouncements();
  });

  // Insert: apply 10k announcements to an empty fold (trusted, as the fixture prescribes).
  const ins = insertBench(anns, 5);
  const insRow = (name: string, t: InsertTimes, vsNet: boolean): string[] => {
    const wall = median(t.wallMs);
    const cpu = median(t.cpuMs);
    return [
      name,
      `${wall.toFixed(1)} ms`,
      `${cpu.toFixed(1)} ms`,
      vsNet ? `${NET_INSERT_10K_MS} ms` : '—',
      vsNet ? (wall / NET_INSERT_10K_MS).toFixed(3) : '—',
      vsNet ? (cpu / NET_INSERT_10K_MS).toFixed(3) : '—',
      vsNet ? (wall <= NET_INSERT_10K_MS / 10 ? 'yes' : 'NO') : '—',
    ];
  };
  printTable(
    'insert 10,000 announcements (empty fold → 10k entries; median of 5 rounds after a warm-up round)',
    ['case', 'wall', 'CPU', 'Net M1 Max', 'wall / Net', 'CPU / Net', 'wall ≤ Net/10'],
    [insRow('apply announcement objects', ins.objects, true), insRow('decode JSON + apply', ins.json, false)],
  );
  note('CPU = this process\'s user+system time over the interval (all its threads, GC helpers included): it does not grow when other processes take the cores.');
  note(`(building the 10k fixture announcements — lowering typed fields, JSON size check — took ${buildMs.toFixed(0)} ms, not timed above)`);

  const fold = buildFixtureFold(anns);
  const scanData = anns.map((a) => scanNode(a.nodeId, membershipOf(a.capabilities.tags)));
  const indexed = await measureQueries((q) => fold.query(q), { runs: 1000, warmup: 100 });
  const typed = await measureQueries((q) => fold.queryIds(q), { runs: 1000, warmup: 100 });
  const scan = await measureQueries(scanRunner(scanData), { runs: 100, warmup: 10 });

  const rows = QUERIES.map((q, i) => {
    const a = indexed[i]!.runsUs;
    const t = typed[i]!.runsUs;
    const s = scan[i]!.runsUs;
    const med = median(a);
    const net = q.netMedianUs;
    return [
      q.id,
      String(q.expected),
      fmtUs(med),
      fmtUs(percentile(a, 99)),
      fmtUs(median(t)),
      fmtUs(median(s)),
      `${(median(s) / med).toFixed(0)}×`,
      net === undefined ? '—' : `${net} µs`,
      net === undefined ? '—' : (med / net).toFixed(3),
      net === undefined ? '—' : med <= net / 10 ? 'yes' : 'NO',
    ];
  });
  printTable(
    'queries on the main thread (CapabilityFold.query → bigint[]; queryIds → BigUint64Array)',
    ['query', 'results', 'median', 'p99', 'queryIds med', 'JS scan med', 'scan / ours', 'Net M1 Max', 'ours / Net', '≤ Net/10'],
    rows,
  );
  note('JS scan = indexed loops over precomputed per-node records (tag Set, synthetic-key Set, memory, VRAM), same translated filter.');
  fold.dispose();

  // The fixture numbers nodes 0…9999 in arrival order, which keeps the index's slots in id order.
  // Real node ids are hashes arriving in any order: the same fixture under scrambled ids.
  const scrambled = fixtureAnnouncements(10_000, scrambledNodeId);
  const sFold = buildFixtureFold(scrambled);
  const sTimes = await measureQueries((q) => sFold.query(q), { runs: 1000, warmup: 100 });
  printTable(
    'same queries, node ids scrambled (hash-like ids arriving out of order)',
    ['query', 'results', 'median', 'p99', 'ours / Net', '≤ Net/10'],
    QUERIES.map((q, i) => {
      const med = median(sTimes[i]!.runsUs);
      const net = q.netMedianUs;
      return [
        q.id,
        String(q.expected),
        fmtUs(med),
        fmtUs(percentile(sTimes[i]!.runsUs, 99)),
        net === undefined ? '—' : (med / net).toFixed(3),
        net === undefined ? '—' : med <= net / 10 ? 'yes' : 'NO',
      ];
    }),
  );
  note(`slot renumberings during the run: ${sFold.stats().compactions}`);
  sFold.dispose();

  // Through the SDK: MeshNode.findNodes (the fold lives on the app thread, so a query is a local call).
  const node = await MeshNode.create({ psk: '00'.repeat(32), autoRefreshAnnouncements: false });
  for (const x of anns) node.fold.applyAnnouncement(x, { trusted: true, nowMs: FIXTURE_NOW_MS });
  const viaNode = await measureQueries((q) => node.findNodes(q), { runs: 1000, warmup: 100 });
  await node.close();
  printTable(
    'through the SDK: node.findNodes (app thread)',
    ['query', 'findNodes median', 'findNodes p99', 'ours / Net', '≤ Net/10'],
    QUERIES.map((q, i) => {
      const m = median(viaNode[i]!.runsUs);
      const net = q.netMedianUs;
      return [q.id, fmtUs(m), fmtUs(percentile(viaNode[i]!.runsUs, 99)), net === undefined ? '—' : (m / net).toFixed(3), net === undefined ? '—' : m <= net / 10 ? 'yes' : 'NO'];
    }),
  );

  announcementVerifySection();
}

await main();
