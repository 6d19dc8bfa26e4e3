// `net-mesh transfer recv-blob | recv-dir` (meshos-cli.md §3.4, §3.6): attach to a node, fetch a
// blob into `<path>.partial` then rename (or to stdout with `--out -`), or a directory tree into
// `--dest` atomically, from `<source>` (which is also the attach node unless --node-id says
// otherwise). Progress on stderr: a byte bar when the ref's size is known, a spinner otherwise.
// Relayed sources (source ≠ attach node) need routed sessions, which this build's engine does not
// have yet: such a fetch fails (exit 3) with the relay hint of §3.3.
import { CliError } from '../../errors.js';
import { usageError, type OptionSpec } from '../args.js';
import { ATTACH_OPTIONS, hex32 } from '../attach.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import type { ProgressHandle } from '../progress.js';
import { toJson } from '../render-value.js';
import { fetchFailure, parseIdArg, parseRefArg, requireTarget, timing, withAttached } from '../transfer-common.js';

const SOURCE_NOISE_KEY: OptionSpec = {
  name: 'source-noise-key',
  kind: 'string',
  value: '<hex>',
  description: "a relayed source's X25519 Noise static key (else from its announcement)",
};

/** A progress callback (bytes done so far) that advances `bar` by the growth. */
function advancing(bar: ProgressHandle): (done: number) => void {
  let shown = 0;
  return (done) => {
    if (done > shown) {
      bar.advance(done - shown);
      shown = done;
    }
  };
}

function checkSourceKey(ctx: CommandContext): void {
  const key = ctx.string('source-noise-key');
  if (key !== undefined) hex32('--source-noise-key', key);
}

async function toStdout(ctx: CommandContext, chunks: AsyncIterable<Uint8Array>): Promise<number> {
  const write = ctx.io.writeOut;
  if (!write) throw new CliError('CLI_IO', 'this output cannot take bytes (--out -)', EXIT.FAILURE);
  let bytes = 0;
  for await (const c of chunks) {
    try {
      await write(c);
    } catch (e) {
      throw new CliError('CLI_IO', `writing to standard output: ${(e as Error).message}`, EXIT.FAILURE, { cause: e });
    }
    bytes += c.length;
  }
  return bytes;
}

export const recvBlobCommand: Command = {
  name: 'recv-blob',
  summary: 'fetch a blob from <source> into a file (or - for stdout)',
  usage: '<source> <ref> --out <path|-> [attach options]',
  options: [{ name: 'out', kind: 'string', value: '<path|->', description: 'where the blob goes: a file (via <path>.partial), or - for stdout' }, SOURCE_NOISE_KEY, ...ATTACH_OPTIONS],
  positionals: [{ name: 'source' }, { name: 'ref' }],
  async run(ctx) {
    const source = parseIdArg('source', ctx.args.positionals[0]!);
    const ref = parseRefArg('ref', ctx.args.positionals[1]!);
    const out = ctx.string('out');
    if (out === undefined || out === '') throw usageError('recv-blob: --out <path|-> is required');
    checkSourceKey(ctx);
    const target = await requireTarget(ctx, { nodeId: source });
    const result = await withAttached(ctx, target, async ({ node }) => {
      const size = Number(ref.size());
      const message = `fetching blob from peer ${source}`;
      const bar = size > 0 ? ctx.progress.bar(message, size) : ctx.progress.spinner(message);
      const opts = { from: source, onProgress: advancing(bar) };
      const t0 = performance.now();
      let bytes: number;
      try {
        bytes = out === '-' ? await toStdout(ctx, node.blobs.fetchStream(ref, opts)) : (await node.blobs.fetchToFile(ref, ctx.resolvePath(out), opts)).bytes;
      } catch (e) {
        throw fetchFailure('fetch_blob', source, target.nodeId, e);
      } finally {
        bar.finish();
      }
      return { peer: source, out, bytes, ...timing(bytes, performance.now() - t0) };
    });
    if (out !== '-') ctx.result(result);
    else if (!ctx.quiet) ctx.io.err(toJson(result) + '\n');
  },
};

function concurrencyOf(ctx: CommandContext): number {
  const c = ctx.string('concurrency');
  if (c === undefined) return 0;
  if (!/^[0-9]+$/.test(c.trim()) || Number(c) > 1024) throw usageError(`--concurrency: expected a whole number 0..1024, got ${JSON.stringify(c)}`);
  return Number(c);
}

export const recvDirCommand: Command = {
  name: 'recv-dir',
  summary: 'fetch a directory tree from <source> into --dest (atomic: the whole tree or nothing)',
  usage: '<source> <root-ref> --dest <path> [--concurrency <n>] [attach options]',
  options: [
    { name: 'dest', kind: 'string', value: '<path>', description: 'the directory to create or replace' },
    { name: 'concurrency', kind: 'string', value: '<n>', description: 'files fetched at once (0 = 16)' },
    SOURCE_NOISE_KEY,
    ...ATTACH_OPTIONS,
  ],
  positionals: [{ name: 'source' }, { name: 'root-ref' }],
  async run(ctx) {
    const source = parseIdArg('source', ctx.args.positionals[0]!);
    const ref = parseRefArg('root-ref', ctx.args.positionals[1]!);
    const dest = ctx.string('dest');
    if (dest === undefined || dest === '') throw usageError('recv-dir: --dest <path> is required');
    const concurrency = concurrencyOf(ctx);
    checkSourceKey(ctx);
    const target = await requireTarget(ctx, { nodeId: source });
    const result = await withAttached(ctx, target, async ({ node }) => {
      const spinner = ctx.progress.spinner(`reconstructing directory from peer ${source}`);
      const t0 = performance.now();
      try {
        const stats = await node.blobs.fetchDir(ref, ctx.resolvePath(dest), { from: source, concurrency });
        return { peer: source, out: dest, files: stats.files, dirs: stats.dirs, symlinks: stats.symlinks, bytes: stats.bytes, ...timing(stats.bytes, performance.now() - t0), atomic: true };
      } catch (e) {
        throw fetchFailure('fetch_dir', source, target.nodeId, e);
      } finally {
        spinner.finish();
      }
    });
    ctx.result(result);
  },
};
