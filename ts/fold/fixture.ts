// The 10,000-node benchmark fixture of fold.md §9 (from Net's `benches/net.rs`), deterministic:
// node i gets the capability set below, wrapped as an unsigned announcement (node_id = i,
// entity = 32 zero bytes, version 1, TTL 300) and applied without verification.
import { InvalidArgumentError } from '../errors.js';
import { buildAnnouncement, type AnnouncementSigner, type CapabilityAnnouncement } from './announcement.js';
import type { CapabilitySet } from './capabilities.js';
import { CapabilityFold } from './capability-fold.js';
import type { CapabilityQuery } from './query.js';

export const FIXTURE_SIZE = 10_000;
/** A fixed announcement timestamp, so fixtures are byte-identical across runs. */
export const FIXTURE_TIMESTAMP_NS = 1_700_000_000_000_000_000n;
/** A fixed receive time for fixture folds (ms). */
export const FIXTURE_NOW_MS = 1_700_000_000_000;

/** The capability set of fixture node `i`. */
export function fixtureCapabilities(i: number): CapabilitySet {
  const n = 7 + 20 * (i % 4);
  const tags: string[] = [];
  if (i % 2 === 0) tags.push('inference');
  if (i % 3 === 0) tags.push('training');
  if (i % 5 === 0) tags.push('gpu-cluster');
  return {
    tags,
    cpuCores: 16,
    cpuThreads: 32,
    memoryGb: 64 + (i % 64),
    storageGb: 2000,
    networkGbps: 10,
    gpu: { vendor: 'nvidia', model: 'RTX 4090', vramGb: 24, computeUnits: 128, tensorCores: 512, fp16Tflops: 82.5 },
    software: { os: 'linux', osVersion: '6.1', runtimes: { python: '3.11' }, frameworks: { pytorch: '2.1' }, cudaVersion: '12.1' },
    models: [
      {
        id: `llama-3.1-${n}b`,
        family: 'llama',
        parametersB: n,
        contextLength: 128_000,
        quantization: 'fp16',
        modalities: ['text', 'code'],
        tokensPerSec: 50 + (i % 100),
        loaded: i % 3 === 0,
      },
    ],
    tools: [{ id: 'python_repl', name: 'Python REPL', version: '1.0.0', estimatedTimeMs: 100, stateless: true }],
    limits: { maxConcurrentRequests: 10 },
  };
}

const ZERO_ENTITY = new Uint8Array(32);

function fixtureSigner(nodeId: bigint): AnnouncementSigner {
  return {
    publicKey: ZERO_ENTITY,
    nodeId,
    sign() {
      throw new InvalidArgumentError('fixture announcements are unsigned: they cannot be signed');
    },
  };
}

/** The unsigned announcement of fixture node `i` (node id `i` unless `nodeId` says otherwise). */
export function fixtureAnnouncement(i: number, nodeId: bigint = BigInt(i)): CapabilityAnnouncement {
  return buildAnnouncement(fixtureSigner(nodeId), fixtureCapabilities(i), {
    version: 1n,
    ttlSecs: 300,
    timestampNs: FIXTURE_TIMESTAMP_NS,
    signed: false,
  });
}

/** Fixture announcements for nodes 0…count-1; `nodeIdOf` renames node i (default: i). */
export function fixtureAnnouncements(count = FIXTURE_SIZE, nodeIdOf: (i: number) => bigint = BigInt): CapabilityAnnouncement[] {
  const out: CapabilityAnnouncement[] = [];
  for (let i = 0; i < count; i++) out.push(fixtureAnnouncement(i, nodeIdOf(i)));
  return out;
}

/**
 * A bijective scramble of i into the u64 space (splitmix64's finaliser): node ids that arrive in
 * no particular order, like real hash-derived ids.
 */
export function scrambledNodeId(i: number): bigint {
  const M = (1n << 64n) - 1n;
  let z = (BigInt(i) + 0x9e3779b97f4a7c15n) & M;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
  return z ^ (z >> 31n);
}

/** A fold holding the fixture (announcements applied as trusted, at FIXTURE_NOW_MS). */
export function buildFixtureFold(announcements: readonly CapabilityAnnouncement[] = fixtureAnnouncements()): CapabilityFold {
  const fold = new CapabilityFold({ clock: () => FIXTURE_NOW_MS, seed: 0x5eed_f01dn });
  for (const a of announcements) fold.applyAnnouncement(a, { trusted: true, nowMs: FIXTURE_NOW_MS });
  return fold;
}

export interface FixtureQuery {
  id: string;
  query: CapabilityQuery;
  /** Result count at 10,000 nodes (fold.md §9). */
  expected: number;
  /** Net v0.27.0 median on an M1 Max, µs (undefined for the control). */
  netMedianUs?: number;
}

/** The seven timed queries and the no-results control, with their required counts. */
export const FIXTURE_QUERIES: readonly FixtureQuery[] = [
  { id: 'single_tag', query: { tags: ['inference'] }, expected: 5000, netMedianUs: 184 },
  { id: 'require_gpu', query: { requireGpu: true }, expected: 10000, netMedianUs: 366 },
  { id: 'gpu_vendor', query: { gpuVendor: 'nvidia', requireGpu: true }, expected: 10000, netMedianUs: 614 },
  { id: 'min_memory', query: { minMemoryGb: 80 }, expected: 7488, netMedianUs: 486 },
  { id: 'complex', query: { tags: ['inference'], requireGpu: true, minMemoryGb: 64 }, expected: 5000, netMedianUs: 364 },
  { id: 'model', query: { models: ['llama-3.1-7b'] }, expected: 2500, netMedianUs: 88 },
  { id: 'tool', query: { tools: ['python_repl'] }, expected: 10000, netMedianUs: 374 },
  { id: 'no_results', query: { tags: ['nonexistent'] }, expected: 0 },
];

/** The scaling variant's complex query: 4529 results at 10,000 nodes. */
export const FIXTURE_COMPLEX_70: FixtureQuery = {
  id: 'complex_min70',
  query: { tags: ['inference'], requireGpu: true, minMemoryGb: 70 },
  expected: 4529,
};

/** Net v0.27.0: 10k inserts ≈ 0.44 s on an M1 Max. */
export const NET_INSERT_10K_MS = 440;
