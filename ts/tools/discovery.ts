// Tool discovery over a capability fold (rpc-tools.md §8): one pass over the entries that carry
// an `ai-tool:` tag, descriptors bucketed by (toolId, version) with the latest-seen fields and the
// distinct nodes serving them, sorted by (toolId, version); and the diff `watchTools` emits.
import { InvalidArgumentError } from '../errors.js';
import { compareUtf8 } from '../fold/byte-order.js';
import type { CapabilityFold } from '../fold/capability-fold.js';
import { AI_TOOL_TAG_PREFIX, toolsOfEntry } from './advertise.js';
import type { ToolDescriptor } from './descriptor.js';

/** A discovered tool: its descriptor (`nodeCount` filled) and the nodes serving it, ascending. */
export interface ToolInfo extends ToolDescriptor {
  nodes: bigint[];
}

/** Keeps a tool when any of its descriptor tags is in `tags` and its id is in `tools` (each optional). */
export interface ToolFilter {
  tags?: string[];
  tools?: string[];
}

/** One change of a `watchTools` stream (rpc-tools.md §8): a tool added or removed, or its node count changed. */
export interface ToolListChange {
  kind: 'added' | 'removed' | 'nodeCountChanged';
  descriptor: ToolInfo;
  /** For nodeCountChanged: the count before. */
  prevNodeCount?: number;
}

export interface NormalizedFilter {
  tags: Set<string> | undefined;
  tools: Set<string> | undefined;
}

export function normalizeToolFilter(filter: ToolFilter | undefined): NormalizedFilter {
  if (filter === undefined) return { tags: undefined, tools: undefined };
  if (typeof filter !== 'object' || filter === null) throw new InvalidArgumentError('filter must be an object { tags?, tools? }');
  const list = (name: string, v: unknown): Set<string> | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new InvalidArgumentError(`filter.${name} must be an array of strings`);
    return new Set(v as string[]);
  };
  return { tags: list('tags', filter.tags), tools: list('tools', filter.tools) };
}

export function keepTool(d: ToolDescriptor, f: NormalizedFilter): boolean {
  if (f.tools && !f.tools.has(d.toolId)) return false;
  if (f.tags && !d.tags.some((t) => f.tags!.has(t))) return false;
  return true;
}

export function toolKey(d: Pick<ToolDescriptor, 'toolId' | 'version'>): string {
  return `${d.toolId}\u0000${d.version}`;
}

export function compareTools(a: Pick<ToolDescriptor, 'toolId' | 'version'>, b: Pick<ToolDescriptor, 'toolId' | 'version'>): number {
  return compareUtf8(a.toolId, b.toolId) || compareUtf8(a.version, b.version);
}

/** `list_tools` over `fold` (rpc-tools.md §8), with a filter from `normalizeToolFilter`. */
export function listToolsInFold(fold: CapabilityFold, f: NormalizedFilter): ToolInfo[] {
  const buckets = new Map<string, { desc: ToolDescriptor; nodes: Set<bigint> }>();
  for (const node of fold.query({ tagPrefix: AI_TOOL_TAG_PREFIX })) {
    const tags = fold.tagsOf(node);
    if (tags === undefined) continue;
    for (const d of toolsOfEntry(tags, fold.metadataOf(node) ?? {})) {
      if (!keepTool(d, f)) continue;
      const k = toolKey(d);
      const b = buckets.get(k);
      if (b) {
        b.desc = d;
        b.nodes.add(node);
      } else buckets.set(k, { desc: d, nodes: new Set([node]) });
    }
  }
  const out: ToolInfo[] = [];
  for (const { desc, nodes } of buckets.values()) {
    const ids = [...nodes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    out.push({ ...desc, nodeCount: ids.length, nodes: ids });
  }
  return out.sort(compareTools);
}

/** Changes from `prev` to `next` (keyed by toolId + version): all added, then removed, then node-count changes. */
export function diffToolLists(prev: readonly ToolInfo[], next: readonly ToolInfo[]): ToolListChange[] {
  const before = new Map(prev.map((d) => [toolKey(d), d]));
  const after = new Map(next.map((d) => [toolKey(d), d]));
  const out: ToolListChange[] = [];
  for (const [k, d] of after) if (!before.has(k)) out.push({ kind: 'added', descriptor: d });
  for (const [k, d] of before) if (!after.has(k)) out.push({ kind: 'removed', descriptor: d });
  for (const [k, d] of after) {
    const old = before.get(k);
    if (old && old.nodeCount !== d.nodeCount) out.push({ kind: 'nodeCountChanged', descriptor: d, prevNodeCount: old.nodeCount });
  }
  return out;
}
