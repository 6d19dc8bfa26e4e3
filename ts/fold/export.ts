// Codecs of the project's fold export service `mesh.fold.export` (fold.md §10.7, JSON over nRPC):
// request `{"nodes":[u64…]?,"tag_prefix":"…"?,"limit":n?}`, response
// `{"announcements":["<announcement JSON>",…]}`. Serving is `CapabilityFold.exportAnnouncements`.
import { MalformedPacketError } from '../errors.js';
import { decodeAnnouncement, withHopCount, type CapabilityAnnouncement } from './announcement.js';
import type { FoldExportRequest } from './capability-fold.js';
import { DUPLICATE, JsonObject, JsonSyntaxError, field, jsonUnsigned, parseJson, quoteJson, type JsonValue } from './json.js';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: true });

function bad(why: string): never {
  throw new MalformedPacketError(`fold export: ${why}`, 'MALFORMED_FOLD_EXPORT');
}

function text(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  try {
    return utf8d.decode(input);
  } catch {
    return bad('not valid UTF-8');
  }
}

export function encodeFoldExportRequest(req: FoldExportRequest): Uint8Array {
  const parts: string[] = [];
  if (req.nodes !== undefined) parts.push(`"nodes":[${req.nodes.join(',')}]`);
  if (req.tagPrefix !== undefined) parts.push(`"tag_prefix":${quoteJson(req.tagPrefix)}`);
  if (req.limit !== undefined) parts.push(`"limit":${req.limit}`);
  return utf8.encode(`{${parts.join(',')}}`);
}

/** Decodes a request; unknown keys are ignored. Throws MalformedPacketError. */
export function decodeFoldExportRequest(input: string | Uint8Array): FoldExportRequest {
  let root: JsonValue;
  try {
    root = parseJson(text(input));
  } catch (e) {
    if (e instanceof JsonSyntaxError) bad(e.message);
    throw e;
  }
  if (!(root instanceof JsonObject)) bad('request must be a JSON object');
  const o = root as JsonObject;
  const get = (k: string): JsonValue | undefined => {
    const v = field(o, k);
    if (v === DUPLICATE) bad(`duplicate field ${k}`);
    return v as JsonValue | undefined;
  };
  const out: FoldExportRequest = {};
  const nodes = get('nodes');
  if (nodes !== undefined && nodes !== null) {
    if (!Array.isArray(nodes)) bad('nodes must be an array of u64');
    out.nodes = (nodes as JsonValue[]).map((n) => jsonUnsigned(n, 64) ?? bad('nodes must be an array of u64'));
  }
  const prefix = get('tag_prefix');
  if (prefix !== undefined && prefix !== null) {
    if (typeof prefix !== 'string') bad('tag_prefix must be a string');
    out.tagPrefix = prefix as string;
  }
  const limit = get('limit');
  if (limit !== undefined && limit !== null) {
    const l = jsonUnsigned(limit, 32);
    if (l === undefined) bad('limit must be a u32');
    out.limit = Number(l);
  }
  return out;
}

export function encodeFoldExportResponse(announcements: readonly string[]): Uint8Array {
  return utf8.encode(`{"announcements":[${announcements.map(quoteJson).join(',')}]}`);
}

/** The announcement JSON texts of a response. Throws MalformedPacketError. */
export function decodeFoldExportResponse(input: string | Uint8Array): string[] {
  let root: unknown;
  try {
    root = JSON.parse(text(input));
  } catch {
    bad('response is not JSON');
  }
  const list = (root as { announcements?: unknown } | null)?.announcements;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) bad('response must be {"announcements":[string…]}');
  return list as string[];
}

/**
 * An exported announcement prepared for the receive pipeline: decoded, with hop_count raised by
 * one as if the exporter had forwarded it (the caller runs §4.2 but must not forward it again).
 * Null when it does not decode.
 */
export function exportedForReprocessing(json: string): CapabilityAnnouncement | null {
  const a = decodeAnnouncement(json);
  return a ? withHopCount(a, Math.min(255, a.hopCount + 1)) : null;
}
