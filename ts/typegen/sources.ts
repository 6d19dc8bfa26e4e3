// Where typegen's descriptors come from (rpc-tools.md §9.1). A source yields descriptors plus
// the provenance generated files state; the filters apply the same way to every source. The
// snapshot source reads a file; the live source (attach to a running node, list_tools,
// tool.metadata.fetch) implements the same interface.
import { TypegenError } from '../errors.js';
import type { ToolDescriptor } from '../tools/descriptor.js';
import { decodeSnapshot, SNAPSHOT_FORMAT_VERSION, type SourceQuery } from './snapshot.js';

export interface SourceResult {
  descriptors: ToolDescriptor[];
  /** `live discovery` or `snapshot <path>`. */
  sourceLabel: string;
  capturedAt: string;
  formatVersion: number;
}

export interface TypegenSource {
  /** Descriptors matching `query` (the source applies `filterDescriptors`). */
  load(query: SourceQuery, warn: (message: string) => void): Promise<SourceResult>;
}

/** Keeps a descriptor when any of its tags is in `tags` and its id is in `tools` (an empty list = no filter). */
export function filterDescriptors(descriptors: readonly ToolDescriptor[], query: SourceQuery): ToolDescriptor[] {
  const tags = new Set(query.tags);
  const tools = new Set(query.tools);
  return descriptors.filter((d) => (tags.size === 0 || d.tags.some((t) => tags.has(t))) && (tools.size === 0 || tools.has(d.toolId)));
}

/** Reads a snapshot file through `readText` (which throws on I/O failure: exit 1). */
export class SnapshotSource implements TypegenSource {
  constructor(
    private readonly path: string,
    private readonly readText: (path: string) => Promise<string>,
  ) {}

  async load(query: SourceQuery): Promise<SourceResult> {
    const snap = await readSnapshotFile(this.path, this.readText);
    return { descriptors: filterDescriptors(snap.descriptors, query), sourceLabel: `snapshot ${this.path}`, capturedAt: snap.capturedAt, formatVersion: SNAPSHOT_FORMAT_VERSION };
  }
}

export async function readSnapshotFile(path: string, readText: (path: string) => Promise<string>) {
  let text: string;
  try {
    text = await readText(path);
  } catch (e) {
    throw new TypegenError('TYPEGEN_SNAPSHOT_IO', `read snapshot ${path}: ${(e as Error).message}`, 1, { cause: e });
  }
  return decodeSnapshot(text, path);
}
