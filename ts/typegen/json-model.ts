// The order-preserving JSON view typegen reads schemas through (rpc-tools.md §9.4): property and
// `$defs` order follow the schema text (a plain JSON.parse would move integer-like keys first),
// and a duplicated key takes its last value at its first position.
import { JsonNumber, JsonObject, JsonSyntaxError, parseJson, type JsonValue } from '../fold/json.js';

export { JsonNumber, JsonObject, JsonSyntaxError, type JsonValue };

/** Deep enough for real schemas, bounded against hostile nesting. */
const MAX_DEPTH = 256;

export function parseOrderedJson(text: string): JsonValue {
  return parseJson(text, MAX_DEPTH);
}

/** An object's members in text order, duplicates collapsed (last value, first position). */
export function members(o: JsonObject): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  for (const [k, v] of o.entries) out.set(k, v);
  return out;
}

/** Compact JSON text of a value (numbers as written, strings re-escaped, members deduplicated). */
export function jsonText(v: JsonValue): string {
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof JsonNumber) return v.raw;
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  return `{${[...members(v)].map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
}

export function isPrimitiveJson(v: JsonValue): v is null | boolean | string | JsonNumber {
  return v === null || typeof v === 'boolean' || typeof v === 'string' || v instanceof JsonNumber;
}
