// Argument checks shared by the SDK's entry points: each throws InvalidArgumentError naming the
// field and saying what it must be, so a bad option or id is refused where the user passed it
// instead of surfacing later as a timeout, a wrapped id or a runaway timer.
import { InvalidArgumentError } from '../errors.js';
import { requireU64 } from '../identity/bytes.js';

export { requireBytes, requireU32, requireU64 } from '../identity/bytes.js';

/** Longest timer or interval an option may ask for: setTimeout clamps anything above 2^31−1 ms to 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Text of a refused value for an error message (never the whole of a large value). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined) return String(v);
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  return typeof v;
}

/**
 * A number option in `min..max` (an integer unless `integer` is false); `dflt` when undefined.
 * `unit` (e.g. "milliseconds") only words the message.
 */
export function numberOption(name: string, v: unknown, dflt: number, min: number, max: number, opts: { integer?: boolean; unit?: string } = {}): number {
  if (v === undefined) return dflt;
  const integer = opts.integer ?? true;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    const what = integer ? 'an integer' : 'a number';
    throw new InvalidArgumentError(`${name} must be ${what}${opts.unit ? ` of ${opts.unit}` : ''} in ${min}..${max}, got ${describeValue(v)}`);
  }
  return v;
}

/** A duration in ms for a timer: a positive number up to MAX_TIMER_MS (or `max`). */
export function durationMs(name: string, v: unknown, dflt: number, min = 1, max = MAX_TIMER_MS): number {
  return numberOption(name, v, dflt, min, max, { integer: false, unit: 'milliseconds' });
}

/** A boolean option. */
export function booleanOption(name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`${name} must be a boolean, got ${describeValue(v)}`);
  return v;
}

/** One of a fixed set of string values. */
export function oneOf<T extends string>(name: string, v: unknown, values: readonly T[], dflt: T): T;
export function oneOf<T extends string>(name: string, v: unknown, values: readonly T[]): T | undefined;
export function oneOf<T extends string>(name: string, v: unknown, values: readonly T[], dflt?: T): T | undefined {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !values.includes(v as T)) {
    throw new InvalidArgumentError(`${name} must be ${values.map((x) => JSON.stringify(x)).join(' or ')}, got ${describeValue(v)}`);
  }
  return v as T;
}

/** A u64 id (node id, stream id) given as a bigint: numbers are refused, they cannot hold every u64. */
export function u64Id(name: string, v: unknown): bigint {
  if (typeof v === 'number') throw new InvalidArgumentError(`${name} must be a bigint (e.g. ${Number.isInteger(v) ? `${v}n` : '1n'}), got the number ${v}`);
  return requireU64(v, name);
}

/** An optional u64 id. */
export function optionalU64Id(name: string, v: unknown): bigint | undefined {
  return v === undefined ? undefined : u64Id(name, v);
}

/** An optional AbortSignal. */
export function optionalSignal(name: string, v: unknown): AbortSignal | undefined {
  if (v === undefined) return undefined;
  if (typeof AbortSignal === 'undefined' || !(v instanceof AbortSignal)) throw new InvalidArgumentError(`${name} must be an AbortSignal, got ${describeValue(v)}`);
  return v;
}

/** An options argument: undefined, or a plain object. */
export function optionsObject(name: string, v: unknown): Record<string, unknown> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgumentError(`${name} must be an options object, got ${describeValue(v)}`);
  return v as Record<string, unknown>;
}
