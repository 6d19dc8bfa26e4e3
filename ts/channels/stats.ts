// The channel layer's counters (`node.channelStats()`): what operators need to see bad
// credentials, floods and drops on the publisher side, and losses on the subscriber side.

/** Why a subscribe was refused or a retained subscription dropped (§9). */
export const DENIAL_CAUSES = [
  'unknownChannel',
  'visibility',
  'caps',
  'noRoots',
  'noChain',
  'malformedChain',
  'unknownEntity',
  'invalidSignature',
  'notYetValid',
  'expired',
  'revoked',
  'notAuthorized',
  'delegationNotAllowed',
] as const;
/** Why a subscribe was refused or a retained subscription dropped (channels.md §9), as counted in `ChannelStats`. */
export type DenialCause = (typeof DENIAL_CAUSES)[number];

/** Counters and gauges of `node.channelStats()`: subscribe outcomes by cause, membership, publishes, sweeps, receives. */
export interface ChannelStats {
  /** Publisher side: subscribe requests from peers (channels.md §7, §9). */
  subscribe: {
    accepted: number;
    /** Repeats of an accepted subscription (re-sends, renewals), acked again without a new failure. */
    repeats: number;
    rejected: { unauthorized: number; unknownChannel: number; rateLimited: number; tooManyChannels: number };
    /** Rejections by cause (each Unauthorized / UnknownChannel is one failure against its peer). */
    denials: Record<DenialCause, number>;
    failuresRecorded: number;
    unsubscribes: number;
  };
  /** Subscriber side: membership requests this node sent. */
  client: { requests: number; resends: number; accepted: number; rejected: number; timeouts: number };
  membership: { malformed: number; unexpectedAcks: number };
  publish: {
    calls: number;
    denied: number;
    events: number;
    sends: number;
    sendErrors: number;
    dropped: { visibility: number; guard: number; chain: number };
  };
  sweep: { runs: number; dropped: number };
  receive: { packets: number; events: number; notSubscribed: number; bufferOverflow: number };
  /** Gauges. */
  subscribers: number;
  retainedChains: number;
  throttledPeers: number;
  subscriptions: number;
}

export type ChannelCounters = Omit<ChannelStats, 'subscribers' | 'retainedChains' | 'throttledPeers' | 'subscriptions'>;

export function newCounters(): ChannelCounters {
  return {
    subscribe: {
      accepted: 0,
      repeats: 0,
      rejected: { unauthorized: 0, unknownChannel: 0, rateLimited: 0, tooManyChannels: 0 },
      denials: Object.fromEntries(DENIAL_CAUSES.map((c) => [c, 0])) as Record<DenialCause, number>,
      failuresRecorded: 0,
      unsubscribes: 0,
    },
    client: { requests: 0, resends: 0, accepted: 0, rejected: 0, timeouts: 0 },
    membership: { malformed: 0, unexpectedAcks: 0 },
    publish: { calls: 0, denied: 0, events: 0, sends: 0, sendErrors: 0, dropped: { visibility: 0, guard: 0, chain: 0 } },
    sweep: { runs: 0, dropped: 0 },
    receive: { packets: 0, events: 0, notSubscribed: 0, bufferOverflow: 0 },
  };
}

/** A deep copy (callers may keep it). */
export function snapshotCounters(c: ChannelCounters): ChannelCounters {
  return structuredClone(c);
}

/** TokenError kinds and gate causes → the counter name. */
export function denialOf(cause: string): DenialCause {
  const lower = (cause[0]!.toLowerCase() + cause.slice(1)) as DenialCause;
  return (DENIAL_CAUSES as readonly string[]).includes(lower) ? lower : 'notAuthorized';
}
