// Identifiers derived from tool ids and definition names (rpc-tools.md §9.3).

/** Words split on every character outside ASCII [A-Za-z0-9], each word's first letter upper-cased. */
export function pascal(id: string): string {
  const words = id.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  const out = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (out.length === 0) return '_';
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

/** Every character (code point) outside [A-Za-z0-9_] becomes `_`; a leading digit gets a `_` prefix. */
export function basename(id: string): string {
  const out = Array.from(id, (c) => (/^[A-Za-z0-9_]$/.test(c) ? c : '_')).join('');
  if (out.length === 0) return '_';
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

/** Groups of ids that map to the same key, for collision reports. */
export function collisions(ids: readonly string[], key: (id: string) => string): [string, string[]][] {
  const by = new Map<string, string[]>();
  for (const id of ids) {
    const k = key(id);
    by.set(k, [...(by.get(k) ?? []), id]);
  }
  return [...by].filter(([, v]) => v.length > 1);
}

/** Hands out names, adding a numeric suffix when one is already taken. */
export class NameTable {
  private readonly used = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.used.add(r);
  }

  claim(want: string): string {
    let name = want;
    for (let i = 2; this.used.has(name); i++) name = `${want}${i}`;
    this.used.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.used.has(name);
  }
}
