// Typegen from a live mesh (rpc-tools.md §9.1): the live source on an in-process node (fold export
// of the attach node, metadata fetch of a schema the announcement dropped), and the CLI's main()
// attaching to a node in this process over real UDP.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import { MeshNode } from '../../ts/node/mesh-node.js';
import { Identity } from '../../ts/identity/identity.js';
import { LiveSource } from '../../ts/typegen/live-source.js';
import { main } from '../../ts/cli/index.js';
import { MAX_EVENT_SIZE } from '../../ts/core/header.js';
import { connectPair, hubNodes, PSK, until } from '../node/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'typegen-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function wideSchema(bytes: number): string {
  const properties: Record<string, unknown> = {};
  for (let i = 0; JSON.stringify(properties).length < bytes; i++) properties[`field_${i}`] = { type: 'integer', description: `a deliberately long description of field ${i}` };
  return JSON.stringify({ type: 'object', properties, required: ['field_0'] });
}

describe('live source', () => {
  it('imports the attach node’s fold export and fetches full descriptors', async () => {
    const hub = new MemoryHub({ seed: 1501 });
    const [remote, attach, cli] = (await hubNodes(3, hub, { minAnnounceIntervalMs: 0 })) as [MeshNode, MeshNode, MeshNode];
    nodes.push(remote, attach, cli);
    await connectPair(remote, attach);
    remote.serveTool({ toolId: 'remote.echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } } }, tags: ['far'] }, (x) => x);
    const big = wideSchema(2 * MAX_EVENT_SIZE);
    attach.serveTool({ toolId: 'local.wide', version: '3.0.0', inputSchema: big, tags: ['near'] }, () => null);
    await until(() => attach.listTools().length === 2, 5000, 'the attach node to see both tools');
    await connectPair(cli, attach);
    // The CLI node sees only what the attach node announced itself, until it imports the export.
    await until(() => cli.listTools().length === 1, 5000, 'the attach node’s own announcement');
    expect(cli.listTools()[0]!.inputSchema).toBeNull();
    const warnings: string[] = [];
    const source = new LiveSource(async () => ({ node: cli, attach: attach.nodeId, close: async () => {} }), { clock: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
    const got = await source.load({ tags: [], tools: [] }, (m) => warnings.push(m));
    expect(warnings).toEqual([]);
    expect(got.sourceLabel).toBe('live discovery');
    expect(got.capturedAt).toBe('2025-01-02T03:04:05Z');
    expect(got.descriptors.map((d) => [d.toolId, d.version, d.nodeCount])).toEqual([
      ['local.wide', '3.0.0', 1],
      ['remote.echo', '1.0.0', 1],
    ]);
    expect(got.descriptors[0]!.inputSchema).toBe(big); // from tool.metadata.fetch
    expect(JSON.parse(got.descriptors[1]!.inputSchema!)).toEqual({ type: 'object', properties: { text: { type: 'string' } } }); // from the fold export
    const filtered = await source.load({ tags: ['far'], tools: [] }, () => {});
    expect(filtered.descriptors.map((d) => d.toolId)).toEqual(['remote.echo']);
  });
});

describe('net-mesh typegen generate, attached over UDP', () => {
  it('writes bindings for the tools of a node in this process', async () => {
    const target = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0' });
    nodes.push(target);
    target.serveTool(
      {
        toolId: 'weather.lookup',
        description: 'Current weather for a city.',
        inputSchema: { type: 'object', properties: { city: { type: 'string' }, units: { enum: ['metric', 'imperial'] } }, required: ['city'] },
        outputSchema: { type: 'object', properties: { celsius: { type: 'number' } }, required: ['celsius'] },
        tags: ['weather'],
      },
      () => ({ celsius: 21 }),
    );
    const seed = new Uint8Array(32).fill(7);
    writeFileSync(join(dir, 'cli-identity.toml'), `seed_hex = "${hex(seed)}"\n`);
    target.accept(Identity.fromSeed(seed).nodeId);
    const io = { out: '', err: '' };
    const code = await main(
      ['typegen', 'generate', '--language', 'ts', '--out', 'gen', '--node-addr', target.address, '--node-pubkey', hex(target.noisePublicKey), '--node-id', String(target.nodeId), '--psk-hex', PSK, '--identity', 'cli-identity.toml'],
      { out: (t) => void (io.out += t), err: (t) => void (io.err += t), cwd: dir, env: {} },
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(io.out)).toEqual({ language: 'ts', tool_count: 1, files_written: 3, out: 'gen' });
    const module = readFileSync(join(dir, 'gen/tools/weather_lookup.ts'), 'utf8');
    expect(module).toContain('// Generated from live discovery @ ');
    expect(module).toContain('export interface WeatherLookupRequest');
    expect(module).toMatch(/units\?: "metric" \| "imperial"/);
    expect(JSON.parse(readFileSync(join(dir, 'gen/meta.json'), 'utf8'))).toMatchObject({ source: 'live discovery', language: 'ts' });
  }, 30_000);

  it('a target that refuses the handshake exits 6', async () => {
    const target = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0' });
    nodes.push(target);
    const io = { out: '', err: '' };
    const code = await main(
      ['typegen', 'generate', '--language', 'ts', '--node-addr', target.address, '--node-pubkey', hex(target.noisePublicKey), '--node-id', String(target.nodeId), '--psk-hex', 'ab'.repeat(32), '-q'],
      { out: (t) => void (io.out += t), err: (t) => void (io.err += t), cwd: dir, env: {} },
    );
    expect(code).toBe(6);
    expect(io.err).toMatch(/^net-mesh: attach to node \d+ at 127\.0\.0\.1:\d+ failed/);
  }, 60_000);
});
