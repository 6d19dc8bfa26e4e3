// Help text generated from the command tree.
import type { OptionSpec } from './args.js';
import type { Command } from './command.js';
import { GLOBAL_OPTIONS } from './globals.js';

function optionLines(specs: readonly OptionSpec[]): string[] {
  const rows = specs.map((s) => {
    const names = [s.short ? `-${s.short}` : '', `--${s.name}`, ...(s.aliases ?? []).map((a) => `--${a}`)].filter(Boolean).join(', ');
    const value = s.value ? (s.optionalValue ? `[=${s.value}]` : ` ${s.value}`) : '';
    return [names + value, s.description] as const;
  });
  const w = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, d]) => `  ${l.padEnd(w)}  ${d}`);
}

function commandLines(commands: readonly Command[]): string[] {
  const w = Math.max(0, ...commands.map((c) => c.name.length));
  return commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`);
}

/** Help of the command at the end of `path` (a non-empty chain from a top-level command). */
export function helpText(program: string, path: readonly Command[]): string {
  const cmd = path.at(-1)!;
  const names = path.map((c) => c.name);
  const lines = [`usage: ${[program, ...names].join(' ')}${cmd.commands?.length ? ' <command>' : ''}${cmd.usage ? ` ${cmd.usage}` : ' [options]'}`, '', cmd.summary];
  if (cmd.details) lines.push('', cmd.details);
  if (cmd.commands?.length) lines.push('', 'commands:', ...commandLines(cmd.commands));
  const own = path.flatMap((c) => c.options ?? []);
  if (own.length > 0) lines.push('', 'options:', ...optionLines(own));
  lines.push('', 'global options:', ...optionLines(GLOBAL_OPTIONS));
  return lines.join('\n') + '\n';
}

export function topHelp(program: string, version: string, commands: readonly Command[]): string {
  const lines = [`${program} ${version}`, '', `usage: ${program} <command> [options]`, '', 'commands:', ...commandLines(commands), '', 'global options:', ...optionLines(GLOBAL_OPTIONS)];
  lines.push('', `Run "${program} <command> --help" for a command's options.`);
  return lines.join('\n') + '\n';
}
