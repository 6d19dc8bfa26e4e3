// A small JSON reader/writer for wire JSON that carries u64 values. `JSON.parse` turns integers
// above 2^53 into approximations, so numbers are kept as their source text (`JsonNumber`) and
// converted by the caller with the exact type it expects; objects keep their key order and
// duplicates. Strings are written with serde_json's escaping (fold.md §3.1).

export class JsonNumber {
  constructor(readonly raw: string) {}
}

export class JsonObject {
  constructor(readonly entries: [string, JsonValue][]) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

/** The input is not JSON (or nests deeper than the limit). */
export class JsonSyntaxError extends Error {}

const MAX_DEPTH = 64;

/** Parses one JSON document (RFC 8259), rejecting lone surrogates in strings. */
export function parseJson(text: string, maxDepth = MAX_DEPTH): JsonValue {
  let i = 0;
  const n = text.length;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`JSON: ${what} at offset ${i}`);
  };
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    let start = i;
    for (;;) {
      if (i >= n) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        break;
      }
      if (c < 0x20) fail('control character in string');
      if (c >= 0xd800 && c <= 0xdfff) {
        const hi = c <= 0xdbff;
        const next = text.charCodeAt(i + 1);
        if (!hi || !(next >= 0xdc00 && next <= 0xdfff)) fail('lone surrogate in string');
        i += 2;
        continue;
      }
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(start, i);
      const e = text[i + 1];
      i += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const unit = (at: number): number => {
            const h = text.slice(at, at + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(h)) fail('bad \\u escape');
            return parseInt(h, 16);
          };
          const u = unit(i);
          i += 4;
          if (u >= 0xd800 && u <= 0xdbff) {
            if (text[i] !== '\\' || text[i + 1] !== 'u') fail('lone surrogate escape');
            const lo = unit(i + 2);
            if (lo < 0xdc00 || lo > 0xdfff) fail('lone surrogate escape');
            i += 6;
            out += String.fromCharCode(u, lo);
          } else if (u >= 0xdc00 && u <= 0xdfff) {
            fail('lone surrogate escape');
          } else {
            out += String.fromCharCode(u);
          }
          break;
        }
        default:
          fail('bad escape');
      }
      start = i;
    }
    return out;
  };
  const num = (): JsonNumber => {
    const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    m.lastIndex = i;
    const r = m.exec(text);
    if (!r || r[0].length === 0 || r[0] === '-') fail('bad number');
    i += r![0].length;
    return new JsonNumber(r![0]);
  };
  const value = (depth: number): JsonValue => {
    if (depth > maxDepth) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, JsonValue][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return new JsonObject(entries);
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        entries.push([k, value(depth + 1)]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return new JsonObject(entries);
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const items: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return items;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return str();
    if (c === 't' && text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (c === 'f' && text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (c === 'n' && text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return num();
    return fail('unexpected input');
  };
  const v = value(0);
  ws();
  if (i !== n) fail('trailing characters');
  return v;
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * An unsigned integer of at most `bits` bits, as serde_json accepts it: no fraction, no exponent,
 * no sign (`-0` is 0). Undefined when out of range or not an integer.
 */
export function jsonUnsigned(v: JsonValue, bits: 8 | 16 | 32 | 64): bigint | undefined {
  if (!(v instanceof JsonNumber)) return undefined;
  const raw = v.raw;
  if (raw === '-0') return 0n;
  if (!/^(0|[1-9][0-9]*)$/.test(raw) || raw.length > 20) return undefined;
  const x = BigInt(raw);
  const max = bits === 64 ? U64_MAX : (1n << BigInt(bits)) - 1n;
  return x <= max ? x : undefined;
}

// serde_json escapes: `"`, `\`, and U+0000–U+001F (short forms for \b \f \n \r \t).
const ESC = /["\\\u0000-\u001f]/;
const ESC_G = /["\\\u0000-\u001f]/g;
function escapeChar(c: string): string {
  switch (c) {
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
    case '\b':
      return '\\b';
    case '\f':
      return '\\f';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\u00${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  }
}

/** A JSON string literal with serde_json's escaping (no escaping of `/` or non-ASCII). */
export function quoteJson(s: string): string {
  return ESC.test(s) ? `"${s.replace(ESC_G, escapeChar)}"` : `"${s}"`;
}

/** Marks a key that occurs more than once in an object. */
export const DUPLICATE: unique symbol = Symbol('duplicate JSON key');

/** The JSON value of an object's key when it occurs exactly once; DUPLICATE when repeated. */
export function field(o: JsonObject, key: string): JsonValue | undefined | typeof DUPLICATE {
  let found: JsonValue | undefined;
  let seen = false;
  for (const [k, v] of o.entries) {
    if (k !== key) continue;
    if (seen) return DUPLICATE;
    seen = true;
    found = v;
  }
  return found;
}
