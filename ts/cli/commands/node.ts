// `net-mesh node` (meshos-cli.md §3.6a): a long-running node the other verbs attach to. It listens
// on --listen with the mesh PSK, keeps its identity in a file (created when missing; the Noise
// static key is derived from it, so node id and key survive restarts), serves its on-disk blob
// store, `blob.transfers`, `mesh.fold.export` and `meshos.snapshot`, optionally the Deck page, and
// prints its attach parameters once listening. SIGINT / SIGTERM close it (exit 0).
//
// Who may attach: this build's engine has direct handshakes only, whose responder must know the
// initiator's node id in advance (wire.md §11.2), so the node accepts the ids of --accept and of
// the identity files of --accept-identity (created when missing); CLI verbs then attach with
// `--identity <that file>`. Routed handshakes (any PSK holder, §3.3 step 3) replace this later.
import { mkdir } from 'node:fs/promises';
import { DiskChunkStore } from '../../dataforts/disk-store.js';
import { CliError } from '../../errors.js';
import type { Identity } from '../../identity/identity.js';
import { serveDeck, type DeckServer } from '../../meshos/deck-server.js';
import { MeshNode } from '../../node/mesh-node.js';
import { usageError } from '../args.js';
import { hex32, parseHostPort, parseU64, socketAddr } from '../attach.js';
import type { Command, CommandContext } from '../command.js';
import { defaultBlobStore } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { loadOrCreateIdentityFile } from '../identity-file.js';
import { toJson, toYaml } from '../render-value.js';

const DEFAULT_LISTEN = '0.0.0.0:7447';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface NodeSettings {
  listen: string;
  psk: Uint8Array;
  identityFile: string | undefined;
  store: string;
  deck: { host: string; port: number } | undefined;
  accept: bigint[];
  acceptIdentities: string[];
}

/** Every flag and profile value, checked before anything is bound or written. */
async function settings(ctx: CommandContext): Promise<NodeSettings> {
  const profile = await ctx.profile();
  const listenText = ctx.string('listen') ?? (profile.node_addr === undefined ? DEFAULT_LISTEN : String(profile.node_addr));
  const listen = socketAddr(ctx.string('listen') !== undefined ? '--listen' : 'profile node_addr', listenText);
  const pskText = ctx.string('psk-hex') ?? (profile.psk_hex === undefined ? undefined : String(profile.psk_hex));
  if (pskText === undefined) throw usageError('node: the mesh PSK is required: --psk-hex <64 hex> (or profile psk_hex)');
  const psk = hex32(ctx.string('psk-hex') !== undefined ? '--psk-hex' : 'profile psk_hex', pskText);
  const identity = ctx.string('identity') ?? (profile.identity === undefined ? undefined : String(profile.identity));
  const storeText = ctx.string('store') ?? (profile.blob_store === undefined ? defaultBlobStore(ctx.env) : String(profile.blob_store));
  if (storeText === undefined || storeText === '') throw usageError('node: no blob store directory: pass --store <dir> (or profile blob_store)');
  const deckText = ctx.string('deck');
  return {
    listen,
    psk,
    identityFile: identity === undefined ? undefined : ctx.resolvePath(identity),
    store: ctx.resolvePath(storeText),
    deck: deckText === undefined ? undefined : parseHostPort('--deck', deckText),
    accept: ctx.list('accept').map((id) => parseU64('--accept', id)),
    acceptIdentities: ctx.list('accept-identity').map((p) => ctx.resolvePath(p)),
  };
}

function attachLine(ctx: CommandContext, info: Record<string, unknown>): string {
  switch (ctx.format) {
    case 'yaml':
      return toYaml(info);
    case 'table':
    case 'text': {
      const rows = Object.entries(info).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)] as const);
      const w = Math.max(...rows.map(([k]) => k.length));
      return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
    }
    default:
      return toJson(info) + '\n';
  }
}

export const nodeCommand: Command = {
  name: 'node',
  summary: 'run a node the other verbs attach to (blobs, blob.transfers, fold export, Deck)',
  usage: '[--listen <ip:port>] [--psk-hex <hex>] [--identity <path>] [--store <dir>] [--deck <host:port>] [--accept-identity <path,...>] [--accept <id,...>]',
  details:
    'Prints its attach parameters (node_addr, node_pubkey, node_id, entity) once listening: one JSON line\n' +
    'when stdout is not a terminal. CLI verbs attach with those and --identity <file> of a file given to\n' +
    '--accept-identity (created when missing). SIGINT / SIGTERM stop it.',
  options: [
    { name: 'listen', kind: 'string', value: '<ip:port>', description: `UDP address to listen on (profile node_addr; default ${DEFAULT_LISTEN})` },
    { name: 'psk-hex', kind: 'string', value: '<hex>', description: 'the mesh pre-shared key, 64 hex (profile psk_hex)' },
    { name: 'identity', kind: 'string', value: '<path>', description: "this node's identity file, created when missing (profile identity)" },
    { name: 'store', kind: 'string', value: '<dir>', description: 'the blob store directory it serves (profile blob_store)' },
    { name: 'deck', kind: 'string', value: '<host:port>', description: 'also serve the Deck page there (port 0: any free port)' },
    { name: 'accept-identity', kind: 'list', value: '<path,...>', description: 'accept attaches from these identity files (created when missing)' },
    { name: 'accept', kind: 'list', value: '<id,...>', description: 'accept attaches from these node ids' },
  ],
  positionals: [],
  async run(ctx) {
    const stop = ctx.stopSignal(); // first: a signal during start-up still shuts down cleanly
    const s = await settings(ctx);
    let identity: Identity | undefined;
    let noiseSecretKey: Uint8Array | undefined;
    if (s.identityFile !== undefined) {
      const f = await loadOrCreateIdentityFile(s.identityFile);
      if (f.created) ctx.log.info(`created identity file ${s.identityFile}`);
      ({ identity, noiseSecretKey } = f);
    } else {
      ctx.log.warn('no --identity (or profile identity): this node gets a new id and Noise key on every start');
    }
    const accept = [...s.accept];
    for (const file of s.acceptIdentities) accept.push((await loadOrCreateIdentityFile(file)).identity.nodeId);
    try {
      await mkdir(s.store, { recursive: true });
    } catch (e) {
      throw new CliError('CLI_IO', `cannot create the blob store ${s.store}: ${(e as Error).message}`, EXIT.SUBSTRATE, { cause: e });
    }

    const node = await MeshNode.create({ bind: s.listen, psk: s.psk, identity, noiseSecretKey, blobStore: new DiskChunkStore(s.store) });
    let deck: DeckServer | undefined;
    try {
      for (const id of accept) node.accept(id);
      // The announcement carries the blob tags and the Noise key relayed fetchers need (dataforts.md §7.3).
      await node.announceCapabilities({ metadata: { 'net-mesh.noise_static': hex(node.noisePublicKey) } });
      if (s.deck) deck = await serveDeck(node, s.deck);
      const info: Record<string, unknown> = {
        node_addr: node.address,
        node_pubkey: hex(node.noisePublicKey),
        node_id: node.nodeId,
        entity: hex(node.identity.publicKey),
        store: s.store,
        ...(accept.length > 0 ? { accepts: accept } : {}),
        ...(deck ? { deck_url: deck.url } : {}),
      };
      ctx.io.out(attachLine(ctx, info));
      void (async () => {
        for await (const e of node.peerEvents({ signal: stop })) ctx.log.info(`peer ${e.nodeId} ${e.kind} (${e.address}, ${e.health})`);
      })();
      if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
      ctx.log.info(`stopping (${String(stop.reason)})`);
    } finally {
      await deck?.close();
      await node.close();
    }
  },
};
