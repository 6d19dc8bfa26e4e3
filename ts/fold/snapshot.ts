// Fold snapshots (fold.md §5.2): a JSON text of the unexpired entries with absolute expiry times.
// Restoring keeps each entry's absolute deadline, which subtracts the wall-clock downtime from its
// remaining TTL; entries whose deadline passed while down are not restored.
import { MalformedPacketError } from '../errors.js';
import { JsonObject, JsonSyntaxError, field, jsonUnsigned, parseJson, quoteJson, type JsonValue } from './json.js';

export interface SnapshotEntry {
  nodeId: bigint;
  generation: bigint;
  /** Absolute expiry, ms (Infinity = never). */
  expiresAtMs: number;
  tags: readonly string[];
  metadata: Readonly<Record<string, string>>;
  /** The retained announcement JSON, when the entry came from one. */
  announcement?: string;
}

export interface FoldSnapshot {
  takenAtMs: number;
  entries: SnapshotEntry[];
}

export function encodeSnapshot(s: FoldSnapshot): string {
  const parts = s.entries.map((e) => {
    const meta = Object.keys(e.metadata)
      .map((k) => `${quoteJson(k)}:${quoteJson(e.metadata[k]!)}`)
      .join(',');
    return (
      `{"node_id":${e.nodeId},"generation":${e.generation},"expires_at_ms":${e.expiresAtMs === Infinity ? 'null' : e.expiresAtMs},` +
      `"tags":[${e.tags.map(quoteJson).join(',')}],"metadata":{${meta}}` +
      (e.announcement !== undefined ? `,"announcement":${quoteJson(e.announcement)}` : '') +
      '}'
    );
  });
  return `{"taken_at_ms":${s.takenAtMs},"entries":[${parts.join(',')}]}`;
}

function bad(why: string): never {
  throw new MalformedPacketError(`fold snapshot: ${why}`, 'MALFORMED_SNAPSHOT');
}

function get(o: JsonObject, k: string): JsonValue | undefined {
  const v = field(o, k);
  return typeof v === 'symbol' ? bad(`duplicate field ${k}`) : v;
}

function u64(v: JsonValue | undefined, name: string): bigint {
  const x = v === undefined ? undefined : jsonUnsigned(v, 64);
  return x ?? bad(`${name} must be a u64`);
}

export function decodeSnapshot(text: string): FoldSnapshot {
  let root: JsonValue;
  try {
    root = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) bad(e.message);
    throw e;
  }
  if (!(root instanceof JsonObject)) bad('not an object');
  const takenAtMs = Number(u64(get(root as JsonObject, 'taken_at_ms'), 'taken_at_ms'));
  const list = get(root as JsonObject, 'entries');
  if (!Array.isArray(list)) bad('entries must be an array');
  const entries = (list as JsonValue[]).map((v): SnapshotEntry => {
    if (!(v instanceof JsonObject)) bad('entries must hold objects');
    const o = v as JsonObject;
    const exp = get(o, 'expires_at_ms');
    const tags = get(o, 'tags');
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) bad('tags must be strings');
    const metaV = get(o, 'metadata') ?? new JsonObject([]);
    if (!(metaV instanceof JsonObject)) bad('metadata must be an object');
    const metadata = Object.create(null) as Record<string, string>;
    for (const [k, mv] of (metaV as JsonObject).entries) {
      if (typeof mv !== 'string') bad('metadata values must be strings');
      metadata[k] = mv as string;
    }
    const ann = get(o, 'announcement');
    if (ann !== undefined && typeof ann !== 'string') bad('announcement must be a string');
    return {
      nodeId: u64(get(o, 'node_id'), 'node_id'),
      generation: u64(get(o, 'generation'), 'generation'),
      expiresAtMs: exp === null ? Infinity : Number(u64(exp, 'expires_at_ms')),
      tags: tags as string[],
      metadata,
      ...(ann !== undefined ? { announcement: ann as string } : {}),
    };
  });
  return { takenAtMs, entries };
}
