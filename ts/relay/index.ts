// The relay's programmatic surface, for the `net-mesh relay` verb and for operators. Not part of
// the `net-mesh` package entry: startRelay runs under Deno only; spawnRelay starts it from Node.
export { startRelay, type Relay, type RelayOptions } from './server.js';
export { spawnRelay, defaultDenoPath, defaultRelayEntry, type SpawnRelayOptions, type SpawnedRelay } from './spawn.js';
export { parseRelayArgs, RELAY_USAGE, type RelayArgs } from './args.js';
export { DEFAULT_RELAY_LIMITS, type RelayLimits } from './limits.js';
export { type RelayStats, RelayCloseCode } from './stats.js';
export { generateRelayCertificate, type RelayCertificate, type CertificateOptions } from './certificate.js';
export { defaultAllowDestination } from './destinations.js';
