// What the `net-mesh transfer` verbs share (meshos-cli.md §3.4): ref and id arguments (exit 2
// before any network work), the store of `--store[=<dir>]`, result timings, the attach session,
// and the failure messages (exit 3, with the relay hint when the source is not the attach node).
import { BlobRef } from '../dataforts/blob-ref.js';
import { CliError, NetMeshError } from '../errors.js';
import { usageError } from './args.js';
import { parseU64, resolveAttachTarget, type AttachTarget } from './attach.js';
import { attachNode, type AttachedNode } from './attach-node.js';
import type { CommandContext } from './command.js';
import { defaultBlobStore } from './config.js';
import { EXIT } from './exit-codes.js';

/** `<ref>` / `<root-ref>`: trimmed, one `0x` stripped, hex; 32 bytes = a bare hash; Tree refs refused. */
export function parseRefArg(name: string, text: string): BlobRef {
  let ref: BlobRef;
  try {
    ref = BlobRef.parse(text);
  } catch (e) {
    throw usageError(`<${name}>: ${(e as Error).message.replace(/^transfer: /, '')} (${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)})`);
  }
  if (ref.kind === 'tree') throw usageError(`<${name}>: tree refs cannot be transferred`);
  return ref;
}

/** `<source>` / `<transfer-id>`: decimal or 0x hex u64. */
export function parseIdArg(name: string, text: string): bigint {
  return parseU64(`<${name}>`, text);
}

/** The directory of `--store=<dir>`, the profile's `blob_store` for a bare `--store`, undefined without it. */
export async function storeOption(ctx: CommandContext): Promise<string | undefined> {
  const v = ctx.args.options.store;
  if (v === undefined) return undefined;
  if (typeof v === 'string') {
    if (v === '') throw usageError('--store= needs a directory (or use a bare --store for the profile blob_store)');
    return ctx.resolvePath(v);
  }
  const dir = (await ctx.profile()).blob_store ?? defaultBlobStore(ctx.env);
  if (dir === undefined) throw usageError('--store: no profile blob_store and no platform data directory; use --store=<dir>');
  return ctx.resolvePath(String(dir));
}

/** `duration_secs` and `throughput_mib_s` (MiB = 2^20; 0 when the duration is 0). */
export function timing(bytes: number, ms: number): { duration_secs: number; throughput_mib_s: number } {
  const secs = ms / 1000;
  return { duration_secs: secs, throughput_mib_s: secs > 0 ? bytes / 1048576 / secs : 0 };
}

/** The attach target of a verb; `no target` (exit 2) when nothing is set. */
export async function requireTarget(ctx: CommandContext, defaults: { nodeId?: bigint } = {}): Promise<AttachTarget> {
  const target = resolveAttachTarget((n) => ctx.string(n), await ctx.profile(), defaults);
  if (!target) throw usageError(`${ctx.path.join(' ')}: no target node: pass --node-addr <ip:port> --node-pubkey <hex> --node-id <id> --psk-hex <hex> (each may come from the profile)`);
  return target;
}

/** Attaches (exit 6 on failure), runs `fn`, then closes the CLI's node. */
export async function withAttached<T>(ctx: CommandContext, target: AttachTarget, fn: (session: AttachedNode) => Promise<T>): Promise<T> {
  const session = await attachNode(target, ctx);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** `(fetching from peer S via attach node A; ensure A has a route to S)` when S ≠ A. */
export function relayHint(source: bigint, attach: bigint): string {
  return source === attach ? '' : ` (fetching from peer ${source} via attach node ${attach}; ensure ${attach} has a route to ${source})`;
}

/** A failed fetch: exit 3 `<op> from peer <S> failed: <error>` (+ relay hint); CLI errors (a write to stdout) pass through. */
export function fetchFailure(op: 'fetch_blob' | 'fetch_dir', source: bigint, attach: bigint, e: unknown): Error {
  if (e instanceof CliError) return e;
  const why = e instanceof Error ? e.message : String(e);
  return new CliError('CLI_TRANSFER', `${op} from peer ${source} failed: ${why}${relayHint(source, attach)}`, EXIT.SUBSTRATE, { cause: e });
}

/** A failed `blob.transfers` call: exit 3. */
export function rpcFailure(attach: bigint, e: unknown): Error {
  const why = e instanceof NetMeshError || e instanceof Error ? e.message : String(e);
  return new CliError('CLI_TRANSFER', `blob.transfers on node ${attach} failed: ${why}`, EXIT.SUBSTRATE, { cause: e });
}
