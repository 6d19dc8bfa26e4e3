// The 10,000-node fixture of fold.md §9: the seven queries and the control return the listed
// counts, through the WASM index and through the plain-JS matcher alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapabilityFold } from '../../ts/fold/capability-fold.js';
import {
  FIXTURE_COMPLEX_70,
  FIXTURE_QUERIES,
  FIXTURE_SIZE,
  buildFixtureFold,
  fixtureAnnouncement,
  fixtureAnnouncements,
} from '../../ts/fold/fixture.js';
import { membershipMatches, membershipOf } from '../../ts/fold/membership.js';
import { normalizeQuery } from '../../ts/fold/query.js';
import { encodeAnnouncement } from '../../ts/fold/announcement.js';

describe('10k-node fixture', () => {
  let fold: CapabilityFold;
  const anns = fixtureAnnouncements();
  const memberships = anns.map((a) => ({ id: a.nodeId, m: membershipOf(a.capabilities.tags) }));

  beforeAll(() => {
    fold = buildFixtureFold(anns);
  });
  afterAll(() => fold.dispose());

  it('holds 10,000 entries from 10,000 inserts', () => {
    expect(fold.size).toBe(FIXTURE_SIZE);
    const s = fold.stats();
    expect(s.inserted).toBe(10_000);
    expect(s.replaced).toBe(0);
    expect(s.rejected).toBe(0);
  });

  it('node 0 carries the tags of the fixture table', () => {
    const tags = fold.tagsOf(0n)!;
    expect(tags).toEqual([
      'gpu-cluster',
      'hardware.cpu_cores=16',
      'hardware.cpu_threads=32',
      'hardware.gpu',
      'hardware.gpu.compute_units=128',
      'hardware.gpu.fp16_tflops_x10=825',
      'hardware.gpu.model=RTX 4090',
      'hardware.gpu.tensor_cores=512',
      'hardware.gpu.vendor=nvidia',
      'hardware.gpu.vram_gb=24',
      'hardware.limits.max_concurrent_requests=10',
      'hardware.memory_gb=64',
      'hardware.network_gbps=10',
      'hardware.storage_gb=2000',
      'inference',
      'software.cuda_version=12.1',
      'software.framework.pytorch=2.1',
      'software.model.0.context_length=128000',
      'software.model.0.family=llama',
      'software.model.0.id=llama-3.1-7b',
      'software.model.0.loaded=true',
      'software.model.0.modalities=text,code',
      'software.model.0.parameters_b_x10=70',
      'software.model.0.quantization=fp16',
      'software.model.0.tokens_per_sec=50',
      'software.os=linux',
      'software.os_version=6.1',
      'software.runtime.python=3.11',
      'software.tool.0.estimated_time_ms=100',
      'software.tool.0.name=Python REPL',
      'software.tool.0.stateless=true',
      'software.tool.0.tool_id=python_repl',
      'software.tool.0.version=1.0.0',
      'training',
    ]);
    expect(fold.tagsOf(7n)).not.toContain('inference');
    expect(fold.tagsOf(7n)).toContain('software.model.0.id=llama-3.1-67b');
  });

  for (const q of [...FIXTURE_QUERIES, FIXTURE_COMPLEX_70]) {
    it(`${q.id} returns ${q.expected} ascending ids (index and JS scan agree)`, () => {
      const ids = fold.query(q.query);
      expect(ids.length).toBe(q.expected);
      let ascending = true;
      for (let i = 1; i < ids.length; i++) if (!(ids[i - 1]! < ids[i]!)) ascending = false;
      expect(ascending).toBe(true);
      expect(fold.count(q.query)).toBe(q.expected);
      expect(Array.from(fold.queryIds(q.query))).toEqual(ids);
      const nq = normalizeQuery(q.query);
      const scan = memberships.filter((n) => membershipMatches(n.m, nq)).map((n) => n.id);
      expect(scan).toEqual(ids);
    });
  }

  it('model query returns exactly the i ≡ 0 (mod 4) nodes', () => {
    const ids = fold.query({ model: 'llama-3.1-7b' });
    expect(ids.every((id) => id % 4n === 0n)).toBe(true);
  });

  it('is deterministic: the same announcement bytes every build', () => {
    expect(encodeAnnouncement(fixtureAnnouncement(4242))).toBe(encodeAnnouncement(anns[4242]!));
    expect(encodeAnnouncement(anns[0]!).length).toBeLessThan(8104);
  });
});
