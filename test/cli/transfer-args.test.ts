// `net-mesh transfer` arguments (meshos-cli.md §3.3–§3.4, §3.7), run in-process: everything is
// parsed before any network work — bad ids, refs, flags and attach targets exit 2 at once — and
// the exit-code table is the spec's. The codes no verb of this build produces (4, 5, 8, 10–13:
// ICE simulation, operator policy, confirmation prompts, daemon factories, db queries) are listed
// with their meaning only.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../ts/cli/index.js';
import { EXIT } from '../../ts/cli/exit-codes.js';
import { BlobRef } from '../../ts/dataforts/blob-ref.js';
import { PSK } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'nm-cli-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'file.txt'), 'not a directory');
writeFileSync(join(dir, 'bad.toml'), '[default\n');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = { out: '', err: '' };
  const code = await main(argv, { out: (t) => void (c.out += t), err: (t) => void (c.err += t), cwd: dir, env: {} });
  return { code, ...c };
}

const HASH = 'ab'.repeat(32);
const TARGET = ['--node-addr', '127.0.0.1:9', '--node-pubkey', 'cd'.repeat(32), '--node-id', '7', '--psk-hex', PSK];

describe('argument errors exit 2 before any network work', () => {
  const tree = BlobRef.tree({ rootHash: new Uint8Array(32), totalSize: 10, depth: 1, uri: 'mesh://t' }).toString();
  const cases: [string, string[], RegExp][] = [
    ['bad source', ['transfer', 'recv-blob', 'eleven', HASH, '--out', 'x', ...TARGET], /<source>: expected a decimal or 0x-hex u64/],
    ['u64 overflow', ['transfer', 'status', '0x10000000000000000', ...TARGET], /does not fit in a u64/],
    ['not hex', ['transfer', 'recv-blob', '7', 'zz', '--out', 'x', ...TARGET], /<ref>: .*not hex/],
    ['not a ref', ['transfer', 'recv-blob', '7', 'abcd', '--out', 'x', ...TARGET], /<ref>: .*not a blob ref/],
    ['tree ref', ['transfer', 'recv-dir', '7', tree, '--dest', 'd', ...TARGET], /<root-ref>: tree refs cannot be transferred/],
    ['no --out', ['transfer', 'recv-blob', '7', HASH, ...TARGET], /--out <path\|-> is required/],
    ['no --dest', ['transfer', 'recv-dir', '7', HASH, ...TARGET], /--dest <path> is required/],
    ['bad concurrency', ['transfer', 'recv-dir', '7', HASH, '--dest', 'd', '--concurrency', '-1', ...TARGET], /--concurrency: expected a whole number/],
    ['no target', ['transfer', 'ls'], /no target node: pass --node-addr/],
    ['no target for recv', ['transfer', 'recv-blob', '7', HASH, '--out', 'x'], /no target node/],
    ['partial target', ['transfer', 'ls', '--node-addr', '127.0.0.1:9'], /missing --node-pubkey, --node-id, --psk-hex/],
    ['node id defaults to <source> only for recv', ['transfer', 'ls', '--node-addr', '127.0.0.1:9', '--node-pubkey', 'cd'.repeat(32), '--psk-hex', PSK], /missing --node-id$/m],
    ['bad pubkey', ['transfer', 'ls', ...TARGET.slice(0, 2), '--node-pubkey', 'xyz', ...TARGET.slice(4)], /--node-pubkey: expected 64 hex/],
    ['bad addr', ['transfer', 'ls', '--node-addr', 'localhost', ...TARGET.slice(2)], /--node-addr: expected ip:port/],
    ['bad source key', ['transfer', 'recv-blob', '7', HASH, '--out', 'x', '--source-noise-key', '12', ...TARGET], /--source-noise-key: expected 64 hex/],
    ['send-dir of a file', ['transfer', 'send-dir', 'file.txt'], /file\.txt is not a directory/],
    ['send-dir of nothing', ['transfer', 'send-dir', 'nowhere'], /nowhere is not a directory/],
    ['empty --store=', ['transfer', 'send-blob', 'file.txt', '--store='], /--store= needs a directory/],
    ['unknown flag', ['transfer', 'ls', '--frobnicate'], /unknown option --frobnicate/],
    ['missing positional', ['transfer', 'status', ...TARGET], /missing <transfer-id>/],
    ['unknown verb', ['transfer', 'push'], /unknown command "transfer push"/],
  ];
  for (const [what, argv, msg] of cases) {
    it(what, async () => {
      const r = await run(argv);
      expect(r.err).toMatch(msg);
      expect(r.err).toMatch(/^net-mesh: /);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
    });
  }

  it('recv-blob defaults --node-id to <source>: with the other three flags it goes on to attach', async () => {
    // 127.0.0.1:9 (discard) never answers: the attach fails (exit 6), so parsing accepted the target.
    const r = await run(['transfer', 'recv-blob', '7', HASH, '--out', 'x', '-q', ...TARGET.slice(0, 4), ...TARGET.slice(6)]);
    expect(r.err).toMatch(/^net-mesh: attach to node 7 at 127\.0\.0\.1:9 failed/);
    expect(r.code).toBe(6);
  }, 60_000);
});

describe('other exit codes', () => {
  it('an invalid config file exits 3 (loading it is the first thing a verb with a target does)', async () => {
    const r = await run(['transfer', 'ls', '--config', 'bad.toml']);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^net-mesh: config .*bad\.toml is not valid TOML/);
  });

  it('send-blob without --store computes the ref and keeps nothing (exit 0)', async () => {
    const r = await run(['transfer', 'send-blob', 'file.txt', '--output', 'ndjson']);
    expect(r.code).toBe(0);
    const ref = BlobRef.parse(JSON.parse(r.out).blob_ref);
    expect(JSON.parse(r.out)).toEqual({ blob_ref: ref.toString(), hash: Buffer.from(ref.hash!).toString('hex'), size: 15, chunks: 1 });
  });

  it('the exit-code table is meshos-cli.md §3.7', () => {
    expect(EXIT).toEqual({
      OK: 0,
      FAILURE: 1,
      USAGE: 2,
      SUBSTRATE: 3,
      ICE_BLOCKED: 4,
      POLICY_REJECTED: 5,
      CONNECTION: 6,
      TIMEOUT: 7,
      CONFIRMATION_REFUSED: 8,
      DAEMON_FACTORY_NOT_FOUND: 10,
      DB_QUERY: 11,
      PREDICATE_PARSE: 12,
      ICE_SIGNATURE: 13,
      TYPEGEN_BREAKING: 14,
    });
  });
});
