// Byte-order (UTF-8) comparison of JS strings. Announcement JSON sorts tags and metadata keys by
// their UTF-8 bytes (fold.md §3.1); JS's default sort compares UTF-16 code units, which disagrees
// for characters above U+FFFF versus U+E000–U+FFFF. UTF-8 byte order equals code-point order, so
// surrogates are lifted above the rest of the BMP at the first differing unit.

function lift(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000; // → 0xf800..0xffff
  if (c >= 0xe000) return c - 0x800; // → 0xd800..0xf7ff
  return c;
}

/** Negative, zero or positive as `a` sorts before, equal to or after `b` in UTF-8 byte order. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x < 0xd800 && y < 0xd800 ? x - y : lift(x) - lift(y);
  }
  return a.length - b.length;
}

/** Sorts in UTF-8 byte order and drops duplicates; returns a new array. */
export function sortedUnique(values: Iterable<string>): string[] {
  const out = [...new Set(values)];
  // Below U+D800, UTF-16 code-unit order (the native comparison) is code-point order.
  for (const s of out) if (HIGH.test(s)) return out.sort(compareUtf8);
  return out.sort(nativeOrder);
}
const nativeOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const HIGH = /[\ud800-\uffff]/;

/** True when `s` has no lone surrogate (so it has a UTF-8 encoding that round-trips). */
export function isWellFormed(s: string): boolean {
  const f = (s as { isWellFormed?: () => boolean }).isWellFormed;
  if (f) return f.call(s);
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?:[^\ud800-\udbff]|^)[\udc00-\udfff]/.test(s);
}

/** UTF-8 byte length of a well-formed string. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
