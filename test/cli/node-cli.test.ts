// `net-mesh node` (meshos-cli.md §3.6a): restarted with its identity file it keeps its node id,
// entity and Noise key (and can bind its old port again: the socket was closed); SIGINT and SIGTERM
// stop it with exit 0; settings are checked before anything is bound (exit 2), a busy port exits 3.
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../ts/cli/index.js';
import { Identity } from '../../ts/identity/identity.js';
import { until } from '../node/helpers.js';
import { CliProcess, parseAttachLine, PSK } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'nm-cli-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(extra: { stop?: AbortController } = {}) {
  const c = { out: '', err: '' };
  return {
    c,
    io: {
      out: (t: string) => void (c.out += t),
      err: (t: string) => void (c.err += t),
      cwd: dir,
      env: {},
      stopSignal: extra.stop ? () => extra.stop!.signal : undefined,
    },
  };
}

describe('net-mesh node as a process', () => {
  it('keeps node id, entity and Noise key across a restart on the same port; SIGTERM and SIGINT exit 0', async () => {
    const args = ['node', '--psk-hex', PSK, '--identity', 'ids/node.toml', '--store', 'store', '--accept-identity', 'ids/cli.toml'];
    const first = CliProcess.start([...args, '--listen', '127.0.0.1:0'], { cwd: dir });
    const a = parseAttachLine(await first.line(0));
    expect(a.node_pubkey).toMatch(/^[0-9a-f]{64}$/);
    expect(a.entity).toMatch(/^[0-9a-f]{64}$/);
    const line = JSON.parse(await first.line(0));
    expect(line.store).toBe(join(dir, 'store'));
    // The accepted CLI identity was created too, and the node names its id.
    const cliSeed = /seed_hex = "([0-9a-f]{64})"/.exec(readFileSync(join(dir, 'ids/cli.toml'), 'utf8'))![1]!;
    expect(first.lines[0]).toContain(`"accepts":[${Identity.fromSeed(Buffer.from(cliSeed, 'hex')).nodeId}]`);
    expect(statSync(join(dir, 'ids/node.toml')).mode & 0o777).toBe(0o600);
    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    const second = CliProcess.start([...args, '--listen', a.node_addr], { cwd: dir });
    const b = parseAttachLine(await second.line(0));
    expect(b).toEqual(a);
    expect(await second.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(second.stderr).toBe('');
  }, 120_000);
});

describe('net-mesh node settings', () => {
  it('runs in-process until its stop signal, printing one JSON line', async () => {
    const stop = new AbortController();
    const { c, io: i } = io({ stop });
    const run = main(['node', '--listen', '127.0.0.1:0', '--psk-hex', PSK, '--store', 'store2', '--accept', '42,0x2b'], i);
    await until(() => c.out.includes('\n'), 20_000, 'the attach line');
    expect(c.out.split('\n')).toHaveLength(2);
    expect(JSON.parse(c.out)).toMatchObject({ node_addr: expect.stringMatching(/^127\.0\.0\.1:\d+$/), accepts: [42, 43] });
    expect(c.err).toMatch(/^warning: no --identity/);
    stop.abort();
    expect(await run).toBe(0);
  }, 30_000);

  it('refuses bad settings with exit 2 before binding anything', async () => {
    writeFileSync(join(dir, 'bad.toml'), 'seed_hex = "xyz"\n');
    const cases: [string[], RegExp][] = [
      [['node', '--listen', '127.0.0.1:0', '--store', 's'], /PSK is required/],
      [['node', '--listen', 'nowhere', '--psk-hex', PSK, '--store', 's'], /--listen: expected ip:port/],
      [['node', '--listen', '127.0.0.1:0', '--psk-hex', 'abc', '--store', 's'], /--psk-hex: expected 64 hex/],
      [['node', '--listen', '127.0.0.1:0', '--psk-hex', PSK, '--store', 's', '--accept', 'twelve'], /--accept: expected a decimal or 0x-hex u64/],
      [['node', '--listen', '127.0.0.1:0', '--psk-hex', PSK, '--store', 's', '--deck', 'localhost'], /--deck: expected host:port/],
      [['node', '--listen', '127.0.0.1:0', '--psk-hex', PSK, '--store', 's', '--identity', 'bad.toml'], /seed_hex must be 64 hex/],
      [['node', '--psk-hex', PSK, 'extra'], /unexpected argument "extra"/],
    ];
    for (const [argv, msg] of cases) {
      const { c, io: i } = io();
      expect(await main(argv, i), argv.join(' ')).toBe(2);
      expect(c.err).toMatch(msg);
      expect(c.out).toBe('');
    }
  });

  it('a port in use exits 3', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    try {
      const { c, io: i } = io();
      const code = await main(['node', '--listen', `127.0.0.1:${sock.address().port}`, '--psk-hex', PSK, '--store', 's', '-q'], i);
      expect(code).toBe(3);
      expect(c.err).toMatch(/^net-mesh: .*(EADDRINUSE|in use)/i);
    } finally {
      sock.close();
    }
  });
});
