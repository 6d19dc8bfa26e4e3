// ToolDescriptor (rpc-tools.md §7): camelCase in the SDK, snake_case wire JSON with keys in the
// order tool_id, name, version, description, input_schema, output_schema, requires,
// estimated_time_ms, stateless, streaming, tags, node_count. Schemas travel as JSON Schema text.
import { InvalidArgumentError } from '../errors.js';

/**
 * An AI tool's descriptor as the SDK spells it (camelCase, rpc-tools.md §7); convert to and from
 * the snake_case wire JSON with `toolDescriptorToJSON` / `toolDescriptorFromJSON`.
 */
export interface ToolDescriptor {
  /** The tool id: at once the nRPC service name, the `nrpc:<id>` and the `ai-tool:<id>` tag. */
  toolId: string;
  name: string;
  version: string;
  description: string | null;
  /** JSON Schema 2020-12 text of the input, or null. */
  inputSchema: string | null;
  /** JSON Schema text of the output, or null. */
  outputSchema: string | null;
  requires: string[];
  /** u32 latency hint; 0 = none. */
  estimatedTimeMs: number;
  stateless: boolean;
  streaming: boolean;
  tags: string[];
  /** Distinct nodes advertising this (toolId, version); filled by discovery, 0 otherwise. */
  nodeCount: number;
}

/** The snake_case wire JSON of a descriptor (what `tool.metadata.fetch` and snapshots carry). */
export interface ToolDescriptorJSON {
  tool_id: string;
  name: string;
  version: string;
  description: string | null;
  input_schema: string | null;
  output_schema: string | null;
  requires: string[];
  estimated_time_ms: number;
  stateless: boolean;
  streaming: boolean;
  tags: string[];
  node_count: number;
}

/** What callers pass when describing a tool: `toolId` and any fields to override the defaults. */
export type ToolDescriptorInit = Pick<ToolDescriptor, 'toolId'> &
  Partial<Omit<ToolDescriptor, 'toolId' | 'inputSchema' | 'outputSchema'>> & {
    /** Schema text, or a JSON Schema object (serialized with JSON.stringify). */
    inputSchema?: string | object | null;
    outputSchema?: string | object | null;
  };

const U32_MAX = 0xffff_ffff;

function str(field: string, v: unknown): string {
  if (typeof v !== 'string') throw new InvalidArgumentError(`${field} must be a string, got ${v === null ? 'null' : typeof v}`);
  return v;
}

function strOrNull(field: string, v: unknown): string | null {
  return v === undefined || v === null ? null : str(field, v);
}

function strList(field: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new InvalidArgumentError(`${field} must be an array of strings`);
  return v.map((x, i) => str(`${field}[${i}]`, x));
}

function u32(field: string, v: unknown, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > U32_MAX) throw new InvalidArgumentError(`${field} must be an integer in 0..${U32_MAX}, got ${String(v)}`);
  return n;
}

function bool(field: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`${field} must be a boolean`);
  return v;
}

function schema(field: string, v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  throw new InvalidArgumentError(`${field} must be JSON Schema text, a JSON Schema object or null`);
}

/**
 * A complete descriptor from a partial one, with the builder defaults of rpc-tools.md §7
 * (`metadata_for`): name = toolId, version `1.0.0`, stateless, not streaming, no estimate.
 */
export function makeToolDescriptor(init: ToolDescriptorInit): ToolDescriptor {
  if (typeof init !== 'object' || init === null) throw new InvalidArgumentError('a tool descriptor must be an object');
  const toolId = str('toolId', init.toolId);
  if (toolId.length === 0) throw new InvalidArgumentError('toolId must not be empty');
  return {
    toolId,
    name: init.name === undefined ? toolId : str('name', init.name),
    version: init.version === undefined ? '1.0.0' : str('version', init.version),
    description: strOrNull('description', init.description),
    inputSchema: schema('inputSchema', init.inputSchema),
    outputSchema: schema('outputSchema', init.outputSchema),
    requires: strList('requires', init.requires),
    estimatedTimeMs: u32('estimatedTimeMs', init.estimatedTimeMs, 0),
    stateless: bool('stateless', init.stateless, true),
    streaming: bool('streaming', init.streaming, false),
    tags: strList('tags', init.tags),
    nodeCount: u32('nodeCount', init.nodeCount, 0),
  };
}

/**
 * A descriptor from its snake_case wire JSON (an object, or its text). Missing optional fields
 * take the builder defaults. `input_schema_object` / `output_schema_object` (the parsed-schema
 * spelling of Net's cross-language fixtures) are accepted when the text field is absent.
 */
export function toolDescriptorFromJSON(json: unknown): ToolDescriptor {
  let o = json;
  if (typeof o === 'string') {
    try {
      o = JSON.parse(o);
    } catch {
      throw new InvalidArgumentError('tool descriptor JSON does not parse');
    }
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new InvalidArgumentError('a tool descriptor must be a JSON object');
  const r = o as Record<string, unknown>;
  const pick = (text: string, object: string): unknown => (r[text] !== undefined ? r[text] : r[object]);
  return makeToolDescriptor({
    toolId: str('tool_id', r.tool_id),
    name: r.name === undefined ? undefined : str('name', r.name),
    version: r.version === undefined ? undefined : str('version', r.version),
    description: strOrNull('description', r.description),
    inputSchema: schemaField('input_schema', pick('input_schema', 'input_schema_object')),
    outputSchema: schemaField('output_schema', pick('output_schema', 'output_schema_object')),
    requires: strList('requires', r.requires),
    estimatedTimeMs: u32('estimated_time_ms', r.estimated_time_ms, 0),
    stateless: bool('stateless', r.stateless, true),
    streaming: bool('streaming', r.streaming, false),
    tags: strList('tags', r.tags),
    nodeCount: u32('node_count', r.node_count, 0),
  });
}

function schemaField(field: string, v: unknown): string | object | null {
  if (v === undefined || v === null || typeof v === 'string' || typeof v === 'object') return v ?? null;
  throw new InvalidArgumentError(`${field} must be schema text or null`);
}

/** The snake_case wire JSON of a descriptor, keys in the order of rpc-tools.md §7. */
export function toolDescriptorToJSON(desc: ToolDescriptor): ToolDescriptorJSON {
  const d = makeToolDescriptor(desc);
  return {
    tool_id: d.toolId,
    name: d.name,
    version: d.version,
    description: d.description,
    input_schema: d.inputSchema,
    output_schema: d.outputSchema,
    requires: d.requires,
    estimated_time_ms: d.estimatedTimeMs,
    stateless: d.stateless,
    streaming: d.streaming,
    tags: d.tags,
    node_count: d.nodeCount,
  };
}
