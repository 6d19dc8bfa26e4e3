import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { hostOf } from '../../ts/node/host.js';
import { ToolRegistry } from '../../ts/tools/registry.js';
import { AlreadyServingError, InvalidArgumentError } from '../../ts/errors.js';
import { hubNodes } from '../node/helpers.js';

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

async function oneNode(): Promise<[MeshNode, ToolRegistry]> {
  nodes = await hubNodes(1, new MemoryHub({ seed: 5 }), { minAnnounceIntervalMs: 0 });
  const node = nodes[0]!;
  return [node, new ToolRegistry(hostOf(node).contributeCapabilities())];
}

describe('tool registry → the node announcement (rpc-tools.md §7, fold.md §2.2)', () => {
  it('announces ai-tool, nrpc, software.tool.<i> tags and tool:: metadata per served tool', async () => {
    const [node, reg] = await oneNode();
    reg.register({ toolId: 'web_search', name: 'Web search', version: '2.0.0', description: 'Find pages.', inputSchema: { type: 'object' }, outputSchema: '{"type":"array"}', requires: ['net', 'gpu'], estimatedTimeMs: 250, stateless: false, streaming: true, tags: ['web', 'research'] });
    reg.register({ toolId: 'ping' });
    const tags = node.fold.tagsOf(node.nodeId)!;
    expect(tags).toEqual(
      expect.arrayContaining([
        'ai-tool:web_search',
        'nrpc:web_search',
        'ai-tool:ping',
        'nrpc:ping',
        'software.tool.0.tool_id=web_search',
        'software.tool.0.name=Web search',
        'software.tool.0.version=2.0.0',
        'software.tool.0.requires=net,gpu',
        'software.tool.0.estimated_time_ms=250',
        'software.tool.0.stateless=false',
        'software.tool.1.tool_id=ping',
        'software.tool.1.name=ping',
        'software.tool.1.version=1.0.0',
        'software.tool.1.stateless=true',
      ]),
    );
    expect(tags.some((t) => t.startsWith('software.tool.1.estimated_time_ms') || t.startsWith('software.tool.1.requires'))).toBe(false);
    expect({ ...node.fold.metadataOf(node.nodeId) }).toEqual({
      'tool::web_search::description': 'Find pages.',
      'tool::web_search::input_schema': '{"type":"object"}',
      'tool::web_search::output_schema': '{"type":"array"}',
      'tool::web_search::streaming': '1',
      'tool::web_search::tags': 'web,research',
    });
  });

  it('keeps the application announcement and the tools side by side', async () => {
    const [node, reg] = await oneNode();
    await node.announceCapabilities({ tags: ['inference'], memoryGb: 64 });
    reg.register({ toolId: 'echo' });
    expect(node.findNodes({ tags: ['inference', 'ai-tool:echo'] })).toEqual([node.nodeId]);
    await node.announceCapabilities({ tags: ['training'] });
    expect(node.findNodes({ tags: ['training', 'ai-tool:echo'] })).toEqual([node.nodeId]);
    expect(node.findNodes({ tags: ['inference'] })).toEqual([]);
  });

  it('is atomic: a duplicate id is AlreadyServing, a bad descriptor changes nothing, dispose withdraws', async () => {
    const [node, reg] = await oneNode();
    const h = reg.register({ toolId: 'echo', tags: ['a'] });
    const gen = node.fold.generation(node.nodeId)!;
    expect(() => reg.register({ toolId: 'echo' })).toThrow(AlreadyServingError);
    expect(() => reg.register({ toolId: 'Echo' })).toThrow(InvalidArgumentError); // not a channel name
    expect(() => reg.register({ toolId: 'x', tags: ['a,b'] })).toThrow(/comma/);
    expect(() => reg.register({ toolId: 'x', requires: [''] })).toThrow(/requires\[0\]/);
    expect(() => reg.register({ toolId: 'x', tags: ['\ud800'] })).toThrow(InvalidArgumentError); // the announcement refuses it
    expect(reg.has('x')).toBe(false);
    expect(reg.size).toBe(1);
    expect(node.fold.generation(node.nodeId)).toBe(gen);
    h.dispose();
    h.dispose();
    expect(reg.size).toBe(0);
    expect(node.fold.tagsOf(node.nodeId)!.some((t) => t.includes('echo'))).toBe(false);
    reg.register({ toolId: 'echo' }); // the id is free again
    expect(node.fold.tagsOf(node.nodeId)).toContain('ai-tool:echo');
  });

  it('keeps full descriptors for tool.metadata.fetch when the announcement had to drop schemas', async () => {
    const [node, reg] = await oneNode();
    const big = JSON.stringify({ type: 'object', description: 'x'.repeat(9000) });
    reg.register({ toolId: 'huge', inputSchema: big, description: 'big schema' });
    expect(node.fold.metadataOf(node.nodeId)!['tool::huge::input_schema']).toBeUndefined(); // shrunk to fit one event (fold.md §10.2)
    expect(node.fold.metadataOf(node.nodeId)!['tool::huge::description']).toBe('big schema');
    expect(reg.get('huge')!.inputSchema).toBe(big);
    expect(node.listTools()[0]).toMatchObject({ toolId: 'huge', inputSchema: null, description: 'big schema' });
  });
});
