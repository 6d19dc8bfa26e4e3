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
//   browser/  bundles for pages: net-mesh.mjs (the whole SDK; the core is net-mesh.wasm beside it;
//             no node:* import left, see nodeBuiltinStub) and webtransport.mjs (the transport alone)
//   deno/     the relay program (standalone, run by `net-mesh relay` under Deno)
//   dev/, bench/   demo and benches, standalone bundles, not published
//
// Flags: `--force` rebuilds the core and the declarations even when their sources are unchanged;
// `--sourcemap` (or NET_MESH_SOURCEMAP=1) writes source maps next to every bundle (never packed).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  // The relay program, for Deno: `net-mesh relay` (ts/relay/spawn.ts) runs this one when installed.
  ['ts/relay/main.ts', 'relay'],
];
/** Package entries that are executables: a shebang and the executable bit, no declarations. */
const executables = ['cli'];
/** Package entries that are programs, not modules to import: no declarations. */
const programs = [...executables, 'relay'];

/**
 * Standalone single-file bundles for programs and pages that load one file, with dependencies and
 * the core inlined, runnable by Deno, Bun and browsers: [source, output relative to dist/]. Not
 * packed unless package.json "files" lists their directory.
 */
const standaloneEntries = [['ts/relay/main.ts', 'deno/relay.mjs']];

/**
 * Bundles for pages (dist/browser/ is rebuilt from these alone): [source, output relative to
 * dist/, whether the WASM core is inlined]. net-mesh.mjs (the whole SDK) loads the core from
 * net-mesh.wasm beside it (copied here) instead of carrying it as base64: the module is 331 KB,
 * base64 makes it 441 KB (161 KB gzipped against the module's 117 KB), and a fetched module
 * compiles while it downloads (WebAssembly.compileStreaming). webtransport.mjs (the transport
 * alone) needs no core.
 */
const browserEntries = [
  ['ts/browser.ts', 'browser/net-mesh.mjs'],
  ['ts/transports/webtransport.ts', 'browser/webtransport.mjs'],
];
const browserWasm = 'browser/net-mesh.wasm';

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
  ['bench/handshake.ts', 'bench/handshake.mjs'],
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

/** Worker entries, each bundled and inlined as a string constant: [entry, generated file, constant]. */
const workerSources = [
  ['worker/core-worker.ts', 'worker-source.ts', 'WORKER_SOURCE'],
  ['worker/hash-worker.ts', 'hash-worker-source.ts', 'HASH_WORKER_SOURCE'],
];

async function buildWorkerSource(esbuild, [src, file, name]) {
  const entry = join(root, src);
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
    join(generatedDir, file),
    `// Generated by scripts/build.mjs from ${src}; do not edit.\nexport const ${name}: string = ${JSON.stringify(code)};\n`,
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
    // Whitespace and syntax only: identifiers (and, with keepNames, class names) stay readable in
    // stack traces, and the unpacked package stays well under its 2 MB budget.
    minifyWhitespace: true,
    minifySyntax: true,
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
/**
 * Browser bundles: every `node:*` module resolves to a stub that rejects when imported. The
 * package reaches built-ins only through run-time imports (node:dgram, node:fs, ...) on paths a
 * page never takes, so none of them ends up as an import a browser (or a bundler) would resolve;
 * a page that does take one (say `new NodeDgramTransport().bind()`) gets the stub's error.
 */
const nodeBuiltinStub = {
  name: 'node-builtin-stub',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-builtin-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'node-builtin-stub' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`net-mesh: ${args.path} is not available in a browser`)});`,
      loader: 'js',
    }));
  },
};
const browserStandalone = { platform: 'browser', mainFields: ['browser', 'module', 'main'], minify: true, plugins: [nodeBuiltinStub, noInlineWasm] };

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
  for (const w of workerSources) await buildWorkerSource(esbuild, w);
  const pkg = present(packageEntries);
  await buildPackage(esbuild, pkg);
  for (const e of present(standaloneEntries)) await buildSingle(esbuild, e, portable);
  rmSync(join(dist, 'browser'), { recursive: true, force: true });
  for (const e of present(browserEntries)) await buildSingle(esbuild, e, browserStandalone);
  copyFileSync(join(dist, 'core', 'net_mesh_core.wasm'), join(dist, browserWasm));
  chmodSync(join(dist, browserWasm), 0o644); // a served file, not the linker's executable output
  for (const e of present(devEntries)) await buildSingle(esbuild, e, nodeDev);
  await buildTypes({
    root,
    entries: pkg.filter(([, name]) => !programs.includes(name)).map(([src]) => src),
    outDir: join(dist, 'types'),
    force,
    log,
  });
}

main().catch((e) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
