// A snapshot as JSON for the Deck page and its endpoint: camelCase fields as in the TS snapshot,
// Maps as objects keyed by the decimal id (or blob hash), u64 values as exact JSON integers (never
// rounded through a double), absent optional fields omitted.
export function toDeckJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      return 'null';
  }
  if (Array.isArray(value)) return `[${value.map(toDeckJson).join(',')}]`;
  const entries: string[] = [];
  const pairs: Iterable<[unknown, unknown]> = value instanceof Map ? value : Object.entries(value as object);
  for (const [k, v] of pairs) {
    if (v === undefined) continue;
    entries.push(`${JSON.stringify(String(k))}:${toDeckJson(v)}`);
  }
  return `{${entries.join(',')}}`;
}
