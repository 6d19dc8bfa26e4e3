// Capabilities: data model, announcements, queries and the WASM-backed fold.
export { Tag, TAG_AXES, RESERVED_PREFIXES, parseTagParts, isReservedTag, validateUserTag, validateTag, hasTagSemantic } from './tag.js';
export type { TagAxis, TagKind, TagParts, ReservedPrefix } from './tag.js';
export {
  GPU_VENDORS,
  MODALITIES,
  lowerCapabilities,
  loweredCapabilities,
  isLowered,
  decodeCapabilities,
  mergeSubstrateTags,
  causalTag,
  causalRangeTag,
  forkOfTag,
  heatTag,
  scopeTenantTag,
  scopeRegionTag,
  SCOPE_SUBNET_LOCAL,
} from './capabilities.js';
export type {
  CapabilitySet,
  LoweredCapabilities,
  GpuVendor,
  GpuCapability,
  Modality,
  ModelCapability,
  ToolCapability,
  ResourceLimits,
  SoftwareCapability,
} from './capabilities.js';
export { CapabilityFilter, normalizeQuery } from './query.js';
export type { CapabilityQuery, NormalizedQuery } from './query.js';
export { membershipOf, membershipMatches } from './membership.js';
export type { Membership } from './membership.js';
export {
  ANNOUNCEMENT_SUBPROTOCOL,
  MAX_ANNOUNCEMENT_BYTES,
  DEFAULT_ANNOUNCEMENT_TTL_SECS,
  MAX_ALLOW_LIST,
  RESERVED_METADATA_KEYS,
  encodeAnnouncement,
  encodeAnnouncementBytes,
  signedBytes,
  announcementSize,
  parseAnnouncement,
  decodeAnnouncement,
  announcementGeneration,
  isAnnouncementExpired,
  withHopCount,
  nextAnnouncementVersion,
  buildAnnouncement,
  signAnnouncement,
  shrinkToFit,
  verifyAnnouncement,
  stripReservedMetadata,
  filterHeatTags,
} from './announcement.js';
export type { CapabilityAnnouncement, AnnouncementSigner, AnnouncementOptions, AnnouncementRejection, VerifyResult } from './announcement.js';
export {
  CapabilityFold,
  DEFAULT_FOLD_TTL_MS,
  FOLD_EXPORT_DEFAULT_LIMIT,
  FOLD_EXPORT_MAX_LIMIT,
  FOLD_EXPORT_MAX_BODY,
} from './capability-fold.js';
export type { FoldInsertOptions, ApplyAnnouncementOptions, ApplyResult, FoldStats, FoldExportRequest } from './capability-fold.js';
export { encodeFoldExportRequest, decodeFoldExportRequest, encodeFoldExportResponse, decodeFoldExportResponse, exportedForReprocessing } from './export.js';
export { canonicalSocketAddr } from './socket-addr.js';
export {
  AnnouncementDedup,
  screenAnnouncement,
  precheckAnnouncement,
  verifyScreened,
  mayPinIdentity,
  relayRouteMetric,
  forwardCopy,
  MAX_FORWARD_HOPS,
  DEDUP_RETAIN_MS,
  DEDUP_GC_INTERVAL_MS,
  DEDUP_MAX_KEYS,
} from './receive.js';
export type { ScreenDrop, ScreenResult, PrecheckResult } from './receive.js';
export { MAX_ANNOUNCEMENT_TTL_SECS, ANNOUNCEMENT_CLOCK_SKEW_MS, MAX_FOLD_ORIGINS, announcementExpiryMs, effectiveTtlSecs, resolvePolicy } from './policy.js';
export type { AnnouncementPolicy, ResolvedPolicy } from './policy.js';
export { BudgetTable } from './budget.js';
export type { BucketRate } from './budget.js';
export { encodeSnapshot, decodeSnapshot } from './snapshot.js';
export type { FoldSnapshot, SnapshotEntry } from './snapshot.js';
