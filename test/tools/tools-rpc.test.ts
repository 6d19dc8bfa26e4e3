// AI tools over nRPC (rpc-tools.md §7–§8): two tools served on two nodes and called from a third,
// `tool.metadata.fetch` returning a schema too large for the announcement, streaming tools with
// exactly one terminal, and the atomic serve / dispose.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { AlreadyServingError, RpcError, ToolCallError } from '../../ts/errors.js';
import type { ToolEvent } from '../../ts/tools/events.js';
import { MAX_EVENT_SIZE } from '../../ts/core/header.js';
import { connectPair, hubNodes, until } from '../node/helpers.js';

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

async function mesh(seed: number): Promise<[MeshNode, MeshNode, MeshNode]> {
  const hub = new MemoryHub({ seed });
  const ns = (await hubNodes(3, hub, { minAnnounceIntervalMs: 0 })) as [MeshNode, MeshNode, MeshNode];
  nodes.push(...ns);
  const [a, b, c] = ns;
  await connectPair(c, a);
  await connectPair(c, b);
  return ns;
}

/** A JSON Schema whose text is about `bytes` long: many described properties. */
function bigSchema(bytes: number): string {
  const properties: Record<string, unknown> = {};
  let i = 0;
  while (JSON.stringify({ type: 'object', properties }).length < bytes) {
    properties[`field_${i}`] = { type: 'string', description: `property number ${i} of a deliberately large input schema` };
    i++;
  }
  return JSON.stringify({ type: 'object', properties, required: ['field_0'] });
}

describe('tools served on two nodes, called from a third', () => {
  it('callTool reaches both; an undefined target picks a node announcing the tool', async () => {
    const [a, b, c] = await mesh(1401);
    a.serveTool({ toolId: 'math.add', description: 'Adds two numbers.', inputSchema: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } }, tags: ['math'] }, (input) => {
      const { x, y } = input as { x: number; y: number };
      return { sum: x + y, by: 'a' };
    });
    b.serveTool({ toolId: 'text.upper', version: '2.1.0', tags: ['text'] }, async (input) => ({ text: String((input as { text: string }).text).toUpperCase() }));
    await until(() => c.listTools().length === 2, 5000, 'both tools in the fold');
    expect(c.listTools().map((t) => [t.toolId, t.version, t.nodes])).toEqual([
      ['math.add', '1.0.0', [a.nodeId]],
      ['text.upper', '2.1.0', [b.nodeId]],
    ]);
    expect(await c.callTool(a.nodeId, 'math.add', { x: 2, y: 40 })).toEqual({ sum: 42, by: 'a' });
    expect(await c.callTool(b.nodeId, 'text.upper', { text: 'mesh' })).toEqual({ text: 'MESH' });
    expect(await c.callTool(undefined, 'text.upper', { text: 'picked' })).toEqual({ text: 'PICKED' });
    expect(await c.callTool(undefined, 'math.add', { x: 1, y: 1 })).toEqual({ sum: 2, by: 'a' });
    // bad input → the typed layer's bad request; a throwing handler → 0x8001
    await expect(c.call(a.nodeId, 'math.add', new TextEncoder().encode('{not json'))).rejects.toMatchObject({ status: 0x8000 });
    a.serveTool({ toolId: 'math.fail' }, () => {
      throw new Error('division by zero');
    });
    await expect(c.callTool(a.nodeId, 'math.fail', {})).rejects.toMatchObject({ status: 0x8001, message: 'division by zero' });
  });

  it('tool.metadata.fetch returns a schema the announcement had to drop; not_found for unknown tools', async () => {
    const [a, , c] = await mesh(1402);
    const schema = bigSchema(3 * MAX_EVENT_SIZE);
    a.serveTool({ toolId: 'docs.search', description: 'Searches documents.', inputSchema: schema, outputSchema: { type: 'array' }, tags: ['docs'] }, () => []);
    await until(() => c.listTools().length === 1, 5000, 'the tool in the fold');
    const listed = c.listTools()[0]!;
    expect(listed.inputSchema).toBeNull(); // dropped from the over-size announcement (fold.md §10.2)
    const fetched = await c.fetchToolMetadata(a.nodeId, 'docs.search');
    expect(fetched).not.toBeNull();
    expect(fetched!.inputSchema).toBe(schema);
    expect(fetched!.inputSchema!.length).toBeGreaterThan(MAX_EVENT_SIZE);
    expect(fetched).toMatchObject({ toolId: 'docs.search', description: 'Searches documents.', tags: ['docs'], streaming: false, outputSchema: '{"type":"array"}' });
    expect(await c.fetchToolMetadata(a.nodeId, 'no.such.tool')).toBeNull();
    // A unary caller (as Net v0.27 calls it) gets the small answers whole.
    const unary = JSON.parse(new TextDecoder().decode(await c.call(a.nodeId, 'tool.metadata.fetch', new TextEncoder().encode('{"name":"no.such.tool"}'))));
    expect(unary).toEqual({ type: 'not_found', name: 'no.such.tool' });
  });
});

describe('streaming tools', () => {
  it('events end at the terminal; a handler without one yields missing_terminal; a throw yields an error event', async () => {
    const [a, , c] = await mesh(1403);
    let closed = false;
    let pulledPastTerminal = false;
    a.serveToolStreaming({ toolId: 'gen.story' }, async function* (input) {
      try {
        const n = (input as { n: number }).n;
        yield { type: 'start', toolId: 'gen.story' };
        for (let i = 0; i < n; i++) yield { type: 'delta', data: `part ${i}` };
        yield { type: 'result', data: { parts: n } };
        pulledPastTerminal = true;
        yield { type: 'delta', data: 'after the terminal' };
      } finally {
        closed = true;
      }
    });
    a.serveToolStreaming({ toolId: 'gen.open' }, async function* () {
      yield { type: 'progress', pct: 50 };
    });
    a.serveToolStreaming({ toolId: 'gen.crash' }, async function* () {
      yield { type: 'progress', message: 'starting' };
      throw new Error('model unavailable');
    });
    await until(() => c.listTools().length === 3, 5000, 'the tools');
    expect(c.listTools().every((t) => t.streaming)).toBe(true);
    const events: ToolEvent[] = [];
    for await (const ev of c.callToolStream(a.nodeId, 'gen.story', { n: 3 })) events.push(ev);
    expect(events.map((e) => e.type)).toEqual(['start', 'delta', 'delta', 'delta', 'result']);
    await until(() => closed, 5000, 'the handler to be closed after its terminal');
    expect(pulledPastTerminal).toBe(false);
    expect(await c.callTool(a.nodeId, 'gen.story', { n: 2 })).toEqual({ parts: 2 });
    const open: ToolEvent[] = [];
    for await (const ev of c.callToolStream(a.nodeId, 'gen.open', {})) open.push(ev);
    expect(open).toEqual([{ type: 'progress', pct: 50 }, { type: 'error', code: 'missing_terminal', message: 'tool handler ended its stream without emitting a terminal Result or Error event' }]);
    const err = await c.callTool(a.nodeId, 'gen.crash', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolCallError);
    expect(err).toMatchObject({ toolCode: 'handler_error', status: 0x8001 });
    expect((err as Error).message).toContain('model unavailable');
  });
});

describe('serving is atomic', () => {
  it('a duplicate id is refused and leaves the first served; dispose withdraws handler and announcement', async () => {
    const [a, , c] = await mesh(1404);
    const served = a.serveTool({ toolId: 'one.tool' }, () => 1);
    expect(() => a.serveTool({ toolId: 'one.tool' }, () => 2)).toThrow(AlreadyServingError);
    // a service of that name taken by a plain handler: the tool registration is rolled back
    a.serve('taken.name', () => new Uint8Array(0));
    expect(() => a.serveTool({ toolId: 'taken.name' }, () => 3)).toThrow(/already served/);
    expect(a.listTools().map((t) => t.toolId)).toEqual(['one.tool']);
    await until(() => c.listTools().length === 1, 5000, 'the announcement');
    expect(await c.callTool(a.nodeId, 'one.tool', null)).toBe(1);
    served.dispose();
    await until(() => c.listTools().length === 0, 5000, 'the withdrawal');
    await expect(c.call(a.nodeId, 'one.tool', new TextEncoder().encode('null'), { deadlineMs: 300 })).rejects.toBeInstanceOf(RpcError);
  });
});
