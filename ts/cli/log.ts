// CLI diagnostics on stderr, filtered by level: warn by default, error with -q, info / debug /
// trace with -v / -vv / -vvv; NET_MESH_LOG (a level name, or `target=level` pairs whose last
// level counts) overrides the filter.

export const LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LEVELS)[number];

export function logLevel(opts: { quiet: boolean; verbose: number; env: string | undefined }): LogLevel {
  if (opts.env) {
    const words = opts.env.split(',').map((p) => p.split('=').at(-1)!.trim().toLowerCase());
    const last = words.reverse().find((w) => (LEVELS as readonly string[]).includes(w));
    if (last) return last as LogLevel;
  }
  if (opts.quiet) return 'error';
  return LEVELS[Math.min(1 + opts.verbose, LEVELS.length - 1)]!;
}

export class Logger {
  constructor(
    private readonly write: (text: string) => void,
    readonly level: LogLevel,
  ) {}

  enabled(level: LogLevel): boolean {
    return LEVELS.indexOf(level) <= LEVELS.indexOf(this.level);
  }

  log(level: LogLevel, message: string): void {
    if (this.enabled(level)) this.write(`${level === 'warn' ? 'warning' : level}: ${message}\n`);
  }

  warn(message: string): void {
    this.log('warn', message);
  }

  info(message: string): void {
    this.log('info', message);
  }

  debug(message: string): void {
    this.log('debug', message);
  }
}
