// MeshNode.create's options, checked before any socket or worker exists: every field is validated
// with an InvalidArgumentError naming it, and timers are bounded to sane ranges (a huge interval
// would otherwise be clamped by setTimeout to 1 ms and spin).
import { InvalidArgumentError } from '../errors.js';
import { Identity } from '../identity/identity.js';
import { parsePsk } from '../session/psk.js';
import type { KeyDerivationMode } from '../session/handshake.js';
import type { EnginePlacement } from '../engine/engine-host.js';
import { booleanOption, describeValue, durationMs, numberOption, oneOf } from '../util/validate.js';
import { validateLayerOptions } from './layers.js';
import type { MeshNodeOptions } from './mesh-node.js';

/** Which initiators a node answers: those it accept()ed ("listed", the default) or any holder of the PSK ("any"). */
export type AcceptPolicy = 'listed' | 'any';

export const DEFAULT_RECEIVE_BUDGET = 8 << 20;
export const DEFAULT_MAX_WINDOW = 16 << 20;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface ResolvedNodeOptions {
  psk: Uint8Array;
  keyDerivation: KeyDerivationMode;
  engine: EnginePlacement | undefined;
  heartbeatIntervalMs: number;
  sessionTimeoutMs: number;
  handshakeTimeoutMs: number | undefined;
  handshakeAttempts: number | undefined;
  receiveBudgetBytes: number;
  maxWindowBytes: number;
  accept: AcceptPolicy;
}

/** Validates every MeshNode option (the layers' own through validateLayerOptions) and resolves the engine's. */
export function resolveNodeOptions(opts: MeshNodeOptions): ResolvedNodeOptions {
  if (!opts || typeof opts !== 'object') throw new InvalidArgumentError('MeshNode.create needs an options object with a psk');
  const psk = parsePsk(opts.psk);
  const keyDerivation = oneOf('keyDerivation', opts.keyDerivation, ['noise', 'net-v0.27'] as const, 'noise');
  const engine = oneOf('engine', opts.engine, ['worker', 'inline'] as const);
  const resolved: ResolvedNodeOptions = {
    psk,
    keyDerivation,
    engine,
    heartbeatIntervalMs: durationMs('heartbeatIntervalMs', opts.heartbeatIntervalMs, 5000, 10, HOUR_MS),
    sessionTimeoutMs: durationMs('sessionTimeoutMs', opts.sessionTimeoutMs, 30_000, 10, DAY_MS),
    handshakeTimeoutMs: opts.handshakeTimeoutMs === undefined ? undefined : durationMs('handshakeTimeoutMs', opts.handshakeTimeoutMs, 0, 1, 10 * 60_000),
    handshakeAttempts: opts.handshakeAttempts === undefined ? undefined : numberOption('handshakeAttempts', opts.handshakeAttempts, 0, 1, 100),
    receiveBudgetBytes: numberOption('receiveBudgetBytes', opts.receiveBudgetBytes, DEFAULT_RECEIVE_BUDGET, 0, 2 ** 32 - 1, { unit: 'bytes' }),
    maxWindowBytes: numberOption('maxWindowBytes', opts.maxWindowBytes, DEFAULT_MAX_WINDOW, 65_536, 2 ** 32 - 1, { unit: 'bytes' }),
    accept: oneOf('accept', opts.accept, ['listed', 'any'] as const, 'listed'),
  };
  durationMs('minAnnounceIntervalMs', opts.minAnnounceIntervalMs, 0, 0, DAY_MS);
  booleanOption('autoRefreshAnnouncements', opts.autoRefreshAnnouncements, true);
  if (opts.bind !== undefined && typeof opts.bind !== 'string') throw new InvalidArgumentError(`bind must be a "host:port" string, got ${describeValue(opts.bind)}`);
  if (opts.identity !== undefined && !(opts.identity instanceof Identity)) throw new InvalidArgumentError('identity must be an Identity');
  if (opts.onWarning !== undefined && typeof opts.onWarning !== 'function') throw new InvalidArgumentError('onWarning must be a function');
  if (opts.noiseSecretKey !== undefined && !(opts.noiseSecretKey instanceof Uint8Array && opts.noiseSecretKey.length === 32)) {
    throw new InvalidArgumentError('noiseSecretKey must be a 32-byte Uint8Array (an X25519 secret key)');
  }
  const t = opts.transport as unknown;
  if (t !== undefined) {
    const methods = ['bind', 'send', 'onReceive', 'close', 'stats'] as const;
    if (t === null || typeof t !== 'object' || methods.some((m) => typeof (t as Record<string, unknown>)[m] !== 'function')) {
      throw new InvalidArgumentError(`transport must implement Transport (${methods.join(', ')})`);
    }
  }
  validateLayerOptions(opts as unknown as Record<string, unknown>);
  return resolved;
}
