// Tools with schemas that exercise the typegen subset (rpc-tools.md §9.4), for the renderer tests.
import { makeToolDescriptor, type ToolDescriptor } from '../../ts/tools/descriptor.js';
import type { TypegenSnapshot } from '../../ts/typegen/snapshot.js';

const s = (o: unknown) => JSON.stringify(o);

export const WEB_SEARCH = makeToolDescriptor({
  toolId: 'web_search',
  version: '1.2.0',
  description: 'Search the web.',
  tags: ['web', 'research'],
  estimatedTimeMs: 500,
  // Raw text: "2" before "1" and a duplicated key check that order follows the text.
  inputSchema: `{
    "title": "Search request",
    "description": "Search the web. Ends a comment: */ and has \\"\\"\\" quotes.",
    "type": "object",
    "properties": {
      "query": { "type": "string" },
      "max_results": { "type": "integer" },
      "2": { "type": "string" },
      "1": { "type": "string" },
      "filters": { "type": "object", "properties": { "lang": { "enum": ["en", "fr"] }, "safe": { "type": "boolean" } }, "required": ["lang"] },
      "1st-choice": { "type": "string" },
      "class": { "type": "string" },
      "_id": { "type": "string" },
      "json": { "type": "number" },
      "query": { "type": "string", "description": "duplicate: last value, first position" }
    },
    "required": ["query", "class"],
    "additionalProperties": false
  }`,
  outputSchema: s({
    type: 'object',
    properties: {
      results: { type: 'array', items: { type: 'object', properties: { url: { type: 'string' }, score: { type: 'number' } }, required: ['url'] } },
      total: { type: ['integer', 'null'] },
    },
    required: ['results'],
  }),
});

export const PAINT = makeToolDescriptor({
  toolId: 'paint.canvas',
  description: null,
  inputSchema: s({
    $defs: {
      Color: { enum: ['red', 'green', 'blue'] },
      Point: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } }, required: ['x', 'y'] },
      Shape: { oneOf: [{ $ref: '#/$defs/Point' }, { type: 'object', properties: { r: { type: 'number' } }, required: ['r'] }] },
    },
    type: 'object',
    properties: {
      color: { $ref: '#/$defs/Color' },
      at: { $ref: '#/$defs/Point' },
      shapes: { type: 'array', items: { $ref: '#/$defs/Shape' } },
      labels: { type: 'array', items: { type: 'string' }, nullable: true },
      coords: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }] },
    },
    required: ['color', 'at'],
    additionalProperties: { type: 'string' },
  }),
});

export const COMBINE = makeToolDescriptor({
  toolId: 'combine',
  inputSchema: s({
    $defs: { A: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, B: { type: 'object', properties: { b: { type: 'integer' } } } },
    allOf: [{ $ref: '#/$defs/A' }, { $ref: '#/$defs/B' }],
  }),
  outputSchema: s({ type: 'string', description: 'The combined text.' }),
});

export const TREE = makeToolDescriptor({
  toolId: 'tree-walk',
  inputSchema: s({
    definitions: { Node: { type: 'object', properties: { value: { type: 'integer' }, children: { type: 'array', items: { $ref: '#/definitions/Node' } } }, required: ['value'] } },
    type: 'object',
    properties: { root: { $ref: '#/definitions/Node' } },
    required: ['root'],
  }),
  outputSchema: s({ type: 'object', properties: { count: { type: 'integer' } }, required: ['count'], additionalProperties: true }),
});

export const MISC = makeToolDescriptor({
  toolId: 'misc',
  streaming: true,
  stateless: false,
  inputSchema: s({
    type: 'object',
    properties: {
      mode: { const: 'fast' },
      level: { enum: [1, 2, 3] },
      ratio: { enum: [0.5, 1] },
      mixed: { enum: ['a', 1.5] },
      anything: {},
      flag: true,
      nums: { type: ['integer', 'null'] },
      pair: { anyOf: [{ type: 'string' }, { type: 'object', properties: { k: { type: 'string' } } }] },
      meta: { type: 'object' },
      closed: { type: 'object', additionalProperties: false },
    },
  }),
});

export const DIGIT = makeToolDescriptor({ toolId: '9lives-tool', inputSchema: s({ type: 'object', properties: {} }) });
export const NO_SCHEMA = makeToolDescriptor({ toolId: 'no_schema' });
export const UNSUPPORTED = makeToolDescriptor({ toolId: 'unsupported', inputSchema: s({ type: 'object', properties: { a: { not: { type: 'string' } } } }) });
export const EXTERNAL = makeToolDescriptor({ toolId: 'external', inputSchema: s({ $ref: 'https://example.com/schema.json' }) });

export const ALL: ToolDescriptor[] = [WEB_SEARCH, PAINT, COMBINE, TREE, MISC, DIGIT, NO_SCHEMA, UNSUPPORTED, EXTERNAL];

export function snapshotOf(descriptors: ToolDescriptor[], capturedAt = '2025-01-02T03:04:05Z'): TypegenSnapshot {
  return { formatVersion: 1, capturedAt, sourceQuery: { tags: [], tools: [] }, descriptors };
}
