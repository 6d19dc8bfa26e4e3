// `net-mesh transfer` end to end on real UDP (meshos-cli.md §3.4, issue 13): `net-mesh node` runs
// in one process, each verb in another. Blobs go in through stdin (`send-blob -`) and come out
// through stdout (`recv-blob --out -`), both piped and compared by sha256sum; a directory tree with
// nested folders, an empty file, an empty folder and a symlink goes through send-dir / recv-dir.
// The failures: a ref the node lacks (exit 3, `.partial` kept), a relayed source (exit 3 with the
// hint), an unopenable file and a closed stdout (exit 1), an unaccepted attach (exit 6).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTree, patternBytes } from '../dataforts/helpers.js';
import { attachFlags, cliLine, runCli, runShell, startNode, type AttachInfo, type CliProcess } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'nm-cli-transfer-'));
const BLOB = patternBytes(10 * 1024 * 1024 + 123, 1301); // three chunks
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let node: CliProcess;
let attach: AttachInfo;
let flags: string[];

beforeAll(async () => {
  await writeFile(join(dir, 'blob.bin'), BLOB);
  ({ node, attach } = await startNode(dir));
  flags = attachFlags(attach, 'cli.toml');
}, 120_000);

afterAll(async () => {
  const exit = await node.stop('SIGINT');
  rmSync(dir, { recursive: true, force: true });
  expect(exit).toEqual({ code: 0, signal: null });
});

/** `net-mesh <args>` with JSON on stdout and exit 0. */
async function ok(args: string[]): Promise<Record<string, unknown>> {
  const r = await runCli(args, { cwd: dir });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('blobs through stdin and stdout', () => {
  it('send-blob - stores what is piped in; recv-blob --out - pipes it out byte for byte', async () => {
    const sent = await runShell(`cat blob.bin | ${cliLine(['transfer', 'send-blob', '-', '--store=store'])}`, { cwd: dir });
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const res = JSON.parse(sent.stdout);
    expect(res).toMatchObject({ size: BLOB.length, chunks: 3, staged_to: join(dir, 'store'), blob_ref: expect.stringMatching(/^b0b1b2b3/) });
    expect(res.hash).toBeUndefined(); // only Small refs carry it

    const got = await runShell(`${cliLine(['transfer', 'recv-blob', attach.node_id, res.blob_ref, '--out', '-', ...flags])} | sha256sum`, { cwd: dir });
    expect(got.code).toBe(0);
    expect(got.stdout.split(' ')[0]).toBe(sha256(BLOB));
    // The result goes to stderr as one compact JSON line; the peer id is an exact u64.
    const line = got.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain(`"peer":${attach.node_id},`);
    expect(JSON.parse(line)).toMatchObject({ out: '-', bytes: BLOB.length, duration_secs: expect.any(Number), throughput_mib_s: expect.any(Number) });
    // -q suppresses that line.
    const quiet = await runShell(`${cliLine(['transfer', 'recv-blob', attach.node_id, res.blob_ref, '--out', '-', '-q', ...flags])} | sha256sum`, { cwd: dir });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout.split(' ')[0]).toBe(sha256(BLOB));
    expect(quiet.stderr).toBe('');
  });

  it('recv-blob --out <path> installs the file; a bare hash fetches a single-chunk blob', async () => {
    const sent = await ok(['transfer', 'send-blob', 'blob.bin', '--store=store']);
    // Without --node-id the attach node is <source>.
    const noId = flags.filter((_, i) => i !== flags.indexOf('--node-id') && i !== flags.indexOf('--node-id') + 1);
    expect(noId).not.toContain(attach.node_id);
    const r = await ok(['transfer', 'recv-blob', attach.node_id, String(sent.blob_ref), '--out', 'out/blob.copy', ...noId]);
    expect(r).toMatchObject({ out: 'out/blob.copy', bytes: BLOB.length });
    expect(sha256(await readFile(join(dir, 'out/blob.copy')))).toBe(sha256(BLOB));
    expect(existsSync(join(dir, 'out/blob.copy.partial'))).toBe(false);

    await writeFile(join(dir, 'small.txt'), 'a small blob\n');
    const small = await ok(['transfer', 'send-blob', 'small.txt', '--store=store']);
    expect(small).toMatchObject({ size: 13, chunks: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await ok(['transfer', 'recv-blob', attach.node_id, `0x${String(small.hash)}`, '--out', 'small.copy', ...flags]);
    expect(await readFile(join(dir, 'small.copy'), 'utf8')).toBe('a small blob\n');
  });
});

describe('directories', () => {
  it('send-dir / recv-dir land the tree identically, and again over an existing destination', async () => {
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'a/b/c'), { recursive: true });
    await mkdir(join(tree, 'empty-dir'));
    await writeFile(join(tree, 'a/b/c/deep.txt'), 'deep\n');
    await writeFile(join(tree, 'a/empty.txt'), '');
    await writeFile(join(tree, 'big.bin'), patternBytes(5 * 1024 * 1024, 7));
    await symlink('a/b/c/deep.txt', join(tree, 'link'));
    const sent = await ok(['transfer', 'send-dir', 'tree', '--store=store']);
    expect(sent).toMatchObject({ remote_ref: expect.stringMatching(/^b0b1b2b3/), manifest_size: expect.any(Number), staged_to: join(dir, 'store') });
    const r = await ok(['transfer', 'recv-dir', attach.node_id, String(sent.remote_ref), '--dest', 'tree-copy', '--concurrency', '0', ...flags]);
    expect(r).toMatchObject({ out: 'tree-copy', files: 3, dirs: 4, symlinks: 1, bytes: 5 * 1024 * 1024 + 5, atomic: true });
    expect(await describeTree(join(dir, 'tree-copy'))).toEqual(await describeTree(tree));
    // Into an existing destination: replaced by exactly the tree.
    await writeFile(join(dir, 'tree-copy', 'stale.txt'), 'stale');
    await ok(['transfer', 'recv-dir', attach.node_id, String(sent.remote_ref), '--dest', 'tree-copy', ...flags]);
    expect(await describeTree(join(dir, 'tree-copy'))).toEqual(await describeTree(tree));
  });
});

describe('failures and their exit codes', () => {
  it('a ref the node does not hold: exit 3, the .partial kept, the target never created', async () => {
    const missing = 'ab'.repeat(32);
    const r = await runCli(['transfer', 'recv-blob', attach.node_id, missing, '--out', 'missing.bin', ...flags], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^net-mesh: fetch_blob from peer ${attach.node_id} failed: transfer: `));
    expect(r.stderr).not.toContain('via attach node');
    expect(existsSync(join(dir, 'missing.bin.partial'))).toBe(true);
    expect(existsSync(join(dir, 'missing.bin'))).toBe(false);
    const d = await runCli(['transfer', 'recv-dir', attach.node_id, missing, '--dest', 'missing-tree', ...flags], { cwd: dir });
    expect(d.code).toBe(3);
    expect(d.stderr).toMatch(/^net-mesh: fetch_dir from peer \d+ failed: /);
    expect(existsSync(join(dir, 'missing-tree'))).toBe(false);
  });

  it('a source other than the attach node: exit 3 with the relay hint', async () => {
    const r = await runCli(['transfer', 'recv-blob', '12345', 'cd'.repeat(32), '--out', 'relayed.bin', ...flags], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`(fetching from peer 12345 via attach node ${attach.node_id}; ensure ${attach.node_id} has a route to 12345)`);
  });

  it('local I/O: an unopenable file and a stdout that closes early exit 1', async () => {
    const r = await runCli(['transfer', 'send-blob', 'no-such-file.bin'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^net-mesh: cannot open no-such-file\.bin: /);
    const sent = await ok(['transfer', 'send-blob', 'blob.bin']);
    // head reads 100 bytes and leaves: the next write fails, and consumers must treat the stream as invalid.
    const cut = await runShell(`${cliLine(['transfer', 'recv-blob', attach.node_id, String(sent.blob_ref), '--out', '-', ...flags])} | head -c 100 > /dev/null`, { cwd: dir });
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/net-mesh: writing to standard output: .*EPIPE/);
  });

  it('an attach the node does not accept: exit 6', async () => {
    // No --identity: an ephemeral node id the daemon never accepted, so the handshake gets no answer.
    const f = flags.slice(0, -2);
    const r = await runCli(['transfer', 'ls', ...f], { cwd: dir });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('warning: no --identity');
    expect(r.stderr).toMatch(new RegExp(`net-mesh: attach to node ${attach.node_id} at 127\\.0\\.0\\.1:\\d+ failed`));
  }, 90_000);
});
