// Channel visibility (channels.md §2): whether a peer in subnet `dest` may subscribe to (or
// receive publishes of) a channel published from subnet `source`.
//
// A subnet id is a u32 of up to four 8-bit levels, most significant byte first; 0 is GLOBAL, the
// root. Levels after the first zero byte are ignored. `a` is an ancestor-or-self of `b` when a's
// levels are a prefix of b's. This build has no subnet policy (fold.md §4.2 step 9), so every
// peer's recorded subnet is GLOBAL unless the layer is told otherwise.
import { InvalidArgumentError } from '../errors.js';

/** Who may subscribe to a channel and receive its publishes, by subnet (channels.md §2); "global" by default. */
export type Visibility = 'subnet-local' | 'parent-visible' | 'exported' | 'global';
export const VISIBILITIES: readonly Visibility[] = ['subnet-local', 'parent-visible', 'exported', 'global'];
export const GLOBAL_SUBNET = 0;

export function requireVisibility(v: unknown, field = 'visibility'): Visibility {
  if (typeof v !== 'string' || !(VISIBILITIES as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(`${field} must be one of ${VISIBILITIES.join(', ')}, got ${String(v)}`);
  }
  return v as Visibility;
}

export function requireSubnet(v: unknown, field = 'subnet'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new InvalidArgumentError(`${field} must be a u32 subnet id, got ${String(v)}`);
  return v;
}

/** Number of levels before the first zero byte (0 for GLOBAL). */
export function subnetDepth(id: number): number {
  let d = 0;
  while (d < 4 && ((id >>> (24 - 8 * d)) & 0xff) !== 0) d++;
  return d;
}

/** The id truncated to its first `depth` levels. */
function truncate(id: number, depth: number): number {
  return depth === 0 ? 0 : (id & (0xffff_ffff << (32 - 8 * depth))) >>> 0;
}

/** `a` is `b` or one of its ancestors (GLOBAL is everyone's ancestor). */
export function isAncestorOrSelf(a: number, b: number): boolean {
  const da = subnetDepth(a);
  return da <= subnetDepth(b) && truncate(a, da) === truncate(b, da);
}

/** `visible(source, dest, v)` of §2. */
export function visible(source: number, dest: number, v: Visibility): boolean {
  switch (v) {
    case 'global':
      return true;
    case 'subnet-local':
      return truncate(source, subnetDepth(source)) === truncate(dest, subnetDepth(dest));
    case 'parent-visible':
      return isAncestorOrSelf(dest, source);
    case 'exported':
      return false;
  }
}
