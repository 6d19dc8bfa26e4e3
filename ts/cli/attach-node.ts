// Attaching to a running node (meshos-cli.md §3.3 steps 2–3): an ephemeral mesh node bound on the
// target's family (loopback when the target is loopback), with the identity of `--identity` (or
// the profile's; TOML with seed_hex) or an ephemeral one, then a Noise handshake to the target.
// A failed handshake exits 6.
//
// Routed handshakes (relay = destination, so the daemon need not pre-accept the CLI's node id)
// are not in this build's engine yet: the handshake is direct, so the target must accept the
// CLI's node id — a stable one comes from `--identity` (`net-mesh node --accept-identity <file>`
// accepts the node id of that file, creating it when missing).
import { CliError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { MeshNode } from '../node/mesh-node.js';
import { parseAddress } from '../transports/address.js';
import type { AttachTarget } from './attach.js';
import type { CommandContext } from './command.js';
import { EXIT } from './exit-codes.js';
import { readIdentityFile } from './identity-file.js';

/** The identity of `--identity <path>` (else the profile's `identity`), or undefined for an ephemeral one. */
export async function loadIdentity(ctx: CommandContext): Promise<Identity | undefined> {
  const path = ctx.string('identity') ?? (await ctx.profile()).identity;
  return path === undefined ? undefined : (await readIdentityFile(ctx.resolvePath(path))).identity;
}

function bindFor(addr: string): string {
  const { host, family } = parseAddress(addr);
  if (family === 6) return host === '::1' ? '[::1]:0' : '[::]:0';
  return host.startsWith('127.') ? '127.0.0.1:0' : '0.0.0.0:0';
}

/** The CLI's node with a session to the attach node (a typegen LiveSession too). */
export interface AttachedNode {
  node: MeshNode;
  /** The attach node's id. */
  attach: bigint;
  close(): Promise<void>;
}

export async function attachNode(target: AttachTarget, ctx: CommandContext): Promise<AttachedNode> {
  const identity = await loadIdentity(ctx);
  if (!identity) ctx.log.warn('no --identity (or profile identity): attaching with an ephemeral keypair');
  const node = await MeshNode.create({ psk: target.psk, bind: bindFor(target.addr), identity });
  try {
    await node.connect(target.addr, { publicKey: target.noisePublicKey, nodeId: target.nodeId });
  } catch (e) {
    await node.close();
    throw new CliError('CLI_ATTACH', `attach to node ${target.nodeId} at ${target.addr} failed: ${(e as Error).message}`, EXIT.CONNECTION, { cause: e });
  }
  return { node, attach: target.nodeId, close: () => node.close() };
}
