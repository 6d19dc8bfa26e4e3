#!/usr/bin/env node
// The package as a user gets it. `npm pack`s the built repository, checks the tarball (size
// budget; no source maps, tests, benches, Rust or TypeScript sources, CI or build scripts),
// installs it offline into a fresh project outside the repository, typechecks
// test/package/consumer/app.ts there with the repository's tsc (strict, skipLibCheck off,
// @types/node), compiles it and runs it under Node, Deno and Bun. Run by `npm test` after the
// build; exits non-zero on the first failure and leaves the temporary project for inspection.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The unpacked size the tarball must stay within. */
const BUDGET_BYTES = 2 * 1024 * 1024;
/** Files a user never needs; none may be in the tarball. */
const FORBIDDEN = [/\.map$/, /^test\//, /^bench\//, /^dist\/(bench|dev|core)\//, /^core-rs\//, /^target\//, /^ts\//, /^worker\//, /^scripts\//, /^\.ci\//, /^Cargo\./, /\.tgz$/];

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const runtimes = {
  node: (app) => [process.execPath, [app]],
  // --allow-net is all Deno needs (add --unstable-net for Deno.listenDatagram instead of node:dgram).
  deno: (app) => [bin('deno'), ['run', '--allow-net', app]],
  bun: (app) => [bin('bun'), ['run', app]],
};

function run(cmd, args, cwd, timeout = 120_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
  if (r.status !== 0) {
    throw new Error(`${[cmd, ...args].join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout ?? ''}${r.stderr ?? ''}${r.error ?? ''}`);
  }
  return r.stdout;
}

const mb = (n) => `${(n / 1048576).toFixed(2)} MB`;

function checkTarball(info, pkg) {
  const paths = info.files.map((f) => f.path);
  console.log(`package: ${info.filename}, ${mb(info.size)} packed, ${mb(info.unpackedSize)} unpacked, ${info.entryCount} files (budget ${mb(BUDGET_BYTES)} unpacked)`);
  const problems = [];
  if (info.unpackedSize > BUDGET_BYTES) problems.push(`unpacked size ${mb(info.unpackedSize)} exceeds the ${mb(BUDGET_BYTES)} budget`);
  for (const p of paths) if (FORBIDDEN.some((re) => re.test(p))) problems.push(`ships ${p}`);
  // Every file package.json points users at is in the tarball.
  const leaves = (v) => (typeof v === 'string' ? [v] : Object.values(v ?? {}).flatMap(leaves));
  const targets = [...leaves(pkg.bin), ...leaves(pkg.types), ...leaves(pkg.exports)];
  for (const t of targets) if (!paths.includes(t.replace(/^\.\//, ''))) problems.push(`package.json points at ${t}, which is not in the tarball`);
  for (const must of ['README.md', 'LICENSE', 'package.json']) if (!paths.includes(must)) problems.push(`${must} is missing`);
  if (problems.length > 0) throw new Error(`the tarball is not what users should get:\n  ${problems.join('\n  ')}`);
}

function consumerProject(dir, tarball) {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'net-mesh-consumer', private: true, type: 'module' }, null, 2));
  // Offline: the package has no runtime dependencies, so nothing but the tarball is installed.
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], dir);
  copyFileSync(join(root, 'test', 'package', 'consumer', 'app.ts'), join(dir, 'app.ts'));
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: false,
      typeRoots: [join(root, 'node_modules', '@types')],
      types: ['node'],
      outDir: 'out',
    },
    files: ['app.ts'],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'net-mesh-consumer-'));
try {
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root));
  checkTarball(info, pkg);
  consumerProject(dir, join(dir, info.filename));
  run(bin('tsc'), ['-p', join(dir, 'tsconfig.json')], dir);
  console.log('✓ consumer app typechecks (strict, skipLibCheck off) and compiles');
  for (const [name, command] of Object.entries(runtimes)) {
    const t0 = Date.now();
    const [cmd, args] = command(join(dir, 'out', 'app.js'));
    const out = run(cmd, args, dir).trim().split('\n').at(-1);
    console.log(`✓ ${name}: ${out} (${Date.now() - t0} ms)`);
  }
  rmSync(dir, { recursive: true, force: true });
  console.log('package: consumer checks passed');
} catch (e) {
  console.error(`✗ ${e instanceof Error ? e.message : String(e)}`);
  console.error(`(the consumer project is kept in ${dir})`);
  process.exit(1);
}
