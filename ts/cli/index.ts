// net-mesh/cli: the programmatic entry of the `net-mesh` command. `main(argv, io?)` runs one
// invocation and returns its exit code (meshos-cli.md §3.7); it never exits the process.
// Adding a verb: a Command in commands/<verb>.ts and one line in COMMANDS below.
import { runCli } from './app.js';
import type { CliIo, Command } from './command.js';
import { infoCommand } from './commands/info.js';
import { typegenCommand } from './commands/typegen.js';
import { nodeCommand } from './commands/node.js';
import { transferCommand } from './commands/transfer.js';
import { deckCommand } from './commands/deck.js';
import { relayCommand } from './commands/relay.js';
import { attachNode } from './attach-node.js';
import { LiveSource } from '../typegen/live-source.js';
import { VERSION } from './version.js';
import { processIo } from './process-io.js';

export { VERSION };
// The verb interfaces (Command, CommandContext) stay internal: `main` runs the built-in verbs only.
export type { CliIo } from './command.js';

const COMMANDS: Command[] = [
  infoCommand,
  typegenCommand({ liveSource: (target, ctx) => new LiveSource(() => attachNode(target, ctx)) }),
  nodeCommand,
  transferCommand,
  deckCommand,
  relayCommand,
];

/**
 * Runs the `net-mesh` command with `argv` (without the executable and script) and resolves with its
 * exit code; output goes to `io`. `net-mesh --help` lists the commands.
 */
export async function main(argv: readonly string[] = process.argv.slice(2), io: CliIo = processIo): Promise<number> {
  return runCli({ program: 'net-mesh', version: VERSION, commands: COMMANDS }, argv, io);
}
