// The channel layer of a node: config registry, membership client and server, publisher,
// receiver, the token sweep and peer-failure cleanup, built on MeshHost only.
import { ClosedError, InvalidArgumentError, NotConnectedError } from '../errors.js';
import type { MeshHost } from '../node/host.js';
import { resolveStreamConfig, type StreamConfig } from '../streams/config.js';
import { warn } from '../util/diagnostics.js';
import { NO_CAPS, type NodeCaps } from './caps-match.js';
import { TokenChain } from './chain.js';
import { ChannelRegistry, failsClosed, resolveChannelConfig, type ChannelConfig } from './config.js';
import { MembershipClient } from './membership-client.js';
import { MembershipServer } from './membership-server.js';
import { MEMBERSHIP_SUBPROTOCOL, decodeMembership, encodeSubscribe, encodeUnsubscribe } from './membership-wire.js';
import { requireChannelName } from './name.js';
import { ChannelPublisher, type PublishOptions, type PublishReport, type Reliability } from './publisher.js';
import { ChannelReceiver, type ChannelEvent, type ChannelHandler } from './receiver.js';
import { newCounters, snapshotCounters, type ChannelStats } from './stats.js';
import { DISABLED_LIMIT } from './throttle.js';
import { TokenCache } from './token-cache.js';
import { PermissionToken } from './token.js';
import { GLOBAL_SUBNET, requireSubnet } from './visibility.js';

/** Node options of the channel layer (`MeshNodeOptions.channels`). Times in milliseconds. */
export interface ChannelOptions {
  /** How long a subscribe / unsubscribe waits for its Ack, re-sends included (5000). */
  membershipAckTimeoutMs?: number;
  /** Floor of the re-send interval max(floor, 2 × RTT) (200). */
  membershipResendMs?: number;
  /** Channels one peer may hold on this node (1024). */
  maxChannelsPerPeer?: number;
  /** Failed subscribes per window before a peer is throttled (16; 65535 disables throttling). */
  subscribeFailureLimit?: number;
  /** The failure window (60,000). */
  subscribeFailureWindowMs?: number;
  /** How long a throttled peer is answered RateLimited (30,000). */
  subscribeThrottleMs?: number;
  /** Retained-chain sweep period (30,000; the first sweep one period after start). 0 = never. */
  tokenSweepIntervalMs?: number;
  /** Concurrent per-recipient sends of one publish (32, minimum 1). */
  maxInflight?: number;
  /** The node's token cache (own publish tokens, revocation registry, skew); null = none. A fresh one by default. */
  tokenCache?: TokenCache | null;
  /** Clock skew of the default token cache, 0..300 s (0). */
  tokenSkewSecs?: number;
  /** Unix-time clock in ms for token validity (Date.now); tests inject their own. */
  clock?: () => number;
  /** This node's subnet id for channel visibility (0 = GLOBAL). */
  subnet?: number;
  /** Stream settings for the channel streams this node opens (reliability is per publish). */
  streamConfig?: Omit<StreamConfig, 'reliability'>;
  /** Received events held for a later channelEvents() iterator (65,536); beyond that they are dropped and counted. */
  maxBufferedEvents?: number;
}

/** Options of subscribeChannel. */
export interface SubscribeOptions {
  /** One token, sent as a one-link chain. */
  token?: PermissionToken;
  chain?: TokenChain;
  /** Join this queue group: each publish goes to one member of the group in turn. */
  queueGroup?: string;
}

function positive(name: string, v: unknown, dflt: number, allowZero = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new InvalidArgumentError(`channels.${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(v)}`);
  return v;
}

function int(name: string, v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new InvalidArgumentError(`channels.${name} must be an integer in ${min}..${max}, got ${String(v)}`);
  return v;
}

interface Resolved {
  ackTimeoutMs: number;
  resendMs: number;
  maxChannelsPerPeer: number;
  failureLimit: number;
  failureWindowMs: number;
  throttleMs: number;
  sweepMs: number;
  maxInflight: number;
  cache: TokenCache | undefined;
  clock: () => number;
  subnet: number;
  streamConfig: Omit<StreamConfig, 'reliability'>;
  maxBuffered: number;
}

/** Validates `MeshNodeOptions.channels` (InvalidArgumentError naming the field). */
export function resolveChannelOptions(o: ChannelOptions | undefined): Resolved {
  if (o !== undefined && (typeof o !== 'object' || o === null)) throw new InvalidArgumentError('channels must be an options object');
  const c = o ?? {};
  if (c.tokenCache !== undefined && c.tokenCache !== null && !(c.tokenCache instanceof TokenCache)) throw new InvalidArgumentError('channels.tokenCache must be a TokenCache or null');
  if (c.clock !== undefined && typeof c.clock !== 'function') throw new InvalidArgumentError('channels.clock must be a function returning Unix milliseconds');
  const sc = c.streamConfig ?? {};
  if ('reliability' in sc) throw new InvalidArgumentError('channels.streamConfig cannot set reliability: it is a per-publish option');
  resolveStreamConfig(sc);
  const skew = int('tokenSkewSecs', c.tokenSkewSecs, 0, 0, 300);
  return {
    ackTimeoutMs: positive('membershipAckTimeoutMs', c.membershipAckTimeoutMs, 5000),
    resendMs: positive('membershipResendMs', c.membershipResendMs, 200),
    maxChannelsPerPeer: int('maxChannelsPerPeer', c.maxChannelsPerPeer, 1024, 0, 2 ** 31),
    failureLimit: int('subscribeFailureLimit', c.subscribeFailureLimit, 16, 1, DISABLED_LIMIT),
    failureWindowMs: positive('subscribeFailureWindowMs', c.subscribeFailureWindowMs, 60_000),
    throttleMs: positive('subscribeThrottleMs', c.subscribeThrottleMs, 30_000, true),
    sweepMs: positive('tokenSweepIntervalMs', c.tokenSweepIntervalMs, 30_000, true),
    maxInflight: int('maxInflight', c.maxInflight, 32, 1, 65_536),
    cache: c.tokenCache === null ? undefined : (c.tokenCache ?? new TokenCache({ skewSecs: skew })),
    clock: c.clock ?? Date.now,
    subnet: c.subnet === undefined ? GLOBAL_SUBNET : requireSubnet(c.subnet, 'channels.subnet'),
    streamConfig: sc,
    maxBuffered: int('maxBufferedEvents', c.maxBufferedEvents, 65_536, 0, 2 ** 31),
  };
}

export class ChannelLayer {
  readonly #host: MeshHost;
  readonly #o: Resolved;
  readonly #counters = newCounters();
  #registry: ChannelRegistry | undefined;
  readonly #client: MembershipClient;
  readonly #server: MembershipServer;
  readonly #publisher: ChannelPublisher;
  readonly #receiver: ChannelReceiver;
  readonly #peerSubnets = new Map<bigint, number>();
  /** Accepted subscriptions of this node: `${publisher}:${name}`. */
  readonly #subscriptions = new Set<string>();
  readonly #sweepTimer: ReturnType<typeof setInterval> | undefined;
  readonly #unhook: (() => void)[] = [];
  readonly #onInstalled: (() => void)[] = [];

  constructor(host: MeshHost, options: ChannelOptions | undefined) {
    this.#host = host;
    const o = (this.#o = resolveChannelOptions(options));
    const nowSecs = (): bigint => BigInt(Math.floor(o.clock() / 1000));
    const peerSubnet = (p: bigint): number => this.#peerSubnets.get(p) ?? GLOBAL_SUBNET;
    const counters = this.#counters;
    this.#server = new MembershipServer(
      {
        now: () => host.now(),
        nowSecs,
        registry: () => this.#registry,
        cache: () => o.cache,
        ownSubnet: () => o.subnet,
        peerSubnet,
        peerCaps: (p) => this.#capsOf(p),
        peerEntity: (p) => host.peerEntity(p),
        sendAck: (p, f) => this.#send(p, f),
        counters,
      },
      { maxChannelsPerPeer: o.maxChannelsPerPeer, limit: o.failureLimit, windowMs: o.failureWindowMs, throttleMs: o.throttleMs },
    );
    this.#client = new MembershipClient(
      { send: (p, f) => host.sendSubprotocol(p, MEMBERSHIP_SUBPROTOCOL, f), rttMs: (p) => host.peers().find((x) => x.nodeId === p)?.rttMs, counters },
      { ackTimeoutMs: o.ackTimeoutMs, minResendMs: o.resendMs },
    );
    this.#publisher = new ChannelPublisher({
      host,
      registry: () => this.#registry,
      cache: () => o.cache,
      server: this.#server,
      nowSecs,
      ownSubnet: () => o.subnet,
      peerSubnet,
      selfCaps: () => this.#capsOf(host.nodeId),
      counters,
      maxInflight: o.maxInflight,
      streamConfig: o.streamConfig,
    });
    this.#receiver = new ChannelReceiver(host, counters, o.maxBuffered);
    this.#unhook.push(host.onSubprotocol(MEMBERSHIP_SUBPROTOCOL, (from, frames) => this.#onMembership(from, frames)));
    this.#unhook.push(
      host.onPeerEvent((e) => {
        if (e.kind !== 'failed') return;
        this.#server.dropPeer(e.nodeId);
        this.#publisher.dropPeer(e.nodeId);
        this.#peerSubnets.delete(e.nodeId);
      }),
    );
    this.#unhook.push(host.onClose(() => this.#close()));
    if (o.sweepMs > 0 && Number.isFinite(o.sweepMs)) {
      this.#sweepTimer = setInterval(() => this.sweep(), o.sweepMs);
      (this.#sweepTimer as { unref?: () => void }).unref?.();
    }
  }

  #capsOf(node: bigint): NodeCaps {
    const fold = this.#host.fold;
    const tags = fold.tagsOf(node);
    return tags === undefined ? NO_CAPS : { tags, metadata: fold.metadataOf(node) ?? {} };
  }

  #send(peer: bigint, frame: Uint8Array): void {
    try {
      this.#host.sendSubprotocol(peer, MEMBERSHIP_SUBPROTOCOL, frame);
    } catch (e) {
      if (!(e instanceof NotConnectedError) && !(e instanceof ClosedError)) throw e;
    }
  }

  #assertOpen(): void {
    if (this.#host.closed) throw new ClosedError('MeshNode');
  }

  #onMembership(from: bigint, frames: Uint8Array[]): void {
    for (const f of frames) {
      let m;
      try {
        m = decodeMembership(f);
      } catch {
        this.#counters.membership.malformed++;
        continue;
      }
      if (m.kind === 'subscribe') this.#server.onSubscribe(from, m);
      else if (m.kind === 'unsubscribe') this.#server.onUnsubscribe(from, m);
      else this.#client.onAck(from, m);
    }
  }

  // ---- configs ----------------------------------------------------------------------------------

  /** Registers (or replaces) a channel config; installs the registry on first use (§2). */
  registerChannel(nameOrConfig: string | (ChannelConfig & { name: string }), config?: ChannelConfig): void {
    this.#assertOpen();
    const [name, c] = typeof nameOrConfig === 'string' ? [nameOrConfig, config] : [nameOrConfig?.name, nameOrConfig];
    const cfg = resolveChannelConfig(name as string, c ?? {});
    if (failsClosed(cfg)) warn(this.#host.warnings, 'CHANNEL_FAILS_CLOSED', `channel ${cfg.key} requires a token but has no tokenRoots: every subscribe and publish is denied`);
    const installing = this.#registry === undefined;
    (this.#registry ??= new ChannelRegistry()).insert(cfg);
    if (installing) for (const cb of this.#onInstalled.splice(0)) cb();
  }

  /** True once a config registry exists (the first registerChannel installs it; unregistered channels are then UnknownChannel). */
  get hasRegistry(): boolean {
    return this.#registry !== undefined;
  }

  /**
   * Calls `cb` once, right after the first config installs the registry (at once if it exists):
   * nRPC's built-in services register their channel configs then, without installing a registry
   * on nodes that have none.
   */
  onRegistryInstalled(cb: () => void): void {
    if (this.#registry) cb();
    else this.#onInstalled.push(cb);
  }

  /** The token cache (own publish tokens, revocation registry, skew), if installed. */
  get tokenCache(): TokenCache | undefined {
    return this.#o.cache;
  }

  /** Records a peer's subnet for visibility (no subnet policy exists in this build; GLOBAL otherwise). */
  setPeerSubnet(peer: bigint, subnet: number): void {
    this.#peerSubnets.set(peer, requireSubnet(subnet));
  }

  // ---- subscribing ------------------------------------------------------------------------------

  async subscribe(publisher: bigint, name: string, opts: SubscribeOptions = {}): Promise<void> {
    this.#assertOpen();
    if (typeof publisher !== 'bigint') throw new InvalidArgumentError('publisher must be a bigint node id');
    requireChannelName(name);
    if (typeof opts !== 'object' || opts === null) throw new InvalidArgumentError('subscribe options must be an object');
    if (opts.token !== undefined && opts.chain !== undefined) throw new InvalidArgumentError('pass either token or chain, not both');
    if (opts.token !== undefined && !(opts.token instanceof PermissionToken)) throw new InvalidArgumentError('token must be a PermissionToken');
    if (opts.chain !== undefined && !(opts.chain instanceof TokenChain)) throw new InvalidArgumentError('chain must be a TokenChain');
    if (opts.queueGroup !== undefined && typeof opts.queueGroup !== 'string') throw new InvalidArgumentError('queueGroup must be a string');
    const chain = opts.chain ?? (opts.token ? TokenChain.single(opts.token) : undefined);
    const nonce = this.#client.nonce();
    const frame = encodeSubscribe({ nonce, channel: name, token: chain?.toBytes(), queueGroup: opts.queueGroup || undefined });
    const key = `${publisher}:${name}`;
    const had = this.#subscriptions.has(key);
    if (!had) this.#receiver.addSubscription(name);
    try {
      await this.#client.request(publisher, nonce, frame, `subscribe to ${name}`);
    } catch (e) {
      if (!had) this.#receiver.removeSubscription(name);
      throw e;
    }
    if (!had) this.#subscriptions.add(key);
  }

  async unsubscribe(publisher: bigint, name: string): Promise<void> {
    this.#assertOpen();
    if (typeof publisher !== 'bigint') throw new InvalidArgumentError('publisher must be a bigint node id');
    requireChannelName(name);
    const nonce = this.#client.nonce();
    const key = `${publisher}:${name}`;
    if (this.#subscriptions.delete(key)) this.#receiver.removeSubscription(name);
    await this.#client.request(publisher, nonce, encodeUnsubscribe({ nonce, channel: name }), `unsubscribe from ${name}`);
  }

  channelEvents(name?: string, opts: { signal?: AbortSignal } = {}): AsyncIterable<ChannelEvent> {
    if (name !== undefined) requireChannelName(name);
    if (opts.signal !== undefined && !(opts.signal instanceof AbortSignal)) throw new InvalidArgumentError('signal must be an AbortSignal');
    return this.#receiver.events(name, opts.signal);
  }

  // ---- publishing -------------------------------------------------------------------------------

  setPublishChain(name: string, chain: TokenChain | null): void {
    this.#assertOpen();
    this.#publisher.setPublishChain(name, chain);
  }

  async publishMany(name: string, events: Uint8Array[], opts?: PublishOptions): Promise<PublishReport> {
    this.#assertOpen();
    return this.#publisher.publishMany(name, events, opts);
  }

  /** publish(name, event | events): publish_many of one event or of the array. */
  async publish(name: string, events: Uint8Array | Uint8Array[], opts?: PublishOptions): Promise<PublishReport> {
    return this.publishMany(name, events instanceof Uint8Array ? [events] : events, opts);
  }

  // ---- for layers built on channels (nRPC) ---------------------------------------------------------

  /** One unicast on channel `name` to `peer`, no roster or gate; reliable sends retransmit until acked. */
  sendTo(peer: bigint, name: string, events: Uint8Array[], reliability: Reliability = 'reliable'): Promise<void> {
    this.#assertOpen();
    return this.#publisher.sendTo(peer, name, events, reliability === 'reliable');
  }

  /** Receives every packet of channel `name` (from, seq, originHash, events), instead of channelEvents(). */
  onChannel(name: string, handler: ChannelHandler): () => void {
    this.#assertOpen();
    requireChannelName(name);
    return this.#receiver.setHandler(name, handler);
  }

  /** Current subscribers of `name` on this node (broadcast and queue-group members). */
  subscribers(name: string): bigint[] {
    return this.#server.roster.subscribers(requireChannelName(name));
  }

  // ---- maintenance --------------------------------------------------------------------------------

  /** Runs the retained-chain sweep now (§8.4); returns how many subscriptions it dropped. */
  sweep(): number {
    if (this.#host.closed) return 0;
    return this.#server.sweep();
  }

  stats(): ChannelStats {
    return {
      ...snapshotCounters(this.#counters),
      subscribers: this.#server.roster.size,
      retainedChains: this.#server.retainedChains,
      throttledPeers: this.#server.throttledPeers(),
      subscriptions: this.#subscriptions.size,
    };
  }

  #close(): void {
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#client.close();
    this.#receiver.close();
    for (const u of this.#unhook) u();
  }
}
