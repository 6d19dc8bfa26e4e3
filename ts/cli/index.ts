// net-mesh/cli: the programmatic entry of the `net-mesh` command. `main(argv)` returns the exit
// code. `transfer` and `typegen` arrive with the dataforts and tools work; until then they say so
// and exit 2 rather than pretend.
import { MeshNode } from '../node/mesh-node.js';

/** The package version the CLI reports. */
export const VERSION = '0.1.0';

const HELP = `net-mesh ${VERSION}

usage: net-mesh <command> [options]

commands:
  info              print this build's runtime, core and a fresh node identity
  transfer ...      blob/dir send, receive, ls, status, cancel   (not available in this build)
  typegen ...       TypeScript / Pydantic bindings from tools      (not available in this build)

options:
  -h, --help        this text
  -v, --version     the version
`;

/** Where `main` writes: standard output and standard error by default. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/**
 * Runs the `net-mesh` command with `argv` (without the executable and script) and resolves with its
 * exit code; output goes to `io`. `net-mesh --help` lists the commands.
 */
export async function main(argv: readonly string[] = process.argv.slice(2), io: CliIo = stdio): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    io.out(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '-v' || cmd === '--version') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  if (cmd === 'info') {
    if (rest.length) {
      io.err(`net-mesh info takes no arguments, got: ${rest.join(' ')}\n`);
      return 2;
    }
    const node = await MeshNode.create({ psk: '00'.repeat(32) });
    try {
      io.out(`net-mesh ${VERSION}\nnode id   ${node.nodeId.toString(16).padStart(16, '0')}\naddress   ${node.address}\n`);
    } finally {
      await node.close();
    }
    return 0;
  }
  if (cmd === 'transfer' || cmd === 'typegen') {
    io.err(`net-mesh ${cmd}: not available in this build yet\n`);
    return 2;
  }
  io.err(`net-mesh: unknown command "${cmd}" (try --help)\n`);
  return 2;
}
