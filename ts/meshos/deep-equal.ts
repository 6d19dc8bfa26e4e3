// Deep equality over snapshot values (§1.4 compares structural views this way: no hashes, no dirty
// flags). Handles Maps, arrays, plain objects, bigints and numbers (NaN equals NaN); an absent
// property equals one set to undefined.
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    // Snapshot maps are built in key order, so walk both together; fall back to lookups when the
    // orders differ.
    const bi = b.entries();
    for (const [k, v] of a) {
      const [bk, bv] = bi.next().value as [unknown, unknown];
      if (Object.is(k, bk)) {
        if (!deepEqual(v, bv)) return false;
      } else return sameEntries(a, b);
    }
    return true;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (b instanceof Map || Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k in ao) if (!deepEqual(ao[k], bo[k])) return false;
  for (const k in bo) if (!(k in ao) && bo[k] !== undefined) return false;
  return true;
}

function sameEntries(a: Map<unknown, unknown>, b: Map<unknown, unknown>): boolean {
  for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
  return true;
}
