// The shapes a `net-mesh` verb is written against. A verb is one `Command` object (usually one
// file under commands/) registered with one line in index.ts; `run` gets a CommandContext with its
// parsed options, the global settings, output, logging and progress.
import type { OptionSpec, ParsedArgs } from './args.js';
import type { Env, Profile } from './config.js';
import type { Logger } from './log.js';
import type { OutputFormat } from './output.js';
import type { ProgressRenderer } from './progress.js';

/** Where the CLI reads and writes. `main` uses the process's stdio; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** Environment variables (a custom io without `env` sees an empty environment). */
  env?: Env;
  /** Base for relative paths (default: the process's working directory). */
  cwd?: string;
  /** Standard input as bytes (`send-blob -`); absent = no input. */
  stdin?: () => AsyncIterable<Uint8Array>;
  /** Writes bytes to standard output, resolving when they may be followed (`recv-blob --out -`). */
  writeOut?: (bytes: Uint8Array) => Promise<void>;
  /**
   * Long-running verbs (`node`, `deck`, `relay`) run until this aborts. `main` makes it from
   * SIGINT / SIGTERM, installing those handlers only when a verb asks for it.
   */
  stopSignal?: () => AbortSignal;
}

export interface PositionalSpec {
  name: string;
  required?: boolean;
}

export interface Command {
  name: string;
  /** One line for command lists. */
  summary: string;
  /** Usage after the command path, e.g. `<a> <b> [--exit-code]`. */
  usage?: string;
  /** Further help text. */
  details?: string;
  options?: OptionSpec[];
  /** Fixed positional arguments (checked before `run`). */
  positionals?: PositionalSpec[];
  /** Subcommands (a group command has these and usually no `run`). */
  commands?: Command[];
  /** Returns the exit code (default 0); throws CliError for a failure with its exit code. */
  run?(ctx: CommandContext): Promise<number | void> | number | void;
}

export interface CommandContext {
  readonly path: readonly string[];
  readonly args: ParsedArgs;
  readonly io: CliIo;
  readonly env: Env;
  readonly cwd: string;
  /** The effective one-shot output format. */
  readonly format: OutputFormat;
  /** The effective format for streaming output (text on a TTY, ndjson otherwise, unless --output). */
  readonly streamFormat: OutputFormat;
  readonly quiet: boolean;
  readonly log: Logger;
  readonly progress: ProgressRenderer;
  string(name: string): string | undefined;
  list(name: string): string[];
  flag(name: string): boolean;
  /** The selected profile of the config file (loaded on first use). */
  profile(): Promise<Profile>;
  /** `--timeout` > profile `default_timeout_ms` > 30 s. */
  timeoutMs(): Promise<number>;
  /** Prints one result (clearing progress first); `human` renders the table / text formats. */
  result(value: unknown, human?: (value: unknown) => string): void;
  /** Resolves a path against `cwd`. */
  resolvePath(path: string): string;
  /** Fires when a long-running verb should stop (SIGINT / SIGTERM for the process); never without one. */
  stopSignal(): AbortSignal;
}
