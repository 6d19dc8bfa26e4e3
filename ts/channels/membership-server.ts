// The publisher side of membership (channels.md §7, §8.2, §8.4): authorize_subscribe in the
// specified order, the roster, retained chains, the auth guard, failure throttling, the periodic
// sweep and peer-failure cleanup. Time and the node's data come in through ServerDeps.
import { TokenChain } from './chain.js';
import { ChannelRegistry, gate, tokenRequired, type ResolvedChannelConfig } from './config.js';
import { AuthGuard } from './guard.js';
import { AckReason, encodeAck } from './membership-wire.js';
import { channelHash } from './name.js';
import { Roster } from './roster.js';
import { RevocationRegistry } from './revocation.js';
import { denialOf, type ChannelCounters, type DenialCause } from './stats.js';
import { SubscribeThrottle, type ThrottleOptions } from './throttle.js';
import type { NodeCaps } from './caps-match.js';
import type { TokenCache } from './token-cache.js';
import { TokenScope } from './token.js';
import { visible } from './visibility.js';

export interface ServerDeps {
  /** Monotonic ms (throttle windows). */
  now(): number;
  /** Unix seconds (token validity). */
  nowSecs(): bigint;
  registry(): ChannelRegistry | undefined;
  cache(): TokenCache | undefined;
  ownSubnet(): number;
  peerSubnet(peer: bigint): number;
  peerCaps(peer: bigint): NodeCaps;
  /** Pinned only by a signed direct announcement (fold.md §4.2). */
  peerEntity(peer: bigint): Uint8Array | undefined;
  sendAck(peer: bigint, frame: Uint8Array): void;
  counters: ChannelCounters;
}

export interface ServerOptions extends ThrottleOptions {
  maxChannelsPerPeer: number;
}

interface Retained {
  chain: TokenChain;
  signaturesVerified: boolean;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const ZERO_ENTITY = new Uint8Array(32);
const EMPTY_REVOCATION = new RevocationRegistry();
/** Rejected nonces remembered per peer, so a re-sent request gets the same answer at no cost. */
const REMEMBERED_REJECTIONS = 8;

export type Verdict = { reason: number; cause?: DenialCause };

export class MembershipServer {
  readonly roster = new Roster();
  readonly guard = new AuthGuard();
  readonly #chains = new Map<string, Retained>();
  readonly #throttle: SubscribeThrottle;
  readonly #rejected = new Map<bigint, Map<bigint, number>>();

  constructor(
    private readonly deps: ServerDeps,
    private readonly o: ServerOptions,
  ) {
    this.#throttle = new SubscribeThrottle(o);
  }

  static #chainKey(peer: bigint, hash: bigint): string {
    return `${peer}:${hash}`;
  }

  /** The retained chain of (peer, hash of the subscribed name). */
  retained(peer: bigint, hash: bigint): Retained | undefined {
    return this.#chains.get(MembershipServer.#chainKey(peer, hash));
  }

  get retainedChains(): number {
    return this.#chains.size;
  }

  throttledPeers(): number {
    return this.#throttle.throttledCount(this.deps.now());
  }

  /** A Subscribe from `from`: decides, updates state, sends the Ack. */
  onSubscribe(from: bigint, m: { nonce: bigint; channel: string; token: Uint8Array | undefined; queueGroup: string | undefined }): Verdict {
    const remembered = this.#rejected.get(from)?.get(m.nonce);
    let v: Verdict;
    if (remembered !== undefined) v = { reason: remembered };
    else {
      v = this.#decide(from, m.channel, m.token, m.queueGroup);
      this.#account(from, m.nonce, v);
    }
    this.deps.sendAck(from, encodeAck({ nonce: m.nonce, accepted: v.reason === AckReason.OK, reason: v.reason }));
    return v;
  }

  onUnsubscribe(from: bigint, m: { nonce: bigint; channel: string }): void {
    this.drop(from, m.channel);
    this.deps.counters.subscribe.unsubscribes++;
    this.deps.sendAck(from, encodeAck({ nonce: m.nonce, accepted: true, reason: AckReason.OK }));
  }

  #account(from: bigint, nonce: bigint, v: Verdict): void {
    const c = this.deps.counters.subscribe;
    if (v.reason === AckReason.OK) return;
    if (v.reason === AckReason.RateLimited) c.rejected.rateLimited++;
    else if (v.reason === AckReason.TooManyChannels) c.rejected.tooManyChannels++;
    else {
      if (v.reason === AckReason.UnknownChannel) c.rejected.unknownChannel++;
      else c.rejected.unauthorized++;
      if (v.cause) c.denials[v.cause]++;
      this.#throttle.recordFailure(from, this.deps.now());
      c.failuresRecorded++;
    }
    let mem = this.#rejected.get(from);
    if (!mem) this.#rejected.set(from, (mem = new Map()));
    mem.set(nonce, v.reason);
    if (mem.size > REMEMBERED_REJECTIONS) mem.delete(mem.keys().next().value!);
  }

  /** Subscribed and not revoked by a publish-time re-check. */
  #active(peer: bigint, name: string): boolean {
    return this.roster.has(peer, name) && this.guard.check(peer, channelHash(name), name);
  }

  /** authorize_subscribe (§7), then the accept bookkeeping. */
  #decide(from: bigint, name: string, tokenBytes: Uint8Array | undefined, group: string | undefined): Verdict {
    const d = this.deps;
    const now = d.now();
    // 1. throttled
    if (this.#throttle.throttled(from, now)) return { reason: AckReason.RateLimited };
    const subscribed = this.roster.has(from, name);
    // 2. channel cap
    if (!subscribed && this.roster.countOf(from) >= this.o.maxChannelsPerPeer) return { reason: AckReason.TooManyChannels };
    // A repeat of an accepted subscription is acked again; a new chain in it renews the retained one.
    if (subscribed && this.#active(from, name)) {
      d.counters.subscribe.repeats++;
      this.roster.add(from, name, group);
      const held = this.retained(from, channelHash(name));
      if (tokenBytes && !(held && sameBytes(held.chain.toBytes(), tokenBytes))) {
        const renewal = this.#authorize(from, name, tokenBytes);
        if (renewal.reason === AckReason.OK) this.#retain(from, name, renewal.chain);
      }
      return { reason: AckReason.OK };
    }
    const a = this.#authorize(from, name, tokenBytes);
    if (a.reason !== AckReason.OK) {
      // A subscription a publish-time re-check revoked, refused again: nothing of it stays.
      if (subscribed) this.drop(from, name);
      return a;
    }
    this.#retain(from, name, a.chain);
    this.guard.allow(from, channelHash(name), name);
    this.roster.add(from, name, group);
    this.#throttle.clear(from);
    d.counters.subscribe.accepted++;
    return { reason: AckReason.OK };
  }

  /** Steps 3–11 of §7. */
  #authorize(from: bigint, name: string, tokenBytes: Uint8Array | undefined): Verdict & { chain?: TokenChain } {
    const d = this.deps;
    // 3. no registry → accept
    const registry = d.registry();
    if (!registry) return { reason: AckReason.OK };
    // 4. config lookup
    const cfg = registry.lookup(name);
    if (!cfg) return { reason: AckReason.UnknownChannel, cause: 'unknownChannel' };
    // 5. visibility with the peer's recorded subnet
    if (!visible(d.ownSubnet(), d.peerSubnet(from), cfg.visibility)) return { reason: AckReason.Unauthorized, cause: 'visibility' };
    // 6. a malformed chain counts as no chain
    let chain: TokenChain | undefined;
    let malformed = false;
    if (tokenBytes) {
      try {
        chain = TokenChain.fromBytes(tokenBytes);
      } catch {
        malformed = true;
      }
    }
    // 7. nothing to check
    if (cfg.publishCaps === undefined && cfg.subscribeCaps === undefined && !tokenRequired(cfg)) return { reason: AckReason.OK };
    // 8. the peer's capabilities from the fold
    const caps = d.peerCaps(from);
    // 9. revocation and skew from the token cache
    const cache = d.cache();
    // 10. the pinned entity
    let entity = d.peerEntity(from);
    if (!entity) {
      if (tokenRequired(cfg)) return { reason: AckReason.Unauthorized, cause: 'unknownEntity' };
      entity = ZERO_ENTITY;
    }
    // 11. can_subscribe
    const denied = gate(cfg, 'subscribe', {
      caps,
      nodeId: from,
      entity,
      chain,
      revocation: cache?.revocation ?? EMPTY_REVOCATION,
      skewSecs: cache?.skewSecs ?? 0,
      nowSecs: d.nowSecs(),
    });
    if (denied !== undefined) return { reason: AckReason.Unauthorized, cause: denied === 'noChain' && malformed ? 'malformedChain' : denialOf(denied) };
    return { reason: AckReason.OK, chain };
  }

  /** 12. chains[(from, hash(subscribed name))], signatures not yet verified. */
  #retain(from: bigint, name: string, chain: TokenChain | undefined): void {
    if (!chain) return;
    this.#chains.set(MembershipServer.#chainKey(from, channelHash(name)), { chain, signaturesVerified: false });
  }

  /** Unsubscribe or sweep: guard entry, retained chain and roster entry go. */
  drop(peer: bigint, name: string): void {
    const h = channelHash(name);
    this.guard.revoke(peer, h, name);
    this.#chains.delete(MembershipServer.#chainKey(peer, h));
    this.roster.remove(peer, name);
  }

  /** Peer failure (§8.4): every roster entry, chain and guard entry of the peer, and its throttle state. */
  dropPeer(peer: bigint): void {
    for (const name of this.roster.removePeer(peer)) {
      const h = channelHash(name);
      this.guard.revoke(peer, h, name);
      this.#chains.delete(MembershipServer.#chainKey(peer, h));
    }
    for (const k of [...this.#chains.keys()]) if (k.startsWith(`${peer}:`)) this.#chains.delete(k);
    this.#rejected.delete(peer);
  }

  /**
   * §8.2 per-recipient filter for token-gated channels: the retained chain of (recipient, hash of
   * the published name), full check the first time, presigned afterwards. False → the caller
   * revokes and drops.
   */
  recipientChainOk(peer: bigint, name: string, cfg: ResolvedChannelConfig): boolean {
    const d = this.deps;
    const entity = d.peerEntity(peer);
    const cache = d.cache();
    const held = this.retained(peer, channelHash(name));
    if (!entity || !cache || !held) return false;
    try {
      const args = [TokenScope.SUBSCRIBE, cfg.hash, entity, cfg.tokenRoots, cache.revocation, cache.skewSecs, d.nowSecs()] as const;
      if (held.signaturesVerified) held.chain.verifyAuthorizesPresigned(...args);
      else {
        held.chain.verifyAuthorizes(...args);
        held.signaturesVerified = true;
      }
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The periodic sweep (§8.4): with a cache and a registry, fully re-verify the retained chain of
   * every roster entry whose peer has a pinned entity and whose channel is token-gated; drop the
   * failures. Returns how many subscriptions were dropped.
   */
  sweep(): number {
    const d = this.deps;
    const cache = d.cache();
    const registry = d.registry();
    if (!cache || !registry) return 0;
    d.counters.sweep.runs++;
    let dropped = 0;
    for (const [peer, name] of [...this.roster.entries()]) {
      const entity = d.peerEntity(peer);
      if (!entity) continue;
      const cfg = registry.lookup(name);
      if (!cfg || !tokenRequired(cfg)) continue;
      const held = this.retained(peer, channelHash(name));
      let ok = false;
      if (held) {
        try {
          held.chain.verifyAuthorizes(TokenScope.SUBSCRIBE, cfg.hash, entity, cfg.tokenRoots, cache.revocation, cache.skewSecs, d.nowSecs());
          held.signaturesVerified = true;
          ok = true;
        } catch {
          ok = false;
        }
      }
      if (!ok) {
        this.drop(peer, name);
        dropped++;
      }
    }
    d.counters.sweep.dropped += dropped;
    return dropped;
  }
}
