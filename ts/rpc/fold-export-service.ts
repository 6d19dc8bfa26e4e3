// `mesh.fold.export` (fold.md §10.7, meshos-cli.md §3.3): every node serves its retained signed
// announcements over nRPC (JSON), so a process attached to it (the CLI's typegen, transfer verbs)
// can learn more of the fold than the attach node's own announcement. The importer applies each
// as if the exporter had forwarded it (hop count + 1, signature and generation checked, entity
// never pinned) and forwards none of them.
import { RpcBadResponseError, RpcError } from '../errors.js';
import { decodeFoldExportRequest, decodeFoldExportResponse, encodeFoldExportRequest, encodeFoldExportResponse, exportedForReprocessing } from '../fold/export.js';
import type { FoldExportRequest } from '../fold/capability-fold.js';
import type { MeshHost } from '../node/host.js';
import { joinItems, replyBytes } from './chunked.js';
import { TYPED_BAD_REQUEST } from './constants.js';
import type { CallOptions, RpcHandler } from './types.js';

export const FOLD_EXPORT_SERVICE = 'mesh.fold.export';

export function foldExportHandler(host: MeshHost): RpcHandler {
  return (body, ctx) => {
    let req: FoldExportRequest;
    try {
      req = decodeFoldExportRequest(body);
    } catch (e) {
      throw new RpcError(TYPED_BAD_REQUEST, `bad request: ${(e as Error).message}`);
    }
    return replyBytes(encodeFoldExportResponse(host.fold.exportAnnouncements(req)), ctx);
  };
}

/** What an import did: announcements received, and how many changed the fold. */
export interface FoldImportReport {
  received: number;
  applied: number;
}

/** Fetches `from`'s fold export and applies it to this node's fold. */
export async function importFoldFrom(
  host: MeshHost,
  callStream: (target: bigint, service: string, body: Uint8Array, opts?: CallOptions) => AsyncIterable<Uint8Array>,
  from: bigint,
  req: FoldExportRequest,
  opts?: CallOptions,
): Promise<FoldImportReport> {
  const body = await joinItems(callStream(from, FOLD_EXPORT_SERVICE, encodeFoldExportRequest(req), opts));
  let list: string[];
  try {
    list = decodeFoldExportResponse(body);
  } catch (e) {
    throw new RpcBadResponseError(`${FOLD_EXPORT_SERVICE} from node ${from}: ${(e as Error).message}`, { cause: e });
  }
  let applied = 0;
  for (const json of list) {
    const ann = exportedForReprocessing(json);
    if (!ann || ann.nodeId === host.nodeId) continue;
    if (host.fold.applyAnnouncement(ann).outcome !== 'rejected') applied++;
  }
  return { received: list.length, applied };
}
