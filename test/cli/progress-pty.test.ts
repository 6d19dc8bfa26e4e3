// Progress (meshos-cli.md §3.6) in a pseudo-terminal made by util-linux `script`: recv-blob draws
// its byte bar (known size) or a spinner (bare hash), recv-dir its spinner, each cleared before
// the result; with stdout and stderr piped, or with -q, nothing is drawn.
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternBytes } from '../dataforts/helpers.js';
import { attachFlags, cliLine, runCli, runShell, startNode, type AttachInfo, type CliProcess } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'nm-cli-pty-'));
const CLEAR = '\r\x1b[2K';
let node: CliProcess;
let attach: AttachInfo;
let flags: string[];
const refs: { blob: string; hash: string; tree: string } = { blob: '', hash: '', tree: '' };

beforeAll(async () => {
  await writeFile(join(dir, 'blob.bin'), patternBytes(6 * 1024 * 1024, 9));
  await writeFile(join(dir, 'small.bin'), 'small');
  await mkdir(join(dir, 'tree/sub'), { recursive: true });
  await writeFile(join(dir, 'tree/sub/f.txt'), 'f');
  ({ node, attach } = await startNode(dir));
  flags = attachFlags(attach, 'cli.toml');
  const put = async (args: string[], key: string): Promise<string> => JSON.parse((await runCli(args, { cwd: dir })).stdout)[key];
  refs.blob = await put(['transfer', 'send-blob', 'blob.bin', '--store=store'], 'blob_ref');
  refs.hash = await put(['transfer', 'send-blob', 'small.bin', '--store=store'], 'hash');
  refs.tree = await put(['transfer', 'send-dir', 'tree', '--store=store'], 'remote_ref');
}, 120_000);

afterAll(async () => {
  expect(await node.stop()).toEqual({ code: 0, signal: null });
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `net-mesh <args>` with stdout and stderr on a pseudo-terminal; returns what the terminal showed. */
async function inPty(args: string[]): Promise<string> {
  const r = await runShell(`script -qefc ${JSON.stringify(cliLine(args))} /dev/null < /dev/null`, { cwd: dir });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

/** The text after the last progress clear (the result), as the terminal shows it. */
function afterClear(screen: string): string {
  return screen.slice(screen.lastIndexOf(CLEAR) + CLEAR.length).replace(/\r\n/g, '\n');
}

describe('progress on a terminal', () => {
  it('recv-blob with a known size draws a byte bar with its rate, cleared before the result', async () => {
    const screen = await inPty(['transfer', 'recv-blob', attach.node_id, refs.blob, '--out', 'pty.bin', ...flags]);
    expect(screen).toContain(`${CLEAR}fetching blob from peer ${attach.node_id} [`);
    expect(screen).toMatch(/\[[#-]{30}\] [\d.]+ (B|KiB|MiB) \/ 6\.00 MiB [\d.]+ (B|KiB|MiB)\/s/);
    const result = afterClear(screen);
    expect(result).not.toContain('fetching blob');
    expect(JSON.parse(result)).toMatchObject({ out: 'pty.bin', bytes: 6 * 1024 * 1024 });
    expect(result).toMatch(/^\{\n {2}"peer"/); // table format: pretty JSON
  });

  it('a bare-hash ref and recv-dir draw spinners', async () => {
    const blob = await inPty(['transfer', 'recv-blob', attach.node_id, refs.hash, '--out', 'pty-small.bin', ...flags]);
    expect(blob).toMatch(new RegExp(`${CLEAR.replace('[', '\\[')}[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] fetching blob from peer ${attach.node_id}`));
    expect(blob).not.toContain(' / ');
    expect(JSON.parse(afterClear(blob))).toMatchObject({ bytes: 5 });
    const tree = await inPty(['transfer', 'recv-dir', attach.node_id, refs.tree, '--dest', 'pty-tree', ...flags]);
    expect(tree).toContain(`reconstructing directory from peer ${attach.node_id}`);
    expect(JSON.parse(afterClear(tree))).toMatchObject({ files: 1, dirs: 1, atomic: true });
  });

  it('nothing is drawn when piped, or with -q on a terminal', async () => {
    const piped = await runCli(['transfer', 'recv-blob', attach.node_id, refs.blob, '--out', 'piped.bin', ...flags], { cwd: dir });
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
    expect(JSON.parse(piped.stdout)).toMatchObject({ bytes: 6 * 1024 * 1024 });
    const quiet = await inPty(['transfer', 'recv-blob', attach.node_id, refs.blob, '--out', 'quiet.bin', '-q', ...flags]);
    expect(quiet).not.toContain('fetching blob');
    expect(quiet).not.toContain(CLEAR);
    // --output json on a terminal: no progress either (only table / text draw it).
    const json = await inPty(['transfer', 'recv-blob', attach.node_id, refs.blob, '--out', 'json.bin', '--output', 'json', ...flags]);
    expect(json).not.toContain('fetching blob');
  });
});
