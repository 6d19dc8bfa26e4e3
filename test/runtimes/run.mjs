#!/usr/bin/env node
// Runs the runtime smoke scripts under Deno and Bun (installed from npm as dev dependencies).
// Each script exits non-zero on failure. Prints one closing line: "runtimes: N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const scripts = [
  ['deno', 'core-smoke.ts'],
  ['bun', 'core-smoke.ts'],
  ['deno', 'transports-deno.ts'],
  ['bun', 'transports-bun.ts'],
  ['deno', 'mesh-smoke.ts'],
  ['bun', 'mesh-smoke.ts'],
  ['deno', 'blobs-smoke.ts'],
  ['bun', 'blobs-smoke.ts'],
  ['deno', 'connect-smoke.ts'],
  ['bun', 'connect-smoke.ts'],
  ['deno', 'hash-worker-smoke.ts'],
  ['bun', 'hash-worker-smoke.ts'],
];

// Deno resolves the project's `./x.js` imports of `x.ts` files only with sloppy imports.
const commands = {
  deno: (file) => [bin('deno'), ['run', '-A', '--unstable-net', '--sloppy-imports', '--quiet', file]],
  bun: (file) => [bin('bun'), ['run', file]],
};

let passed = 0;
let failed = 0;
for (const [runtime, name] of scripts) {
  const file = join(root, 'test', 'runtimes', name);
  if (!existsSync(file)) continue;
  const [cmd, args] = commands[runtime](file);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', timeout: 300_000, env: { ...process.env, NO_COLOR: '1' } });
  const ok = r.status === 0;
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? '✓' : '✗'} ${runtime} ${name} (${Date.now() - t0} ms)${ok ? '' : ` exit ${r.status ?? r.signal}`}`);
}
console.log(`runtimes: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
