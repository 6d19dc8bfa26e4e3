// `net-mesh relay` (issue 14, sdk.md "WebTransport adapter and relay"): starts the WebTransport
// relay under Deno (ts/relay/spawn.ts) with the relay's own flags, prints the URL and certificate
// hash a page needs, and runs until SIGINT / SIGTERM (then prints nothing more; -v logs its final
// stats). The flags are the relay program's (RELAY_USAGE), checked here before Deno starts (exit 2);
// --timeout bounds the start (exit 7); a relay that cannot start or dies exits 3.
import { CliError, InvalidArgumentError, TransportError } from '../../errors.js';
import { parseRelayArgs, RELAY_USAGE } from '../../relay/args.js';
import { spawnRelay } from '../../relay/spawn.js';
import { usageError, type OptionSpec } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { toJson } from '../render-value.js';

/** The relay program's flags as CLI options, read off its usage text (`--stdin-lifeline` is spawnRelay's own). */
export const RELAY_OPTIONS: OptionSpec[] = RELAY_USAGE.split('\n').flatMap((line) => {
  const m = /^\s+--([a-z-]+)(?: (\/?[A-Z]+))?\s+(.*)$/.exec(line);
  if (!m || m[1] === 'stdin-lifeline') return [];
  return [{ name: m[1]!, kind: 'string' as const, value: `<${m[2]!.toLowerCase()}>`, description: m[3]! }];
});

export const relayCommand: Command = {
  name: 'relay',
  summary: 'run the WebTransport relay that lets browser pages reach the mesh (under Deno)',
  usage: '[relay options]',
  details: 'The relay holds no PSK: it forwards each page\'s packets over a UDP socket of its own. Prints {"url","certificate_hash"}.',
  options: RELAY_OPTIONS,
  positionals: [],
  async run(ctx) {
    const stop = ctx.stopSignal(); // first: a signal during start-up still shuts down cleanly
    const args = RELAY_OPTIONS.flatMap((o) => {
      const v = ctx.string(o.name);
      return v === undefined ? [] : [`--${o.name}`, v];
    });
    try {
      parseRelayArgs(args);
    } catch (e) {
      if (e instanceof InvalidArgumentError) throw usageError(`relay: ${e.message.split('\n')[0]}`);
      throw e;
    }
    const startTimeoutMs = await ctx.timeoutMs();
    let relay;
    try {
      relay = await spawnRelay({ args, startTimeoutMs, onStderr: (t) => ctx.log.info(`relay: ${t.trimEnd()}`) });
    } catch (e) {
      const timedOut = e instanceof TransportError && /did not start within/.test(e.message);
      throw new CliError(timedOut ? 'CLI_TIMEOUT' : 'CLI_RELAY', `relay: ${(e as Error).message}`, timedOut ? EXIT.TIMEOUT : EXIT.SUBSTRATE, { cause: e });
    }
    const info = { url: relay.url, certificate_hash: relay.certificateHash };
    ctx.io.out(ctx.format === 'table' || ctx.format === 'text' ? `url               ${info.url}\ncertificate_hash  ${info.certificate_hash}\n` : toJson(info) + '\n');
    const stopped = new Promise<'stop'>((resolve) => (stop.aborted ? resolve('stop') : stop.addEventListener('abort', () => resolve('stop'), { once: true })));
    const why = await Promise.race([stopped, relay.exited.then(() => 'exited' as const)]);
    const stats = await relay.close();
    if (stats) ctx.log.info(`relay stats: ${toJson(stats)}`);
    if (why === 'exited') throw new CliError('CLI_RELAY', 'relay: the relay process exited unexpectedly', EXIT.SUBSTRATE);
  },
};
