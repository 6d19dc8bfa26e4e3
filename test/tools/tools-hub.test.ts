// Two nodes serve tools; a third lists and watches them across a seeded memory hub.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { hostOf } from '../../ts/node/host.js';
import { ToolRegistry } from '../../ts/tools/registry.js';
import type { ToolListChange } from '../../ts/tools/discovery.js';
import { ClosedError } from '../../ts/errors.js';
import { connectPair, hubNodes, until } from '../node/helpers.js';

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

/** Resolves with the next change, failing after `ms` (generous: a busy machine). */
async function nextChange(w: AsyncIterator<ToolListChange>, ms = 5000): Promise<ToolListChange> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const r = await Promise.race([
    w.next(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no tool change within ${ms} ms`)), ms);
    }),
  ]);
  clearTimeout(timer);
  if (r.done) throw new Error('watch ended');
  return r.value;
}

const brief = (c: ToolListChange) => ({ kind: c.kind, toolId: c.descriptor.toolId, nodeCount: c.descriptor.nodeCount, prev: c.prevNodeCount });

describe('listTools / watchTools across a mesh', () => {
  it('see tools appear, change node count and disappear; cancel is prompt', async () => {
    const hub = new MemoryHub({ seed: 1207 });
    nodes = await hubNodes(3, hub, { minAnnounceIntervalMs: 0 });
    const [a, b, c] = nodes as [MeshNode, MeshNode, MeshNode];
    await connectPair(a, c);
    await connectPair(b, c);
    const toolsA = new ToolRegistry(hostOf(a).contributeCapabilities());
    const toolsB = new ToolRegistry(hostOf(b).contributeCapabilities());

    const watch = c.watchTools();
    const webOnly = c.watchTools({ filter: { tags: ['web'] } });
    expect(c.listTools()).toEqual([]);

    const searchA = toolsA.register({ toolId: 'web_search', description: 'Search the web.', inputSchema: { type: 'object', properties: { q: { type: 'string' } } }, tags: ['web'] });
    expect(brief(await nextChange(watch))).toEqual({ kind: 'added', toolId: 'web_search', nodeCount: 1, prev: undefined });
    expect(brief(await nextChange(webOnly))).toEqual({ kind: 'added', toolId: 'web_search', nodeCount: 1, prev: undefined });

    const searchB = toolsB.register({ toolId: 'web_search', description: 'Search the web.', tags: ['web'] });
    expect(brief(await nextChange(watch))).toEqual({ kind: 'nodeCountChanged', toolId: 'web_search', nodeCount: 2, prev: 1 });
    const sumB = toolsB.register({ toolId: 'summarize', version: '2.0.0', streaming: true });
    expect(brief(await nextChange(watch))).toEqual({ kind: 'added', toolId: 'summarize', nodeCount: 1, prev: undefined });

    const list = c.listTools();
    expect(list.map((t) => [t.toolId, t.version, t.nodeCount, t.nodes])).toEqual([
      ['summarize', '2.0.0', 1, [b.nodeId]],
      ['web_search', '1.0.0', 2, [a.nodeId, b.nodeId].sort((x, y) => (x < y ? -1 : 1))],
    ]);
    expect(list[0]!.streaming).toBe(true);
    expect(c.listTools({ tools: ['summarize'] }).map((t) => t.toolId)).toEqual(['summarize']);
    expect(c.listTools({ tags: ['web'] }).map((t) => t.toolId)).toEqual(['web_search']);

    searchA.dispose();
    expect(brief(await nextChange(watch))).toEqual({ kind: 'nodeCountChanged', toolId: 'web_search', nodeCount: 1, prev: 2 });
    sumB.dispose();
    searchB.dispose();
    const gone = [await nextChange(watch), await nextChange(watch)];
    expect(gone.map(brief).sort((x, y) => x.toolId.localeCompare(y.toolId))).toEqual([
      { kind: 'removed', toolId: 'summarize', nodeCount: 1, prev: undefined },
      { kind: 'removed', toolId: 'web_search', nodeCount: 1, prev: undefined },
    ]);
    // The filtered watch was not pulled in between: it reports the net change since its last pull.
    expect(brief(await nextChange(webOnly))).toEqual({ kind: 'removed', toolId: 'web_search', nodeCount: 1, prev: undefined });
    await until(() => c.listTools().length === 0, 5000, 'an empty tool list');

    // Prompt cancel with a pull pending and no ceiling.
    const pending = watch.next();
    const t0 = Date.now();
    watch.cancel();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(Date.now() - t0).toBeLessThan(100);

    // Closing the node ends the other watch; the node's methods then refuse.
    const stillPending = webOnly.next();
    await c.close();
    expect(await stillPending).toEqual({ value: undefined, done: true });
    expect(() => c.listTools()).toThrow(ClosedError);
  });

  it('a node lists its own tools, and a departed peer takes its tools with it', async () => {
    const hub = new MemoryHub({ seed: 99 });
    nodes = await hubNodes(2, hub, { minAnnounceIntervalMs: 0, heartbeatIntervalMs: 50, sessionTimeoutMs: 400 });
    const [a, c] = nodes as [MeshNode, MeshNode];
    await connectPair(a, c);
    new ToolRegistry(hostOf(a).contributeCapabilities()).register({ toolId: 'echo' });
    expect(a.listTools().map((t) => [t.toolId, t.nodes])).toEqual([['echo', [a.nodeId]]]);
    await until(() => c.listTools().length === 1, 5000, 'echo at c');
    const w = c.watchTools();
    await a.close();
    expect(brief(await nextChange(w, 10_000))).toEqual({ kind: 'removed', toolId: 'echo', nodeCount: 1, prev: undefined });
    w.cancel();
  });
});
