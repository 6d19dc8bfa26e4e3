import { describe, expect, it } from 'vitest';
import { diffSnapshots, renderDiffText } from '../../ts/typegen/diff.js';
import { decodeSnapshot, encodeSnapshot, utcTimestamp } from '../../ts/typegen/snapshot.js';
import { makeToolDescriptor, type ToolDescriptorInit } from '../../ts/tools/descriptor.js';
import { TypegenError } from '../../ts/errors.js';
import { snapshotOf, WEB_SEARCH } from './fixture.js';

const tool = (init: ToolDescriptorInit) => makeToolDescriptor(init);
const obj = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required });

function diffOne(a: ToolDescriptorInit, b: ToolDescriptorInit) {
  return diffSnapshots(snapshotOf([tool(a)]), snapshotOf([tool(b)]));
}

describe('typegen diff (rpc-tools.md §9.8)', () => {
  it('an added optional field is compatible; a removed required output field is BREAKING', () => {
    const r = diffOne(
      { toolId: 't', inputSchema: obj({ q: { type: 'string' } }, ['q']), outputSchema: obj({ hits: { type: 'array', items: { type: 'string' } }, total: { type: 'integer' } }, ['hits', 'total']) },
      { toolId: 't', inputSchema: obj({ q: { type: 'string' }, limit: { type: 'integer' } }, ['q']), outputSchema: obj({ hits: { type: 'array', items: { type: 'string' } } }, ['hits']) },
    );
    expect(r.changed[0]!.changes).toEqual([
      { path: 'input.limit', detail: 'added (optional)', breaking: false },
      { path: 'output.total', detail: 'removed', breaking: true },
    ]);
    expect(r.breaking_count).toBe(1);
  });

  it('flags each rule', () => {
    const r = diffOne(
      {
        toolId: 't',
        version: '1.0.0',
        description: 'a',
        tags: ['x'],
        inputSchema: obj(
          {
            keep: { type: 'string' },
            gone: { type: 'string' },
            opt: { type: 'string' },
            req: { type: 'string' },
            color: { enum: ['red', 'green'] },
            size: { enum: ['s'] },
            n: { type: 'integer' },
            u: { type: ['string', 'integer'] },
            maybe: { type: ['string', 'null'] },
            sure: { type: 'string' },
            nested: { type: 'object', properties: { a: { type: 'string' } }, nullable: true },
          },
          ['req', 'gone'],
        ),
      },
      {
        toolId: 't',
        version: '1.1.0',
        description: 'b',
        tags: ['x', 'y'],
        inputSchema: obj(
          {
            newreq: { type: 'string' },
            keep: { type: 'string' },
            opt: { type: 'string' },
            req: { type: 'string' },
            color: { enum: ['red'] },
            size: { enum: ['s', 'm'] },
            n: { type: 'number' },
            u: { type: ['integer', 'string'] },
            maybe: { type: 'string' },
            sure: { type: ['string', 'null'] },
            nested: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['b'] },
          },
          ['opt', 'newreq'],
        ),
      },
    );
    expect(r.changed).toHaveLength(1);
    expect(r.changed[0]!.from_version).toBe('1.0.0');
    expect(r.changed[0]!.to_version).toBe('1.1.0');
    expect(r.changed[0]!.changes).toEqual([
      { path: 'version', detail: '1.0.0 → 1.1.0', breaking: false },
      { path: 'description', detail: 'description text changed', breaking: false },
      { path: 'tags', detail: '["x"] → ["x","y"]', breaking: false },
      { path: 'input.color', detail: 'enum value(s) removed: "green"', breaking: true },
      { path: 'input.maybe', detail: 'nullable → non-nullable', breaking: true },
      { path: 'input.n', detail: 'type integer → number', breaking: true },
      { path: 'input.nested.b', detail: 'added (required)', breaking: true },
      { path: 'input.nested', detail: 'nullable → non-nullable', breaking: true },
      { path: 'input.newreq', detail: 'added (required)', breaking: true },
      { path: 'input.opt', detail: 'optional → required', breaking: true },
      { path: 'input.req', detail: 'required → optional', breaking: false },
      { path: 'input.size', detail: 'enum value(s) added: "m"', breaking: false },
      { path: 'input.sure', detail: 'non-nullable → nullable', breaking: false },
      { path: 'input.gone', detail: 'removed', breaking: false },
    ]);
    expect(r.breaking_count).toBe(7);
  });

  it('compares whole schemas: removed, added, unparseable, non-object roots; reordering is not a change', () => {
    const s = JSON.stringify;
    expect(diffOne({ toolId: 't', outputSchema: '{}' }, { toolId: 't' }).changed[0]!.changes).toEqual([{ path: 'output', detail: 'schema removed', breaking: true }]);
    expect(diffOne({ toolId: 't', inputSchema: '{}' }, { toolId: 't' }).changed[0]!.changes).toEqual([{ path: 'input', detail: 'schema removed', breaking: false }]);
    expect(diffOne({ toolId: 't' }, { toolId: 't', inputSchema: '{}' }).changed[0]!.changes).toEqual([{ path: 'input', detail: 'schema added', breaking: false }]);
    expect(diffOne({ toolId: 't', inputSchema: '{not' }, { toolId: 't', inputSchema: '{no' }).changed[0]!.changes).toEqual([{ path: 'input', detail: 'schema changed (not structurally compared)', breaking: true }]);
    expect(diffOne({ toolId: 't', outputSchema: s({ type: 'string' }) }, { toolId: 't', outputSchema: s({ type: 'array', items: { type: 'string' } }) }).changed[0]!.changes).toEqual([{ path: 'output', detail: 'type string → array<string>', breaking: true }]);
    const a = obj({ x: { type: ['string', 'null'] }, y: { type: 'integer' } }, ['x']);
    const b = { required: ['x'], properties: { y: { type: 'integer' }, x: { type: ['null', 'string'] } }, type: 'object' };
    expect(diffOne({ toolId: 't', inputSchema: a }, { toolId: 't', inputSchema: b }).changed).toEqual([]);
  });

  it('reports added and removed tools sorted by id, and renders the text report', () => {
    const r = diffSnapshots(snapshotOf([tool({ toolId: 'b' }), tool({ toolId: 'keep', version: '1' })]), snapshotOf([tool({ toolId: 'z', version: '2.0.0' }), tool({ toolId: 'a' }), tool({ toolId: 'keep', version: '1', outputSchema: '{}' })]));
    expect(r.added).toEqual([{ tool_id: 'a', version: '1.0.0' }, { tool_id: 'z', version: '2.0.0' }]);
    expect(r.removed).toEqual([{ tool_id: 'b', version: '1.0.0' }]);
    expect(renderDiffText(r)).toBe(
      ['Added tools (2):', '  - a v1.0.0', '  - z v2.0.0', '', 'Removed tools (1):', '  - b v1.0.0', '', 'Schema changes (1):', '  keep v1', '    - output: schema added', '', '1 changed tool(s), 0 marked BREAKING.', ''].join('\n'),
    );
    expect(renderDiffText(diffSnapshots(snapshotOf([]), snapshotOf([])))).toBe('No differences.\n');
  });
});

describe('snapshot file (rpc-tools.md §9.2)', () => {
  it('round-trips as pretty JSON with the §9.2 keys', () => {
    const snap = { ...snapshotOf([WEB_SEARCH]), sourceQuery: { tags: ['web'], tools: [] } };
    const text = encodeSnapshot(snap);
    expect(text.startsWith('{\n  "format_version": 1,\n  "captured_at": "2025-01-02T03:04:05Z",\n  "source_query": {\n    "tags": [\n      "web"\n    ],')).toBe(true);
    expect(decodeSnapshot(text, 'x')).toEqual(snap);
    expect(utcTimestamp(Date.UTC(2025, 0, 2, 3, 4, 5, 678))).toBe('2025-01-02T03:04:05Z');
  });

  it('refuses invalid JSON, other format versions and wrong shapes with exit code 2', () => {
    const bad = ['{', '[]', '{"format_version":2,"captured_at":"","source_query":{"tags":[],"tools":[]},"descriptors":[]}', '{"format_version":1}', '{"format_version":1,"captured_at":"t","source_query":{"tags":[1],"tools":[]},"descriptors":[]}', '{"format_version":1,"captured_at":"t","source_query":{"tags":[],"tools":[]},"descriptors":[{"name":"no id"}]}'];
    for (const b of bad) {
      try {
        decodeSnapshot(b, 'f.json');
        throw new Error(`accepted ${b}`);
      } catch (e) {
        expect(e).toBeInstanceOf(TypegenError);
        expect((e as TypegenError).exitCode).toBe(2);
      }
    }
  });
});
