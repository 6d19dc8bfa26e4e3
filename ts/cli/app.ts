// The command framework behind `net-mesh`: walks the command tree, parses options (the global
// ones anywhere), handles help and version, builds the CommandContext and maps failures to exit
// codes (meshos-cli.md §3.7). Errors print `net-mesh: <message>` on stderr.
import { isAbsolute, resolve } from 'node:path';
import { CliError, NetMeshError } from '../errors.js';
import { parseArgs, usageError, type OptionSpec, type ParsedArgs } from './args.js';
import type { CliIo, Command, CommandContext } from './command.js';
import { loadProfile, type Profile } from './config.js';
import { parseDurationMs } from './duration.js';
import { EXIT } from './exit-codes.js';
import { GLOBAL_OPTIONS } from './globals.js';
import { helpText, topHelp } from './help.js';
import { Logger, logLevel } from './log.js';
import { formatResult, isHumanFormat, resolveFormat, type OutputFormat } from './output.js';
import { ProgressRenderer, type ProgressClock } from './progress.js';

export interface CliApp {
  program: string;
  version: string;
  commands: Command[];
  /** For tests: the progress clock. */
  clock?: ProgressClock;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export async function runCli(app: CliApp, argv: readonly string[], io: CliIo): Promise<number> {
  const fail = (e: unknown, progress?: ProgressRenderer): number => {
    progress?.clear();
    const { code, message } = describeFailure(e);
    io.err(`${app.program}: ${message}\n`);
    return code;
  };
  let args: ParsedArgs = { positionals: [], options: {} };
  const path: Command[] = [];
  let ctx: CommandContext;
  try {
    // Walk down the tree: each level's options plus the global ones, stopping at a subcommand.
    let level: readonly Command[] = app.commands;
    let rest: readonly string[] = argv;
    let specs: OptionSpec[] = [...GLOBAL_OPTIONS];
    for (;;) {
      const names = new Set(level.map((c) => c.name));
      const r = parseArgs(rest, specs, args, (t) => names.has(t));
      args = { positionals: r.positionals, options: r.options };
      if (!r.rest) break;
      const cmd = level.find((c) => c.name === r.rest![0])!;
      path.push(cmd);
      specs = [...specs, ...(cmd.options ?? [])];
      level = cmd.commands ?? [];
      rest = r.rest.slice(1);
    }
    if (args.options.version === true) {
      io.out(`${app.version}\n`);
      return EXIT.OK;
    }
    const cmd = path.at(-1);
    if (args.options.help === true || (path.length === 0 && args.positionals[0] === 'help')) {
      const target = path.length === 0 ? resolveHelpTarget(app.commands, args.positionals.slice(1)) : path;
      io.out(target.length === 0 ? topHelp(app.program, app.version, app.commands) : helpText(app.program, target));
      return EXIT.OK;
    }
    if (!cmd) {
      if (args.positionals.length === 0) {
        io.out(topHelp(app.program, app.version, app.commands));
        return EXIT.USAGE;
      }
      throw usageError(`unknown command "${args.positionals[0]}" (try --help)`);
    }
    if (!cmd.run) {
      if (args.positionals.length > 0) throw usageError(`unknown command "${[...path.map((c) => c.name), args.positionals[0]].join(' ')}" (try ${app.program} ${path.map((c) => c.name).join(' ')} --help)`);
      io.err(helpText(app.program, path));
      return EXIT.USAGE;
    }
    checkPositionals(cmd, path, args.positionals);
    ctx = makeContext(app, path, args, io);
  } catch (e) {
    return fail(e);
  }
  try {
    const code = await path.at(-1)!.run!(ctx);
    ctx.progress.clear();
    return code ?? EXIT.OK;
  } catch (e) {
    return fail(e, ctx.progress);
  }
}

function resolveHelpTarget(commands: readonly Command[], names: readonly string[]): Command[] {
  const out: Command[] = [];
  let level = commands;
  for (const n of names) {
    const c = level.find((x) => x.name === n);
    if (!c) throw usageError(`no help for unknown command "${n}"`);
    out.push(c);
    level = c.commands ?? [];
  }
  return out;
}

function checkPositionals(cmd: Command, path: Command[], positionals: string[]): void {
  const specs = cmd.positionals ?? [];
  const where = path.map((c) => c.name).join(' ');
  const required = specs.filter((p) => p.required !== false).length;
  if (positionals.length < required) throw usageError(`${where}: missing <${specs[positionals.length]!.name}>`);
  if (positionals.length > specs.length) throw usageError(`${where}: unexpected argument ${JSON.stringify(positionals[specs.length])}`);
}

function describeFailure(e: unknown): { code: number; message: string } {
  if (e instanceof CliError) return { code: e.exitCode, message: e.message };
  if (e instanceof NetMeshError) return { code: EXIT.SUBSTRATE, message: e.message };
  return { code: EXIT.FAILURE, message: e instanceof Error ? e.message : String(e) };
}

function makeContext(app: CliApp, path: Command[], args: ParsedArgs, io: CliIo): CommandContext {
  const env = io.env ?? {};
  const cwd = io.cwd ?? process.cwd();
  const o = args.options;
  const quiet = o.quiet === true;
  const requested = o.output as OutputFormat | undefined;
  const format = resolveFormat(requested, io.stdoutIsTTY === true);
  const log = new Logger((t) => io.err(t), logLevel({ quiet, verbose: (o.verbose as number | undefined) ?? 0, env: env.NET_MESH_LOG }));
  const progress = new ProgressRenderer({ isTTY: io.stderrIsTTY, write: (t) => io.err(t) }, !quiet && isHumanFormat(format) && io.stderrIsTTY === true, app.clock);
  let profile: Promise<Profile> | undefined;
  const loadOnce = (): Promise<Profile> =>
    (profile ??= loadProfile({ configPath: typeof o.config === 'string' ? (isAbsolute(o.config) ? o.config : resolve(cwd, o.config)) : undefined, profile: (o.profile as string | undefined) ?? env.NET_MESH_PROFILE ?? 'default', env }));
  const timeout = o.timeout === undefined ? undefined : parseDurationMs(String(o.timeout));
  return {
    path: path.map((c) => c.name),
    args,
    io,
    env,
    cwd,
    format,
    streamFormat: resolveFormat(requested, io.stdoutIsTTY === true, true),
    quiet,
    log,
    progress,
    string: (n) => (typeof o[n] === 'string' ? (o[n] as string) : undefined),
    list: (n) => (Array.isArray(o[n]) ? (o[n] as string[]) : []),
    flag: (n) => o[n] === true,
    profile: loadOnce,
    async timeoutMs() {
      if (timeout !== undefined) return timeout;
      const p = await loadOnce();
      return typeof p.default_timeout_ms === 'number' ? p.default_timeout_ms : DEFAULT_TIMEOUT_MS;
    },
    result(value, human) {
      progress.clear();
      io.out(formatResult(value, format, human));
    },
    resolvePath: (p) => (isAbsolute(p) ? p : resolve(cwd, p)),
    stopSignal: () => io.stopSignal?.() ?? new AbortController().signal,
  };
}
