// Result values as JSON (bigints as exact integers), NDJSON and YAML (meshos-cli.md §3.6).

/** JSON text of a result value: bigints are written as exact integers, `undefined` members are omitted. */
export function toJson(value: unknown, indent = 0): string {
  const pad = (depth: number): string => (indent > 0 ? '\n' + ' '.repeat(indent * depth) : '');
  const colon = indent > 0 ? ': ' : ':';
  const walk = (v: unknown, depth: number): string => {
    if (typeof v === 'bigint') return v.toString();
    if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
    if (v instanceof Uint8Array) return walk([...v], depth);
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[${v.map((x) => pad(depth + 1) + walk(x === undefined ? null : x, depth + 1)).join(',')}${pad(depth)}]`;
    }
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined && typeof x !== 'function');
    if (entries.length === 0) return '{}';
    return `{${entries.map(([k, x]) => `${pad(depth + 1)}${JSON.stringify(k)}${colon}${walk(x, depth + 1)}`).join(',')}${pad(depth)}}`;
  };
  return walk(value, 0);
}

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_ ./@-]*$/;
const RESERVED = /^(?:true|false|yes|no|on|off|null|y|n|~)$/i;

function yamlScalar(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? '.inf' : v < 0 ? '-.inf' : '.nan';
  if (typeof v === 'boolean') return String(v);
  const s = String(v);
  return PLAIN.test(s) && !s.endsWith(' ') && !RESERVED.test(s) ? s : JSON.stringify(s);
}

function isCollection(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array);
}

/** YAML block text of a result value (JSON-compatible data only). */
export function toYaml(value: unknown): string {
  const lines: string[] = [];
  const emit = (v: unknown, indent: string): void => {
    if (Array.isArray(v) || v instanceof Uint8Array) {
      for (const x of v as unknown[]) {
        if (isCollection(x) && !isEmpty(x)) {
          const sub: string[] = [];
          const save = lines.length;
          emit(x, indent + '  ');
          sub.push(...lines.splice(save));
          lines.push(`${indent}- ${sub[0]!.trimStart()}`, ...sub.slice(1));
        } else lines.push(`${indent}- ${inline(x)}`);
      }
      return;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined || typeof x === 'function') continue;
      if (isCollection(x) && !isEmpty(x)) {
        lines.push(`${indent}${yamlScalar(k)}:`);
        emit(x, indent + '  ');
      } else lines.push(`${indent}${yamlScalar(k)}: ${inline(x)}`);
    }
  };
  if (!isCollection(value) || isEmpty(value)) return inline(value) + '\n';
  emit(value, '');
  return lines.join('\n') + '\n';
}

function isEmpty(v: object): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.values(v).every((x) => x === undefined);
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return '[]';
  if (isCollection(v)) return '{}';
  return yamlScalar(v);
}
