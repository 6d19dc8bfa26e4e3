// Public surface of the channels folder (channels.md §10, sdk.md "Channels"), re-exported by
// ts/index.ts: names and hashes, configs, permission tokens and chains, revocation, the token
// cache, and the types of the node's channel methods. Wire codecs, limits and helpers stay internal
// (tests import them from their source files).
export { ChannelName, channelHash, wireChannelHash } from './name.js';
export type { ChannelConfig } from './config.js';
export type { Visibility } from './visibility.js';
export { PermissionToken, TokenScope } from './token.js';
export type { IssueOptions, TokenFields, TokenSigner, ScopeInput, ScopeName, TokenAction } from './token.js';
export { TokenChain } from './chain.js';
export { RevocationRegistry } from './revocation.js';
export { TokenCache } from './token-cache.js';
export type { TokenCacheOptions } from './token-cache.js';
export type { PublishOptions, PublishReport, PublishPolicy, Reliability } from './publisher.js';
export type { ChannelEvent } from './receiver.js';
export type { ChannelOptions, SubscribeOptions } from './layer.js';
export type { ChannelStats, DenialCause } from './stats.js';
