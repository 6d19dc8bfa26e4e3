// publish / publish_many (channels.md §8): the self-gate, recipients and their per-recipient
// filters, fan-out with at most `maxInflight` concurrent sends, the three report policies.
//
// Reliability per publish vs one stream record per (peer, stream id): the record's reliability
// is fixed by whoever creates it (streams.md §2) — on this side the first publish to that peer on
// that channel, on the receiving side that publish's first packet. Mixing modes inside one record
// cannot work (a reliable receiver would NACK seqs nobody retransmits; a reliable sender would
// never be acked by an unreliable receiver), so: an unreliable publish on a reliable record goes
// out reliably (more than asked, never less); a reliable publish on an unreliable record fails for
// that recipient with ChannelReliabilityError instead of silently downgrading.
import { ChannelReliabilityError, InvalidArgumentError, NotConnectedError, PublishDeniedError, PublishFailedError } from '../errors.js';
import type { MeshHost } from '../node/host.js';
import type { Stream } from '../streams/stream.js';
import type { StreamConfig } from '../streams/config.js';
import { planPackets } from '../streams/pack.js';
import { TokenChain } from './chain.js';
import { gate, tokenRequired, type ChannelRegistry, type ResolvedChannelConfig } from './config.js';
import type { MembershipServer } from './membership-server.js';
import { channelHash, channelStreamId, requireChannelName } from './name.js';
import { RevocationRegistry } from './revocation.js';
import type { ChannelCounters } from './stats.js';
import type { TokenCache } from './token-cache.js';
import { TokenScope } from './token.js';
import type { NodeCaps } from './caps-match.js';
import { visible } from './visibility.js';

/** How a publish is sent: "unreliable" (default) or "reliable" (full retransmit, channels.md §11). */
export type Reliability = 'reliable' | 'unreliable';
/** When a publish fails: "best-effort" (default), "fail-fast" or "collect" (see `PublishOptions.policy`). */
export type PublishPolicy = 'best-effort' | 'fail-fast' | 'collect';

/** Options of `node.publish` / `node.publishMany` (channels.md §8): reliability, failure policy, concurrency. */
export interface PublishOptions {
  /** Per publish (default "unreliable", as Net v0.27.0's PublishConfig); see the note above. */
  reliability?: Reliability;
  /**
   * best-effort (default): fails (PublishFailedError) only when nothing was delivered and some
   * recipient failed; fail-fast: sequential, stops at the first error; collect: never fails.
   */
  policy?: PublishPolicy;
  /** Concurrent per-recipient sends (default: the node's channels.maxInflight, 32; minimum 1). */
  maxInflight?: number;
}

/** What a publish did (channels.md §8.3): recipients attempted, deliveries, and per-node errors (ids as bigint). */
export interface PublishReport {
  attempted: number;
  delivered: number;
  errors: [bigint, Error][];
}

export interface PublisherDeps {
  host: MeshHost;
  registry(): ChannelRegistry | undefined;
  cache(): TokenCache | undefined;
  server: MembershipServer;
  nowSecs(): bigint;
  ownSubnet(): number;
  peerSubnet(peer: bigint): number;
  selfCaps(): NodeCaps;
  counters: ChannelCounters;
  maxInflight: number;
  /** Stream settings for channel streams this node opens (reliability comes from the publish). */
  streamConfig: Omit<StreamConfig, 'reliability'>;
}

const EMPTY_REVOCATION = new RevocationRegistry();
const POLICIES: readonly PublishPolicy[] = ['best-effort', 'fail-fast', 'collect'];

export function resolvePublishOptions(o: PublishOptions | undefined, dfltInflight: number): { reliable: boolean; policy: PublishPolicy; maxInflight: number } {
  if (o !== undefined && (typeof o !== 'object' || o === null)) throw new InvalidArgumentError('publish options must be an object');
  const rel = o?.reliability ?? 'unreliable';
  if (rel !== 'reliable' && rel !== 'unreliable') throw new InvalidArgumentError(`reliability must be "reliable" or "unreliable", got ${String(rel)}`);
  const policy = o?.policy ?? 'best-effort';
  if (!POLICIES.includes(policy)) throw new InvalidArgumentError(`policy must be one of ${POLICIES.join(', ')}, got ${String(policy)}`);
  const mi = o?.maxInflight ?? dfltInflight;
  if (typeof mi !== 'number' || !Number.isInteger(mi) || mi < 1) throw new InvalidArgumentError(`maxInflight must be a positive integer, got ${String(mi)}`);
  return { reliable: rel === 'reliable', policy, maxInflight: mi };
}

export class ChannelPublisher {
  /** set_publish_chain: keyed by the hash of the name given. */
  readonly #chains = new Map<bigint, TokenChain>();
  /** Chains whose signatures verified once (chains are immutable, so that stays true). */
  readonly #signed = new WeakSet<TokenChain>();
  /** One-link chains around cache tokens, reused so their signature is checked once. */
  readonly #singles = new WeakMap<object, TokenChain>();
  readonly #streams = new Map<string, Stream>();

  constructor(private readonly d: PublisherDeps) {}

  setPublishChain(name: string, chain: TokenChain | null | undefined): void {
    const h = channelHash(name);
    if (chain === null || chain === undefined) this.#chains.delete(h);
    else if (!(chain instanceof TokenChain)) throw new InvalidArgumentError('setPublishChain takes a TokenChain (or null to remove it)');
    else this.#chains.set(h, chain);
  }

  /** §8.1: only when the config has publish caps or requires a token. Throws PublishDeniedError. */
  #selfGate(name: string, cfg: ResolvedChannelConfig): void {
    if (cfg.publishCaps === undefined && !tokenRequired(cfg)) return;
    const d = this.d;
    const cache = d.cache();
    const self = d.host.identity.publicKey;
    let chain = this.#chains.get(cfg.hash);
    if (!chain && cache) {
      const t = cache.getForAction(self, TokenScope.PUBLISH, cfg.hash, d.nowSecs());
      if (t) {
        chain = this.#singles.get(t) ?? TokenChain.single(t);
        this.#singles.set(t, chain);
      }
    }
    const signed = chain !== undefined && this.#signed.has(chain);
    const denied = gate(cfg, 'publish', {
      caps: d.selfCaps(),
      nodeId: d.host.nodeId,
      entity: self,
      chain,
      revocation: cache?.revocation ?? EMPTY_REVOCATION,
      skewSecs: cache?.skewSecs ?? 0,
      nowSecs: d.nowSecs(),
      presigned: signed,
    });
    if (denied !== undefined) {
      d.counters.publish.denied++;
      throw new PublishDeniedError(`publish on ${name} denied: ${denied === 'caps' ? "this node's capabilities do not match the channel's publish filter" : `no valid credential (${denied})`}`);
    }
    if (chain && !signed) this.#signed.add(chain);
  }

  /** §8.2: broadcast subscribers plus one member per queue group, each through the filters. */
  #recipients(name: string, cfg: ResolvedChannelConfig | undefined): bigint[] {
    const d = this.d;
    const srv = d.server;
    const hash = channelHash(name);
    const gated = cfg !== undefined && tokenRequired(cfg);
    const out: bigint[] = [];
    const dropped = d.counters.publish.dropped;
    for (const peer of srv.roster.recipients(name)) {
      if (!visible(d.ownSubnet(), d.peerSubnet(peer), cfg?.visibility ?? 'global')) {
        dropped.visibility++;
        continue;
      }
      if (!srv.guard.check(peer, hash, name)) {
        dropped.guard++;
        continue;
      }
      if (gated && !srv.recipientChainOk(peer, name, cfg)) {
        // Lazy expiry: revoke inline; the sweep removes the roster entry and the chain.
        srv.guard.revoke(peer, hash, name);
        dropped.chain++;
        continue;
      }
      out.push(peer);
    }
    return out;
  }

  /** The channel stream to `peer`, opened (with the channel header) if needed. */
  #stream(peer: bigint, name: string, reliable: boolean): Stream {
    const id = channelStreamId(channelHash(name));
    const key = `${peer}:${id}`;
    let s = this.#streams.get(key);
    if (!s || s.failed) {
      s = this.d.host.openStream(
        peer,
        id,
        { ...this.d.streamConfig, reliability: reliable ? 'reliable' : 'unreliable' },
        { channelHash: Number(channelHash(name) & 0xffffn), originHash: this.d.host.identity.originHash },
      );
      this.#streams.set(key, s);
    }
    if (reliable && s.config.reliability !== 'reliable') {
      throw new ChannelReliabilityError(`channel ${name}: the stream to node ${peer} is unreliable (its first publish was); a reliable publish cannot ride it`);
    }
    return s;
  }

  /**
   * One unicast of `events` on channel `name` to `peer` (no roster, no gate): the fan-out's unit
   * and the door for layers that address a node directly (nRPC requests and responses).
   * Resolves once every event is handed off; reliable sends are then retransmitted until acked.
   */
  async sendTo(peer: bigint, name: string, events: Uint8Array[], reliable: boolean): Promise<void> {
    requireChannelName(name);
    let s = this.#stream(peer, name, reliable);
    try {
      await s.send(events);
    } catch (e) {
      // A record closed under us (give-up, reset, session replaced): reopen once and retry.
      if (!(e instanceof NotConnectedError) || (e.code !== 'STREAM_CLOSED' && e.code !== 'STREAM_EPOCH')) throw e;
      this.#streams.delete(`${peer}:${channelStreamId(channelHash(name))}`);
      s = this.#stream(peer, name, reliable);
      await s.send(events);
    }
    this.d.counters.publish.sends++;
  }

  async publishMany(name: string, events: Uint8Array[], opts?: PublishOptions): Promise<PublishReport> {
    requireChannelName(name);
    if (!Array.isArray(events)) throw new InvalidArgumentError('events must be an array of Uint8Array');
    planPackets(events); // every event bytes and small enough, before anything is sent
    const o = resolvePublishOptions(opts, this.d.maxInflight);
    const d = this.d;
    d.counters.publish.calls++;
    const cfg = d.registry()?.lookup(name);
    if (cfg) this.#selfGate(name, cfg);
    const recipients = this.#recipients(name, cfg);
    const report: PublishReport = { attempted: 0, delivered: 0, errors: [] };
    if (events.length === 0 || recipients.length === 0) return report;
    d.counters.publish.events += events.length;
    const one = async (peer: bigint): Promise<boolean> => {
      report.attempted++;
      try {
        await this.sendTo(peer, name, events, o.reliable);
        report.delivered++;
        return true;
      } catch (e) {
        d.counters.publish.sendErrors++;
        report.errors.push([peer, e instanceof Error ? e : new Error(String(e))]);
        return false;
      }
    };
    if (o.policy === 'fail-fast') {
      for (const peer of recipients) if (!(await one(peer))) break;
      return report;
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < recipients.length) await one(recipients[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(o.maxInflight, recipients.length) }, worker));
    if (o.policy === 'best-effort' && report.delivered === 0 && report.errors.length > 0) {
      throw new PublishFailedError(`publish on ${name} reached none of ${report.attempted} recipients`, report);
    }
    return report;
  }

  /** Forgets the stream handles to a failed peer. */
  dropPeer(peer: bigint): void {
    for (const k of [...this.#streams.keys()]) if (k.startsWith(`${peer}:`)) this.#streams.delete(k);
  }
}
