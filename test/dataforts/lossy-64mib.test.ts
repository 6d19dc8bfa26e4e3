// A 64 MiB blob (16 chunks) fetched byte for byte over a seeded memory-hub link with 10% loss,
// 5% duplication and 10% reordering in both directions (dataforts.md §5–§6 over streams.md).
import { describe, expect, it } from 'vitest';
import { hubMesh, patternBytes, sameBytes } from './helpers.js';

const mesh = hubMesh();

describe('64 MiB under loss, duplication and reordering', () => {
  it('arrives byte-exact', { timeout: 180_000 }, async () => {
    const { hub, nodes } = await mesh(2, 64);
    const [holder, req] = nodes;
    const data = patternBytes(64 * 1024 * 1024, 64);
    const ref = await holder!.blobs.store(data);
    hub.setLink(holder!.address, req!.address, { loss: 0.1, duplicate: 0.05, reorder: 0.1 });
    const got = await req!.blobs.fetch(ref, { from: holder!.nodeId });
    expect(got.length).toBe(data.length);
    expect(sameBytes(got, data)).toBe(true);
    const h = hub.stats();
    expect(h.droppedByLoss).toBeGreaterThan(500);
    expect(h.duplicated).toBeGreaterThan(200);
    expect(h.reordered).toBeGreaterThan(200);
    expect(req!.blobs.stats()).toMatchObject({ fetched: 16, failed: 0 });
    expect(req!.blobs.transfers()).toEqual([]);
  });
});
