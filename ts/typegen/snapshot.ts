// The typegen snapshot file (rpc-tools.md §9.2): pretty JSON, 2-space indent,
// `{format_version: 1, captured_at, source_query: {tags, tools}, descriptors: [...]}`.
import { InvalidArgumentError, TypegenError } from '../errors.js';
import { toolDescriptorFromJSON, toolDescriptorToJSON, type ToolDescriptor } from '../tools/descriptor.js';

export const SNAPSHOT_FORMAT_VERSION = 1;

export interface SourceQuery {
  tags: string[];
  tools: string[];
}

export interface TypegenSnapshot {
  formatVersion: number;
  capturedAt: string;
  sourceQuery: SourceQuery;
  descriptors: ToolDescriptor[];
}

/** `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds). */
export function utcTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function encodeSnapshot(s: TypegenSnapshot): string {
  const json = {
    format_version: s.formatVersion,
    captured_at: s.capturedAt,
    source_query: { tags: s.sourceQuery.tags, tools: s.sourceQuery.tools },
    descriptors: s.descriptors.map(toolDescriptorToJSON),
  };
  return JSON.stringify(json, null, 2) + '\n';
}

function invalid(label: string, why: string): TypegenError {
  return new TypegenError('TYPEGEN_BAD_SNAPSHOT', `snapshot ${label} is not a valid TypegenSnapshot: ${why}`, 2);
}

/** Parses snapshot text; anything but a format-1 TypegenSnapshot is a TypegenError with exit code 2. */
export function decodeSnapshot(text: string, label: string): TypegenSnapshot {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw invalid(label, (e as Error).message);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw invalid(label, 'not a JSON object');
  const r = o as Record<string, unknown>;
  if (typeof r.format_version !== 'number' || !Number.isInteger(r.format_version)) throw invalid(label, 'format_version must be an integer');
  if (r.format_version !== SNAPSHOT_FORMAT_VERSION) {
    throw new TypegenError('TYPEGEN_SNAPSHOT_VERSION', `snapshot ${label} has format_version ${r.format_version} (this build understands ${SNAPSHOT_FORMAT_VERSION})`, 2);
  }
  if (typeof r.captured_at !== 'string') throw invalid(label, 'captured_at must be a string');
  const q = r.source_query;
  if (typeof q !== 'object' || q === null) throw invalid(label, 'source_query must be an object');
  const strings = (v: unknown, what: string): string[] => {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw invalid(label, `${what} must be an array of strings`);
    return v as string[];
  };
  const sourceQuery = { tags: strings((q as Record<string, unknown>).tags, 'source_query.tags'), tools: strings((q as Record<string, unknown>).tools, 'source_query.tools') };
  if (!Array.isArray(r.descriptors)) throw invalid(label, 'descriptors must be an array');
  const descriptors = r.descriptors.map((d, i) => {
    try {
      return toolDescriptorFromJSON(d);
    } catch (e) {
      if (e instanceof InvalidArgumentError) throw invalid(label, `descriptors[${i}]: ${e.message}`);
      throw e;
    }
  });
  return { formatVersion: r.format_version, capturedAt: r.captured_at, sourceQuery, descriptors };
}
