#!/usr/bin/env node
// Builds core-rs to WebAssembly (release, LTO, +simd128) and writes:
//   dist/core/net_mesh_core.wasm           the module
//   ts/core/generated/wasm-base64.ts       the same bytes, inlined for every runtime and bundle
// The build is cached on a hash of the core sources; `--force` rebuilds.
//
// Toolchain choice, in order:
//   1. rustup with the wasm32-unknown-unknown target installed (a developer laptop);
//   2. Debian's rustc-web/cargo-web/rust-web-src + lld: build std from the installed sources
//      (-Z build-std) with crates-io replaced by the sources' own vendor directory;
//   3. as root with apt-get: install those Debian packages, then 2;
//   4. otherwise print the command that installs them, and fail.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = 'wasm32-unknown-unknown';
const RUSTFLAGS = '-C target-feature=+simd128,+bulk-memory,+mutable-globals,+sign-ext';
const DEBIAN_PACKAGES = ['rustc-web', 'cargo-web', 'rust-web-src', 'lld-22'];
const outDir = join(root, 'dist', 'core');
const outWasm = join(outDir, 'net_mesh_core.wasm');
const hashFile = join(outDir, 'build-hash');
const genDir = join(root, 'ts', 'core', 'generated');
const genFile = join(genDir, 'wasm-base64.ts');

function log(msg) {
  process.stderr.write(`[build-core] ${msg}\n`);
}

function sourceHash() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(rs|toml)$/.test(name)) h.update(relative(root, p)).update('\0').update(readFileSync(p));
    }
  };
  walk(join(root, 'core-rs'));
  h.update(readFileSync(join(root, 'Cargo.toml')));
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  return h.digest('hex');
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with status ${r.status}`);
}

function tryOutput(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** rustup with the wasm32 target: use it as it is. */
function rustupToolchain() {
  const installed = tryOutput('rustup', ['target', 'list', '--installed']);
  if (!installed || !installed.split('\n').includes(TARGET)) return null;
  return { name: 'rustup', cargo: 'cargo', env: {}, extraArgs: [] };
}

/** Debian's rust-web packages: a rustc with its std sources, built for wasm32 with build-std. */
function debianToolchain() {
  const rustc = '/usr/bin/rustc';
  const cargo = '/usr/bin/cargo';
  if (!existsSync(rustc) || !existsSync(cargo)) return null;
  const sysroot = tryOutput(rustc, ['--print', 'sysroot']);
  if (!sysroot) return null;
  const vendor = join(sysroot, 'lib', 'rustlib', 'src', 'rust', 'library', 'vendor');
  if (!existsSync(vendor)) return null;
  // rustc's wasm32 target links with rust-lld; Debian's lld-N provides wasm-ld-N.
  const lld = ['/usr/bin/rust-lld', ...readdirSync('/usr/bin').filter((n) => /^wasm-ld(-\d+)?$/.test(n)).map((n) => `/usr/bin/${n}`)].find(existsSync);
  if (!lld) return null;
  const env = { RUSTC: rustc, RUSTC_BOOTSTRAP: '1', RUSTDOC: '/usr/bin/rustdoc' };
  if (!existsSync('/usr/bin/rust-lld')) env[`CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER`] = lld;
  return {
    name: `debian (${tryOutput(rustc, ['--version'])})`,
    cargo,
    env,
    extraArgs: [
      '-Z', 'build-std=std,panic_abort',
      '--config', 'source.crates-io.replace-with="std-vendor"',
      '--config', `source.std-vendor.directory=${JSON.stringify(vendor)}`,
    ],
  };
}

function installDebianToolchain() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  const command = `apt-get update && apt-get install -y ${DEBIAN_PACKAGES.join(' ')}`;
  if (!isRoot || !hasApt) {
    log('no WebAssembly-capable Rust toolchain found.');
    log(`install one with:  sudo sh -c '${command}'`);
    log('or, with rustup:  rustup target add wasm32-unknown-unknown');
    process.exit(1);
  }
  log(`installing Debian packages: ${DEBIAN_PACKAGES.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], env);
  run('apt-get', ['install', '-y', '-q', ...DEBIAN_PACKAGES], env);
}

function pickToolchain() {
  let tc = rustupToolchain() ?? debianToolchain();
  if (tc) return tc;
  installDebianToolchain();
  tc = debianToolchain();
  if (!tc) {
    log('the Debian packages installed, but no usable wasm32 toolchain was found afterwards.');
    process.exit(1);
  }
  return tc;
}

function writeGenerated(bytes) {
  mkdirSync(genDir, { recursive: true });
  const b64 = Buffer.from(bytes).toString('base64');
  writeFileSync(
    genFile,
    `// Generated by scripts/build-core.mjs from core-rs; do not edit.\n` +
      `export const WASM_BASE64 = ${JSON.stringify(b64)};\n` +
      `export const WASM_SIZE = ${bytes.length};\n`,
  );
}

export function buildCore({ force = false } = {}) {
  const hash = sourceHash();
  if (!force && existsSync(outWasm) && existsSync(genFile) && existsSync(hashFile) && readFileSync(hashFile, 'utf8') === hash) {
    return { built: false, path: outWasm };
  }
  const tc = pickToolchain();
  log(`building core-rs with ${tc.name}`);
  const args = ['build', '--release', '--target', TARGET, '-p', 'net-mesh-core', ...tc.extraArgs];
  run(tc.cargo, args, { ...tc.env, RUSTFLAGS, CARGO_TARGET_DIR: join(root, 'target') });
  const built = join(root, 'target', TARGET, 'release', 'net_mesh_core.wasm');
  mkdirSync(outDir, { recursive: true });
  copyFileSync(built, outWasm);
  writeGenerated(readFileSync(outWasm));
  writeFileSync(hashFile, hash);
  log(`wrote ${relative(root, outWasm)} (${statSync(outWasm).size} bytes)`);
  return { built: true, path: outWasm };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    buildCore({ force: process.argv.includes('--force') });
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
