// The CLI's argument parser: long options (`--name value`, `--name=value`), short flags (`-q`,
// `-vvv`, `-qv`), repeatable comma-separated lists, and `--` to end options. Unknown options
// and missing values are usage errors (exit 2).
import { CliError } from '../errors.js';
import { EXIT } from './exit-codes.js';

export interface OptionSpec {
  /** Long name without the dashes; also the key in `ParsedArgs.options`. */
  name: string;
  short?: string;
  /** Other long names accepted (e.g. the singular `tag` for `tags`). */
  aliases?: string[];
  /** boolean: a flag; count: a repeatable flag; string: one value (last wins); list: comma-separated, repeatable. */
  kind: 'boolean' | 'count' | 'string' | 'list';
  /** For help: the value placeholder, e.g. `<path>`. */
  value?: string;
  description: string;
  choices?: readonly string[];
  /** A string option that may appear bare (`--store`) or with `=value` only (`--store=<dir>`). */
  optionalValue?: boolean;
}

export type OptionValue = boolean | number | string | string[];

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, OptionValue | undefined>;
}

export function usageError(message: string): CliError {
  return new CliError('CLI_USAGE', message, EXIT.USAGE);
}

/** Finds a spec by long name or alias. */
function byLong(specs: readonly OptionSpec[], name: string): OptionSpec | undefined {
  return specs.find((s) => s.name === name || s.aliases?.includes(name));
}

/**
 * Parses `argv` against `specs`. `isCommand(token)` is asked for the first positional so the
 * caller can stop at a subcommand name: parsing then returns `{ rest }` starting at it.
 */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], into: ParsedArgs = { positionals: [], options: {} }, isCommand?: (token: string) => boolean): ParsedArgs & { rest?: string[] } {
  const set = (spec: OptionSpec, value: string | undefined, flag: string): void => {
    const o = into.options;
    switch (spec.kind) {
      case 'boolean':
        if (value !== undefined) throw usageError(`${flag} takes no value`);
        o[spec.name] = true;
        return;
      case 'count':
        if (value !== undefined) throw usageError(`${flag} takes no value`);
        o[spec.name] = ((o[spec.name] as number | undefined) ?? 0) + 1;
        return;
      case 'string':
        if (value === undefined) {
          if (!spec.optionalValue) throw usageError(`${flag} needs a value${spec.value ? ` ${spec.value}` : ''}`);
          o[spec.name] = true;
          return;
        }
        if (spec.choices && !spec.choices.includes(value)) throw usageError(`${flag} must be one of ${spec.choices.join(', ')}, got ${JSON.stringify(value)}`);
        o[spec.name] = value;
        return;
      case 'list': {
        if (value === undefined) throw usageError(`${flag} needs a value${spec.value ? ` ${spec.value}` : ''}`);
        const items = value.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
        o[spec.name] = [...((o[spec.name] as string[] | undefined) ?? []), ...items];
      }
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') {
      into.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (tok.startsWith('--')) {
      const eq = tok.indexOf('=');
      const name = eq >= 0 ? tok.slice(2, eq) : tok.slice(2);
      const spec = byLong(specs, name);
      if (!spec) throw usageError(`unknown option --${name}`);
      let value = eq >= 0 ? tok.slice(eq + 1) : undefined;
      if (value === undefined && (spec.kind === 'string' || spec.kind === 'list') && !spec.optionalValue) {
        if (i + 1 >= argv.length) throw usageError(`--${name} needs a value${spec.value ? ` ${spec.value}` : ''}`);
        value = argv[++i];
      }
      set(spec, value, `--${name}`);
      continue;
    }
    if (tok.startsWith('-') && tok.length > 1 && !/^-\d/.test(tok)) {
      const letters = tok.slice(1);
      for (let k = 0; k < letters.length; k++) {
        const spec = specs.find((s) => s.short === letters[k]);
        if (!spec) throw usageError(`unknown option -${letters[k]}`);
        if (spec.kind === 'string' || spec.kind === 'list') {
          const inline = letters.slice(k + 1);
          const value = inline.length > 0 ? inline : argv[++i];
          if (value === undefined) throw usageError(`-${spec.short} needs a value`);
          set(spec, value, `-${spec.short}`);
          break;
        }
        set(spec, undefined, `-${spec.short}`);
      }
      continue;
    }
    if (isCommand && into.positionals.length === 0 && isCommand(tok)) return { ...into, rest: argv.slice(i) };
    into.positionals.push(tok);
  }
  return into;
}
