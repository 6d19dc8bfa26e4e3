// The built package exports exactly the names test/package/public-names.ts lists, under the
// names they are listed with (class and function names survive bundling), and `net-mesh` shares
// its classes with `net-mesh/core` (one build, shared chunks).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENTRY_POINTS } from './public-names.js';

const root = join(import.meta.dirname, '..', '..');
const entries = Object.entries(ENTRY_POINTS);

async function load(module: string): Promise<Record<string, unknown>> {
  const file = join(root, module);
  if (!existsSync(file)) throw new Error(`${module} is missing: run node scripts/build.mjs first`);
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

describe('package surface', () => {
  for (const [entry, { module, names }] of entries) {
    it(`${entry} exports every listed name and nothing else`, async () => {
      const m = await load(module);
      const exported = Object.keys(m).sort();
      const listed = [...new Set(names)].sort();
      expect(listed.length).toBe(names.length);
      expect({ missing: listed.filter((n) => !(n in m)), unlisted: exported.filter((n) => !listed.includes(n)) }).toEqual({ missing: [], unlisted: [] });
      for (const n of listed) expect(m[n], n).toBeDefined();
    });

    it(`${entry}: classes and functions keep their names`, async () => {
      const m = await load(module);
      const fns = Object.entries(m).filter(([, v]) => typeof v === 'function');
      expect(fns.length).toBeGreaterThan(0);
      expect(fns.filter(([n, v]) => (v as { name: string }).name !== n).map(([n, v]) => `${n} is named ${(v as { name: string }).name}`)).toEqual([]);
    });
  }

  it('net-mesh re-exports net-mesh/core: the same classes, the same core', async () => {
    const index = await load('dist/node/index.mjs');
    const core = await load('dist/node/core.mjs');
    for (const n of Object.keys(core)) expect(index[n], n).toBe(core[n]);
    expect((index.MeshNode as { name: string }).name).toBe('MeshNode');
  });
});
