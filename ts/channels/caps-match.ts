// The non-fold node-filter matcher channel ACLs use (fold.md §7.2 `filter.matches(set)`): a
// CapabilityQuery / CapabilityFilter evaluated against one node's tags and metadata as the fold
// holds them (`synthesize_capability_set`). Tags compare semantically; memory, GPU, VRAM, context
// length and modalities come from the typed projection of those tags.
import { decodeCapabilities } from '../fold/capabilities.js';
import { CapabilityFilter, normalizeQuery, type CapabilityQuery } from '../fold/query.js';
import { hasTagSemantic } from '../fold/tag.js';

export type CapsFilter = CapabilityQuery | CapabilityFilter;

/** A node's capabilities as the fold holds them (empty when the node is unknown). */
export interface NodeCaps {
  readonly tags: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
}

export const NO_CAPS: NodeCaps = Object.freeze({ tags: Object.freeze([]) as readonly string[], metadata: Object.freeze({}) });

function safeHas(tags: readonly string[], q: string): boolean {
  try {
    return hasTagSemantic(tags, q);
  } catch {
    return false; // an unparseable required tag matches nothing
  }
}

/** Validates a filter up front (InvalidArgumentError naming the field), so a config never holds a bad one. */
export function checkCapsFilter(f: CapsFilter): void {
  normalizeQuery(f);
}

/** `filter.matches(caps)`; `nodeId` serves the composite `nodes` restriction. */
export function capsMatch(filter: CapsFilter, caps: NodeCaps, nodeId?: bigint): boolean {
  const q = normalizeQuery(filter);
  const query = filter instanceof CapabilityFilter ? filter.toQuery() : filter;
  const tags = caps.tags;
  for (const t of q.tagsAll) if (!safeHas(tags, t)) return false;
  if (q.tagsAny.length > 0 && !q.tagsAny.some((t) => safeHas(tags, t))) return false;
  if (q.tagPrefix !== undefined && !tags.some((t) => t.startsWith(q.tagPrefix!))) return false;
  if (q.nodes !== undefined && (nodeId === undefined || !q.nodes.includes(nodeId))) return false;
  const set = decodeCapabilities(tags, caps.metadata);
  if (q.region !== undefined && set.region !== q.region) return false;
  const models = set.models ?? [];
  const tools = set.tools ?? [];
  const wantModels = [...(query.model !== undefined ? [query.model] : []), ...(query.models ?? [])];
  if (wantModels.length > 0 && !models.some((m) => wantModels.includes(m.id))) return false;
  const wantTools = [...(query.tool !== undefined ? [query.tool] : []), ...(query.tools ?? [])];
  if (wantTools.length > 0 && !tools.some((t) => wantTools.includes(t.id))) return false;
  if (q.minMemoryGb !== undefined && (set.memoryGb ?? 0) < q.minMemoryGb) return false;
  const needsGpu = q.groups.some((g) => g.length === 1 && g[0] === 'gpu:present');
  if (needsGpu && set.gpu === undefined) return false;
  const vendorGroup = q.groups.find((g) => g.length === 1 && g[0]!.startsWith('gpu:vendor:'));
  if (vendorGroup && !safeHas(tags, `hardware.gpu.vendor=${vendorGroup[0]!.slice('gpu:vendor:'.length)}`)) return false;
  if (q.minVramGb !== undefined && (set.gpu?.vramGb ?? 0) < q.minVramGb) return false;
  if (query.minContextLength !== undefined && !models.some((m) => (m.contextLength ?? 0) >= query.minContextLength!)) return false;
  for (const mod of query.requireModalities ?? []) {
    if (!models.some((m) => (m.modalities ?? []).includes(mod))) return false;
  }
  return true;
}
