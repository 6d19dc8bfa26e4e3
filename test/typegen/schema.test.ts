import { describe, expect, it } from 'vitest';
import { basename, pascal } from '../../ts/typegen/naming.js';
import { parseSchemaText, UnsupportedSchema } from '../../ts/typegen/schema.js';
import { attribute } from '../../ts/typegen/python-lower.js';
import { docComment } from '../../ts/typegen/typescript.js';

describe('naming (rpc-tools.md §9.3)', () => {
  it('Pascal splits on anything outside ASCII letters and digits', () => {
    expect(pascal('web_search')).toBe('WebSearch');
    expect(pascal('paint.canvas-v2')).toBe('PaintCanvasV2');
    expect(pascal('getHTTPThing')).toBe('GetHTTPThing');
    expect(pascal('9lives')).toBe('_9lives');
    expect(pascal('café_au_lait')).toBe('CafAuLait');
    expect(pascal('---')).toBe('_');
  });

  it('basename maps every character outside [A-Za-z0-9_] to _', () => {
    expect(basename('paint.canvas-v2')).toBe('paint_canvas_v2');
    expect(basename('9lives')).toBe('_9lives');
    expect(basename('x\u{1F600}y')).toBe('x_y');
    expect(basename('')).toBe('_');
  });

  it('Python attributes: invalid characters, digits, keywords, leading underscores, BaseModel names', () => {
    expect(attribute('max_results')).toBe('max_results');
    expect(attribute('1st-choice')).toBe('field_1st_choice');
    expect(attribute('class')).toBe('class_');
    expect(attribute('_id')).toBe('field_id');
    expect(attribute('json')).toBe('json_');
    expect(attribute('model_config')).toBe('model_config_');
    expect(attribute('str')).toBe('str_');
  });

  it('TS doc comments neutralize */', () => {
    expect(docComment('a */ b')).toBe('/** a * / b */');
    expect(docComment('one\ntwo')).toBe('/**\n * one\n * two\n */');
  });
});

describe('schema subset (rpc-tools.md §9.4)', () => {
  it('keeps property and $defs order as written, integer-like keys included; a duplicate key keeps its first position and last value', () => {
    const p = parseSchemaText('{"$defs":{"Z":{"type":"string"},"A":{"type":"integer"}},"type":"object","properties":{"b":{},"2":{},"1":{},"a":{},"b":{"type":"string"}},"required":["1"]}');
    expect(p.defs.map(([n]) => n)).toEqual(['Z', 'A']);
    if (p.root.kind !== 'object') throw new Error('object expected');
    expect(p.root.properties.map((x) => x.name)).toEqual(['b', '2', '1', 'a']);
    expect(p.root.properties[0]!.schema).toEqual({ kind: 'primitive', type: 'string' });
    expect(p.root.properties.map((x) => x.required)).toEqual([false, false, true, false]);
  });

  it('maps each construct in the documented order', () => {
    const k = (schema: unknown) => parseSchemaText(JSON.stringify(schema)).root;
    expect(k(true)).toEqual({ kind: 'unknown' });
    expect(k({})).toEqual({ kind: 'unknown' });
    expect(k({ const: 3, type: 'string' })).toMatchObject({ kind: 'const' });
    expect(k({ enum: ['a'], type: 'integer' })).toMatchObject({ kind: 'enum' });
    expect(k({ oneOf: [{ type: 'string' }], anyOf: [{ type: 'integer' }] })).toEqual({ kind: 'union', members: [{ kind: 'primitive', type: 'string' }] });
    expect(k({ anyOf: [{ type: 'integer' }] })).toEqual({ kind: 'union', members: [{ kind: 'primitive', type: 'integer' }] });
    expect(k({ allOf: [{}] })).toEqual({ kind: 'intersection', members: [{ kind: 'unknown' }] });
    expect(k({ type: ['string', 'null'] })).toEqual({ kind: 'union', members: [{ kind: 'primitive', type: 'string' }, { kind: 'primitive', type: 'null' }] });
    expect(k({ properties: {} })).toEqual({ kind: 'object', properties: [], additional: { kind: 'unspecified' } });
    expect(k({ type: 'array' })).toEqual({ kind: 'array', items: { kind: 'unknown' } });
    expect(k({ type: 'array', prefixItems: [{ type: 'null' }] })).toEqual({ kind: 'tuple', items: [{ kind: 'primitive', type: 'null' }] });
    expect(k({ type: 'string', nullable: true })).toEqual({ kind: 'union', members: [{ kind: 'primitive', type: 'string' }, { kind: 'primitive', type: 'null' }] });
    expect(k({ type: ['string', 'null'], nullable: true })).toEqual({ kind: 'union', members: [{ kind: 'primitive', type: 'string' }, { kind: 'primitive', type: 'null' }] });
    expect(k({ type: 'object', additionalProperties: true })).toMatchObject({ additional: { kind: 'allowed' } });
    expect(k({ type: 'object', additionalProperties: false })).toMatchObject({ additional: { kind: 'denied' } });
    expect(k({ type: 'object', additionalProperties: { type: 'integer' } })).toMatchObject({ additional: { kind: 'typed' } });
  });

  it('takes the root doc from description, else title', () => {
    expect(parseSchemaText('{"title":"T","description":"D"}').doc).toBe('D');
    expect(parseSchemaText('{"title":"T"}').doc).toBe('T');
  });

  it('rejects what is outside the subset', () => {
    const bad = [
      { not: {} },
      { type: 'object', properties: { a: { if: {} } } },
      { dependentRequired: {} },
      { unevaluatedProperties: false },
      { $ref: 'other.json#/x' },
      { $ref: '#/$defs/Missing' },
      { $ref: '#/$defs/A/properties/x', $defs: { A: {} } },
      { type: 'bigint' },
      { type: ['string', 'object'] },
      { enum: 'a' },
      { type: 'object', additionalProperties: 3 },
      3,
    ];
    for (const b of bad) expect(() => parseSchemaText(JSON.stringify(b)), JSON.stringify(b)).toThrow(UnsupportedSchema);
    expect(() => parseSchemaText('{')).toThrow(UnsupportedSchema);
  });
});
