#!/usr/bin/env node
// Builds everything: the WASM core (cached), the worker source, the package bundles and their
// declarations, and the development bundles (demo, benches).
//
// dist/ layout. The package ships node/ and types/ (package.json "files"):
//   node/    the package entries as one code-split ESM build that Node, Deno, Bun and browsers all
//            run (every "exports" condition points here; the directory keeps its historical name).
//            Entries share chunks, so the inlined WASM core and worker source exist once, and
//            `net-mesh` and `net-mesh/core` share one core instance and one set of error classes.
//            Dependencies are bundled; node:* built-ins are reached only at run time
//            (process.getBuiltinModule, import()), so nothing needs resolving but relative chunks.
//   types/   declarations of the package entries and of the files they reach (build-types.mjs)
//   browser/, deno/   standalone single-file bundles (the relay program, the page-side transport)
//   dev/, bench/   demo and benches, standalone bundles, not published
//
// Flags: `--force` rebuilds the core and the declarations even when their sources are unchanged;
// `--sourcemap` (or NET_MESH_SOURCEMAP=1) writes source maps next to every bundle (never packed).
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCore } from './build-core.mjs';
import { buildTypes } from './build-types.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const sourcemap = process.argv.includes('--sourcemap') || process.env.NET_MESH_SOURCEMAP === '1';
const dist = join(root, 'dist');
const generatedDir = join(root, 'ts', 'core', 'generated');

/**
 * Package entry points: [source, output name]. Each is built into dist/node/<name>.mjs and gets
 * declarations under dist/types/ (executables excepted). Adding an entry here is all it takes to
 * ship it; point package.json "exports" (or "bin") at it.
 */
const packageEntries = [
  ['ts/index.ts', 'index'],
  ['ts/core/index.ts', 'core'],
  ['ts/cli/index.ts', 'cli-lib'],
  ['ts/cli/main.ts', 'cli'],
];
/** Package entries that are executables: a shebang and the executable bit, no declarations. */
const executables = ['cli'];

/**
 * Standalone single-file bundles for programs and pages that load one file, with dependencies and
 * the core inlined, runnable by Deno, Bun and browsers: [source, output relative to dist/]. Not
 * packed unless package.json "files" lists their directory.
 */
const standaloneEntries = [
  ['ts/transports/webtransport.ts', 'browser/webtransport.mjs'],
  ['ts/relay/main.ts', 'deno/relay.mjs'],
];

/** Development bundles, standalone and never published: [source, output relative to dist/]. */
const devEntries = [
  ['ts/demo/main.ts', 'dev/demo.mjs'],
  ['bench/core.ts', 'bench/core.mjs'],
  ['bench/node.ts', 'bench/node.mjs'],
  ['bench/streams.ts', 'bench/streams.mjs'],
  ['bench/fold.ts', 'bench/fold.mjs'],
  ['bench/channels.ts', 'bench/channels.mjs'],
  ['bench/blobs.ts', 'bench/blobs.mjs'],
  ['bench/rpc.ts', 'bench/rpc.mjs'],
  ['bench/relay-path.ts', 'bench/relay-path.mjs'],
  ['bench/relay-peer.ts', 'bench/relay-peer.mjs'],
];
/** Peers the benches compare against: devDependencies loaded at run time, never bundled. */
const benchExternals = ['udx-native', 'hash-wasm', 'blake3-jit', 'blake3-wasm', '@noble/*', '@grpc/grpc-js'];

function log(msg) {
  process.stderr.write(`[build] ${msg}\n`);
}

/** Entries whose source exists (others are listed ahead of the code that adds them). */
function present(entries) {
  return entries.filter(([src]) => {
    if (existsSync(join(root, src))) return true;
    log(`skip ${src} (not present)`);
    return false;
  });
}

// The worker gets the compiled WebAssembly.Module from its host, so its bundle must not carry
// a second copy of the inlined bytes.
const noInlineWasm = {
  name: 'no-inline-wasm',
  setup(b) {
    b.onResolve({ filter: /generated\/wasm-base64(\.js)?$/ }, () => ({ path: 'wasm-base64-stub', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'export const WASM_BASE64 = ""; export const WASM_SIZE = 0;',
      loader: 'js',
    }));
  },
};

async function buildWorkerSource(esbuild) {
  const entry = join(root, 'worker', 'core-worker.ts');
  mkdirSync(generatedDir, { recursive: true });
  let code = '';
  if (existsSync(entry)) {
    const r = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      minify: true,
      external: ['node:*'],
      mainFields: ['module', 'main'],
      plugins: [noInlineWasm],
      logLevel: 'warning',
    });
    code = r.outputFiles[0].text;
  }
  writeFileSync(
    join(generatedDir, 'worker-source.ts'),
    `// Generated by scripts/build.mjs from worker/core-worker.ts; do not edit.\nexport const WORKER_SOURCE: string = ${JSON.stringify(code)};\n`,
  );
}

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  keepNames: true,
  sourcemap,
  logLevel: 'warning',
};

async function buildPackage(esbuild, entries) {
  const outdir = join(dist, 'node');
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    ...common,
    ...portable,
    entryPoints: Object.fromEntries(entries.map(([src, name]) => [name, join(root, src)])),
    outdir,
    splitting: true,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
  });
  for (const [, name] of entries.filter(([, n]) => executables.includes(n))) {
    const file = join(outdir, `${name}.mjs`);
    writeFileSync(file, `#!/usr/bin/env node\n${readFileSync(file, 'utf8')}`);
    chmodSync(file, 0o755);
  }
}

/** Portable settings: the package build and the standalone bundles run on every runtime. */
const portable = { platform: 'neutral', mainFields: ['module', 'main'], external: ['node:*'] };
/** Node-only development bundles: the benches' peers stay imports, `require` works. */
const nodeDev = {
  platform: 'node',
  external: benchExternals,
  banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
};

async function buildSingle(esbuild, [src, out], options) {
  await esbuild.build({ ...common, ...options, entryPoints: [join(root, src)], outfile: join(dist, out) });
}

async function main() {
  buildCore({ force });
  const esbuild = await import('esbuild');
  await buildWorkerSource(esbuild);
  const pkg = present(packageEntries);
  await buildPackage(esbuild, pkg);
  for (const e of present(standaloneEntries)) await buildSingle(esbuild, e, portable);
  for (const e of present(devEntries)) await buildSingle(esbuild, e, nodeDev);
  await buildTypes({
    root,
    entries: pkg.filter(([, name]) => !executables.includes(name)).map(([src]) => src),
    outDir: join(dist, 'types'),
    force,
    log,
  });
}

main().catch((e) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
