#!/usr/bin/env node
// Makes sure a Chromium is there for the browser test (test/browser/): Debian's `chromium` package,
// driven by playwright-core. Quiet when it is already installed; as root with apt-get it installs
// the package; otherwise it prints the command and exits 0 (the browser test then fails and says so).
// CHROMIUM_PATH names another Chromium build to use instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function log(msg) {
  process.stderr.write(`[setup-chromium] ${msg}\n`);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr ?? '').trim().slice(-2000)}`);
}

function main() {
  if (existsSync(CHROMIUM_PATH)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    log(`no Chromium at ${CHROMIUM_PATH}; the browser test needs one: sudo apt-get install chromium (or set CHROMIUM_PATH)`);
    return;
  }
  log('installing Debian package chromium (for the browser test)');
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} is missing`);
  log('chromium installed');
}

try {
  main();
} catch (err) {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
