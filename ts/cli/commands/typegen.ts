// `net-mesh typegen generate | snapshot | diff` (meshos-cli.md §3.5, rpc-tools.md §9).
// Descriptors come from a snapshot file or a live source attached to a running node (the CLI
// plugs in typegen/live-source.ts): both implement TypegenSource, and the filters apply to either.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CliError, TypegenError } from '../../errors.js';
import { utf8Length } from '../../fold/byte-order.js';
import { diffSnapshots, renderDiffText } from '../../typegen/diff.js';
import { generateBindings, type Language } from '../../typegen/generate.js';
import { encodeSnapshot, SNAPSHOT_FORMAT_VERSION } from '../../typegen/snapshot.js';
import { readSnapshotFile, SnapshotSource, type TypegenSource } from '../../typegen/sources.js';
import type { GeneratedFile } from '../../typegen/tool-model.js';
import { usageError, type OptionSpec } from '../args.js';
import { ATTACH_OPTIONS, resolveAttachTarget, type AttachTarget } from '../attach.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';

export interface TypegenCommandOptions {
  /** Live discovery through a running node; builds without it refuse live sources (exit 3). */
  liveSource?: (target: AttachTarget, ctx: CommandContext) => TypegenSource;
}

const FILTER_OPTIONS: OptionSpec[] = [
  { name: 'tags', aliases: ['tag'], kind: 'list', value: '<tag,...>', description: 'keep tools with any of these tags (repeatable)' },
  { name: 'tools', aliases: ['tool'], kind: 'list', value: '<id,...>', description: 'keep these tool ids (repeatable)' },
];
const FROM_SNAPSHOT: OptionSpec = { name: 'from-snapshot', kind: 'string', value: '<file>', description: 'read descriptors from a snapshot file instead of a live mesh' };

const readText = (path: string): Promise<string> => readFile(path, 'utf8');

async function source(ctx: CommandContext, opts: TypegenCommandOptions): Promise<TypegenSource> {
  const file = ctx.string('from-snapshot');
  if (file !== undefined) return new SnapshotSource(ctx.resolvePath(file), readText);
  const target = resolveAttachTarget((n) => ctx.string(n), await ctx.profile());
  if (!target) {
    throw usageError('live discovery needs a mesh target: pass --node-addr <ip:port> --node-pubkey <hex> --node-id <id> --psk-hex <hex> (each may come from the profile), or use --from-snapshot <file> for offline generation');
  }
  if (!opts.liveSource) throw new CliError('TYPEGEN_LIVE_UNAVAILABLE', 'live discovery is not available in this build yet; use --from-snapshot <file>', EXIT.SUBSTRATE);
  return opts.liveSource(target, ctx);
}

async function writeFiles(outDir: string, files: GeneratedFile[]): Promise<number> {
  let n = 0;
  for (const f of files) {
    const path = join(outDir, ...f.path.split('/'));
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.contents);
    } catch (e) {
      throw new TypegenError('TYPEGEN_WRITE', `write ${path}: ${(e as Error).message}`, EXIT.FAILURE, { cause: e });
    }
    n++;
  }
  return n;
}

export function typegenCommand(opts: TypegenCommandOptions = {}): Command {
  const generate: Command = {
    name: 'generate',
    summary: 'TypeScript or Python (Pydantic v2) bindings for tools',
    usage: '--language ts|python [--tags T,...] [--tools ID,...] [--out DIR] [--from-snapshot FILE]',
    options: [
      { name: 'language', kind: 'string', value: '<ts|python>', choices: ['ts', 'python'], description: 'target language' },
      ...FILTER_OPTIONS,
      { name: 'out', kind: 'string', value: '<dir>', description: 'output directory (default ./generated)' },
      FROM_SNAPSHOT,
      ...ATTACH_OPTIONS,
    ],
    positionals: [],
    async run(ctx) {
      const language = ctx.string('language') as Language | undefined;
      if (!language) throw usageError('typegen generate: --language ts|python is required');
      const src = await source(ctx, opts);
      const warn = (m: string): void => ctx.log.warn(m);
      const loaded = await src.load({ tags: ctx.list('tags'), tools: ctx.list('tools') }, warn);
      const g = generateBindings(loaded.descriptors, language, { sourceLabel: loaded.sourceLabel, capturedAt: loaded.capturedAt, formatVersion: loaded.formatVersion }, warn);
      const out = ctx.string('out') ?? './generated';
      const written = await writeFiles(ctx.resolvePath(out), g.files);
      ctx.result({ language, tool_count: g.toolCount, files_written: written, ...(g.skipped.length > 0 ? { skipped: g.skipped } : {}), out });
    },
  };

  const snapshot: Command = {
    name: 'snapshot',
    summary: 'pin the discoverable tools into a snapshot file',
    usage: '--out FILE [--tags T,...] [--tools ID,...] [--from-snapshot FILE]',
    options: [{ name: 'out', kind: 'string', value: '<file>', description: 'snapshot file to write' }, ...FILTER_OPTIONS, FROM_SNAPSHOT, ...ATTACH_OPTIONS],
    positionals: [],
    async run(ctx) {
      const out = ctx.string('out');
      if (out === undefined) throw usageError('typegen snapshot: --out FILE is required');
      const query = { tags: ctx.list('tags'), tools: ctx.list('tools') };
      const loaded = await (await source(ctx, opts)).load(query, (m) => ctx.log.warn(m));
      const text = encodeSnapshot({ formatVersion: SNAPSHOT_FORMAT_VERSION, capturedAt: loaded.capturedAt, sourceQuery: query, descriptors: loaded.descriptors });
      const path = ctx.resolvePath(out);
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, text);
      } catch (e) {
        throw new TypegenError('TYPEGEN_WRITE', `write snapshot ${path}: ${(e as Error).message}`, EXIT.FAILURE, { cause: e });
      }
      const schemaBytes = loaded.descriptors.reduce((n, d) => n + utf8Length(d.inputSchema ?? '') + utf8Length(d.outputSchema ?? ''), 0);
      ctx.result({ tool_count: loaded.descriptors.length, schema_bytes: schemaBytes, out });
    },
  };

  const diff: Command = {
    name: 'diff',
    summary: 'schema changes between two snapshots, BREAKING ones flagged',
    usage: '<a> <b> [--exit-code]',
    options: [{ name: 'exit-code', kind: 'boolean', description: `exit ${EXIT.TYPEGEN_BREAKING} when a BREAKING change is found (after printing)` }],
    positionals: [{ name: 'a' }, { name: 'b' }],
    async run(ctx) {
      const [a, b] = ctx.args.positionals as [string, string];
      const from = await readSnapshotFile(ctx.resolvePath(a), readText);
      const to = await readSnapshotFile(ctx.resolvePath(b), readText);
      const report = diffSnapshots(from, to);
      ctx.result(report, () => renderDiffText(report));
      if (ctx.flag('exit-code') && report.breaking_count > 0) {
        throw new CliError('TYPEGEN_BREAKING', `${report.breaking_count} BREAKING schema change(s) detected`, EXIT.TYPEGEN_BREAKING);
      }
    },
  };

  return {
    name: 'typegen',
    summary: 'typed TypeScript / Python bindings from mesh tools; snapshots and diffs',
    commands: [generate, snapshot, diff],
  };
}
