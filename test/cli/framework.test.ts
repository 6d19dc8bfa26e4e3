// The CLI command framework on a small app of test verbs: parsing, help, exit codes, output
// formats, config and profiles, logging.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliApp } from '../../ts/cli/app.js';
import { parseArgs, type OptionSpec } from '../../ts/cli/args.js';
import type { CliIo, Command } from '../../ts/cli/command.js';
import { parseDurationMs } from '../../ts/cli/duration.js';
import { CliError, NetMeshError } from '../../ts/errors.js';

function capture(extra: Partial<CliIo> = {}) {
  const c = { out: '', err: '' };
  const io: CliIo = { out: (t) => void (c.out += t), err: (t) => void (c.err += t), ...extra };
  return Object.assign(c, { io });
}

const seen: { ctx?: Parameters<NonNullable<Command['run']>>[0] } = {};
const echo: Command = {
  name: 'echo',
  summary: 'prints its options',
  options: [
    { name: 'name', kind: 'string', value: '<n>', description: 'a name' },
    { name: 'tags', aliases: ['tag'], kind: 'list', value: '<t,...>', description: 'tags' },
    { name: 'store', kind: 'string', value: '<dir>', optionalValue: true, description: 'optional value' },
    { name: 'loud', short: 'l', kind: 'boolean', description: 'a flag' },
  ],
  positionals: [{ name: 'first' }, { name: 'second', required: false }],
  async run(ctx) {
    seen.ctx = ctx;
    ctx.log.warn('careful');
    ctx.log.info('details');
    ctx.result({ positionals: ctx.args.positionals, name: ctx.string('name'), tags: ctx.list('tags'), store: ctx.args.options.store, loud: ctx.flag('loud'), big: 18446744073709551615n, nested: { list: [1, 'two', { three: 3 }], empty: [] } });
  },
};
const group: Command = {
  name: 'group',
  summary: 'a group',
  commands: [
    { name: 'fail', summary: 'fails', positionals: [{ name: 'how' }], run: (ctx) => {
      const how = ctx.args.positionals[0];
      if (how === 'cli') throw new CliError('CLI_USAGE', 'a usage problem', 2);
      if (how === 'sdk') throw new NetMeshError('TRANSPORT', 'the substrate said no');
      if (how === 'code') return 7;
      throw new Error('boom');
    } },
    { name: 'config', summary: 'shows the profile', positionals: [], async run(ctx) {
      ctx.result({ profile: await ctx.profile(), timeout_ms: await ctx.timeoutMs() });
    } },
  ],
};
const app: CliApp = { program: 'tool', version: '9.8.7', commands: [echo, group] };
const run = (argv: string[], extra: Partial<CliIo> = {}) => {
  const c = capture(extra);
  return runCli(app, argv, c.io).then((code) => ({ code, out: c.out, err: c.err }));
};

describe('argument parsing', () => {
  const specs: OptionSpec[] = [
    { name: 'out', short: 'o', kind: 'string', description: '' },
    { name: 'v', short: 'v', kind: 'count', description: '' },
    { name: 'q', short: 'q', kind: 'boolean', description: '' },
    { name: 'tags', aliases: ['tag'], kind: 'list', description: '' },
  ];
  it('reads long, short, combined, =, repeated and list forms and stops at --', () => {
    const r = parseArgs(['a', '--out', 'x', '-vvq', '--tags=a,b', '--tag', 'c', '-v', '-ofile', 'b', '--', '--not-an-option'], specs);
    expect(r.options).toEqual({ out: 'file', v: 3, q: true, tags: ['a', 'b', 'c'] });
    expect(r.positionals).toEqual(['a', 'b', '--not-an-option']);
  });
  it('refuses unknown options, missing values and values on flags', () => {
    expect(() => parseArgs(['--nope'], specs)).toThrow(/unknown option --nope/);
    expect(() => parseArgs(['-x'], specs)).toThrow(/unknown option -x/);
    expect(() => parseArgs(['--out'], specs)).toThrow(/--out needs a value/);
    expect(() => parseArgs(['--q=1'], specs)).toThrow(/takes no value/);
  });
  it('parses durations: bare seconds and unit sequences', () => {
    expect(parseDurationMs('30')).toBe(30_000);
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('2h')).toBe(7_200_000);
    expect(parseDurationMs('1d')).toBe(86_400_000);
    expect(() => parseDurationMs('soon')).toThrow(/not a duration/);
    expect(() => parseDurationMs('5 parsecs')).toThrow(CliError);
  });
});

describe('commands, help and exit codes', () => {
  it('runs a verb with options before and after positionals, globals anywhere', async () => {
    const r = await run(['--output', 'json', 'echo', 'one', '--name', 'n', '-l', '--tag', 'a,b', '--store', 'two', '-q']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.replace('18446744073709551615', '"big"'))).toMatchObject({ positionals: ['one', 'two'], name: 'n', tags: ['a', 'b'], store: true, loud: true, big: 'big' });
    expect(r.out).toContain('"big": 18446744073709551615'); // u64 printed exactly
    expect(seen.ctx!.quiet).toBe(true);
    expect(r.err).toBe(''); // -q: warnings suppressed
  });

  it('prints help at every level and exits 0; bare program and group exit 2', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/usage: tool <command>/);
    expect(top.out).toMatch(/echo\s+prints its options/);
    expect(top.out).toMatch(/--output <format>/);
    const leaf = await run(['echo', '--help']);
    expect(leaf.out).toMatch(/usage: tool echo \[options\]/);
    expect(leaf.out).toMatch(/--tags, --tag <t,...>/);
    expect(leaf.out).toMatch(/--store\[=<dir>\]/);
    expect((await run(['help', 'group', 'fail'])).out).toMatch(/usage: tool group fail/);
    expect((await run([])).code).toBe(2);
    const g = await run(['group']);
    expect(g.code).toBe(2);
    expect(g.err).toMatch(/commands:\n\s+fail/);
    const v = await run(['group', '--version']);
    expect([v.code, v.out]).toEqual([0, '9.8.7\n']);
  });

  it('maps failures to exit codes with "tool: <message>" on stderr', async () => {
    expect(await run(['nope'])).toMatchObject({ code: 2, err: 'tool: unknown command "nope" (try --help)\n' });
    expect(await run(['group', 'nope'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command "group nope"/) });
    expect(await run(['echo'])).toMatchObject({ code: 2, err: 'tool: echo: missing <first>\n' });
    expect(await run(['echo', 'a', 'b', 'c'])).toMatchObject({ code: 2, err: expect.stringMatching(/unexpected argument "c"/) });
    expect(await run(['echo', 'a', '--bogus'])).toMatchObject({ code: 2, err: 'tool: unknown option --bogus\n' });
    expect(await run(['echo', 'a', '--output', 'xml'])).toMatchObject({ code: 2, err: expect.stringMatching(/--output must be one of json, yaml, ndjson, table, text/) });
    expect(await run(['echo', 'a', '--timeout', 'later'])).toMatchObject({ code: 2 });
    expect(await run(['group', 'fail', 'cli'])).toMatchObject({ code: 2, err: 'tool: a usage problem\n' });
    expect(await run(['group', 'fail', 'sdk'])).toMatchObject({ code: 3, err: 'tool: the substrate said no\n' });
    expect(await run(['group', 'fail', 'other'])).toMatchObject({ code: 1, err: 'tool: boom\n' });
    expect((await run(['group', 'fail', 'code'])).code).toBe(7);
  });
});

describe('output formats (meshos-cli.md §3.6)', () => {
  it('json / table / text pretty, ndjson one line, yaml; default table on a TTY, json otherwise', async () => {
    const json = await run(['echo', 'a', '--output', 'json']);
    expect(json.out.split('\n').length).toBeGreaterThan(5);
    expect(json.out.startsWith('{\n  "positionals": [\n    "a"\n  ],')).toBe(true);
    const nd = await run(['echo', 'a', '--output', 'ndjson']);
    expect(nd.out.endsWith('\n')).toBe(true);
    expect(nd.out.trim().includes('\n')).toBe(false);
    expect(nd.out).toContain('"big":18446744073709551615');
    const yaml = await run(['echo', 'a', '--output', 'yaml']);
    expect(yaml.out).toBe(
      ['positionals:', '  - a', 'tags: []', 'loud: false', 'big: 18446744073709551615', 'nested:', '  list:', '    - 1', '    - two', '    - three: 3', '  empty: []', ''].join('\n'),
    );
    expect((await run(['echo', 'a'], { stdoutIsTTY: true })).out).toBe((await run(['echo', 'a', '--output', 'table'])).out);
    expect((await run(['echo', 'a'])).out).toBe(json.out);
    expect(seen.ctx!.streamFormat).toBe('ndjson');
    await run(['echo', 'a'], { stdoutIsTTY: true });
    expect(seen.ctx!.streamFormat).toBe('text');
  });

  it('logs warnings by default, more with -v, none with -q; NET_MESH_LOG overrides', async () => {
    expect((await run(['echo', 'a'])).err).toBe('warning: careful\n');
    expect((await run(['echo', 'a', '-v'])).err).toBe('warning: careful\ninfo: details\n');
    expect((await run(['echo', 'a', '-q'])).err).toBe('');
    expect((await run(['echo', 'a', '-q'], { env: { NET_MESH_LOG: 'net_mesh=info' } })).err).toBe('warning: careful\ninfo: details\n');
  });
});

describe('config and profiles (meshos-cli.md §3.1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'config.toml');
  writeFileSync(
    cfg,
    `# net-mesh config
[default]
node_addr = "127.0.0.1:7447"
default_timeout_ms = 1_500

[profiles.lab]
psk_hex = 'aa'
node_id = 0x10
tags = [
  "a", # first
  "b",
]
inline = { x = 1, y.z = "deep" }
`,
  );
  const profile = async (argv: string[], env: Record<string, string> = {}) => {
    const r = await run(['group', 'config', '--output', 'json', ...argv], { env });
    return { ...r, json: r.code === 0 ? JSON.parse(r.out) : undefined };
  };

  it('reads the [default] table and [profiles.<name>] by flag or env, flag first', async () => {
    expect((await profile(['--config', cfg])).json).toEqual({ profile: { node_addr: '127.0.0.1:7447', default_timeout_ms: 1500 }, timeout_ms: 1500 });
    expect((await profile(['--config', cfg, '--profile', 'lab'])).json.profile).toEqual({ psk_hex: 'aa', node_id: 16, tags: ['a', 'b'], inline: { x: 1, y: { z: 'deep' } } });
    expect((await profile([], { NET_MESH_CONFIG: cfg, NET_MESH_PROFILE: 'lab' })).json.profile.node_id).toBe(16);
    expect((await profile(['--profile', 'default'], { NET_MESH_CONFIG: cfg, NET_MESH_PROFILE: 'lab' })).json.profile.node_addr).toBe('127.0.0.1:7447');
    expect((await profile(['--config', cfg, '--profile', 'nobody'])).json).toEqual({ profile: {}, timeout_ms: 30000 });
    expect((await profile(['--config', cfg, '--timeout', '2m'])).json.timeout_ms).toBe(120_000);
  });

  it('a missing file is empty; invalid TOML exits 3; an unsupported endpoint exits 2', async () => {
    expect((await profile(['--config', join(dir, 'absent.toml')])).json).toEqual({ profile: {}, timeout_ms: 30000 });
    expect((await profile([], { XDG_CONFIG_HOME: join(dir, 'xdg') })).json.profile).toEqual({});
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, '[default]\nnode_addr = "unterminated\n');
    expect(await profile(['--config', bad])).toMatchObject({ code: 3, err: expect.stringMatching(/not valid TOML: line 2/) });
    const ep = join(dir, 'endpoint.toml');
    writeFileSync(ep, '[default]\nendpoint = "unix:///tmp/sock"\n');
    expect(await profile(['--config', ep])).toMatchObject({ code: 2, err: expect.stringMatching(/endpoint/) });
    writeFileSync(ep, '[default]\nendpoint = "in-process"\n');
    expect((await profile(['--config', ep])).json.profile.endpoint).toBe('in-process');
  });
});
