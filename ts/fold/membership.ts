// The fold payload's projection of a tag set (fold.md §5.3) and the per-node matcher
// (`target_matches`, §7.2). This is the plain-JS statement of what the WASM index computes; the
// tests compare the two on random data and the bench uses it as the full-scan baseline.
import { compareUtf8 } from './byte-order.js';
import { parseU32OrZero, GPU_VENDORS, type GpuVendor } from './capabilities.js';
import type { NormalizedQuery } from './query.js';
import { parseTagParts } from './tag.js';

export interface Membership {
  /** Rendered tags. */
  readonly tags: ReadonlySet<string>;
  /** Present iff a primary GPU exists or memory > 0. */
  readonly hardware?: {
    readonly gpuVendor?: GpuVendor;
    readonly gpuCount: number;
    readonly memoryGb?: number;
    readonly vramGb?: number;
  };
  readonly region?: string;
  /** `model:<id>`, `tool:<id>`, `gpu:present`, `gpu:vendor:<v>` (index-only keys). */
  readonly synthetic: ReadonlySet<string>;
}

/** Derives the membership projection from a node's tags (read in byte order; later wins). */
export function membershipOf(tags: Iterable<string>): Membership {
  const sorted = [...new Set(tags)].sort(compareUtf8);
  let region: string | undefined;
  let gpu = false;
  let vendor: GpuVendor | undefined;
  let vram = 0;
  let memory = 0;
  const synthetic = new Set<string>();
  for (const t of sorted) {
    if (region === undefined && t.startsWith('scope:region:')) region = t.slice(13);
    const p = parseTagParts(t);
    if (!p) continue;
    if (p.kind === 'axis-value' && p.axis === 'software') {
      const key = p.key!;
      if (key.startsWith('model.')) {
        const rest = key.slice(6);
        const dot = rest.indexOf('.');
        if (dot >= 0 && rest.slice(dot + 1) === 'id') synthetic.add(`model:${p.value}`);
      } else if (key.startsWith('tool.')) {
        const rest = key.slice(5);
        const dot = rest.indexOf('.');
        if (dot >= 0 && rest.slice(dot + 1) === 'tool_id') synthetic.add(`tool:${p.value}`);
      }
      continue;
    }
    if ((p.kind !== 'axis-present' && p.kind !== 'axis-value') || p.axis !== 'hardware') continue;
    const key = p.key!;
    const value = p.value ?? '';
    if (key === 'memory_gb') memory = parseU32OrZero(value);
    else if (key === 'gpu') gpu = true;
    else if (key.startsWith('gpu.')) {
      gpu = true;
      if (key === 'gpu.vendor') vendor = (GPU_VENDORS as readonly string[]).includes(value) ? (value as GpuVendor) : 'unknown';
      else if (key === 'gpu.vram_gb') vram = parseU32OrZero(value);
    }
  }
  let hardware: Membership['hardware'];
  if (gpu || memory > 0) {
    hardware = {
      ...(gpu ? { gpuVendor: vendor ?? 'unknown', vramGb: vram } : {}),
      gpuCount: gpu ? 1 : 0,
      ...(memory > 0 ? { memoryGb: memory } : {}),
    };
  }
  if (hardware && (hardware.gpuCount > 0 || hardware.gpuVendor !== undefined)) synthetic.add('gpu:present');
  if (hardware?.gpuVendor !== undefined) synthetic.add(`gpu:vendor:${hardware.gpuVendor}`);
  return { tags: new Set(sorted), ...(hardware ? { hardware } : {}), ...(region !== undefined ? { region } : {}), synthetic };
}

/**
 * `target_matches(node, filter)` for one membership: exact tags, the synthetic groups, tags-any,
 * region, and the range checks (missing memory/VRAM count as 0). Agrees with the index by
 * construction of the same projection.
 */
export function membershipMatches(m: Membership, q: NormalizedQuery): boolean {
  for (const t of q.tagsAll) if (!m.tags.has(t)) return false;
  for (const g of q.groups) {
    if (g.length > 0 && !g.some((k) => m.synthetic.has(k))) return false;
  }
  if (q.tagsAny.length > 0 && !q.tagsAny.some((t) => m.tags.has(t))) return false;
  if (q.tagPrefix !== undefined) {
    let any = false;
    for (const t of m.tags) if (t.startsWith(q.tagPrefix)) any = true;
    if (!any) return false;
  }
  if (q.region !== undefined && m.region !== q.region) return false;
  if (q.minMemoryGb !== undefined && (m.hardware?.memoryGb ?? 0) < q.minMemoryGb) return false;
  if (q.minVramGb !== undefined && (m.hardware?.vramGb ?? 0) < q.minVramGb) return false;
  return true;
}
