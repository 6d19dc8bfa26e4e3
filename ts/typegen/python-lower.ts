// Lowers a tool's schemas into Python declarations (rpc-tools.md §9.6): Pydantic v2 classes for
// objects (inline objects hoisted to named classes) and aliases for everything else, in one
// dependency-ordered list that models.py and models.pyi share.
import { JsonNumber, type JsonValue } from './json-model.js';
import { NameTable, pascal } from './naming.js';
import { isFloatLiteral, isNull, UnsupportedSchema, type SchemaNode } from './schema.js';
import type { ToolModel } from './tool-model.js';

export interface PyField {
  /** The Python attribute. */
  attr: string;
  /** The JSON property name when it differs from `attr` (then `Field(alias=…)`). */
  alias: string | undefined;
  type: string;
  required: boolean;
}

export type PyDecl =
  | { kind: 'class'; name: string; bases: string[]; doc: string | undefined; fields: PyField[]; extra: 'forbid' | 'allow' | undefined; deps: Set<string> }
  | { kind: 'alias'; name: string; expr: string; comment: string; deps: Set<string> };

export interface PyModule {
  decls: PyDecl[];
  /** Some classes reference each other in a cycle: models.py rebuilds them at the end. */
  cyclic: boolean;
  requestIsModel: boolean;
  responseIsModel: boolean;
  uses: Set<'Any' | 'Literal' | 'ConfigDict' | 'Field'>;
}

const KEYWORDS = new Set('False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '));
/** Names a field may not take: BaseModel attributes and the names annotations refer to. */
const SHADOWED = new Set([
  'construct', 'copy', 'dict', 'from_orm', 'json', 'parse_file', 'parse_obj', 'parse_raw', 'schema', 'schema_json', 'update_forward_refs', 'validate',
  'model_computed_fields', 'model_config', 'model_construct', 'model_copy', 'model_dump', 'model_dump_json', 'model_extra', 'model_fields', 'model_fields_set',
  'model_json_schema', 'model_parametrized_name', 'model_post_init', 'model_rebuild', 'model_validate', 'model_validate_json', 'model_validate_strings',
  'str', 'int', 'float', 'bool', 'list', 'tuple', 'dict', 'Any', 'Literal', 'BaseModel', 'ConfigDict', 'Field',
]);

export function isPythonKeyword(s: string): boolean {
  return KEYWORDS.has(s);
}

/** A Python string literal (JSON escapes are valid Python escapes). */
export function pyString(s: string): string {
  return JSON.stringify(s);
}

function pyLiteral(v: JsonValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return pyString(v);
  return (v as JsonNumber).raw;
}

export function lowerPython(m: ToolModel): PyModule {
  const names = new NameTable([...m.defs.map((d) => d.name), m.requestName, m.responseName, m.metaName]);
  const decls: PyDecl[] = [];
  const uses = new Set<'Any' | 'Literal' | 'ConfigDict' | 'Field'>();

  /** The type expression of `n`; inline objects become classes named from `base`. */
  function typeOf(n: SchemaNode, refs: Map<string, string>, base: string, deps: Set<string>): string {
    switch (n.kind) {
      case 'unknown':
        uses.add('Any');
        return 'Any';
      case 'primitive':
        return { string: 'str', integer: 'int', number: 'float', boolean: 'bool', null: 'None' }[n.type];
      case 'ref': {
        const name = refs.get(n.name)!;
        deps.add(name);
        return name;
      }
      case 'const':
        return literalType([n.value]);
      case 'enum':
        return literalType(n.values);
      case 'union': {
        if (n.members.length === 0) {
          uses.add('Any');
          return 'Any';
        }
        return [...new Set(n.members.map((x, i) => typeOf(x, refs, `${base}${i}`, deps)))].join(' | ');
      }
      case 'intersection':
        uses.add('Any');
        return 'Any';
      case 'array':
        return `list[${typeOf(n.items, refs, `${base}Item`, deps)}]`;
      case 'tuple':
        return n.items.length === 0 ? 'tuple[()]' : `tuple[${n.items.map((x, i) => typeOf(x, refs, `${base}${i}`, deps)).join(', ')}]`;
      case 'object': {
        if (n.properties.length === 0) {
          uses.add('Any');
          return n.additional.kind === 'typed' ? `dict[str, ${typeOf(n.additional.schema, refs, `${base}Value`, deps)}]` : 'dict[str, Any]';
        }
        const name = names.claim(base);
        classOf(name, n, refs, undefined);
        deps.add(name);
        return name;
      }
    }
  }

  function literalType(values: JsonValue[]): string {
    const any = (): string => {
      uses.add('Any');
      return 'Any';
    };
    if (values.length === 0 || values.some((v) => Array.isArray(v) || (typeof v === 'object' && v !== null && !(v instanceof JsonNumber)))) return any();
    if (values.some(isFloatLiteral)) return values.every((v) => v instanceof JsonNumber) ? 'float' : any();
    uses.add('Literal');
    return `Literal[${[...new Set(values.map(pyLiteral))].join(', ')}]`;
  }

  function classOf(name: string, n: Extract<SchemaNode, { kind: 'object' }>, refs: Map<string, string>, doc: string | undefined): void {
    const deps = new Set<string>();
    const attrs = new NameTable();
    const fields: PyField[] = n.properties.map((p) => {
      const attr = attrs.claim(attribute(p.name));
      let type = typeOf(p.schema, refs, `${name}${pascal(p.name)}`, deps);
      if (!p.required && !isNullable(p.schema)) type = `${type} | None`;
      if (attr !== p.name) uses.add('Field');
      return { attr, alias: attr === p.name ? undefined : p.name, type, required: p.required };
    });
    const extra = n.additional.kind === 'denied' ? 'forbid' : n.additional.kind === 'allowed' || n.additional.kind === 'typed' ? 'allow' : undefined;
    if (extra || fields.some((f) => f.alias !== undefined)) uses.add('ConfigDict');
    decls.push({ kind: 'class', name, bases: ['BaseModel'], doc, fields, extra, deps });
  }

  /** A named schema: a class when it is an object (or an allOf of refs), else an alias. */
  function named(name: string, n: SchemaNode, refs: Map<string, string>, doc: string | undefined, comment: string): boolean {
    if (n.kind === 'object') {
      classOf(name, n, refs, doc);
      return true;
    }
    if (n.kind === 'intersection' && n.members.length > 0 && n.members.every((x) => x.kind === 'ref')) {
      const bases = n.members.map((x) => refs.get((x as { name: string }).name)!);
      uses.add('ConfigDict');
      decls.push({ kind: 'class', name, bases, doc, fields: [], extra: 'allow', deps: new Set(bases) });
      return true;
    }
    const deps = new Set<string>();
    const expr = typeOf(n, refs, `${name}Inner`, deps);
    decls.push({ kind: 'alias', name, expr, comment, deps });
    return false;
  }

  const id = m.desc.toolId;
  for (const d of m.defs) named(d.name, d.schema, d.refs, undefined, `Schema definition ${d.name} of tool \`${id}\`.`);
  const requestDoc = m.input.doc ?? `Request body for \`${id}\`.`;
  const requestIsModel = named(m.requestName, m.input.root, m.inputRefs, requestDoc, requestDoc);
  let responseIsModel = false;
  if (m.output === null) {
    uses.add('Any');
    decls.push({ kind: 'alias', name: m.responseName, expr: 'Any', comment: `Response body for \`${id}\`: the descriptor carried no output schema.`, deps: new Set() });
  } else {
    const responseDoc = m.output.doc ?? `Response body for \`${id}\`.`;
    responseIsModel = named(m.responseName, m.output.root, m.outputRefs, responseDoc, responseDoc);
  }
  const { ordered, cyclic } = dependencyOrder(decls);
  return { decls: ordered, cyclic, requestIsModel, responseIsModel, uses };
}

function isNullable(n: SchemaNode): boolean {
  return isNull(n) || (n.kind === 'union' && n.members.some(isNull)) || (n.kind === 'enum' && n.values.includes(null)) || n.kind === 'unknown';
}

/**
 * The Python attribute for a JSON property: invalid characters → `_`, a leading digit gets `_`,
 * a keyword gets a `_` suffix. Pydantic refuses fields with a leading underscore and warns on
 * BaseModel attribute names, so those become `field_…` and `…_` respectively.
 */
export function attribute(prop: string): string {
  let s = Array.from(prop, (c) => (/^[A-Za-z0-9_]$/.test(c) ? c : '_')).join('') || '_';
  if (/^[0-9]/.test(s)) s = `_${s}`;
  if (KEYWORDS.has(s)) s = `${s}_`;
  if (s.startsWith('_')) s = `field${s}`;
  if (SHADOWED.has(s)) s = `${s}_`;
  return s;
}

/** Children before parents; a class cycle is kept (annotations are lazy) and flagged. */
function dependencyOrder(decls: PyDecl[]): { ordered: PyDecl[]; cyclic: boolean } {
  const byName = new Map(decls.map((d) => [d.name, d]));
  const state = new Map<string, 'visiting' | 'done'>();
  const ordered: PyDecl[] = [];
  let cyclic = false;
  const visit = (d: PyDecl): void => {
    const s = state.get(d.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      cyclic = true;
      return;
    }
    state.set(d.name, 'visiting');
    for (const dep of d.deps) {
      const x = byName.get(dep);
      if (x) visit(x);
    }
    state.set(d.name, 'done');
    ordered.push(d);
  };
  decls.forEach(visit);
  // An alias is evaluated when the module loads: everything it names must come before it.
  const seen = new Set<string>();
  for (const d of ordered) {
    if (d.kind === 'alias' && [...d.deps].some((x) => !seen.has(x))) {
      throw new UnsupportedSchema(`${d.name} is a recursive non-object definition (Python aliases cannot refer to themselves)`);
    }
    seen.add(d.name);
  }
  return { ordered, cyclic };
}
