// Typegen's live source (rpc-tools.md §9.1, meshos-cli.md §3.3): with a node attached to the
// mesh, import the attach node's fold export (`mesh.fold.export`, tag prefix `ai-tool:`,
// tolerating its absence), poll `listTools` every 200 ms until tools appear or 5 s pass, filter,
// then fetch each kept descriptor with `tool.metadata.fetch` (the attach node if it serves the
// tool, else the lowest node ids, at most 3 nodes) so schemas the announcements dropped come back.
import { RpcError } from '../errors.js';
import type { FoldExportRequest } from '../fold/capability-fold.js';
import type { FoldImportReport } from '../rpc/fold-export-service.js';
import type { CallOptions } from '../rpc/types.js';
import type { ToolDescriptor } from '../tools/descriptor.js';
import type { ToolInfo } from '../tools/discovery.js';
import { SNAPSHOT_FORMAT_VERSION, utcTimestamp, type SourceQuery } from './snapshot.js';
import { filterDescriptors, type SourceResult, type TypegenSource } from './sources.js';

/** What the live source needs of a node (a MeshNode is one). */
export interface LiveNode {
  importFold(from: bigint, req?: FoldExportRequest, opts?: CallOptions): Promise<FoldImportReport>;
  listTools(): ToolInfo[];
  fetchToolMetadata(node: bigint, toolId: string, opts?: CallOptions): Promise<ToolDescriptor | null>;
}

/** A node attached to the mesh through `attach`; `close` ends the session and frees the node. */
export interface LiveSession {
  node: LiveNode;
  attach: bigint;
  close(): Promise<void>;
}

export interface LiveSourceOptions {
  /** listTools polling period (200 ms) and how long to wait for a first tool (5,000 ms). */
  pollMs?: number;
  waitMs?: number;
  /** Deadline of each RPC (fold export, metadata fetch), in ms (3,000). */
  rpcDeadlineMs?: number;
  /** Unix ms for `captured_at` (Date.now). */
  clock?: () => number;
}

const MAX_FETCH_NODES = 3;

export class LiveSource implements TypegenSource {
  constructor(
    /** Opens the session; attach failures are the opener's to report (CliError exit 6). */
    private readonly open: () => Promise<LiveSession>,
    private readonly opts: LiveSourceOptions = {},
  ) {}

  async load(query: SourceQuery, warn: (message: string) => void): Promise<SourceResult> {
    const pollMs = this.opts.pollMs ?? 200;
    const waitMs = this.opts.waitMs ?? 5000;
    const deadlineMs = this.opts.rpcDeadlineMs ?? 3000;
    const session = await this.open();
    try {
      const { node, attach } = session;
      try {
        await node.importFold(attach, { tagPrefix: 'ai-tool:' }, { deadlineMs });
      } catch (e) {
        // Net v0.27 nodes do not serve the export (fold.md §10.7): carry on with what the attach node announced.
        if (!(e instanceof RpcError)) throw e;
        warn(`the attach node's fold export is unavailable (${e.message}); using the tools it announced itself`);
      }
      let listed = node.listTools();
      for (const t0 = Date.now(); listed.length === 0 && Date.now() - t0 < waitMs; listed = node.listTools()) {
        await new Promise((r) => setTimeout(r, pollMs));
      }
      if (listed.length === 0) warn(`no tools discovered within ${waitMs} ms`);
      const kept = filterDescriptors(listed, query) as ToolInfo[];
      const descriptors: ToolDescriptor[] = [];
      for (const info of kept) descriptors.push(await this.#hydrate(node, attach, info, deadlineMs));
      return { descriptors, sourceLabel: 'live discovery', capturedAt: utcTimestamp((this.opts.clock ?? Date.now)()), formatVersion: SNAPSHOT_FORMAT_VERSION };
    } finally {
      await session.close();
    }
  }

  /** The fetched descriptor when found with the listed version (node count from the listing), else the fold's. */
  async #hydrate(node: LiveNode, attach: bigint, info: ToolInfo, deadlineMs: number): Promise<ToolDescriptor> {
    const { nodes, ...listed } = info;
    const order = nodes.includes(attach) ? [attach, ...nodes.filter((n) => n !== attach)] : nodes;
    for (const from of order.slice(0, MAX_FETCH_NODES)) {
      try {
        const d = await node.fetchToolMetadata(from, info.toolId, { deadlineMs });
        if (d && d.version === info.version) return { ...d, nodeCount: info.nodeCount };
        if (d) break;
      } catch (e) {
        if (!(e instanceof RpcError)) throw e;
      }
    }
    return listed;
  }
}
