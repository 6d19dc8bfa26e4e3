// The nRPC layer of a node. This phase holds what needs no call to travel: the registry of served
// tools (announced through the node's capability slot) and tool discovery over the fold
// (`listTools`, `watchTools`). Serving and calling (`serve`, `call`, `serveTool`, `callTool`,
// `tool.metadata.fetch`) attach here once request/reply channels exist.
import { ClosedError } from '../errors.js';
import type { MeshHost } from '../node/host.js';
import { listToolsInFold, normalizeToolFilter, type ToolFilter, type ToolInfo } from '../tools/discovery.js';
import { ToolRegistry } from '../tools/registry.js';
import { watchToolsInFold, type ToolWatch, type WatchToolsOptions } from '../tools/watch.js';

export class RpcLayer {
  /** The tools this node serves (full descriptors; the announcement mirrors them). */
  readonly tools: ToolRegistry;

  constructor(private readonly host: MeshHost) {
    this.tools = new ToolRegistry(host.contributeCapabilities());
    host.onClose(() => this.tools.close(false));
  }

  /** Tools advertised in this node's fold (its own included), by (toolId, version). */
  listTools(filter?: ToolFilter): ToolInfo[] {
    this.assertOpen();
    return listToolsInFold(this.host.fold, normalizeToolFilter(filter));
  }

  /** Changes to `listTools(filter)` from now on (see watch.ts). */
  watchTools(opts?: WatchToolsOptions): ToolWatch {
    this.assertOpen();
    return watchToolsInFold(this.host, opts);
  }

  private assertOpen(): void {
    if (this.host.closed) throw new ClosedError('MeshNode');
  }
}
