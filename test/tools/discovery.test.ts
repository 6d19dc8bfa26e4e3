import { afterEach, describe, expect, it } from 'vitest';
import { CapabilityFold } from '../../ts/fold/capability-fold.js';
import type { ToolCapability } from '../../ts/fold/capabilities.js';
import { diffToolLists, listToolsInFold, normalizeToolFilter } from '../../ts/tools/discovery.js';
import { watchToolsInFold, type WatchHost } from '../../ts/tools/watch.js';
import type { ToolListChange } from '../../ts/tools/discovery.js';

let folds: CapabilityFold[] = [];
afterEach(() => {
  for (const f of folds) f.dispose();
  folds = [];
});
function newFold(): CapabilityFold {
  const f = new CapabilityFold({ seed: 1n });
  folds.push(f);
  return f;
}

let gen = 1n;
/** Puts `tools` (all served: each gets its ai-tool tag) into the fold as node `id`'s entry. */
function serve(fold: CapabilityFold, id: bigint, tools: ToolCapability[], extraTags: string[] = []): void {
  fold.insert(id, { tags: [...extraTags, ...tools.map((t) => `ai-tool:${t.id}`)], tools }, { generation: gen++, ttlMs: Infinity });
}
const all = normalizeToolFilter(undefined);

describe('listTools over a fold (rpc-tools.md §8)', () => {
  it('buckets by (toolId, version), counts distinct nodes, sorts, and hydrates metadata', () => {
    const fold = newFold();
    serve(fold, 3n, [{ id: 'search', version: '1.0.0', inputSchema: '{"type":"object"}', description: 'old text', tags: ['web'] }]);
    serve(fold, 1n, [{ id: 'search', version: '1.0.0', description: 'new text', tags: ['web'], streaming: true }, { id: 'alpha' }]);
    serve(fold, 2n, [{ id: 'search', version: '2.0.0', requires: ['gpu'], estimatedTimeMs: 9, stateless: false }]);
    fold.insert(4n, { tags: ['gpu'], tools: [{ id: 'unserved' }] }, { generation: gen++ }); // a tool capability without ai-tool: not listed
    const list = listToolsInFold(fold, all);
    expect(list.map((t) => [t.toolId, t.version, t.nodeCount, t.nodes])).toEqual([
      ['alpha', '1.0.0', 1, [1n]],
      ['search', '1.0.0', 2, [1n, 3n]],
      ['search', '2.0.0', 1, [2n]],
    ]);
    const v2 = list[2]!;
    expect(v2).toMatchObject({ requires: ['gpu'], estimatedTimeMs: 9, stateless: false, streaming: false, description: null, inputSchema: null });
    // latest seen: node 3 is visited after node 1 (ascending ids)
    expect(list[1]).toMatchObject({ description: 'old text', inputSchema: '{"type":"object"}', streaming: false, tags: ['web'] });
  });

  it('reads an ai-tool tag without software.tool fields with defaults, and trims metadata tags', () => {
    const fold = newFold();
    fold.insert(7n, { tags: ['ai-tool:bare'], metadata: { 'tool::bare::tags': ' a , ,b ', 'tool::bare::streaming': 'true' } }, { generation: 1n });
    expect(listToolsInFold(fold, all)).toEqual([
      { toolId: 'bare', name: '', version: '1.0.0', description: null, inputSchema: null, outputSchema: null, requires: [], estimatedTimeMs: 0, stateless: true, streaming: false, tags: ['a', 'b'], nodeCount: 1, nodes: [7n] },
    ]);
  });

  it('filters by any descriptor tag and by exact ids', () => {
    const fold = newFold();
    serve(fold, 1n, [{ id: 'a', tags: ['web'] }, { id: 'b', tags: ['math', 'web'] }, { id: 'c' }]);
    const ids = (f: { tags?: string[]; tools?: string[] }) => listToolsInFold(fold, normalizeToolFilter(f)).map((t) => t.toolId);
    expect(ids({ tags: ['web'] })).toEqual(['a', 'b']);
    expect(ids({ tags: ['math', 'nope'] })).toEqual(['b']);
    expect(ids({ tools: ['c', 'a'] })).toEqual(['a', 'c']);
    expect(ids({ tags: ['web'], tools: ['c', 'b'] })).toEqual(['b']);
    expect(ids({ tags: [] })).toEqual([]);
    expect(() => normalizeToolFilter({ tags: 'web' as unknown as string[] })).toThrow(/filter.tags/);
  });

  it('diffs by key: added, then removed, then node-count changes', () => {
    const t = (toolId: string, nodeCount: number) => ({ toolId, version: '1', nodeCount, nodes: [] }) as never;
    const changes = diffToolLists([t('a', 1), t('b', 2), t('c', 1)], [t('b', 1), t('c', 1), t('d', 1), t('e', 3)]);
    expect(changes.map((c) => [c.kind, c.descriptor.toolId, c.prevNodeCount])).toEqual([
      ['added', 'd', undefined],
      ['added', 'e', undefined],
      ['removed', 'a', undefined],
      ['nodeCountChanged', 'b', 2],
    ]);
  });
});

function fakeHost(fold: CapabilityFold): WatchHost & { close(): void } {
  const hooks = new Set<() => void>();
  let closed = false;
  return {
    fold,
    get closed() {
      return closed;
    },
    onClose(cb) {
      hooks.add(cb);
      return () => hooks.delete(cb);
    },
    close() {
      closed = true;
      for (const h of hooks) h();
    },
  };
}

const brief = (c: ToolListChange) => [c.kind, c.descriptor.toolId, c.descriptor.nodeCount];

describe('watchTools over a fold', () => {
  it('takes its baseline after subscribing: changes right after creation are seen, earlier state is not', async () => {
    const fold = newFold();
    serve(fold, 1n, [{ id: 'old' }]);
    const w = watchToolsInFold(fakeHost(fold));
    serve(fold, 2n, [{ id: 'new' }]); // synchronously after the baseline
    expect(brief((await w.next()).value)).toEqual(['added', 'new', 1]);
    serve(fold, 3n, [{ id: 'new' }]);
    expect(brief((await w.next()).value)).toEqual(['nodeCountChanged', 'new', 2]);
    fold.remove(1n);
    expect(brief((await w.next()).value)).toEqual(['removed', 'old', 1]);
    // Two changes before the consumer pulls again coalesce into one re-list.
    fold.remove(2n);
    fold.remove(3n);
    expect(brief((await w.next()).value)).toEqual(['removed', 'new', 2]);
    w.cancel();
    expect((await w.next()).done).toBe(true);
  });

  it('emits per wake all added, then all removed, then node-count changes, and applies the filter', async () => {
    const fold = newFold();
    serve(fold, 1n, [{ id: 'a', tags: ['x'] }, { id: 'b', tags: ['x'] }]);
    serve(fold, 2n, [{ id: 'b', tags: ['x'] }]);
    const w = watchToolsInFold(fakeHost(fold), { filter: { tags: ['x'] } });
    fold.remove(2n);
    serve(fold, 1n, [{ id: 'b', tags: ['x'] }, { id: 'c', tags: ['x'] }, { id: 'hidden', tags: ['y'] }]);
    const got = [];
    for (let i = 0; i < 3; i++) got.push(brief((await w.next()).value));
    expect(got).toEqual([
      ['added', 'c', 1],
      ['removed', 'a', 1],
      ['nodeCountChanged', 'b', 1],
    ]);
    await w.return!();
  });

  it('ends promptly on cancel(), return(), the AbortSignal and node close, with a pull pending', async () => {
    const fold = newFold();
    const ends: [string, (w: ReturnType<typeof watchToolsInFold>, ac: AbortController, h: ReturnType<typeof fakeHost>) => unknown][] = [
      ['cancel', (w) => w.cancel()],
      ['return', (w) => w.return!()],
      ['abort', (_w, ac) => ac.abort()],
      ['close', (_w, _ac, h) => h.close()],
    ];
    for (const [how, end] of ends) {
      const ac = new AbortController();
      const host = fakeHost(fold);
      const w = watchToolsInFold(host, { signal: ac.signal });
      const first = w.next();
      const second = w.next(); // a consumer that does not await between pulls
      const t0 = Date.now();
      end(w, ac, host);
      expect(await first, how).toEqual({ value: undefined, done: true });
      expect(await second, how).toEqual({ value: undefined, done: true });
      expect(Date.now() - t0).toBeLessThan(100);
      serve(fold, 9n, [{ id: `after-${how}` }]);
      expect((await w.next()).done).toBe(true);
    }
    // An already-aborted signal gives an ended watch.
    const w = watchToolsInFold(fakeHost(fold), { signal: AbortSignal.abort() });
    expect((await w.next()).done).toBe(true);
  });

  it('for-await works and break ends the watch', async () => {
    const fold = newFold();
    const w = watchToolsInFold(fakeHost(fold));
    setTimeout(() => serve(fold, 1n, [{ id: 'late' }]), 5);
    for await (const c of w) {
      expect(brief(c)).toEqual(['added', 'late', 1]);
      break;
    }
    expect((await w.next()).done).toBe(true);
  });

  it('the ceiling re-lists even when no change signal arrives', async () => {
    const fold = newFold();
    // A fold whose change signal never fires: only the ceiling can wake the watch.
    const silent = new Proxy(fold, {
      get(target, key) {
        if (key === 'onChange') return () => () => {};
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const w = watchToolsInFold(fakeHost(silent), { ceilingMs: 20 });
    serve(fold, 1n, [{ id: 'quiet' }]);
    expect(brief((await w.next()).value)).toEqual(['added', 'quiet', 1]);
    w.cancel();
    expect(() => watchToolsInFold(fakeHost(fold), { ceilingMs: 0 })).toThrow(/ceilingMs/);
  });
});
