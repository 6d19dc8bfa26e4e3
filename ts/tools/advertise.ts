// Tools in capability announcements (rpc-tools.md §7, fold.md §2.2): a served tool contributes
// `ai-tool:<id>`, `nrpc:<id>`, its `software.tool.<i>.*` tags and its `tool::<id>::*` metadata.
// This module maps descriptors to the fold's ToolCapability and reads descriptors back out of a
// fold entry.
import { InvalidArgumentError } from '../errors.js';
import { decodeCapabilities, type ToolCapability } from '../fold/capabilities.js';
import { makeToolDescriptor, type ToolDescriptor } from './descriptor.js';

export const AI_TOOL_TAG_PREFIX = 'ai-tool:';

/** The ToolCapability the announcement codec lowers (fold.md §2.2) for a served descriptor. */
export function toolCapabilityOf(d: ToolDescriptor): ToolCapability {
  const cap: ToolCapability = {
    id: d.toolId,
    name: d.name,
    version: d.version,
    requires: d.requires,
    estimatedTimeMs: d.estimatedTimeMs,
    stateless: d.stateless,
    streaming: d.streaming,
    tags: d.tags,
  };
  if (d.inputSchema !== null) cap.inputSchema = d.inputSchema;
  if (d.outputSchema !== null) cap.outputSchema = d.outputSchema;
  if (d.description !== null) cap.description = d.description;
  return cap;
}

/**
 * Checks that a descriptor survives the tag and metadata encoding unchanged: `requires` and `tags`
 * are comma-joined (so items may not contain `,`), tags are trimmed and empties dropped on read.
 */
export function assertAdvertisable(d: ToolDescriptor): void {
  d.requires.forEach((r, i) => {
    if (r.length === 0 || r.includes(',')) throw new InvalidArgumentError(`requires[${i}] must be non-empty and contain no comma (it is announced comma-joined)`);
  });
  d.tags.forEach((t, i) => {
    if (t.length === 0 || t.includes(',') || t.trim() !== t) throw new InvalidArgumentError(`tags[${i}] must be non-empty, trimmed and contain no comma (it is announced comma-joined)`);
  });
}

/**
 * The tools a fold entry advertises as served: every `ai-tool:<id>` tag, with the fields of the
 * matching `software.tool.<i>` entry and `tool::<id>::*` metadata (defaults where absent).
 */
export function toolsOfEntry(tags: readonly string[], metadata: Readonly<Record<string, string>>): ToolDescriptor[] {
  const served = tags.filter((t) => t.startsWith(AI_TOOL_TAG_PREFIX)).map((t) => t.slice(AI_TOOL_TAG_PREFIX.length));
  if (served.length === 0) return [];
  const caps = new Map<string, ToolCapability>();
  for (const c of decodeCapabilities(tags, metadata).tools ?? []) if (!caps.has(c.id)) caps.set(c.id, c);
  const out: ToolDescriptor[] = [];
  for (const id of served) {
    if (id.length === 0) continue;
    const c = caps.get(id);
    const m = `tool::${id}::`;
    const tagText = metadata[`${m}tags`];
    out.push(
      makeToolDescriptor({
        toolId: id,
        name: c?.name ?? '',
        version: c?.version || '1.0.0',
        description: metadata[`${m}description`] ?? null,
        inputSchema: metadata[`${m}input_schema`] ?? null,
        outputSchema: metadata[`${m}output_schema`] ?? null,
        requires: c?.requires ?? [],
        estimatedTimeMs: Math.min(c?.estimatedTimeMs ?? 0, 0xffff_ffff),
        stateless: c?.stateless ?? true,
        streaming: metadata[`${m}streaming`] === '1',
        tags: tagText === undefined ? [] : tagText.split(',').map((x) => x.trim()).filter((x) => x.length > 0),
      }),
    );
  }
  return out;
}
