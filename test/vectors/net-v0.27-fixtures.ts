// Loading Net v0.27's golden vector files (test/vectors/net-v0.27/, see its README.md) for the
// vector tests. Not a test file itself.
import { readdirSync, readFileSync, statSync } from 'node:fs';

const ROOT = new URL('./net-v0.27/', import.meta.url);

/** The raw text of a fixture, by its path under test/vectors/net-v0.27/. */
export function fixtureText(path: string): string {
  return readFileSync(new URL(path, ROOT), 'utf8');
}

/**
 * Parses a fixture. Integer literals of 16 digits or more become decimal strings first: the files
 * hold u64 values (node ids, timestamps, u64::MAX) that a JS number would round. Read them with
 * BigInt(). Strings are left alone.
 */
export function loadFixture(path: string): any {
  const text = fixtureText(path).replace(/"(?:[^"\\]|\\.)*"|-?\d{16,}(?![\d.eE])/g, (m) => (m.startsWith('"') ? m : `"${m}"`));
  return JSON.parse(text);
}

/** Every fixture path under test/vectors/net-v0.27/ (JSON files only), sorted. */
export function listFixtures(): string[] {
  const out: string[] = [];
  const walk = (dir: URL, prefix: string): void => {
    for (const name of readdirSync(dir)) {
      const url = new URL(name, dir);
      if (statSync(url).isDirectory()) walk(new URL(`${name}/`, dir), `${prefix}${name}/`);
      else if (name.endsWith('.json')) out.push(prefix + name);
    }
  };
  walk(ROOT, '');
  return out.sort();
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new Error(`not hex: ${s}`);
  return new Uint8Array(Buffer.from(s, 'hex'));
};
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const fromUtf8 = (b: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(b);
