// Node selection for `callService` and `callTool` without a target (rpc-tools.md §4): candidates
// carry the tag (`nrpc:<service>` / `ai-tool:<id>`) in the fold; drop those the node knows to be
// failed (unknown ones are kept), sort ascending, apply the capability-auth gate `may_execute`
// (fold.md §7.2), then pick by policy. Sticky = xxh3_64(key as u64 LE) mod n.
import { InvalidArgumentError, RpcCapabilityDeniedError, RpcNoRouteError } from '../errors.js';
import { xxh3_64 } from '../core/xxh3.js';
import type { MeshHost } from '../node/host.js';
import type { SelectionPolicy } from './types.js';

const POLICIES: readonly SelectionPolicy[] = ['round-robin', 'random', 'sticky', 'lowest-latency'];

export interface Selection {
  policy?: SelectionPolicy;
  key?: bigint;
}

export function validateSelection(o: Selection): { policy: SelectionPolicy; key: bigint | undefined } {
  const policy = o.policy ?? 'round-robin';
  if (!POLICIES.includes(policy)) throw new InvalidArgumentError(`policy must be one of ${POLICIES.join(', ')}, got ${String(policy)}`);
  if (policy === 'sticky' && (typeof o.key !== 'bigint' || o.key < 0n || o.key >= 1n << 64n)) throw new InvalidArgumentError('the sticky policy needs key: a u64 bigint');
  return { policy, key: o.key };
}

function hexBytes(text: string, len: number): Uint8Array | undefined {
  if (text.length !== len * 2 || !/^[0-9a-f]+$/i.test(text)) return undefined;
  return Uint8Array.from(text.match(/../g)!.map((b) => parseInt(b, 16)));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * `may_execute(target, tag, caller)`: the target must carry `tag`; empty allow-lists admit
 * anyone, else the caller must be listed by node id, or by a subnet / group from its own
 * `subnet:<32 hex>` / `group:<64 hex>` tags.
 */
export function mayExecute(host: MeshHost, target: bigint, tag: string): boolean {
  const fold = host.fold;
  const tags = fold.tagsOf(target);
  if (!tags || !tags.includes(tag)) return false;
  const ann = fold.announcementOf(target);
  if (!ann) return true;
  const { allowedNodes, allowedSubnets, allowedGroups } = ann;
  if (allowedNodes.length === 0 && allowedSubnets.length === 0 && allowedGroups.length === 0) return true;
  const self = host.nodeId;
  if (allowedNodes.includes(self)) return true;
  const own = fold.tagsOf(self) ?? [];
  for (const t of own) {
    if (t.startsWith('subnet:')) {
      const b = hexBytes(t.slice(7), 16);
      if (b && allowedSubnets.some((s) => sameBytes(s, b))) return true;
    } else if (t.startsWith('group:')) {
      const b = hexBytes(t.slice(6), 32);
      if (b && allowedGroups.some((g) => sameBytes(g, b))) return true;
    }
  }
  return false;
}

export class NodeSelector {
  readonly #cursors = new Map<string, number>();

  constructor(private readonly host: MeshHost) {}

  /** Picks a node carrying `tag`; RpcNoRouteError when none does, RpcCapabilityDeniedError when none admits this node. */
  pick(tag: string, sel: Selection): bigint {
    const { policy, key } = validateSelection(sel);
    const host = this.host;
    const health = new Map(host.peers().map((p) => [p.nodeId, p]));
    const found = host.fold.query({ tags: [tag] });
    const available = found.filter((n) => health.get(n)?.health !== 'failed').sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (available.length === 0) throw new RpcNoRouteError(undefined, `no reachable node announces ${tag}`);
    const allowed = available.filter((n) => mayExecute(host, n, tag));
    if (allowed.length === 0) throw new RpcCapabilityDeniedError(undefined, tag);
    const n = allowed.length;
    switch (policy) {
      case 'random': {
        const r = new Uint32Array(1);
        globalThis.crypto.getRandomValues(r);
        return allowed[r[0]! % n]!;
      }
      case 'sticky': {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, key!, true);
        return allowed[Number(xxh3_64(b) % BigInt(n))]!;
      }
      case 'lowest-latency': {
        let best = allowed[0]!;
        let bestRtt = Number.POSITIVE_INFINITY;
        for (const node of allowed) {
          const rtt = node === host.nodeId ? 0 : (health.get(node)?.rttMs ?? Number.POSITIVE_INFINITY);
          if (rtt < bestRtt) {
            best = node;
            bestRtt = rtt;
          }
        }
        return best;
      }
      default: {
        const i = this.#cursors.get(tag) ?? 0;
        this.#cursors.set(tag, (i + 1) % 0x7fff_ffff);
        return allowed[i % n]!;
      }
    }
  }
}
