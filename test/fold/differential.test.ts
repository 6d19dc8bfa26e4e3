// Differential test: random capability sets, random mutations (insert, replace, stale inserts,
// removals, sweeps) and random queries; the WASM index must always answer exactly what a
// straightforward JS full scan over the same entries answers.
import { describe, expect, it } from 'vitest';
import { CapabilityFold } from '../../ts/fold/capability-fold.js';
import { loweredCapabilities, lowerCapabilities, type CapabilitySet, type GpuVendor } from '../../ts/fold/capabilities.js';
import { membershipMatches, membershipOf, type Membership } from '../../ts/fold/membership.js';
import { normalizeQuery, type CapabilityQuery } from '../../ts/fold/query.js';

/** mulberry32: small, seeded, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RAW_TAGS = [
  'inference',
  'training',
  'gpu',
  'gpu:nvidia',
  'model:m1',
  'tool:t1',
  'gpu:present',
  'hardware.gpu',
  'hardware.gpu.vendor=amd',
  'hardware.gpu.vendor:intel',
  'hardware.gpu.vendor=Apple',
  'hardware.gpu.vram_gb=12',
  'hardware.gpu.vram_gb:40',
  'hardware.memory_gb=+32',
  'hardware.memory_gb=4294967296',
  'hardware.memory_gb',
  'software.model.0.id:m2',
  'software.model.x.id=m3',
  'software.model.0.1.id=nope',
  'software.model.id=nope',
  'software.tool.7.tool_id=t2',
  'software.tool.7.tool_id',
  'scope:region:eu',
  'scope:region:us',
  'scope:region:',
  'dataforts.blob.serve',
  'ünïcødé',
  '\u{1F600}',
];
const VENDORS: GpuVendor[] = ['nvidia', 'amd', 'intel', 'apple', 'qualcomm', 'unknown'];
const MODELS = ['m1', 'm2', 'm3', 'llama'];
const TOOLS = ['t1', 't2', 'repl'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function randomTags(r: () => number): string[] {
  const typed: CapabilitySet = {};
  if (r() < 0.5) typed.memoryGb = Math.floor(r() * 256);
  if (r() < 0.5) typed.gpu = { vendor: pick(r, VENDORS), vramGb: Math.floor(r() * 96) };
  if (r() < 0.5) typed.models = Array.from({ length: 1 + Math.floor(r() * 2) }, () => ({ id: pick(r, MODELS) }));
  if (r() < 0.4) typed.tools = [{ id: pick(r, TOOLS) }];
  if (r() < 0.3) typed.tags = [pick(r, ['inference', 'training', 'edge'])];
  const tags = [...lowerCapabilities(typed).tags];
  for (let i = Math.floor(r() * 5); i > 0; i--) tags.push(pick(r, RAW_TAGS));
  return tags;
}

function randomQuery(r: () => number, knownIds: bigint[]): CapabilityQuery {
  const q: CapabilityQuery = {};
  if (r() < 0.4) q.tags = Array.from({ length: Math.floor(r() * 3) }, () => pick(r, [...RAW_TAGS, 'inference', 'edge', 'hardware.gpu']));
  if (r() < 0.3) q.requireGpu = true;
  if (r() < 0.2) q.gpuVendor = pick(r, VENDORS);
  if (r() < 0.3) q.minMemoryGb = Math.floor(r() * 200);
  if (r() < 0.2) q.minVramGb = Math.floor(r() * 60);
  if (r() < 0.3) q.models = Array.from({ length: Math.floor(r() * 3) }, () => pick(r, MODELS));
  if (r() < 0.2) q.tool = pick(r, TOOLS);
  if (r() < 0.1) q.tagsAny = Array.from({ length: 1 + Math.floor(r() * 2) }, () => pick(r, RAW_TAGS));
  if (r() < 0.1) q.region = pick(r, ['eu', 'us', '']);
  if (r() < 0.05) q.tagPrefix = pick(r, ['hardware.gpu', 'scope:', 'software.model.0']);
  if (r() < 0.05 && knownIds.length > 0) q.nodes = [pick(r, knownIds), pick(r, knownIds), 12345n];
  if (r() < 0.05) q.limit = 1 + Math.floor(r() * 20);
  return q;
}

interface ModelEntry {
  gen: bigint;
  expiresAt: number;
  m: Membership;
}

function scan(model: Map<bigint, ModelEntry>, q: CapabilityQuery): bigint[] {
  const nq = normalizeQuery(q);
  const ids = [...model.entries()]
    .filter(([id, e]) => (nq.nodes === undefined || nq.nodes.includes(id)) && membershipMatches(e.m, nq))
    .map(([id]) => id)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return nq.limit > 0 ? ids.slice(0, nq.limit) : ids;
}

function run(seed: number, idOf: (r: () => number) => bigint, rounds: number): { queries: number; hits: number; compactions: number } {
  const r = rng(seed);
  const fold = new CapabilityFold({ seed: BigInt(seed) });
  const model = new Map<bigint, ModelEntry>();
  let now = 0;
  let queries = 0;
  let hits = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const op = r();
      const id = idOf(r);
      if (op < 0.5) {
        const tags = randomTags(r);
        const cur = model.get(id);
        const gen = cur && r() < 0.3 ? cur.gen - BigInt(Math.floor(r() * 2)) : (cur?.gen ?? 0n) + 1n + BigInt(Math.floor(r() * 3));
        const ttl = Math.floor(r() * 5000);
        if (gen < 1n) continue;
        const outcome = fold.insertLowered(id, loweredCapabilities(tags), { generation: gen, ttlMs: ttl, nowMs: now });
        const accept = !cur || gen > cur.gen;
        expect(outcome).toBe(accept ? (cur ? 'replaced' : 'inserted') : 'rejected');
        if (accept) model.set(id, { gen, expiresAt: now + ttl, m: membershipOf(tags) });
      } else if (op < 0.62) {
        expect(fold.remove(id)).toBe(model.delete(id));
      } else if (op < 0.66) {
        now += Math.floor(r() * 1500);
        const swept = fold.sweep(now).sort((a, b) => (a < b ? -1 : 1));
        const want = [...model.entries()].filter(([, e]) => e.expiresAt <= now).map(([k]) => k).sort((a, b) => (a < b ? -1 : 1));
        for (const k of want) model.delete(k);
        expect(swept).toEqual(want);
      } else {
        const q = randomQuery(r, [...model.keys()]);
        const want = scan(model, q);
        expect(fold.query(q), JSON.stringify(q, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))).toEqual(want);
        if (r() < 0.2) expect(fold.count(q)).toBe(want.length);
        if (r() < 0.2) expect(Array.from(fold.queryIds(q))).toEqual(want);
        if (r() < 0.1 && model.size > 0) {
          const probe = pick(r, [...model.keys()]);
          expect(fold.matches(probe, { ...q, limit: undefined })).toBe(scan(model, { ...q, limit: undefined }).includes(probe));
        }
        queries++;
        if (want.length > 0) hits++;
      }
      expect(fold.size).toBe(model.size);
    }
    // Every surviving entry's generation and tags agree too.
    for (const [id, e] of model) {
      expect(fold.generation(id)).toBe(e.gen);
      expect(new Set(fold.tagsOf(id))).toEqual(e.m.tags);
    }
    return { queries, hits, compactions: fold.stats().compactions };
  } finally {
    fold.dispose();
  }
}

describe('index answer == JS full scan', () => {
  it('with small node ids arriving in random order', () => {
    const { queries, hits } = run(1, (r) => BigInt(Math.floor(r() * 400)), 4000);
    expect(queries).toBeGreaterThan(1000);
    expect(hits).toBeGreaterThan(queries / 3);
  });

  it('with random u64 node ids (slots out of id order: sorting and renumbering paths)', () => {
    const pool = Array.from({ length: 400 }, (_, i) => (BigInt(Math.imul(i + 1, 0x9e3779b1) >>> 0) << 32n) | BigInt(Math.imul(i + 7, 0x85ebca6b) >>> 0));
    const { queries, hits, compactions } = run(2, (r) => pick(r, pool), 6000);
    expect(compactions).toBeGreaterThan(0);
    expect(queries).toBeGreaterThan(1500);
    expect(hits).toBeGreaterThan(queries / 3);
  });

  it('on a larger fold where buckets turn dense', () => {
    const { queries } = run(3, (r) => BigInt(Math.floor(r() * 3000)) << 20n, 6000);
    expect(queries).toBeGreaterThan(1500);
  });
});
