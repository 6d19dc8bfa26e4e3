// The JSON Schema subset typegen understands (rpc-tools.md §9.4), parsed once into a
// language-neutral tree the TypeScript, Python and diff code share. Anything outside the subset
// throws UnsupportedSchema: the tool is skipped with a warning and the run continues.
import { JsonNumber, JsonObject, members, parseOrderedJson, type JsonValue } from './json-model.js';

export type Primitive = 'string' | 'integer' | 'number' | 'boolean' | 'null';

export type AdditionalProperties = { kind: 'unspecified' } | { kind: 'allowed' } | { kind: 'denied' } | { kind: 'typed'; schema: SchemaNode };

export interface ObjectProperty {
  name: string;
  schema: SchemaNode;
  required: boolean;
}

export type SchemaNode =
  | { kind: 'unknown' }
  | { kind: 'primitive'; type: Primitive }
  | { kind: 'ref'; name: string }
  | { kind: 'const'; value: JsonValue }
  | { kind: 'enum'; values: JsonValue[] }
  | { kind: 'union'; members: SchemaNode[] }
  | { kind: 'intersection'; members: SchemaNode[] }
  | { kind: 'object'; properties: ObjectProperty[]; additional: AdditionalProperties }
  | { kind: 'array'; items: SchemaNode }
  | { kind: 'tuple'; items: SchemaNode[] };

export interface ParsedSchema {
  root: SchemaNode;
  /** The root's `description`, else its `title`. */
  doc: string | undefined;
  /** `$defs` / `definitions` of the root, in text order. */
  defs: [name: string, schema: SchemaNode][];
}

/** The schema uses something outside the supported subset (or does not parse). */
export class UnsupportedSchema extends Error {}

const PRIMITIVES: readonly string[] = ['string', 'integer', 'number', 'boolean', 'null'];
const UNSUPPORTED_KEYWORDS = ['not', 'if', 'then', 'else', 'dependentSchemas', 'dependentRequired', 'unevaluatedProperties'];

export function parseSchemaText(text: string): ParsedSchema {
  let json: JsonValue;
  try {
    json = parseOrderedJson(text);
  } catch (e) {
    throw new UnsupportedSchema(`schema is not JSON (${(e as Error).message})`);
  }
  return parseSchemaValue(json);
}

export function parseSchemaValue(json: JsonValue): ParsedSchema {
  const root = node(json, '#');
  let doc: string | undefined;
  const defs: [string, SchemaNode][] = [];
  if (json instanceof JsonObject) {
    const m = members(json);
    const d = m.get('description');
    const t = m.get('title');
    doc = typeof d === 'string' ? d : typeof t === 'string' ? t : undefined;
    for (const key of ['$defs', 'definitions']) {
      const table = m.get(key);
      if (table === undefined) continue;
      if (!(table instanceof JsonObject)) throw new UnsupportedSchema(`${key} must be an object`);
      for (const [name, s] of members(table)) {
        const at = defs.findIndex(([n]) => n === name);
        const parsed = node(s, `#/${key}/${name}`);
        if (at >= 0) defs[at] = [name, parsed];
        else defs.push([name, parsed]);
      }
    }
  }
  const known = new Set(defs.map(([n]) => n));
  const check = (n: SchemaNode, where: string): void => forEachRef(n, (r) => {
    if (!known.has(r)) throw new UnsupportedSchema(`${where}: $ref to undefined definition ${JSON.stringify(r)}`);
  });
  check(root, '#');
  for (const [name, s] of defs) check(s, `#/$defs/${name}`);
  return { root, doc, defs };
}

function node(v: JsonValue, at: string): SchemaNode {
  if (typeof v === 'boolean') return { kind: 'unknown' };
  if (!(v instanceof JsonObject)) throw new UnsupportedSchema(`${at}: a schema must be an object or a boolean`);
  const m = members(v);
  for (const k of UNSUPPORTED_KEYWORDS) if (m.has(k)) throw new UnsupportedSchema(`${at}: "${k}" is not supported`);
  const ref = m.get('$ref');
  if (ref !== undefined) {
    const hit = typeof ref === 'string' ? /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref) : null;
    if (!hit) throw new UnsupportedSchema(`${at}: external $ref ${JSON.stringify(ref)}`);
    return { kind: 'ref', name: hit[1]!.replace(/~1/g, '/').replace(/~0/g, '~') };
  }
  if (m.has('const')) return { kind: 'const', value: m.get('const')! };
  const en = m.get('enum');
  if (en !== undefined) {
    if (!Array.isArray(en)) throw new UnsupportedSchema(`${at}: enum must be an array`);
    return { kind: 'enum', values: en };
  }
  const union = m.get('oneOf') ?? m.get('anyOf');
  if (union !== undefined) return { kind: 'union', members: list(union, `${at}/${m.has('oneOf') ? 'oneOf' : 'anyOf'}`) };
  const all = m.get('allOf');
  if (all !== undefined) return { kind: 'intersection', members: list(all, `${at}/allOf`) };
  return nullable(typed(m, at), m);
}

function list(v: JsonValue, at: string): SchemaNode[] {
  if (!Array.isArray(v)) throw new UnsupportedSchema(`${at} must be an array`);
  return v.map((x, i) => node(x, `${at}/${i}`));
}

function typed(m: Map<string, JsonValue>, at: string): SchemaNode {
  const type = m.get('type');
  if (Array.isArray(type)) {
    const names = type.map((t) => {
      if (typeof t !== 'string' || !PRIMITIVES.includes(t)) throw new UnsupportedSchema(`${at}: type array member ${JSON.stringify(t)} is not a primitive type name`);
      return { kind: 'primitive', type: t as Primitive } as SchemaNode;
    });
    return { kind: 'union', members: names };
  }
  if (type === 'object' || (type === undefined && m.has('properties'))) return objectNode(m, at);
  if (type === 'array') {
    const prefix = m.get('prefixItems');
    if (prefix !== undefined) return { kind: 'tuple', items: list(prefix, `${at}/prefixItems`) };
    const items = m.get('items');
    return { kind: 'array', items: items === undefined ? { kind: 'unknown' } : node(items, `${at}/items`) };
  }
  if (typeof type === 'string' && PRIMITIVES.includes(type)) return { kind: 'primitive', type: type as Primitive };
  if (type === undefined) return { kind: 'unknown' };
  throw new UnsupportedSchema(`${at}: type ${JSON.stringify(type)} is not supported`);
}

function objectNode(m: Map<string, JsonValue>, at: string): SchemaNode {
  const props = m.get('properties');
  if (props !== undefined && !(props instanceof JsonObject)) throw new UnsupportedSchema(`${at}: properties must be an object`);
  const req = m.get('required');
  if (req !== undefined && (!Array.isArray(req) || !req.every((r) => typeof r === 'string'))) throw new UnsupportedSchema(`${at}: required must be an array of strings`);
  const required = new Set((req ?? []) as string[]);
  const properties: ObjectProperty[] = props === undefined ? [] : [...members(props)].map(([name, s]) => ({ name, schema: node(s, `${at}/properties/${name}`), required: required.has(name) }));
  const ap = m.get('additionalProperties');
  let additional: AdditionalProperties;
  if (ap === undefined) additional = { kind: 'unspecified' };
  else if (ap === true) additional = { kind: 'allowed' };
  else if (ap === false) additional = { kind: 'denied' };
  else if (ap instanceof JsonObject) additional = { kind: 'typed', schema: node(ap, `${at}/additionalProperties`) };
  else throw new UnsupportedSchema(`${at}: additionalProperties must be a boolean or a schema`);
  return { kind: 'object', properties, additional };
}

/** `nullable: true` on a typed node adds null to it (a union, flattened). */
function nullable(n: SchemaNode, m: Map<string, JsonValue>): SchemaNode {
  if (m.get('nullable') !== true || !m.has('type')) return n;
  const NULL: SchemaNode = { kind: 'primitive', type: 'null' };
  if (n.kind === 'union') return n.members.some(isNull) ? n : { kind: 'union', members: [...n.members, NULL] };
  return isNull(n) ? n : { kind: 'union', members: [n, NULL] };
}

export function isNull(n: SchemaNode): boolean {
  return n.kind === 'primitive' && n.type === 'null';
}

export function forEachRef(n: SchemaNode, f: (name: string) => void): void {
  switch (n.kind) {
    case 'ref':
      f(n.name);
      break;
    case 'union':
    case 'intersection':
      n.members.forEach((x) => forEachRef(x, f));
      break;
    case 'object':
      n.properties.forEach((p) => forEachRef(p.schema, f));
      if (n.additional.kind === 'typed') forEachRef(n.additional.schema, f);
      break;
    case 'array':
      forEachRef(n.items, f);
      break;
    case 'tuple':
      n.items.forEach((x) => forEachRef(x, f));
      break;
  }
}

/** A JSON number's value as a JS number, for deciding int vs float. */
export function isFloatLiteral(v: JsonValue): boolean {
  return v instanceof JsonNumber && /[.eE]/.test(v.raw);
}
