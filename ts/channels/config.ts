// ChannelConfig and the config registry (channels.md §2): visibility, capability filters, the
// fail-closed token requirement and `can_publish` / `can_subscribe`.
import { InvalidArgumentError, TokenError, type TokenErrorKind } from '../errors.js';
import { requireBytes } from '../identity/bytes.js';
import { capsMatch, checkCapsFilter, type CapsFilter, type NodeCaps } from './caps-match.js';
import type { CapabilityFilter, CapabilityQuery } from '../fold/query.js';
import type { TokenChain } from './chain.js';
import { channelHash, requireChannelName } from './name.js';
import type { RevocationRegistry } from './revocation.js';
import { TokenScope } from './token.js';
import { requireVisibility, type Visibility } from './visibility.js';

/** What `registerChannel` accepts. Defaults: global, no filters, no token, priority 0, unreliable. */
export interface ChannelConfig {
  visibility?: Visibility;
  /** Node filter the publisher itself must match to publish (fold.md §7.2, GB units). */
  publishCaps?: CapabilityQuery | CapabilityFilter;
  /** Node filter a subscriber must match (evaluated on the publisher's fold data for it). */
  subscribeCaps?: CapabilityQuery | CapabilityFilter;
  /** Require a token chain; with no `tokenRoots` this denies everything (fail closed). */
  requireToken?: boolean;
  /** EntityIds (32 bytes each) chains must be rooted at; non-empty roots imply requireToken. */
  tokenRoots?: Uint8Array[];
  /**
   * A prefix config: it covers every channel whose name starts with the registered string (plain
   * byte prefix; the longest registered prefix wins when no exact config exists).
   */
  prefix?: boolean;
  /**
   * The channel id tokens and held chains bind to (its hash). Defaults to the registered name;
   * nRPC's reply prefix `<svc>.replies.` uses the sentinel `<svc>.replies.prefix`.
   */
  channelId?: string;
  /** Stored, never consulted (as in Net v0.27.0): a publish's reliability is its own option. */
  priority?: number;
  reliable?: boolean;
  maxRatePps?: number;
}

export interface ResolvedChannelConfig {
  /** The registered name (or prefix). */
  readonly key: string;
  readonly prefix: boolean;
  /** channel_id: the name whose hash tokens bind to, and that hash. */
  readonly idName: string;
  readonly hash: bigint;
  readonly visibility: Visibility;
  readonly publishCaps: CapsFilter | undefined;
  readonly subscribeCaps: CapsFilter | undefined;
  readonly requireToken: boolean;
  readonly tokenRoots: readonly Uint8Array[];
  readonly priority: number;
  readonly reliable: boolean;
  readonly maxRatePps: number | undefined;
}

const PREFIX_CHARS = /^[a-z0-9\-_./]{1,255}$/;

export function resolveChannelConfig(name: string, c: ChannelConfig = {}): ResolvedChannelConfig {
  if (typeof c !== 'object' || c === null) throw new InvalidArgumentError('config must be an object');
  const prefix = c.prefix === true;
  if (prefix) {
    if (typeof name !== 'string' || !PREFIX_CHARS.test(name)) throw new InvalidArgumentError(`prefix ${JSON.stringify(name)} must be 1–255 characters of a-z 0-9 - _ . /`);
  } else {
    requireChannelName(name);
  }
  const idName = c.channelId !== undefined ? requireChannelName(c.channelId, 'config.channelId') : prefix ? requireChannelName(name, 'prefix (as channelId; pass config.channelId)') : name;
  const roots = c.tokenRoots ?? [];
  if (!Array.isArray(roots)) throw new InvalidArgumentError('config.tokenRoots must be an array of 32-byte EntityIds');
  roots.forEach((r, i) => requireBytes(r, `config.tokenRoots[${i}]`, 32));
  if (c.publishCaps !== undefined) checkCapsFilter(c.publishCaps);
  if (c.subscribeCaps !== undefined) checkCapsFilter(c.subscribeCaps);
  if (c.requireToken !== undefined && typeof c.requireToken !== 'boolean') throw new InvalidArgumentError('config.requireToken must be a boolean');
  const priority = c.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0 || priority > 255) throw new InvalidArgumentError(`config.priority must be a u8, got ${String(priority)}`);
  if (c.maxRatePps !== undefined && (!Number.isInteger(c.maxRatePps) || c.maxRatePps < 0 || c.maxRatePps > 0xffff_ffff)) {
    throw new InvalidArgumentError(`config.maxRatePps must be a u32, got ${String(c.maxRatePps)}`);
  }
  return Object.freeze({
    key: name,
    prefix,
    idName,
    hash: channelHash(idName),
    visibility: c.visibility === undefined ? 'global' : requireVisibility(c.visibility, 'config.visibility'),
    publishCaps: c.publishCaps,
    subscribeCaps: c.subscribeCaps,
    requireToken: c.requireToken ?? roots.length > 0,
    tokenRoots: Object.freeze(roots.map((r) => r.slice())),
    priority,
    reliable: c.reliable === true,
    maxRatePps: c.maxRatePps,
  });
}

/** `require_token OR token_roots non-empty`. */
export function tokenRequired(cfg: ResolvedChannelConfig): boolean {
  return cfg.requireToken || cfg.tokenRoots.length > 0;
}

/** Token required with no roots: denies everything. */
export function failsClosed(cfg: ResolvedChannelConfig): boolean {
  return tokenRequired(cfg) && cfg.tokenRoots.length === 0;
}

/** Why `can_publish` / `can_subscribe` said no (for counters and messages). */
export type DenyCause = 'caps' | 'noRoots' | 'noChain' | TokenErrorKind;

export interface GateInput {
  caps: NodeCaps;
  nodeId?: bigint;
  entity: Uint8Array;
  chain: TokenChain | undefined;
  revocation: RevocationRegistry;
  skewSecs: number;
  nowSecs: bigint;
  /** Skip signature checks (a retained chain already verified unchanged). */
  presigned?: boolean;
}

/** §2 `can_publish` / `can_subscribe`: undefined when allowed, else the cause. */
export function gate(cfg: ResolvedChannelConfig, action: 'publish' | 'subscribe', g: GateInput): DenyCause | undefined {
  const filter = action === 'publish' ? cfg.publishCaps : cfg.subscribeCaps;
  if (filter !== undefined && !capsMatch(filter, g.caps, g.nodeId)) return 'caps';
  if (!tokenRequired(cfg)) return undefined;
  if (cfg.tokenRoots.length === 0) return 'noRoots';
  if (!g.chain) return 'noChain';
  const bit = action === 'publish' ? TokenScope.PUBLISH : TokenScope.SUBSCRIBE;
  try {
    if (g.presigned) g.chain.verifyAuthorizesPresigned(bit, cfg.hash, g.entity, cfg.tokenRoots, g.revocation, g.skewSecs, g.nowSecs);
    else g.chain.verifyAuthorizes(bit, cfg.hash, g.entity, cfg.tokenRoots, g.revocation, g.skewSecs, g.nowSecs);
    return undefined;
  } catch (e) {
    if (e instanceof TokenError) return e.kind;
    throw e;
  }
}

/** Exact names, then the longest registered prefix (plain byte prefix). */
export class ChannelRegistry {
  readonly #exact = new Map<string, ResolvedChannelConfig>();
  readonly #prefixes = new Map<string, ResolvedChannelConfig>();
  /** name → config (or null): lookups repeat for every publish and subscribe. */
  readonly #memo = new Map<string, ResolvedChannelConfig | null>();

  insert(cfg: ResolvedChannelConfig): void {
    (cfg.prefix ? this.#prefixes : this.#exact).set(cfg.key, cfg);
    this.#memo.clear();
  }

  remove(key: string, prefix = false): boolean {
    this.#memo.clear();
    return (prefix ? this.#prefixes : this.#exact).delete(key);
  }

  lookup(name: string): ResolvedChannelConfig | undefined {
    const m = this.#memo.get(name);
    if (m !== undefined) return m ?? undefined;
    let found = this.#exact.get(name);
    if (!found) {
      let best = -1;
      for (const [p, cfg] of this.#prefixes) {
        if (p.length > best && name.startsWith(p)) {
          best = p.length;
          found = cfg;
        }
      }
    }
    if (this.#memo.size >= 4096) this.#memo.clear();
    this.#memo.set(name, found ?? null);
    return found;
  }

  /** The config whose channel_id hash is `hash`; nothing when two configs share it. */
  lookupByHash(hash: bigint): ResolvedChannelConfig | undefined {
    let hit: ResolvedChannelConfig | undefined;
    for (const cfg of [...this.#exact.values(), ...this.#prefixes.values()]) {
      if (cfg.hash !== hash) continue;
      if (hit && hit.idName !== cfg.idName) return undefined;
      hit = cfg;
    }
    return hit;
  }

  /** Lookup by the 16-bit wire hint; nothing when ambiguous. */
  lookupByWireHash(hint: number): ResolvedChannelConfig | undefined {
    let hit: ResolvedChannelConfig | undefined;
    for (const cfg of [...this.#exact.values(), ...this.#prefixes.values()]) {
      if (Number(cfg.hash & 0xffffn) !== hint) continue;
      if (hit && hit.idName !== cfg.idName) return undefined;
      hit = cfg;
    }
    return hit;
  }

  get size(): number {
    return this.#exact.size + this.#prefixes.size;
  }
}
