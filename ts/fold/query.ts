// Capability queries (fold.md §7.2, sdk.md "Capabilities"): the SDK's query object, the
// `CapabilityFilter` builders, and the translation to the fold's composite filter:
// `tags_all = tags`, then groups in the order [model:…], [tool:…], [gpu:present], [gpu:vendor:v].
import { InvalidArgumentError } from '../errors.js';
import { GPU_VENDORS, MODALITIES, type GpuVendor, type Modality } from './capabilities.js';

/** What `findNodes` / `CapabilityFold.query` accept. GB units throughout. */
export interface CapabilityQuery {
  /** Exact tag strings, all required. */
  tags?: string[];
  requireGpu?: boolean;
  /** Implies `requireGpu` (as the Net builder does). */
  gpuVendor?: GpuVendor | string;
  minMemoryGb?: number;
  /** Implies `requireGpu` (as the Net builder does). */
  minVramGb?: number;
  /** Any of `model` / `models`. */
  model?: string;
  models?: string[];
  /** Any of `tool` / `tools`. */
  tool?: string;
  tools?: string[];
  /** Enforced only by the non-fold matcher; the fold ignores them (fold.md §7.2). */
  minContextLength?: number;
  requireModalities?: Modality[];
  // Composite-filter extensions (fold.md §7.1), not part of the Net node filter:
  /** At least one of these exact tags. */
  tagsAny?: string[];
  /** Some tag starts with this prefix (the fold export's `tag_prefix`). */
  tagPrefix?: string;
  /** The entry's region (byte-smallest `scope:region:` body). */
  region?: string;
  /** Restrict to these node ids. */
  nodes?: bigint[];
  /** Keep the first `limit` ids (ascending); 0 or absent = all. */
  limit?: number;
}

/** The translated filter both the index and the JS matcher evaluate. */
export interface NormalizedQuery {
  tagsAll: string[];
  groups: string[][];
  tagsAny: string[];
  tagPrefix?: string;
  region?: string;
  nodes?: bigint[];
  /** Integral GB (a fractional minimum is rounded up: stored values are integers). */
  minMemoryGb?: number;
  minVramGb?: number;
  limit: number;
}

function strings(name: string, v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new InvalidArgumentError(`${name} must be an array of strings`);
  for (const s of v) if (typeof s !== 'string') throw new InvalidArgumentError(`${name} must contain only strings, got ${typeof s}`);
  return v as string[];
}

function gb(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'bigint' && v >= 0n) return Number(v);
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw new InvalidArgumentError(`${name} must be a non-negative number of GB, got ${String(v)}`);
  return Math.ceil(v);
}

function vendor(v: unknown): GpuVendor {
  const s = typeof v === 'string' ? v.toLowerCase() : v;
  if (typeof s !== 'string' || !(GPU_VENDORS as readonly string[]).includes(s)) {
    throw new InvalidArgumentError(`gpuVendor must be one of ${GPU_VENDORS.join(', ')}, got ${String(v)}`);
  }
  return s as GpuVendor;
}

/** Validates and translates a query (throws InvalidArgumentError naming the bad field). */
export function normalizeQuery(q: CapabilityQuery | CapabilityFilter): NormalizedQuery {
  const query = q instanceof CapabilityFilter ? q.toQuery() : q;
  if (typeof query !== 'object' || query === null) throw new InvalidArgumentError('query must be an object');
  const out: NormalizedQuery = { tagsAll: [...strings('tags', query.tags)], groups: [], tagsAny: [...strings('tagsAny', query.tagsAny)], limit: 0 };
  const models = [...strings('models', query.models)];
  if (query.model !== undefined) models.unshift(...strings('model', [query.model]));
  const tools = [...strings('tools', query.tools)];
  if (query.tool !== undefined) tools.unshift(...strings('tool', [query.tool]));
  const v = query.gpuVendor === undefined ? undefined : vendor(query.gpuVendor);
  const minVram = gb('minVramGb', query.minVramGb);
  const requireGpu = query.requireGpu === true || v !== undefined || minVram !== undefined;
  if (models.length > 0) out.groups.push(models.map((m) => `model:${m}`));
  if (tools.length > 0) out.groups.push(tools.map((t) => `tool:${t}`));
  if (requireGpu) out.groups.push(['gpu:present']);
  if (v !== undefined) out.groups.push([`gpu:vendor:${v}`]);
  const minMem = gb('minMemoryGb', query.minMemoryGb);
  if (minMem !== undefined) out.minMemoryGb = minMem;
  if (minVram !== undefined) out.minVramGb = minVram;
  if (query.tagPrefix !== undefined) {
    if (typeof query.tagPrefix !== 'string') throw new InvalidArgumentError('tagPrefix must be a string');
    out.tagPrefix = query.tagPrefix;
  }
  if (query.region !== undefined) {
    if (typeof query.region !== 'string') throw new InvalidArgumentError('region must be a string');
    out.region = query.region;
  }
  if (query.nodes !== undefined) {
    if (!Array.isArray(query.nodes)) throw new InvalidArgumentError('nodes must be an array of bigint node ids');
    for (const n of query.nodes) {
      if (typeof n !== 'bigint' || n < 0n || n >= 1n << 64n) throw new InvalidArgumentError(`nodes must contain u64 bigints, got ${String(n)}`);
    }
    out.nodes = query.nodes;
  }
  if (query.limit !== undefined) {
    if (typeof query.limit !== 'number' || !Number.isInteger(query.limit) || query.limit < 0 || query.limit > 0xffff_ffff) {
      throw new InvalidArgumentError(`limit must be a non-negative integer, got ${String(query.limit)}`);
    }
    out.limit = query.limit;
  }
  if (query.minContextLength !== undefined) gb('minContextLength', query.minContextLength);
  for (const m of query.requireModalities ?? []) {
    if (!(MODALITIES as readonly string[]).includes(m)) throw new InvalidArgumentError(`requireModalities: unknown modality ${String(m)}`);
  }
  return out;
}

/** The Net `CapabilityFilter` builders (fold.md §7.2), producing a CapabilityQuery. GB units. */
export class CapabilityFilter {
  readonly #q: CapabilityQuery = {};

  requireTag(tag: string): this {
    (this.#q.tags ??= []).push(tag);
    return this;
  }
  requireModel(model: string): this {
    (this.#q.models ??= []).push(model);
    return this;
  }
  requireTool(tool: string): this {
    (this.#q.tools ??= []).push(tool);
    return this;
  }
  withMinMemory(gb: number): this {
    this.#q.minMemoryGb = gb;
    return this;
  }
  /** Also requires a GPU. */
  withMinVram(gb: number): this {
    this.#q.minVramGb = gb;
    this.#q.requireGpu = true;
    return this;
  }
  requireGpu(): this {
    this.#q.requireGpu = true;
    return this;
  }
  /** Also requires a GPU. */
  withGpuVendor(vendor: GpuVendor): this {
    this.#q.gpuVendor = vendor;
    this.#q.requireGpu = true;
    return this;
  }
  withMinContextLength(tokens: number): this {
    this.#q.minContextLength = tokens;
    return this;
  }
  requireModality(m: Modality): this {
    (this.#q.requireModalities ??= []).push(m);
    return this;
  }
  /** A copy of the built query. */
  toQuery(): CapabilityQuery {
    const q = this.#q;
    return {
      ...q,
      ...(q.tags ? { tags: [...q.tags] } : {}),
      ...(q.models ? { models: [...q.models] } : {}),
      ...(q.tools ? { tools: [...q.tools] } : {}),
      ...(q.requireModalities ? { requireModalities: [...q.requireModalities] } : {}),
    };
  }
}
