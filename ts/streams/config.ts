// StreamConfig of sdk.md / streams.md §1, validated: out-of-range or non-integer fields throw.
import { InvalidArgumentError } from '../errors.js';

export interface StreamConfig {
  reliability?: 'reliable' | 'unreliable';
  scheduled?: boolean;
  weight?: number;
  priority?: boolean;
  windowBytes?: number;
  maxRetries?: number;
}

export interface ResolvedStreamConfig {
  reliability: 'reliable' | 'unreliable';
  scheduled: boolean;
  weight: number;
  priority: boolean;
  windowBytes: number;
  maxRetries: number;
}

export const DEFAULT_STREAM_CONFIG: ResolvedStreamConfig = {
  reliability: 'unreliable',
  scheduled: false,
  weight: 1,
  priority: false,
  windowBytes: 65_536,
  maxRetries: 3,
};

function intIn(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`StreamConfig.${name} must be an integer in ${min}..${max}, got ${String(v)}`);
  }
  return v;
}

export function resolveStreamConfig(c: StreamConfig = {}): ResolvedStreamConfig {
  const out = { ...DEFAULT_STREAM_CONFIG };
  if (c.reliability !== undefined) {
    if (c.reliability !== 'reliable' && c.reliability !== 'unreliable') {
      throw new InvalidArgumentError(`StreamConfig.reliability must be "reliable" or "unreliable", got ${String(c.reliability)}`);
    }
    out.reliability = c.reliability;
  }
  for (const k of ['scheduled', 'priority'] as const) {
    if (c[k] !== undefined) {
      if (typeof c[k] !== 'boolean') throw new InvalidArgumentError(`StreamConfig.${k} must be a boolean, got ${String(c[k])}`);
      out[k] = c[k];
    }
  }
  if (c.weight !== undefined) out.weight = intIn('weight', c.weight, 0, 255) || 1;
  if (c.windowBytes !== undefined) out.windowBytes = intIn('windowBytes', c.windowBytes, 0, 2 ** 32 - 1);
  if (c.maxRetries !== undefined) out.maxRetries = intIn('maxRetries', c.maxRetries, 0, 255);
  return out;
}
