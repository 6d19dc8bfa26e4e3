// CapabilityFold semantics: insert / replace / older generation / remove / TTL expiry, the query
// edge cases of fold.md §6–§7, counters and the change signal.
import { afterEach, describe, expect, it } from 'vitest';
import { ClosedError, InvalidArgumentError } from '../../ts/errors.js';
import { CapabilityFold } from '../../ts/fold/capability-fold.js';
import { loweredCapabilities } from '../../ts/fold/capabilities.js';
import { CapabilityFilter } from '../../ts/fold/query.js';

const folds: CapabilityFold[] = [];
function fold(): CapabilityFold {
  const f = new CapabilityFold({ clock: () => 1_000_000, seed: 7n });
  folds.push(f);
  return f;
}
afterEach(() => {
  while (folds.length) folds.pop()!.dispose();
});

const gpuBox = { memoryGb: 64, gpu: { vendor: 'nvidia' as const, model: 'A100', vramGb: 80 }, tags: ['inference'] };

describe('insert, replace, reject, remove', () => {
  it('inserts, replaces only with a strictly greater generation, and removes', () => {
    const f = fold();
    expect(f.insert(5n, gpuBox, { generation: 3n })).toBe(true);
    expect(f.size).toBe(1);
    expect(f.generation(5n)).toBe(3n);
    // Equal and older generations are rejected and change nothing.
    expect(f.insert(5n, { tags: ['other'] }, { generation: 3n })).toBe(false);
    expect(f.insert(5n, { tags: ['other'] }, { generation: 2n })).toBe(false);
    expect(f.query({ tags: ['inference'] })).toEqual([5n]);
    expect(f.query({ tags: ['other'] })).toEqual([]);
    // A newer generation replaces every index row.
    expect(f.insert(5n, { tags: ['other'] }, { generation: 4n })).toBe(true);
    expect(f.query({ tags: ['inference'] })).toEqual([]);
    expect(f.query({ requireGpu: true })).toEqual([]);
    expect(f.query({ tags: ['other'] })).toEqual([5n]);
    expect(f.tagsOf(5n)).toEqual(['other']);
    expect(f.remove(5n)).toBe(true);
    expect(f.remove(5n)).toBe(false);
    expect(f.size).toBe(0);
    expect(f.query({})).toEqual([]);
    const s = f.stats();
    expect([s.inserted, s.replaced, s.rejected, s.evictions]).toEqual([1, 1, 2, 1]);
    expect(s.rejectedBy.stale_generation).toBe(2);
  });

  it('without a generation, each insert is current + 1', () => {
    const f = fold();
    expect(f.insert(1n, { tags: ['a'] })).toBe(true);
    expect(f.insert(1n, { tags: ['b'] })).toBe(true);
    expect(f.generation(1n)).toBe(2n);
    expect(f.query({ tags: ['b'] })).toEqual([1n]);
  });

  it('generation 0 is an error counted as a rejection; u64 ids round-trip exactly', () => {
    const f = fold();
    expect(() => f.insert(1n, {}, { generation: 0n })).toThrow(InvalidArgumentError);
    expect(f.stats().rejectedBy.invalid_generation).toBe(1);
    expect(f.size).toBe(0);
    const big = (1n << 64n) - 1n;
    f.insert(big, { tags: ['x'] }, { generation: big });
    f.insert(1n << 63n, { tags: ['x'] });
    expect(f.query({ tags: ['x'] })).toEqual([1n << 63n, big]);
    expect(f.generation(big)).toBe(big);
    expect(() => f.insert(-1n, {})).toThrow(InvalidArgumentError);
    expect(() => f.insert(1n << 64n, {})).toThrow(InvalidArgumentError);
    expect(() => f.insert(2 as unknown as bigint, {})).toThrow(InvalidArgumentError);
  });

  it('rejects bad user tags with an error naming the tag, leaving the fold unchanged', () => {
    const f = fold();
    expect(() => f.insert(1n, { tags: ['ok', 'scope:region:eu'] })).toThrow(/scope:region:eu/);
    expect(() => f.insert(1n, { tags: ['causal:abc'] })).toThrow(InvalidArgumentError);
    expect(() => f.insert(1n, { tags: [''] })).toThrow(/empty/);
    expect(() => f.insert(1n, { memoryGb: -1 })).toThrow(/memoryGb/);
    expect(() => f.insert(1n, { gpu: { vendor: 'matrox' as never } })).toThrow(/vendor/);
    expect(f.size).toBe(0);
    // The substrate path (already lowered) accepts reserved tags.
    expect(f.insertLowered(1n, loweredCapabilities(['scope:region:eu', 'causal:abc']))).toBe('inserted');
    expect(f.query({ region: 'eu' })).toEqual([1n]);
  });

  it('keeps metadata beside the index', () => {
    const f = fold();
    f.insert(3n, { metadata: { owner: 'me', __proto__x: 'y' }, tools: [{ id: 't', description: 'does t' }] });
    expect(f.metadataOf(3n)).toEqual({ owner: 'me', __proto__x: 'y', 'tool::t::description': 'does t' });
    expect(f.capabilitiesOf(3n)!.tools![0]).toMatchObject({ id: 't', version: '1.0.0', stateless: true, description: 'does t' });
    expect(f.metadataOf(4n)).toBeUndefined();
  });
});

describe('TTL and sweep', () => {
  it('expires at now + ttl, inclusive; queries keep showing expired entries until swept', () => {
    const f = fold();
    f.insert(1n, { tags: ['a'] }, { ttlMs: 1000, nowMs: 10_000 });
    f.insert(2n, { tags: ['a'] }, { ttlMs: 5000, nowMs: 10_000 });
    f.insert(3n, { tags: ['a'] }, { ttlMs: Infinity, nowMs: 10_000 });
    f.insert(4n, { tags: ['a'] }, { nowMs: 10_000 }); // default 60 s
    expect(f.expiresAt(1n)).toBe(11_000);
    expect(f.expiresAt(3n)).toBe(Infinity);
    expect(f.expiresAt(4n)).toBe(70_000);
    expect(f.nextExpiryMs()).toBe(11_000);
    expect(f.sweep(10_999)).toEqual([]);
    expect(f.query({ tags: ['a'] })).toEqual([1n, 2n, 3n, 4n]);
    expect(f.sweep(11_000)).toEqual([1n]);
    expect(f.query({ tags: ['a'] })).toEqual([2n, 3n, 4n]);
    // A replacement moves the expiry; the old deadline no longer removes it.
    f.insert(2n, { tags: ['a'] }, { ttlMs: 100_000, nowMs: 12_000 });
    expect(f.sweep(20_000)).toEqual([]);
    expect(f.sweep(1e12)).toEqual([4n, 2n]);
    expect(f.query({})).toEqual([3n]);
    expect(f.stats().expiries).toBe(3);
  });

  it('sweeps at most max entries per call', () => {
    const f = fold();
    for (let i = 0n; i < 10n; i++) f.insert(i, { tags: ['t'] }, { ttlMs: 1, nowMs: 0 });
    expect(f.sweep(5, 4).length).toBe(4);
    expect(f.size).toBe(6);
    expect(f.sweep(5).length).toBe(6);
  });

  it('uses the injected clock when no time is passed', () => {
    let now = 500;
    const f = new CapabilityFold({ clock: () => now });
    folds.push(f);
    f.insert(1n, { tags: ['a'] }, { ttlMs: 100 });
    now = 599;
    expect(f.sweep()).toEqual([]);
    now = 600;
    expect(f.sweep()).toEqual([1n]);
  });
});

describe('query semantics (fold.md §7)', () => {
  function sample(): CapabilityFold {
    const f = fold();
    f.insert(10n, { ...gpuBox, models: [{ id: 'llama' }], tools: [{ id: 'repl' }], region: 'eu' });
    f.insert(20n, { memoryGb: 128, tags: ['inference', 'gpu', 'model:llama', 'tool:repl'] });
    f.insert(30n, { gpu: { model: 'mystery' }, models: [{ id: 'mistral' }] });
    f.insertLowered(40n, loweredCapabilities(['software.model.0.id:llama', 'hardware.gpu.vendor=AMD', 'scope:region:us', 'scope:region:ap']));
    f.insert(50n, {});
    return f;
  }

  it('an empty query (empty tag list) matches every entry', () => {
    expect(sample().query({})).toEqual([10n, 20n, 30n, 40n, 50n]);
    expect(sample().query({ tags: [] })).toEqual([10n, 20n, 30n, 40n, 50n]);
  });

  it('tags match exactly, all required', () => {
    const f = sample();
    expect(f.query({ tags: ['inference'] })).toEqual([10n, 20n]);
    expect(f.query({ tags: ['inference', 'gpu'] })).toEqual([20n]);
    expect(f.query({ tags: ['inference', 'nonexistent'] })).toEqual([]);
    // No semantic equality in the fold: the separator is part of the tag.
    expect(f.query({ tags: ['software.model.0.id=llama'] })).toEqual([10n]);
  });

  it('model / tool / GPU axes use synthetic keys only (raw legacy tags never satisfy them)', () => {
    const f = sample();
    expect(f.query({ model: 'llama' })).toEqual([10n, 40n]);
    expect(f.query({ models: ['mistral', 'llama'] })).toEqual([10n, 30n, 40n]);
    expect(f.query({ models: [] })).toEqual([10n, 20n, 30n, 40n, 50n]);
    expect(f.query({ tool: 'repl' })).toEqual([10n]);
    expect(f.query({ requireGpu: true })).toEqual([10n, 30n, 40n]);
    expect(f.query({ gpuVendor: 'nvidia' })).toEqual([10n]);
    // An untagged vendor is "unknown"; an unrecognised one too (`AMD` is not `amd`).
    expect(f.query({ gpuVendor: 'unknown' })).toEqual([30n, 40n]);
    expect(f.query({ gpuVendor: 'AMD' })).toEqual([]);
    expect(() => f.query({ gpuVendor: 'matrox' })).toThrow(InvalidArgumentError);
    // Synthetic keys never show up as tags.
    expect(f.tagsOf(10n)).not.toContain('gpu:present');
    expect(f.query({ tags: ['gpu:present'] })).toEqual([]);
  });

  it('range checks: missing memory / VRAM count as 0; minVram implies a GPU', () => {
    const f = sample();
    expect(f.query({ minMemoryGb: 64 })).toEqual([10n, 20n]);
    expect(f.query({ minMemoryGb: 65 })).toEqual([20n]);
    expect(f.query({ minMemoryGb: 64.5 })).toEqual([20n]);
    expect(f.query({ minMemoryGb: 0 })).toEqual([10n, 20n, 30n, 40n, 50n]);
    expect(f.query({ minVramGb: 80 })).toEqual([10n]);
    expect(f.query({ minVramGb: 0 })).toEqual([10n, 30n, 40n]);
    expect(f.query({ minMemoryGb: 2 ** 40 })).toEqual([]);
    expect(() => f.query({ minMemoryGb: -1 })).toThrow(InvalidArgumentError);
    expect(() => f.query({ minMemoryGb: Number.NaN })).toThrow(InvalidArgumentError);
  });

  it('composite extensions: region (byte-smallest), tagsAny, tagPrefix, nodes, limit', () => {
    const f = sample();
    expect(f.query({ region: 'eu' })).toEqual([10n]);
    expect(f.query({ region: 'ap' })).toEqual([40n]);
    expect(f.query({ region: 'us' })).toEqual([]);
    expect(f.query({ tagsAny: ['gpu', 'scope:region:eu'] })).toEqual([10n, 20n]);
    expect(f.query({ tagsAny: ['nope'] })).toEqual([]);
    expect(f.query({ tagPrefix: 'hardware.gpu.vendor' })).toEqual([10n, 40n]);
    expect(f.query({ nodes: [50n, 10n, 10n, 999n] })).toEqual([10n, 50n]);
    expect(f.query({ nodes: [999n] })).toEqual([]);
    expect(f.query({ limit: 2 })).toEqual([10n, 20n]);
    expect(f.count({ requireGpu: true })).toBe(3);
    expect(Array.from(f.queryIds({ requireGpu: true }))).toEqual([10n, 30n, 40n]);
  });

  it('CapabilityFilter builders translate like Net (withMinVram / withGpuVendor set requireGpu)', () => {
    const f = sample();
    expect(f.query(new CapabilityFilter().requireTag('inference').withMinMemory(100))).toEqual([20n]);
    expect(f.query(new CapabilityFilter().withMinVram(0))).toEqual([10n, 30n, 40n]);
    expect(f.query(new CapabilityFilter().withGpuVendor('nvidia').requireModel('llama'))).toEqual([10n]);
    // Context length and modalities are ignored by the fold path.
    expect(f.query(new CapabilityFilter().requireModel('llama').withMinContextLength(1e9).requireModality('image'))).toEqual([10n, 40n]);
  });

  it('matches(node, query) agrees with query', () => {
    const f = sample();
    const queries = [{}, { model: 'llama' }, { requireGpu: true, minMemoryGb: 64 }, { region: 'eu' }, { tags: ['gpu'] }];
    for (const q of queries) {
      const hits = new Set(f.query(q));
      for (const id of [10n, 20n, 30n, 40n, 50n, 60n]) expect(f.matches(id, q)).toBe(hits.has(id));
    }
    expect(f.matches(10n, { nodes: [20n] })).toBe(false);
  });
});

describe('snapshots (fold.md §5.2)', () => {
  it('exclude expired entries; restore keeps absolute deadlines and refuses a non-empty fold', () => {
    const f = fold();
    f.insert(1n, { tags: ['a'], metadata: { k: 'v' } }, { generation: 4n, ttlMs: 1000, nowMs: 0 });
    f.insert(2n, { tags: ['b'] }, { ttlMs: 10_000, nowMs: 0 });
    f.insert((1n << 64n) - 1n, { tags: ['c', 'ü'] }, { ttlMs: Infinity, nowMs: 0 });
    f.insert(3n, { tags: ['gone'] }, { ttlMs: 10, nowMs: 0 });
    const snap = f.snapshot(500);
    expect(f.stats().snapshots).toBe(1);

    const g = fold();
    // Down for 1 s: node 1's deadline (1000) has passed, node 2 keeps its deadline of 10 000.
    expect(g.restore(snap, { nowMs: 1500 })).toBe(2);
    expect(g.query({})).toEqual([2n, (1n << 64n) - 1n]);
    expect(g.expiresAt(2n)).toBe(10_000);
    expect(g.expiresAt((1n << 64n) - 1n)).toBe(Infinity);
    expect(g.tagsOf((1n << 64n) - 1n)).toEqual(['c', 'ü']);
    expect(g.changeCounter).toBe(1n);
    expect(() => g.restore(snap, { nowMs: 1500 })).toThrow(InvalidArgumentError);

    const h = fold();
    expect(h.restore(snap, { nowMs: 600 })).toBe(3);
    expect(h.generation(1n)).toBe(4n);
    expect(h.metadataOf(1n)).toEqual({ k: 'v' });
    expect(() => h.restore('{"entries":[]}')).toThrow(/taken_at_ms/);
  });
});

describe('change signal and lifecycle', () => {
  it('counts changes on insert, replace, removal and sweeps, never on rejection', () => {
    const f = fold();
    const seen: bigint[] = [];
    const off = f.onChange((c) => seen.push(c));
    f.insert(1n, {}, { generation: 2n, ttlMs: 10, nowMs: 0 });
    f.insert(1n, {}, { generation: 1n });
    f.insert(1n, {}, { generation: 3n, ttlMs: 10, nowMs: 0 });
    f.insert(2n, {}, { ttlMs: 10, nowMs: 0 });
    f.remove(2n);
    f.remove(2n);
    f.sweep(100);
    f.sweep(200);
    expect(seen).toEqual([1n, 2n, 3n, 4n, 5n]);
    off();
    f.insert(9n, {});
    expect(seen.length).toBe(5);
    expect(f.changeCounter).toBe(6n);
  });

  it('dispose frees the index; later calls throw ClosedError', () => {
    const f = new CapabilityFold();
    f.insert(1n, {});
    f.dispose();
    f.dispose();
    expect(f.size).toBe(0);
    expect(() => f.query({})).toThrow(ClosedError);
    expect(() => f.insert(1n, {})).toThrow(ClosedError);
  });
});
