// docs/api.md is generated from the TSDoc comments of the public exports (scripts/api-docs.mjs):
// every public export has a comment, and the checked-in reference is what the sources generate.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without declarations
import { generateApiDocs } from '../../scripts/api-docs.mjs';

const root = join(import.meta.dirname, '..', '..');

describe('API reference', async () => {
  const { markdown, undocumented } = (await generateApiDocs()) as { markdown: string; undocumented: string[] };

  it('documents every public export (add a TSDoc comment to the declaration)', () => {
    expect(undocumented).toEqual([]);
    expect(markdown).toContain('### `MeshNode` (class)');
  });

  it('docs/api.md is up to date (regenerate it with: node scripts/api-docs.mjs)', () => {
    expect(readFileSync(join(root, 'docs', 'api.md'), 'utf8') === markdown).toBe(true);
  });
});
