// Channels: names and hashes, configs, permission tokens and chains, revocation, the token cache,
// the membership wire codecs, and the SDK types of the channel layer (channels.md §10).
export { ChannelName, channelHash, wireChannelHash, isChannelPrefix, channelNameProblem, MAX_CHANNEL_NAME_BYTES } from './name.js';
export type { ChannelConfig } from './config.js';
export type { Visibility } from './visibility.js';
export { PermissionToken, TokenScope, TOKEN_SIZE, MAX_TOKEN_TTL_SECS, scopeContains } from './token.js';
export type { IssueOptions, TokenFields, TokenSigner, ScopeInput, ScopeName, TokenAction } from './token.js';
export { TokenChain, MAX_CHAIN_LINKS } from './chain.js';
export { RevocationRegistry } from './revocation.js';
export { TokenCache, MAX_CACHE_SLOTS, MAX_TOKENS_PER_SLOT, RECOMMENDED_SKEW_SECS, MAX_SKEW_SECS } from './token-cache.js';
export type { TokenCacheOptions } from './token-cache.js';
export { MEMBERSHIP_SUBPROTOCOL, AckReason, encodeSubscribe, encodeUnsubscribe, encodeAck, decodeMembership } from './membership-wire.js';
export type { MembershipMessage } from './membership-wire.js';
export type { PublishOptions, PublishReport, PublishPolicy, Reliability } from './publisher.js';
export type { ChannelEvent } from './receiver.js';
export type { ChannelOptions, SubscribeOptions } from './layer.js';
export type { ChannelStats, DenialCause } from './stats.js';
