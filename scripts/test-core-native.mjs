#!/usr/bin/env node
// Runs core-rs's native unit tests (`cargo test`) with the host toolchain: rustup's cargo when
// present, else Debian's (/usr/bin/cargo). The kernels' vector tests and the state machines'
// unit tests live there; the WASM build is checked separately through the TS tests.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const candidates = [process.env.CARGO, 'cargo', '/usr/bin/cargo'].filter(Boolean);
let ran = false;
for (const cargo of candidates) {
  if (cargo.startsWith('/') && !existsSync(cargo)) continue;
  const probe = spawnSync(cargo, ['--version'], { stdio: 'ignore' });
  if (probe.status !== 0) continue;
  const env = { ...process.env, CARGO_TARGET_DIR: join(root, 'target') };
  if (cargo === '/usr/bin/cargo') env.RUSTC = '/usr/bin/rustc';
  const r = spawnSync(cargo, ['test', '--release', '-p', 'net-mesh-core', '--quiet'], { cwd: root, stdio: 'inherit', env });
  ran = true;
  if (r.status !== 0) process.exit(r.status ?? 1);
  break;
}
if (!ran) {
  console.error('[test-core-native] no host cargo found; install Rust (e.g. apt-get install cargo) to run the native tests');
  process.exit(1);
}
