// nRPC response statuses (rpc-tools.md §3): 0–8 named, 9–0x7FFF reserved (decoded as
// application values), 0x8000–0xFFFF application-defined.

/**
 * The named nRPC response statuses, 0–8 (rpc-tools.md §3). Values 9–0x7FFF are reserved and
 * 0x8000–0xFFFF application-defined; both decode as application statuses.
 */
export const RpcStatus = Object.freeze({
  Ok: 0,
  NotFound: 1,
  Unauthorized: 2,
  Timeout: 3,
  Backpressure: 4,
  Cancelled: 5,
  Internal: 6,
  UnknownVersion: 7,
  CapabilityDenied: 8,
} as const);

/** The name of a named status: a key of `RpcStatus`. */
export type RpcStatusName = keyof typeof RpcStatus;

const NAMES = Object.keys(RpcStatus) as RpcStatusName[];

/** The status's name, or `Application(n)` for reserved and application values. */
export function rpcStatusName(status: number): RpcStatusName | `Application(${number})` {
  return status >= 0 && status < NAMES.length ? NAMES[status]! : `Application(${status})`;
}

/** True for 9..0xFFFF (reserved values decode as application statuses, as in Net v0.27). */
export function isApplicationStatus(status: number): boolean {
  return status >= NAMES.length && status <= 0xffff;
}
