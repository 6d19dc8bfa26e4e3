// `net-mesh transfer ls | status | cancel` (meshos-cli.md §3.4): the attach node's requester-side
// transfers, through its `blob.transfers` service (dataforts.md §8, 3 s deadline). Not found and
// nothing to cancel are answers (exit 0); a failed call (no route, deadline, no service) exits 3.
import { BlobTransfersClient, type TransferStatus } from '../../dataforts/transfer-rpc.js';
import { toHex } from '../../dataforts/hex.js';
import { ATTACH_OPTIONS } from '../attach.js';
import type { Command, CommandContext } from '../command.js';
import type { AttachedNode } from '../attach-node.js';
import { parseIdArg, requireTarget, rpcFailure, withAttached } from '../transfer-common.js';

/** A status as the CLI prints it (u64 values stay exact). */
function statusJson(s: TransferStatus): Record<string, unknown> {
  return {
    transfer_id: s.streamId,
    peer: s.holder,
    hash: toHex(s.expectedHash),
    bytes_received: s.bytesReceived,
    ...(s.totalBytes !== undefined ? { total_bytes: s.totalBytes } : {}),
  };
}

async function ask<T>(ctx: CommandContext, call: (client: BlobTransfersClient, attach: bigint) => Promise<T>): Promise<T> {
  const target = await requireTarget(ctx);
  return withAttached(ctx, target, async ({ node, attach }: AttachedNode) => {
    try {
      return await call(new BlobTransfersClient(node), attach);
    } catch (e) {
      throw rpcFailure(attach, e);
    }
  });
}

export const lsCommand: Command = {
  name: 'ls',
  summary: "list the attach node's transfers in flight",
  usage: '[attach options]',
  options: [...ATTACH_OPTIONS],
  positionals: [],
  async run(ctx) {
    const list = await ask(ctx, (c, attach) => c.list(attach));
    ctx.result({ transfer_count: list.length, transfers: list.map(statusJson) });
  },
};

export const statusCommand: Command = {
  name: 'status',
  summary: 'one transfer of the attach node',
  usage: '<transfer-id> [attach options]',
  options: [...ATTACH_OPTIONS],
  positionals: [{ name: 'transfer-id' }],
  async run(ctx) {
    const id = parseIdArg('transfer-id', ctx.args.positionals[0]!);
    const s = await ask(ctx, (c, attach) => c.get(attach, id));
    ctx.result({ transfer_id: id, found: s !== undefined, ...(s ? { transfer: statusJson(s) } : {}) });
  },
};

export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'cancel one transfer of the attach node (its fetch fails)',
  usage: '<transfer-id> [attach options]',
  options: [...ATTACH_OPTIONS],
  positionals: [{ name: 'transfer-id' }],
  async run(ctx) {
    const id = parseIdArg('transfer-id', ctx.args.positionals[0]!);
    const cancelled = await ask(ctx, (c, attach) => c.cancel(attach, id));
    ctx.result({ transfer_id: id, cancelled });
  },
};
