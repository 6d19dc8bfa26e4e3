// The capability data model (fold.md §2): a set of tags plus string metadata. Typed fields are
// conveniences that lower to tags exactly as the Net tag codec does (§2.2); `decodeCapabilities`
// is the projection back. Zero, empty and absent fields are never emitted; AxisValue tags the
// codec emits use `=`.
import { InvalidArgumentError } from '../errors.js';
import { compareUtf8, isWellFormed, sortedUnique } from './byte-order.js';
import { parseTagParts, validateTag, validateUserTag } from './tag.js';

/** GPU vendors the capability model knows (fold.md §2.2); anything else is `unknown`. */
export type GpuVendor = 'nvidia' | 'amd' | 'intel' | 'apple' | 'qualcomm' | 'unknown';
export const GPU_VENDORS: readonly GpuVendor[] = ['nvidia', 'amd', 'intel', 'apple', 'qualcomm', 'unknown'];

/** What a model takes or produces (fold.md §2.2). */
export type Modality = 'text' | 'image' | 'audio' | 'video' | 'code' | 'embedding' | 'tool_use';
export const MODALITIES: readonly Modality[] = ['text', 'image', 'audio', 'video', 'code', 'embedding', 'tool_use'];

/** A node's GPU: vendor, model, memory and compute figures, lowered to `hardware.gpu.*` tags. */
export interface GpuCapability {
  vendor?: GpuVendor;
  model?: string;
  vramGb?: number;
  computeUnits?: number;
  tensorCores?: number;
  /** Lowered as `fp16_tflops_x10` = TFLOPS × 10, truncated. */
  fp16Tflops?: number;
}

/** Limits a node advertises for the work it accepts (requests, tokens, rate, sizes). */
export interface ResourceLimits {
  maxConcurrentRequests?: number;
  maxTokensPerRequest?: number;
  rateLimitRpm?: number;
  maxBatchSize?: number;
  maxInputBytes?: number;
  maxOutputBytes?: number;
}

/** A node's software: OS, CUDA, and runtimes, frameworks and drivers with their versions. */
export interface SoftwareCapability {
  os?: string;
  osVersion?: string;
  cudaVersion?: string;
  /** name → version; names containing `=`, `:` or `.` are skipped (they cannot round-trip). */
  runtimes?: Record<string, string>;
  frameworks?: Record<string, string>;
  drivers?: Record<string, string>;
}

/** A model a node serves: `id` (matched by `CapabilityQuery.model`) and what it can do. */
export interface ModelCapability {
  id: string;
  family?: string;
  /** Billions of parameters; lowered as `parameters_b_x10` (× 10, truncated). */
  parametersB?: number;
  contextLength?: number;
  quantization?: string;
  /** Default `['text']`. */
  modalities?: Modality[];
  tokensPerSec?: number;
  loaded?: boolean;
}

/** A tool a node serves: `id` (matched by `CapabilityQuery.tool`), its version, schemas and tags. */
export interface ToolCapability {
  id: string;
  name?: string;
  /** Default `1.0.0`. */
  version?: string;
  requires?: string[];
  estimatedTimeMs?: number;
  /** Default true; always emitted. */
  stateless?: boolean;
  /** Stored in metadata (`tool::<id>::input_schema`); objects are JSON-encoded. */
  inputSchema?: string | object;
  outputSchema?: string | object;
  description?: string;
  streaming?: boolean;
  tags?: string[];
}

/**
 * What a node advertises. `tags` are application tags (reserved prefixes are refused); the other
 * fields lower to tags (`lowerCapabilities`); `metadata` travels as a string map.
 */
export interface CapabilitySet {
  tags?: string[];
  cpuCores?: number;
  cpuThreads?: number;
  memoryGb?: number;
  storageGb?: number;
  networkGbps?: number;
  /** The primary GPU (additional GPUs are not encoded by the Net tag codec). */
  gpu?: GpuCapability;
  limits?: ResourceLimits;
  software?: SoftwareCapability;
  models?: ModelCapability[];
  tools?: ToolCapability[];
  /** `scope:region:<r>`. */
  region?: string;
  /** `scope:tenant:<id>` per tenant. */
  tenants?: string[];
  /** `scope:subnet-local`. */
  subnetLocal?: boolean;
  metadata?: Record<string, string>;
}

/** The stored form: sorted, unique tags and a metadata map. */
export interface LoweredCapabilities {
  readonly tags: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
}

// Objects this module built as LoweredCapabilities (so APIs taking either form can tell them apart
// from a CapabilitySet that happens to have only `tags` and `metadata`).
const LOWERED = new WeakSet<object>();

function seal(tags: string[], metadata: Record<string, string>): LoweredCapabilities {
  const out = Object.freeze({ tags: Object.freeze(tags), metadata: Object.freeze(metadata) });
  LOWERED.add(out);
  return out;
}

/** True for a value produced by `lowerCapabilities`, `loweredCapabilities` or `mergeSubstrateTags`. */
export function isLowered(v: unknown): v is LoweredCapabilities {
  return typeof v === 'object' && v !== null && LOWERED.has(v);
}

/**
 * The stored form from tags and metadata as they are (the permissive parser: substrate and wire
 * paths may carry reserved tags). Tags are sorted and deduplicated; empty tags throw.
 */
export function loweredCapabilities(tags: Iterable<string>, metadata: Readonly<Record<string, string>> = {}): LoweredCapabilities {
  const list: string[] = [];
  for (const t of tags) list.push(validateTag(t));
  const meta: [string, string][] = [];
  for (const k of Object.keys(metadata)) {
    const v = metadata[k];
    if (typeof v !== 'string') throw new InvalidArgumentError(`metadata[${JSON.stringify(k)}] must be a string`);
    if (!isWellFormed(k) || !isWellFormed(v)) throw new InvalidArgumentError(`metadata[${JSON.stringify(k)}] contains a lone surrogate`);
    meta.push([k, v]);
  }
  return seal(sortedUnique(list), sortedMetadata(meta));
}

const U32_MAX = 0xffff_ffff;

function count(name: string, v: unknown, max = U32_MAX): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new InvalidArgumentError(`${name} must be an integer in 0..${max}, got ${String(v)}`);
  }
  return v;
}

function times10(name: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v * 10 > U32_MAX) {
    throw new InvalidArgumentError(`${name} must be a finite non-negative number, got ${String(v)}`);
  }
  return Math.trunc(v * 10);
}

function text(name: string, v: unknown): string {
  if (v === undefined) return '';
  if (typeof v !== 'string') throw new InvalidArgumentError(`${name} must be a string, got ${typeof v}`);
  if (!isWellFormed(v)) throw new InvalidArgumentError(`${name} contains a lone surrogate`);
  return v;
}

function emitCount(out: string[], key: string, v: number): void {
  if (v > 0) out.push(`${key}=${v}`);
}

function emitText(out: string[], key: string, v: string): void {
  if (v.length > 0) out.push(`${key}=${v}`);
}

/** Sub-key names that survive a parse round trip. */
function roundTrippable(name: string): boolean {
  return name.length > 0 && !/[=:.]/.test(name);
}

function vendorOf(name: string, v: unknown): GpuVendor {
  if (v === undefined) return 'unknown';
  if (typeof v !== 'string' || !(GPU_VENDORS as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(`${name} must be one of ${GPU_VENDORS.join(', ')}, got ${String(v)}`);
  }
  return v as GpuVendor;
}

function lowerGpu(g: GpuCapability, out: string[]): void {
  out.push('hardware.gpu');
  const vendor = vendorOf('gpu.vendor', g.vendor);
  if (vendor !== 'unknown') out.push(`hardware.gpu.vendor=${vendor}`);
  emitText(out, 'hardware.gpu.model', text('gpu.model', g.model));
  emitCount(out, 'hardware.gpu.vram_gb', count('gpu.vramGb', g.vramGb));
  emitCount(out, 'hardware.gpu.compute_units', count('gpu.computeUnits', g.computeUnits));
  emitCount(out, 'hardware.gpu.tensor_cores', count('gpu.tensorCores', g.tensorCores));
  emitCount(out, 'hardware.gpu.fp16_tflops_x10', times10('gpu.fp16Tflops', g.fp16Tflops));
}

const LIMIT_KEYS: [keyof ResourceLimits, string][] = [
  ['maxConcurrentRequests', 'max_concurrent_requests'],
  ['maxTokensPerRequest', 'max_tokens_per_request'],
  ['rateLimitRpm', 'rate_limit_rpm'],
  ['maxBatchSize', 'max_batch_size'],
  ['maxInputBytes', 'max_input_bytes'],
  ['maxOutputBytes', 'max_output_bytes'],
];

function lowerSoftware(s: SoftwareCapability, out: string[]): void {
  emitText(out, 'software.os', text('software.os', s.os));
  emitText(out, 'software.os_version', text('software.osVersion', s.osVersion));
  emitText(out, 'software.cuda_version', text('software.cudaVersion', s.cudaVersion));
  for (const [field, prefix] of [
    ['runtimes', 'runtime'],
    ['frameworks', 'framework'],
    ['drivers', 'driver'],
  ] as const) {
    const map = s[field];
    if (map === undefined) continue;
    for (const name of Object.keys(map)) {
      if (!roundTrippable(name)) continue;
      out.push(`software.${prefix}.${name}=${text(`software.${field}.${name}`, map[name])}`);
    }
  }
}

function lowerModel(m: ModelCapability, i: number, out: string[]): void {
  const p = `software.model.${i}`;
  const id = text(`models[${i}].id`, m.id);
  if (id.length === 0) throw new InvalidArgumentError(`models[${i}].id must be a non-empty string`);
  out.push(`${p}.id=${id}`);
  emitText(out, `${p}.family`, text(`models[${i}].family`, m.family));
  emitCount(out, `${p}.parameters_b_x10`, times10(`models[${i}].parametersB`, m.parametersB));
  emitCount(out, `${p}.context_length`, count(`models[${i}].contextLength`, m.contextLength));
  emitText(out, `${p}.quantization`, text(`models[${i}].quantization`, m.quantization));
  const modalities = m.modalities ?? ['text'];
  for (const mod of modalities) {
    if (!(MODALITIES as readonly string[]).includes(mod)) {
      throw new InvalidArgumentError(`models[${i}].modalities: unknown modality ${String(mod)} (one of ${MODALITIES.join(', ')})`);
    }
  }
  if (modalities.length > 0) out.push(`${p}.modalities=${modalities.join(',')}`);
  emitCount(out, `${p}.tokens_per_sec`, count(`models[${i}].tokensPerSec`, m.tokensPerSec));
  if (m.loaded === true) out.push(`${p}.loaded=true`);
}

function schemaText(name: string, v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return text(name, v);
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  throw new InvalidArgumentError(`${name} must be a string or a JSON object`);
}

function lowerTool(t: ToolCapability, i: number, out: string[], meta: Record<string, string>): void {
  const p = `software.tool.${i}`;
  const id = text(`tools[${i}].id`, t.id);
  if (id.length === 0) throw new InvalidArgumentError(`tools[${i}].id must be a non-empty string`);
  out.push(`${p}.tool_id=${id}`);
  emitText(out, `${p}.name`, text(`tools[${i}].name`, t.name));
  emitText(out, `${p}.version`, t.version === undefined ? '1.0.0' : text(`tools[${i}].version`, t.version));
  const requires = (t.requires ?? []).map((r, k) => text(`tools[${i}].requires[${k}]`, r));
  if (requires.length > 0) out.push(`${p}.requires=${requires.join(',')}`);
  emitCount(out, `${p}.estimated_time_ms`, count(`tools[${i}].estimatedTimeMs`, t.estimatedTimeMs, Number.MAX_SAFE_INTEGER));
  out.push(`${p}.stateless=${t.stateless === false ? 'false' : 'true'}`);
  const m = `tool::${id}::`;
  const input = schemaText(`tools[${i}].inputSchema`, t.inputSchema);
  if (input) meta[`${m}input_schema`] = input;
  const output = schemaText(`tools[${i}].outputSchema`, t.outputSchema);
  if (output) meta[`${m}output_schema`] = output;
  const description = text(`tools[${i}].description`, t.description);
  if (description) meta[`${m}description`] = description;
  if (t.streaming === true) meta[`${m}streaming`] = '1';
  const tags = (t.tags ?? []).map((x, k) => text(`tools[${i}].tags[${k}]`, x)).filter((x) => x.length > 0);
  if (tags.length > 0) meta[`${m}tags`] = tags.join(',');
}

/** A metadata map with a null prototype (keys like `__proto__` are plain keys), keys in byte order. */
export function sortedMetadata(entries: Iterable<[string, string]>): Record<string, string> {
  const list = [...entries].sort((a, b) => compareUtf8(a[0], b[0]));
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of list) out[k] = v;
  return out;
}

/**
 * Lowers a CapabilitySet to its stored form. Application tags go through the user parser
 * (reserved prefixes and empty tags throw InvalidArgumentError naming the tag); typed fields are
 * validated and lowered per fold.md §2.2.
 */
export function lowerCapabilities(caps: CapabilitySet): LoweredCapabilities {
  if (typeof caps !== 'object' || caps === null) throw new InvalidArgumentError('capabilities must be an object');
  const out: string[] = [];
  const meta = Object.create(null) as Record<string, string>;
  for (const t of caps.tags ?? []) out.push(validateUserTag(t));
  emitCount(out, 'hardware.cpu_cores', count('cpuCores', caps.cpuCores));
  emitCount(out, 'hardware.cpu_threads', count('cpuThreads', caps.cpuThreads));
  emitCount(out, 'hardware.memory_gb', count('memoryGb', caps.memoryGb));
  emitCount(out, 'hardware.storage_gb', count('storageGb', caps.storageGb));
  emitCount(out, 'hardware.network_gbps', count('networkGbps', caps.networkGbps));
  if (caps.gpu !== undefined) lowerGpu(caps.gpu, out);
  if (caps.limits !== undefined) {
    for (const [field, key] of LIMIT_KEYS) {
      emitCount(out, `hardware.limits.${key}`, count(`limits.${field}`, caps.limits[field], Number.MAX_SAFE_INTEGER));
    }
  }
  if (caps.software !== undefined) lowerSoftware(caps.software, out);
  (caps.models ?? []).forEach((m, i) => lowerModel(m, i, out));
  (caps.tools ?? []).forEach((t, i) => lowerTool(t, i, out, meta));
  const region = text('region', caps.region);
  if (region) out.push(`scope:region:${region}`);
  for (const tenant of caps.tenants ?? []) {
    const id = text('tenants[]', tenant);
    if (id) out.push(`scope:tenant:${id}`);
  }
  if (caps.subnetLocal === true) out.push('scope:subnet-local');
  // Application metadata wins over the tool-derived keys it names explicitly.
  for (const k of Object.keys(caps.metadata ?? {})) {
    if (!isWellFormed(k)) throw new InvalidArgumentError(`metadata key ${JSON.stringify(k)} contains a lone surrogate`);
    meta[k] = text(`metadata[${JSON.stringify(k)}]`, caps.metadata![k]);
  }
  return seal(sortedUnique(out), sortedMetadata(Object.entries(meta)));
}

// ---------------------------------------------------------------------------------------------
// Reserved-tag builders (substrate use; empty hashes produce nothing)

export function causalTag(hash: string, seq?: bigint | number): string | undefined {
  if (!hash) return undefined;
  return seq === undefined ? `causal:${hash}` : `causal:${hash}:${seq}`;
}

export function causalRangeTag(hash: string, from: bigint | number, to: bigint | number): string | undefined {
  if (!hash || !(BigInt(from) < BigInt(to))) return undefined;
  return `causal:${hash}[${from}..${to}]`;
}

export function forkOfTag(hash: string): string | undefined {
  return hash ? `fork-of:${hash}` : undefined;
}

/** `heat:<h>=<r>`, r clamped to [0, 1] with 2 decimals; non-finite r produces nothing. */
export function heatTag(hash: string, rate: number): string | undefined {
  if (!hash || !Number.isFinite(rate)) return undefined;
  return `heat:${hash}=${Math.min(1, Math.max(0, rate)).toFixed(2)}`;
}

export function scopeTenantTag(id: string): string | undefined {
  return id ? `scope:tenant:${id}` : undefined;
}

export function scopeRegionTag(region: string): string | undefined {
  return region ? `scope:region:${region}` : undefined;
}

export const SCOPE_SUBNET_LOCAL = 'scope:subnet-local';

/**
 * The tags a node adds at announce time (fold.md §2.2): `nrpc:<service>` per served service,
 * `ai-tool:<id>` per served tool plus that tool's lowered tags and metadata, and exactly one
 * `nat:<class>` (existing `nat:*` tags are removed first).
 */
export function mergeSubstrateTags(
  base: LoweredCapabilities,
  extra: { rpcServices?: string[]; tools?: ToolCapability[]; natClass?: string },
): LoweredCapabilities {
  const tags = base.tags.filter((t) => !(extra.natClass !== undefined && t.startsWith('nat:')));
  const meta: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, base.metadata);
  for (const s of extra.rpcServices ?? []) tags.push(validateTag(`nrpc:${s}`));
  const existing = new Set(tags.filter((t) => /^software\.tool\.[^.]*\.tool_id[=:]/.test(t)).map((t) => t.slice(t.search(/[=:]/) + 1)));
  let next = new Set(tags.filter((t) => t.startsWith('software.tool.')).map((t) => t.split('.')[2])).size;
  for (const tool of extra.tools ?? []) {
    tags.push(validateTag(`ai-tool:${tool.id}`));
    if (existing.has(tool.id)) continue;
    lowerTool(tool, next++, tags, meta);
  }
  if (extra.natClass !== undefined) tags.push(validateTag(`nat:${extra.natClass}`));
  return seal(sortedUnique(tags), sortedMetadata(Object.entries(meta)));
}

// ---------------------------------------------------------------------------------------------
// Decoding (the projection back to typed fields)

/** Rust's `u32::from_str` as the tag codec uses it; unparseable → 0. */
export function parseU32OrZero(s: string): number {
  if (!/^\+?[0-9]+$/.test(s)) return 0;
  const v = Number(s.startsWith('+') ? s.slice(1) : s);
  return v <= U32_MAX ? v : 0;
}

function parseU64Number(s: string): number {
  if (!/^\+?[0-9]+$/.test(s)) return 0;
  const v = Number(s.startsWith('+') ? s.slice(1) : s);
  return Number.isSafeInteger(v) ? v : 0;
}

function canonicalVendor(s: string): GpuVendor {
  return (GPU_VENDORS as readonly string[]).includes(s) ? (s as GpuVendor) : 'unknown';
}

function indexOrder(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isInteger(x) && Number.isInteger(y) && a !== '' && b !== '') return x - y;
  return compareUtf8(a, b);
}

/**
 * The typed view of stored tags and metadata (fold.md §2.2 decoding): unknown keys are ignored,
 * unparseable numbers decode as 0, tags are read in byte order (later wins for a repeated key).
 * Tags that are not typed-field tags are returned in `tags`.
 */
export function decodeCapabilities(tags: readonly string[], metadata: Readonly<Record<string, string>> = {}): CapabilitySet {
  const out: CapabilitySet = {};
  const plain: string[] = [];
  let gpu: GpuCapability | undefined;
  const limits: ResourceLimits = {};
  const sw: SoftwareCapability = {};
  const models = new Map<string, ModelCapability & Record<string, unknown>>();
  const tools = new Map<string, ToolCapability & Record<string, unknown>>();
  const tenants: string[] = [];
  for (const t of [...tags].sort(compareUtf8)) {
    if (t.startsWith('scope:region:')) {
      out.region ??= t.slice('scope:region:'.length);
      continue;
    }
    if (t.startsWith('scope:tenant:')) {
      tenants.push(t.slice('scope:tenant:'.length));
      continue;
    }
    if (t === SCOPE_SUBNET_LOCAL) {
      out.subnetLocal = true;
      continue;
    }
    const p = parseTagParts(t);
    if (!p || (p.kind !== 'axis-present' && p.kind !== 'axis-value') || (p.axis !== 'hardware' && p.axis !== 'software')) {
      plain.push(t);
      continue;
    }
    const key = p.key!;
    const value = p.value ?? '';
    if (p.axis === 'hardware') {
      if (key === 'cpu_cores') out.cpuCores = parseU32OrZero(value);
      else if (key === 'cpu_threads') out.cpuThreads = parseU32OrZero(value);
      else if (key === 'memory_gb') out.memoryGb = parseU32OrZero(value);
      else if (key === 'storage_gb') out.storageGb = parseU32OrZero(value);
      else if (key === 'network_gbps') out.networkGbps = parseU32OrZero(value);
      else if (key === 'gpu' || key.startsWith('gpu.')) {
        gpu ??= { vendor: 'unknown' };
        const sub = key.slice(4);
        if (sub === 'vendor') gpu.vendor = canonicalVendor(value);
        else if (sub === 'model') gpu.model = value;
        else if (sub === 'vram_gb') gpu.vramGb = parseU32OrZero(value);
        else if (sub === 'compute_units') gpu.computeUnits = parseU32OrZero(value);
        else if (sub === 'tensor_cores') gpu.tensorCores = parseU32OrZero(value);
        else if (sub === 'fp16_tflops_x10') gpu.fp16Tflops = parseU32OrZero(value) / 10;
      } else if (key.startsWith('limits.')) {
        const entry = LIMIT_KEYS.find(([, k]) => `limits.${k}` === key);
        if (entry) limits[entry[0]] = parseU64Number(value);
      }
      continue;
    }
    // software axis
    if (key === 'os') sw.os = value;
    else if (key === 'os_version') sw.osVersion = value;
    else if (key === 'cuda_version') sw.cudaVersion = value;
    else if (/^(runtime|framework|driver)\.[^]+/.test(key)) {
      const dot = key.indexOf('.');
      const field = ({ runtime: 'runtimes', framework: 'frameworks', driver: 'drivers' } as const)[key.slice(0, dot) as 'runtime'];
      (sw[field] ??= {})[key.slice(dot + 1)] = value;
    } else if (key.startsWith('model.') || key.startsWith('tool.')) {
      const parts = key.split('.');
      if (parts.length !== 3 || p.kind !== 'axis-value') continue;
      const [kind, idx, field] = parts as [string, string, string];
      if (kind === 'model') {
        const m = models.get(idx) ?? ({ id: '', modalities: [] } as ModelCapability & Record<string, unknown>);
        models.set(idx, m);
        if (field === 'id') m.id = value;
        else if (field === 'family') m.family = value;
        else if (field === 'parameters_b_x10') m.parametersB = parseU32OrZero(value) / 10;
        else if (field === 'context_length') m.contextLength = parseU32OrZero(value);
        else if (field === 'quantization') m.quantization = value;
        else if (field === 'modalities') m.modalities = value.split(',').filter((x): x is Modality => (MODALITIES as readonly string[]).includes(x));
        else if (field === 'tokens_per_sec') m.tokensPerSec = parseU32OrZero(value);
        else if (field === 'loaded') m.loaded = value === 'true';
      } else {
        const tl = tools.get(idx) ?? ({ id: '', version: '1.0.0', stateless: true } as ToolCapability & Record<string, unknown>);
        tools.set(idx, tl);
        if (field === 'tool_id') tl.id = value;
        else if (field === 'name') tl.name = value;
        else if (field === 'version') tl.version = value || '1.0.0';
        else if (field === 'requires') tl.requires = value.split(',').filter((x) => x.length > 0);
        else if (field === 'estimated_time_ms') tl.estimatedTimeMs = parseU64Number(value);
        else if (field === 'stateless') tl.stateless = value === 'true';
      }
    } else plain.push(t);
  }
  if (plain.length > 0) out.tags = plain;
  if (gpu) out.gpu = gpu;
  if (Object.keys(limits).length > 0) out.limits = limits;
  if (Object.keys(sw).length > 0) out.software = sw;
  const ms = [...models.entries()].sort((a, b) => indexOrder(a[0], b[0])).map(([, m]) => m).filter((m) => m.id !== '');
  if (ms.length > 0) out.models = ms;
  const ts = [...tools.entries()].sort((a, b) => indexOrder(a[0], b[0])).map(([, t]) => t).filter((t) => t.id !== '');
  for (const t of ts) {
    const m = `tool::${t.id}::`;
    if (metadata[`${m}input_schema`] !== undefined) t.inputSchema = metadata[`${m}input_schema`];
    if (metadata[`${m}output_schema`] !== undefined) t.outputSchema = metadata[`${m}output_schema`];
    if (metadata[`${m}description`] !== undefined) t.description = metadata[`${m}description`];
    if (metadata[`${m}streaming`] === '1') t.streaming = true;
    const tt = metadata[`${m}tags`];
    if (tt !== undefined) t.tags = tt.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  }
  if (ts.length > 0) out.tools = ts;
  if (tenants.length > 0) out.tenants = tenants;
  if (Object.keys(metadata).length > 0) out.metadata = sortedMetadata(Object.entries(metadata));
  return out;
}
