// `net-mesh typegen generate | snapshot | diff` through main(), on snapshot files.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../ts/cli/index.js';
import { runCli } from '../../ts/cli/app.js';
import { typegenCommand } from '../../ts/cli/commands/typegen.js';
import type { CliIo } from '../../ts/cli/command.js';
import { makeToolDescriptor } from '../../ts/tools/descriptor.js';
import { encodeSnapshot } from '../../ts/typegen/snapshot.js';
import { ALL, snapshotOf, WEB_SEARCH } from '../typegen/fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'typegen-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[], extra: Partial<CliIo> = {}) {
  const c = { out: '', err: '' };
  const code = await main(argv, { out: (t) => void (c.out += t), err: (t) => void (c.err += t), cwd: dir, env: {}, ...extra });
  return { code, ...c };
}

const search = (input: object, output: object) => makeToolDescriptor({ toolId: 'search', tags: ['web'], inputSchema: JSON.stringify(input), outputSchema: JSON.stringify(output) });
const v1 = search({ type: 'object', properties: { q: { type: 'string' } }, required: ['q'] }, { type: 'object', properties: { hits: { type: 'array' }, total: { type: 'integer' } }, required: ['hits', 'total'] });
const v2added = search({ type: 'object', properties: { q: { type: 'string' }, limit: { type: 'integer' } }, required: ['q'] }, { type: 'object', properties: { hits: { type: 'array' }, total: { type: 'integer' } }, required: ['hits', 'total'] });
const v3removed = search({ type: 'object', properties: { q: { type: 'string' }, limit: { type: 'integer' } }, required: ['q'] }, { type: 'object', properties: { hits: { type: 'array' } }, required: ['hits'] });
writeFileSync(join(dir, 'all.json'), encodeSnapshot(snapshotOf(ALL)));
writeFileSync(join(dir, 'v1.json'), encodeSnapshot(snapshotOf([v1])));
writeFileSync(join(dir, 'v2.json'), encodeSnapshot(snapshotOf([v2added])));
writeFileSync(join(dir, 'v3.json'), encodeSnapshot(snapshotOf([v3removed])));

describe('net-mesh typegen', () => {
  it('generate --language ts from a snapshot writes the bindings and prints the result', async () => {
    const r = await cli(['typegen', 'generate', '--language', 'ts', '--from-snapshot', 'all.json', '--out', 'gen-ts']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ language: 'ts', tool_count: 6, files_written: 8, skipped: ['no_schema', 'unsupported', 'external'], out: 'gen-ts' });
    expect(r.err).toMatch(/warning: tool `no_schema` has no input schema/);
    expect(readFileSync(join(dir, 'gen-ts/tools/web_search.ts'), 'utf8')).toContain('// Generated from snapshot ' + join(dir, 'all.json') + ' @ 2025-01-02T03:04:05Z');
    expect(existsSync(join(dir, 'gen-ts/index.ts'))).toBe(true);
  });

  it('generate --language python with filters (plural, singular, comma lists); -q silences warnings', async () => {
    const r = await cli(['typegen', 'generate', '--language', 'python', '--from-snapshot', 'all.json', '--tag', 'web', '--tools', 'web_search,misc', '--out', 'gen-py', '-q']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ language: 'python', tool_count: 1, files_written: 6, out: 'gen-py' });
    expect(r.err).toBe('');
    expect(readFileSync(join(dir, 'gen-py/__init__.py'), 'utf8')).toContain('from . import web_search as web_search');
  });

  it('snapshot --from-snapshot re-pins a filtered set and reports its size', async () => {
    const r = await cli(['typegen', 'snapshot', '--from-snapshot', 'all.json', '--tags', 'research', '--out', 'sub/pinned.json']);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out);
    expect(res).toEqual({ tool_count: 1, schema_bytes: Buffer.byteLength(WEB_SEARCH.inputSchema!) + Buffer.byteLength(WEB_SEARCH.outputSchema!), out: 'sub/pinned.json' });
    const pinned = JSON.parse(readFileSync(join(dir, 'sub/pinned.json'), 'utf8'));
    expect(pinned.source_query).toEqual({ tags: ['research'], tools: [] });
    expect(pinned.descriptors.map((d: { tool_id: string }) => d.tool_id)).toEqual(['web_search']);
  });

  it('diff: an added field is compatible (exit 0 with --exit-code); a removed required output field is BREAKING (exit 14)', async () => {
    const ok = await cli(['typegen', 'diff', 'v1.json', 'v2.json', '--exit-code']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toEqual({ added: [], removed: [], changed: [{ tool_id: 'search', from_version: '1.0.0', to_version: '1.0.0', changes: [{ path: 'input.limit', detail: 'added (optional)', breaking: false }] }], breaking_count: 0 });
    const bad = await cli(['typegen', 'diff', 'v2.json', 'v3.json', '--exit-code', '--output', 'text']);
    expect(bad.code).toBe(14);
    expect(bad.out).toBe(['Schema changes (1):', '  search v1.0.0', '    - output.total: removed  [BREAKING]', '', '1 changed tool(s), 1 marked BREAKING.', ''].join('\n'));
    expect(bad.err).toBe('net-mesh: 1 BREAKING schema change(s) detected\n');
    expect((await cli(['typegen', 'diff', 'v2.json', 'v3.json'])).code).toBe(0); // without --exit-code
    expect((await cli(['typegen', 'diff', 'v1.json', 'v1.json', '--output', 'table'])).out).toBe('No differences.\n');
  });

  it('exit codes: bad snapshot 2, unreadable 1, collisions 2, missing target 2, live unavailable 3', async () => {
    writeFileSync(join(dir, 'v9.json'), JSON.stringify({ format_version: 9, captured_at: '', source_query: { tags: [], tools: [] }, descriptors: [] }));
    writeFileSync(join(dir, 'junk.json'), 'not json');
    const clash = [makeToolDescriptor({ toolId: 'a-b', inputSchema: '{}' }), makeToolDescriptor({ toolId: 'a.b', inputSchema: '{}' })];
    writeFileSync(join(dir, 'clash.json'), encodeSnapshot(snapshotOf(clash)));
    expect(await cli(['typegen', 'diff', 'v9.json', 'v1.json'])).toMatchObject({ code: 2, err: expect.stringMatching(/format_version 9/) });
    expect(await cli(['typegen', 'diff', 'junk.json', 'v1.json'])).toMatchObject({ code: 2, err: expect.stringMatching(/not a valid TypegenSnapshot/) });
    expect(await cli(['typegen', 'diff', 'absent.json', 'v1.json'])).toMatchObject({ code: 1, err: expect.stringMatching(/read snapshot/) });
    expect(await cli(['typegen', 'generate', '--language', 'ts', '--from-snapshot', 'clash.json', '--out', 'x'])).toMatchObject({ code: 2, err: expect.stringMatching(/collide.*`a-b`, `a\.b`/) });
    expect(await cli(['typegen', 'generate', '--language', 'ts'])).toMatchObject({ code: 2, err: expect.stringMatching(/--from-snapshot/) });
    expect(await cli(['typegen', 'generate', '--language', 'rust', '--from-snapshot', 'v1.json'])).toMatchObject({ code: 2 });
    expect(await cli(['typegen', 'generate', '--from-snapshot', 'v1.json'])).toMatchObject({ code: 2, err: expect.stringMatching(/--language/) });
    expect(await cli(['typegen', 'snapshot', '--from-snapshot', 'v1.json'])).toMatchObject({ code: 2, err: expect.stringMatching(/--out/) });
    expect(await cli(['typegen', 'generate', '--language', 'ts', '--node-addr', '127.0.0.1:7447'])).toMatchObject({ code: 2, err: expect.stringMatching(/missing --node-pubkey, --node-id, --psk-hex/) });
    const full = ['--node-addr', '127.0.0.1:7447', '--node-pubkey', 'ab'.repeat(32), '--node-id', '0x2a', '--psk-hex', '0x' + '11'.repeat(32)];
    expect(await cli(['typegen', 'generate', '--language', 'ts', ...full, '--node-id', 'zz'])).toMatchObject({ code: 2, err: expect.stringMatching(/--node-id: expected a decimal or 0x-hex u64/) });
    expect(await cli(['typegen', 'generate', '--language', 'ts', ...full, '--psk-hex', 'abc'])).toMatchObject({ code: 2, err: expect.stringMatching(/--psk-hex: expected 64 hex/) });
    // A build without a live source refuses it (exit 3); the CLI's own attaches (test/typegen/live.test.ts).
    const bare = { out: '', err: '' };
    const code = await runCli({ program: 'net-mesh', version: '0', commands: [typegenCommand()] }, ['typegen', 'generate', '--language', 'ts', ...full], { out: (t) => void (bare.out += t), err: (t) => void (bare.err += t), cwd: dir, env: {} });
    expect({ code, err: bare.err }).toMatchObject({ code: 3, err: expect.stringMatching(/live discovery is not available/) });
    expect(await cli(['typegen', 'diff', 'v1.json'])).toMatchObject({ code: 2, err: expect.stringMatching(/missing <b>/) });
  });

  it('has help at each level', async () => {
    expect((await cli(['typegen', '--help'])).out).toMatch(/commands:\n\s+generate[\s\S]*snapshot[\s\S]*diff/);
    expect((await cli(['typegen', 'generate', '--help'])).out).toMatch(/--language <ts\|python>[\s\S]*--from-snapshot <file>[\s\S]*--node-addr/);
    expect((await cli(['--help'])).out).toMatch(/typegen\s+typed TypeScript/);
  });
});
