// Every Net v0.27 fixture in test/vectors/net-v0.27/ is checked somewhere: by a vector test, by a
// pending vector test waiting for its codec, or listed here as reference only with the reason.
// A fixture nobody reads cannot pass silently.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listFixtures } from './net-v0.27-fixtures.js';

/** Fixtures kept for reference and read by no test, with the reason. */
const REFERENCE_ONLY: Record<string, string> = {
  'cross_lang_nrpc/golden_vectors_large_response.json':
    'large-response fragments (request flag bit 6, header nrpc-response-fragment-v1) are a later Net format; ' +
    'rpc-tools.md §3 has bits 6–15 written as 0 and no fragmenting',
};

const here = new URL('./', import.meta.url);
const testFiles = readdirSync(here).filter((f) => /^net-v0\.27-.*\.(test|pending)\.ts$/.test(f));

describe('Net v0.27 fixture coverage', () => {
  it('finds the fixtures and the test files', () => {
    expect(listFixtures()).toHaveLength(17);
    expect(testFiles.length).toBeGreaterThanOrEqual(7);
  });

  for (const fixture of listFixtures()) {
    it(fixture, () => {
      const readers = testFiles.filter((f) => f !== 'net-v0.27-coverage.test.ts' && readFileSync(new URL(f, here), 'utf8').includes(`'${fixture}'`));
      if (fixture in REFERENCE_ONLY) expect(readers).toEqual([]);
      else expect(readers.length, `${fixture} is read by no vector test`).toBeGreaterThan(0);
    });
  }

  it('lists as reference only nothing that is not a fixture', () => {
    for (const f of Object.keys(REFERENCE_ONLY)) expect(listFixtures()).toContain(f);
  });
});
