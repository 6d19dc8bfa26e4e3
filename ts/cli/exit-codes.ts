// Process exit codes of the `net-mesh` CLI (meshos-cli.md §3.7).
export const EXIT = Object.freeze({
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  SUBSTRATE: 3,
  ICE_BLOCKED: 4,
  POLICY_REJECTED: 5,
  CONNECTION: 6,
  TIMEOUT: 7,
  CONFIRMATION_REFUSED: 8,
  DAEMON_FACTORY_NOT_FOUND: 10,
  DB_QUERY: 11,
  PREDICATE_PARSE: 12,
  ICE_SIGNATURE: 13,
  TYPEGEN_BREAKING: 14,
} as const);
