// `net-mesh deck` (meshos-cli.md §5.9, issue 15): serves the Deck page of an attached node — its
// snapshots arrive over the node's `meshos.snapshot` stream and reach the page by server push — or,
// with --local, of a fresh node in this process. Prints the page's URL, runs until SIGINT /
// SIGTERM. The first snapshot must arrive within --timeout (exit 7); a stream that ends early
// (the node went away) exits 3.
import { randomBytes } from 'node:crypto';
import { CliError } from '../../errors.js';
import { serveDeck, type DeckServer } from '../../meshos/deck-server.js';
import { remoteSnapshots } from '../../meshos/snapshot-service.js';
import { MeshNode } from '../../node/mesh-node.js';
import { ATTACH_OPTIONS, hex32, parseHostPort } from '../attach.js';
import type { Command, CommandContext } from '../command.js';
import { RemoteDeckFeed } from '../deck-feed.js';
import { EXIT } from '../exit-codes.js';
import { toJson } from '../render-value.js';
import { requireTarget, withAttached } from '../transfer-common.js';

function printUrl(ctx: CommandContext, info: { url: string; node_id: bigint }): void {
  ctx.io.out(ctx.format === 'table' || ctx.format === 'text' ? `Deck of node ${info.node_id}: ${info.url}\n` : toJson(info) + '\n');
}

function stopped(signal: AbortSignal): Promise<void> {
  return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

async function local(ctx: CommandContext, listen: { host: string; port: number }): Promise<void> {
  const p = ctx.string('psk-hex') ?? (await ctx.profile()).psk_hex;
  const psk = p === undefined ? new Uint8Array(randomBytes(32)) : hex32('--psk-hex', String(p));
  const node = await MeshNode.create({ psk });
  let deck: DeckServer | undefined;
  try {
    deck = await serveDeck(node, listen);
    printUrl(ctx, { url: deck.url, node_id: node.nodeId });
    await stopped(ctx.stopSignal());
  } finally {
    await deck?.close();
    await node.close();
  }
}

async function attached(ctx: CommandContext, listen: { host: string; port: number }): Promise<void> {
  const target = await requireTarget(ctx);
  const timeoutMs = await ctx.timeoutMs();
  await withAttached(ctx, target, async ({ node, attach }) => {
    const ac = new AbortController();
    const feed = new RemoteDeckFeed(remoteSnapshots(node, attach, { signal: ac.signal }));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CliError('CLI_TIMEOUT', `no snapshot from node ${attach} within ${timeoutMs} ms`, EXIT.TIMEOUT)), timeoutMs);
    });
    let deck: DeckServer | undefined;
    try {
      try {
        await Promise.race([feed.first, timeout]);
      } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError('CLI_TRANSFER', `meshos.snapshot from node ${attach} failed: ${(e as Error).message}`, EXIT.SUBSTRATE, { cause: e });
      } finally {
        clearTimeout(timer);
      }
      deck = await serveDeck(feed, listen);
      printUrl(ctx, { url: deck.url, node_id: attach });
      const stop = ctx.stopSignal();
      const end = await Promise.race([stopped(stop).then(() => 'stopped' as const), feed.ended]);
      if (end !== 'stopped') {
        throw new CliError('CLI_TRANSFER', `the snapshot stream of node ${attach} ended${end ? `: ${end.message}` : ''}`, EXIT.SUBSTRATE, { cause: end });
      }
    } finally {
      ac.abort();
      await deck?.close();
    }
  });
}

export const deckCommand: Command = {
  name: 'deck',
  summary: "serve the Deck page (a live MeshOS view) of an attached node, or of a fresh one with --local",
  usage: '[--listen <host:port>] [--local | attach options]',
  options: [
    { name: 'listen', kind: 'string', value: '<host:port>', description: 'where the page is served (default 127.0.0.1:0: a free port)' },
    { name: 'local', kind: 'boolean', description: 'show a fresh node in this process instead of attaching' },
    ...ATTACH_OPTIONS,
  ],
  positionals: [],
  async run(ctx) {
    ctx.stopSignal(); // first: a signal during start-up still shuts down cleanly
    const listenText = ctx.string('listen');
    const listen = listenText === undefined ? { host: '127.0.0.1', port: 0 } : parseHostPort('--listen', listenText);
    if (ctx.flag('local')) await local(ctx, listen);
    else await attached(ctx, listen);
  },
};
