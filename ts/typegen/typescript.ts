// TypeScript bindings (rpc-tools.md §9.5): `tools/<basename>.ts` per tool, `index.ts`
// re-exporting them, `meta.json`. The output typechecks under a bare `tsc --noEmit --strict`:
// the call helper returns the Promise rather than being `async`, because an `async` function
// needs the ES2015 lib that a bare tsc run (target ES5) does not load.
import { JsonNumber, type JsonValue } from './json-model.js';
import type { SchemaNode } from './schema.js';
import { HEADER_LINE, generatedFromLine, sourceLine, type GenMeta, type GeneratedFile, type ToolModel } from './tool-model.js';

export function renderTypeScript(models: readonly ToolModel[], meta: GenMeta): GeneratedFile[] {
  const files = models.map((m) => ({ path: `tools/${m.module}.ts`, contents: renderModule(m, meta) }));
  const index = [`// ${HEADER_LINE}`, ...models.map((m) => `export * from "./tools/${m.module}";`)].join('\n') + '\n';
  files.push({ path: 'index.ts', contents: index });
  const metaJson = { format_version: meta.formatVersion, source: meta.sourceLabel, captured_at: meta.capturedAt, language: 'ts', modules: models.map((m) => m.module) };
  files.push({ path: 'meta.json', contents: JSON.stringify(metaJson, null, 2) + '\n' });
  return files;
}

function renderModule(m: ToolModel, meta: GenMeta): string {
  const d = m.desc;
  const out: string[] = [`// ${HEADER_LINE}`, `// ${sourceLine(d)}`, `// ${generatedFromLine(meta)}`, ''];
  for (const def of m.defs) out.push(declaration(def.name, def.schema, def.refs), '');
  out.push(docComment(m.input.doc ?? 'Request body'), declaration(m.requestName, m.input.root, m.inputRefs), '');
  if (m.output === null) {
    out.push(docComment(`Response body for \`${d.toolId}\`. The descriptor carried no output schema.`), `export type ${m.responseName} = unknown;`, '');
  } else {
    out.push(docComment(m.output.doc ?? 'Response body'), declaration(m.responseName, m.output.root, m.outputRefs), '');
  }
  out.push(
    `export const ${m.metaName} = {`,
    `  toolId: ${JSON.stringify(d.toolId)},`,
    `  version: ${JSON.stringify(d.version)},`,
    `  description: ${d.description === null ? 'null' : JSON.stringify(d.description)},`,
    `  streaming: ${d.streaming},`,
    `  stateless: ${d.stateless},`,
    `  estimatedTimeMs: ${d.estimatedTimeMs},`,
    `  tags: [${d.tags.map((t) => JSON.stringify(t)).join(', ')}],`,
    '} as const;',
    '',
    `export function call${m.prefix}(`,
    '  mesh: { call: (tool: string, input: unknown) => Promise<unknown> },',
    `  input: ${m.requestName},`,
    `): Promise<${m.responseName}> {`,
    `  return mesh.call(${m.metaName}.toolId, input) as Promise<${m.responseName}>;`,
    '}',
  );
  return out.join('\n') + '\n';
}

/** `/** … *\/`, one line or several; a `*\/` inside is neutralized to `* /`. */
export function docComment(text: string): string {
  const lines = text.replace(/\*\//g, '* /').split(/\r\n|\r|\n/);
  if (lines.length === 1) return `/** ${lines[0]} */`;
  return ['/**', ...lines.map((l) => (l.length > 0 ? ` * ${l}` : ' *')), ' */'].join('\n');
}

function declaration(name: string, n: SchemaNode, refs: Map<string, string>): string {
  if (n.kind === 'object' && n.properties.length > 0) {
    const body = objectMembers(n, refs).map((l) => `  ${l};`);
    return [`export interface ${name} {`, ...body, '}'].join('\n');
  }
  return `export type ${name} = ${typeOf(n, refs)};`;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function objectMembers(n: Extract<SchemaNode, { kind: 'object' }>, refs: Map<string, string>): string[] {
  const lines = n.properties.map((p) => `${IDENT.test(p.name) ? p.name : JSON.stringify(p.name)}${p.required ? '' : '?'}: ${typeOf(p.schema, refs)}`);
  if (n.additional.kind === 'allowed') lines.push('[key: string]: unknown');
  if (n.additional.kind === 'typed') {
    const parts = [typeOf(n.additional.schema, refs), ...n.properties.map((p) => typeOf(p.schema, refs))];
    if (n.properties.some((p) => !p.required)) parts.push('undefined');
    lines.push(`[key: string]: ${unique(parts).join(' | ')}`);
  }
  return lines;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

export function literal(v: JsonValue): string {
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof JsonNumber) return v.raw;
  return 'unknown'; // arrays and objects have no literal type
}

function isInlineObject(n: SchemaNode): boolean {
  return n.kind === 'object' && n.properties.length > 0;
}

/** A type that needs parentheses as an array element or intersection member. */
function isCompound(n: SchemaNode): boolean {
  return n.kind === 'union' ? n.members.length > 1 : n.kind === 'intersection' ? n.members.length > 1 : n.kind === 'enum' && n.values.length > 1;
}

export function typeOf(n: SchemaNode, refs: Map<string, string>): string {
  switch (n.kind) {
    case 'unknown':
      return 'unknown';
    case 'primitive':
      return n.type === 'integer' || n.type === 'number' ? 'number' : n.type;
    case 'ref':
      return refs.get(n.name)!;
    case 'const':
      return literal(n.value);
    case 'enum':
      return n.values.length === 0 ? 'never' : unique(n.values.map(literal)).join(' | ');
    case 'union': {
      if (n.members.length === 0) return 'unknown';
      return unique(n.members.map((x) => (isInlineObject(x) ? `(${typeOf(x, refs)})` : typeOf(x, refs)))).join(' | ');
    }
    case 'intersection': {
      if (n.members.length === 0) return 'unknown';
      return unique(n.members.map((x) => (isInlineObject(x) || isCompound(x) ? `(${typeOf(x, refs)})` : typeOf(x, refs)))).join(' & ');
    }
    case 'array': {
      const t = typeOf(n.items, refs);
      return isCompound(n.items) ? `(${t})[]` : `${t}[]`;
    }
    case 'tuple':
      return `[${n.items.map((x) => typeOf(x, refs)).join(', ')}]`;
    case 'object': {
      if (n.properties.length === 0) {
        const v = n.additional.kind === 'denied' ? 'never' : n.additional.kind === 'typed' ? typeOf(n.additional.schema, refs) : 'unknown';
        return `Record<string, ${v}>`;
      }
      return `{ ${objectMembers(n, refs).join('; ')} }`;
    }
  }
}
