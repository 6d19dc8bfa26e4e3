// dist/browser/net-mesh.mjs as a page or a bundler sees it: no Node built-in left to resolve (a
// browser-platform esbuild build of it must resolve every import), the core not inlined (it is
// net-mesh.wasm beside the bundle, a real WebAssembly module), and the SDK's names exported.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { root } from '../relay/helpers.js';

const BUNDLE = join(root, 'dist', 'browser', 'net-mesh.mjs');
const WASM = join(root, 'dist', 'browser', 'net-mesh.wasm');

describe('dist/browser/net-mesh.mjs', () => {
  it('exists with its core beside it (run node scripts/build.mjs)', () => {
    expect(existsSync(BUNDLE)).toBe(true);
    expect([...readFileSync(WASM).subarray(0, 4)]).toEqual([0x00, 0x61, 0x73, 0x6d]); // "\0asm"
  });

  it('has no import a browser cannot resolve: bundling it for the browser platform needs nothing else', async () => {
    const r = await esbuild.build({
      entryPoints: [BUNDLE],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      metafile: true,
      logLevel: 'silent',
    });
    expect(r.errors).toEqual([]);
    // Its only input is itself: no import of any kind left, static or dynamic.
    expect(Object.keys(r.metafile.inputs)).toHaveLength(1);
  });

  it('does not carry the core as base64, and loads it from beside itself', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    expect(text).not.toContain('AGFzbQ'); // base64 of "\0asm"
    expect(text).toContain('net-mesh.wasm');
    expect(text.length).toBeLessThan(readFileSync(WASM).length * 2);
  });

  it('exports the SDK names a page needs', async () => {
    const text = readFileSync(BUNDLE, 'utf8');
    const exported = /export\s*\{([^}]*)\}\s*;?\s*$/.exec(text.trimEnd())?.[1] ?? '';
    const names = exported.split(',').map((s) => s.trim().split(/\s+as\s+/).pop());
    for (const n of ['MeshNode', 'WebTransportTransport', 'Identity', 'NetMeshError', 'initCore', 'MemoryHub']) expect(names).toContain(n);
  });
});
