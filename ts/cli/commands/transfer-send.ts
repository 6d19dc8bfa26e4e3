// `net-mesh transfer send-blob | send-dir` (meshos-cli.md §3.4): chunk a file, standard input or a
// directory tree into refs, persisting the chunks with `--store[=<dir>]` — the directory a running
// `net-mesh node --store <dir>` serves from, so another machine can then `recv-blob` / `recv-dir`.
// No attach. Without --store only the refs are computed and no chunk is kept.
import { mkdir, open, stat } from 'node:fs/promises';
import { storeBlobReader, type ByteSource } from '../../dataforts/chunking.js';
import type { ChunkStore } from '../../dataforts/chunk-store.js';
import { storeDir } from '../../dataforts/dir-store.js';
import { DiskChunkStore } from '../../dataforts/disk-store.js';
import { toHex } from '../../dataforts/hex.js';
import { CliError, NotFoundError } from '../../errors.js';
import { usageError, type OptionSpec } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { storeOption } from '../transfer-common.js';

export const STORE_OPTION: OptionSpec = {
  name: 'store',
  kind: 'string',
  optionalValue: true,
  value: '<dir>',
  description: 'persist the chunks: --store=<dir>, or bare --store for the profile blob_store',
};

/** Keeps nothing: without --store only the ref is wanted, and a tree may be far larger than memory. */
const DISCARD: ChunkStore = {
  has: async () => false,
  get: async (hash) => {
    throw new NotFoundError(`chunk ${toHex(hash)} was not kept (no --store)`);
  },
  read: async () => undefined,
  put: async () => {},
  delete: async () => false,
};

async function openStore(dir: string | undefined): Promise<ChunkStore> {
  if (dir === undefined) return DISCARD;
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new CliError('CLI_IO', `cannot create the store ${dir}: ${(e as Error).message}`, EXIT.SUBSTRATE, { cause: e });
  }
  return new DiskChunkStore(dir);
}

/** The bytes of `<path>` (opened now: an unopenable file exits 1) or of standard input for `-`. */
async function input(ctx: CommandContext, path: string): Promise<ByteSource> {
  if (path === '-') {
    if (!ctx.io.stdin) throw new CliError('CLI_IO', 'no standard input to read', EXIT.FAILURE);
    return ctx.io.stdin();
  }
  const file = ctx.resolvePath(path);
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new CliError('CLI_IO', `cannot open ${path}: ${(e as Error).message}`, EXIT.FAILURE, { cause: e });
  }
  if ((await fh.stat()).isDirectory()) {
    await fh.close();
    throw new CliError('CLI_IO', `cannot read ${path}: it is a directory (send-dir sends trees)`, EXIT.FAILURE);
  }
  return fh.createReadStream({ highWaterMark: 1 << 20 });
}

export const sendBlobCommand: Command = {
  name: 'send-blob',
  summary: 'chunk a file (or - for stdin) into a blob ref; --store keeps its chunks',
  usage: '<path|-> [--store[=<dir>]]',
  options: [STORE_OPTION],
  positionals: [{ name: 'path' }],
  async run(ctx) {
    const path = ctx.args.positionals[0]!;
    const dir = await storeOption(ctx);
    const source = await input(ctx, path);
    const ref = await storeBlobReader(source, { store: await openStore(dir) });
    ctx.result({
      blob_ref: ref.toString(),
      ...(ref.kind === 'small' ? { hash: toHex(ref.hash!) } : {}),
      size: ref.size(),
      chunks: ref.kind === 'small' ? 1 : ref.chunks!.length,
      ...(dir !== undefined ? { staged_to: dir } : {}),
    });
  },
};

export const sendDirCommand: Command = {
  name: 'send-dir',
  summary: 'chunk a directory tree into a root ref (a DirManifest); --store keeps its chunks',
  usage: '<path> [--store[=<dir>]]',
  options: [STORE_OPTION],
  positionals: [{ name: 'path' }],
  async run(ctx) {
    const path = ctx.args.positionals[0]!;
    const root = ctx.resolvePath(path);
    const isDir = await stat(root).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) throw usageError(`send-dir: ${path} is not a directory`);
    const dir = await storeOption(ctx);
    const ref = await storeDir(await openStore(dir), root);
    ctx.result({ remote_ref: ref.toString(), manifest_size: ref.size(), ...(dir !== undefined ? { staged_to: dir } : {}) });
  },
};
