// `typegen diff` (rpc-tools.md §9.8): tools added and removed between two snapshots, and per
// kept tool the version / description / tags changes and a structural comparison of the input
// and output schemas with BREAKING flags (anything that could break an existing caller).
import type { ToolDescriptor } from '../tools/descriptor.js';
import { compareUtf8 } from '../fold/byte-order.js';
import { jsonText } from './json-model.js';
import { isNull, parseSchemaText, type ParsedSchema, type SchemaNode } from './schema.js';
import type { TypegenSnapshot } from './snapshot.js';

export interface ToolRef {
  tool_id: string;
  version: string;
}

export interface SchemaChange {
  path: string;
  detail: string;
  breaking: boolean;
}

export interface ToolChange {
  tool_id: string;
  from_version: string;
  to_version: string;
  changes: SchemaChange[];
}

export interface DiffReport {
  added: ToolRef[];
  removed: ToolRef[];
  changed: ToolChange[];
  breaking_count: number;
}

const byId = (a: { tool_id: string }, b: { tool_id: string }): number => compareUtf8(a.tool_id, b.tool_id);

export function diffSnapshots(from: TypegenSnapshot, to: TypegenSnapshot): DiffReport {
  // Indexed by id, last wins.
  const before = new Map(from.descriptors.map((d) => [d.toolId, d]));
  const after = new Map(to.descriptors.map((d) => [d.toolId, d]));
  const added: ToolRef[] = [];
  const removed: ToolRef[] = [];
  const changed: ToolChange[] = [];
  for (const [id, d] of after) if (!before.has(id)) added.push({ tool_id: id, version: d.version });
  for (const [id, d] of before) {
    const n = after.get(id);
    if (!n) {
      removed.push({ tool_id: id, version: d.version });
      continue;
    }
    const changes = toolChanges(d, n);
    if (changes.length > 0) changed.push({ tool_id: id, from_version: d.version, to_version: n.version, changes });
  }
  added.sort(byId);
  removed.sort(byId);
  changed.sort(byId);
  const breaking_count = changed.reduce((n, c) => n + c.changes.filter((x) => x.breaking).length, 0);
  return { added, removed, changed, breaking_count };
}

function toolChanges(a: ToolDescriptor, b: ToolDescriptor): SchemaChange[] {
  const out: SchemaChange[] = [];
  if (a.version !== b.version) out.push({ path: 'version', detail: `${a.version} → ${b.version}`, breaking: false });
  if (a.description !== b.description) out.push({ path: 'description', detail: 'description text changed', breaking: false });
  if (JSON.stringify(a.tags) !== JSON.stringify(b.tags)) out.push({ path: 'tags', detail: `${JSON.stringify(a.tags)} → ${JSON.stringify(b.tags)}`, breaking: false });
  schemaSlot('input', a.inputSchema, b.inputSchema, true, out);
  schemaSlot('output', a.outputSchema, b.outputSchema, false, out);
  return out;
}

function tryParse(text: string): ParsedSchema | undefined {
  try {
    return parseSchemaText(text);
  } catch {
    return undefined;
  }
}

function schemaSlot(label: string, a: string | null, b: string | null, isInput: boolean, out: SchemaChange[]): void {
  if (a === null && b === null) return;
  if (b === null) {
    out.push({ path: label, detail: 'schema removed', breaking: !isInput });
    return;
  }
  if (a === null) {
    out.push({ path: label, detail: 'schema added', breaking: false });
    return;
  }
  const pa = tryParse(a);
  const pb = tryParse(b);
  if (!pa || !pb) {
    if (a !== b) out.push({ path: label, detail: 'schema changed (not structurally compared)', breaking: true });
    return;
  }
  if (pa.root.kind === 'object' && pb.root.kind === 'object') {
    objects(label, pa.root, pb.root, isInput, out);
    return;
  }
  const ca = canonical(pa.root);
  const cb = canonical(pb.root);
  if (ca !== cb) out.push({ path: label, detail: `type ${ca} → ${cb}`, breaking: true });
}

type ObjectNode = Extract<SchemaNode, { kind: 'object' }>;

function objects(label: string, a: ObjectNode, b: ObjectNode, isInput: boolean, out: SchemaChange[]): void {
  const before = new Map(a.properties.map((p) => [p.name, p]));
  const after = new Map(b.properties.map((p) => [p.name, p]));
  for (const name of [...after.keys()].sort(compareUtf8)) {
    const path = `${label}.${name}`;
    const nb = after.get(name)!;
    const na = before.get(name);
    if (!na) {
      out.push({ path, detail: nb.required ? 'added (required)' : 'added (optional)', breaking: nb.required });
      continue;
    }
    if (!na.required && nb.required) out.push({ path, detail: 'optional → required', breaking: true });
    else if (na.required && !nb.required) out.push({ path, detail: 'required → optional', breaking: false });
    const [baseA, nullA] = stripNull(na.schema);
    const [baseB, nullB] = stripNull(nb.schema);
    if (baseA.kind === 'object' && baseB.kind === 'object') {
      objects(path, baseA, baseB, isInput, out);
      const n = nullability(nullA, nullB);
      if (n) out.push({ path, ...n });
      continue;
    }
    const t = typeChange(na.schema, nb.schema);
    if (t) out.push({ path, ...t });
  }
  for (const name of [...before.keys()].sort(compareUtf8)) {
    if (!after.has(name)) out.push({ path: `${label}.${name}`, detail: 'removed', breaking: !isInput });
  }
}

function nullability(before: boolean, after: boolean): { detail: string; breaking: boolean } | undefined {
  if (before && !after) return { detail: 'nullable → non-nullable', breaking: true };
  if (!before && after) return { detail: 'non-nullable → nullable', breaking: false };
  return undefined;
}

function typeChange(a: SchemaNode, b: SchemaNode): { detail: string; breaking: boolean } | undefined {
  const [baseA, nullA] = stripNull(a);
  const [baseB, nullB] = stripNull(b);
  if (baseA.kind === 'enum' && baseB.kind === 'enum') {
    const va = baseA.values.map(jsonText);
    const vb = baseB.values.map(jsonText);
    const gone = va.filter((v) => !vb.includes(v));
    const fresh = vb.filter((v) => !va.includes(v));
    if (gone.length > 0) return { detail: `enum value(s) removed: ${gone.join(', ')}`, breaking: true };
    if (fresh.length > 0) return { detail: `enum value(s) added: ${fresh.join(', ')}`, breaking: false };
  } else {
    const ca = canonical(baseA);
    const cb = canonical(baseB);
    if (ca !== cb) return { detail: `type ${ca} → ${cb}`, breaking: true };
  }
  return nullability(nullA, nullB);
}

/** `[the schema without its null branch, whether it had one]`; a multi-branch union stays whole. */
function stripNull(n: SchemaNode): [SchemaNode, boolean] {
  if (n.kind !== 'union' || !n.members.some(isNull)) return [n, false];
  const rest = n.members.filter((x) => !isNull(x));
  return rest.length === 1 ? [rest[0]!, true] : [n, true];
}

/** A language-neutral type string; union and intersection members are sorted, so order is not a change. */
export function canonical(n: SchemaNode): string {
  switch (n.kind) {
    case 'unknown':
      return 'unknown';
    case 'primitive':
      return n.type;
    case 'ref':
      return `ref:${n.name}`;
    case 'const':
      return `const(${jsonText(n.value)})`;
    case 'enum':
      return `enum[${n.values.map(jsonText).join(', ')}]`;
    case 'union':
      return n.members.map(canonical).sort().join(' | ');
    case 'intersection':
      return n.members.map(canonical).sort().join(' & ');
    case 'object':
      return 'object';
    case 'array':
      return `array<${canonical(n.items)}>`;
    case 'tuple':
      return `tuple<${n.items.map(canonical).join(', ')}>`;
  }
}

/** The human report of `typegen diff` for the table and text formats. */
export function renderDiffText(r: DiffReport): string {
  const lines: string[] = [];
  const section = (title: string, refs: ToolRef[]): void => {
    if (refs.length === 0) return;
    lines.push(`${title} (${refs.length}):`, ...refs.map((t) => `  - ${t.tool_id} v${t.version}`), '');
  };
  section('Added tools', r.added);
  section('Removed tools', r.removed);
  if (r.changed.length > 0) {
    lines.push(`Schema changes (${r.changed.length}):`);
    for (const c of r.changed) {
      lines.push(`  ${c.tool_id} ${c.from_version === c.to_version ? `v${c.from_version}` : `v${c.from_version} → v${c.to_version}`}`);
      for (const ch of c.changes) lines.push(`    - ${ch.path}: ${ch.detail}${ch.breaking ? '  [BREAKING]' : ''}`);
    }
    lines.push('');
  }
  if (r.added.length === 0 && r.removed.length === 0 && r.changed.length === 0) lines.push('No differences.');
  else lines.push(`${r.changed.length} changed tool(s), ${r.breaking_count} marked BREAKING.`);
  return lines.join('\n') + '\n';
}
