// Where a node's engine runs, seen from the app thread: the link to it (records out through
// `writer`, records in through `start`'s handler), its transport address and Noise key, and its
// lifetime. Two placements implement it: inline (this thread) and worker (a core worker that owns
// the socket); the app side is the same code for both.
import type { LinkReader, LinkWriter } from './link-format.js';
import type { KeyDerivationMode } from '../session/handshake.js';

export type EnginePlacement = 'worker' | 'inline';

/** Everything the engine needs to start (plain data: it crosses to a worker once). */
export interface EngineConfig {
  nodeId: bigint;
  psk: Uint8Array;
  /**
   * The node's Noise static secret (made on the app thread, where the key code is already warm,
   * and handed to the engine once).
   */
  staticKeypair: { secretKey: Uint8Array; publicKey: Uint8Array };
  keyDerivation: KeyDerivationMode;
  heartbeatIntervalMs: number;
  sessionTimeoutMs: number;
  handshakeTimeoutMs?: number;
  handshakeAttempts?: number;
  receiveBudgetBytes: number;
  maxWindowBytes: number;
  bind: string;
}

export interface EngineHost {
  readonly placement: EnginePlacement;
  /** The app's records to the engine; call `wrote()` after each. */
  readonly writer: LinkWriter;
  /** Records were written this turn: they are handed over at the end of the turn. */
  wrote(): void;
  /** Bytes waiting for room in the link (0 inline): sends wait while it is high. */
  readonly backlog: number;
  /** Calls `cb` once what waits for room has entered the link. */
  whenRoom(cb: () => void): void;
  /** Starts handing the engine's records to `handler`, in order. */
  start(handler: (r: LinkReader) => void): void;
  /** Hands over at once the records the engine published without waking this side (lazy ones). */
  poll(): void;
  /** The bound transport address. */
  readonly address: string;
  readonly noisePublicKey: Uint8Array;
  /** The engine stopped unexpectedly (its worker died, or it threw): called once. */
  onFailure(cb: (err: Error) => void): void;
  /** After the engine answered SHUTDOWN (or failed): frees the worker, the transport. */
  dispose(): Promise<void>;
  /** Test hook: kills the engine abruptly (terminates its worker). */
  kill(): Promise<void>;
}

/** Where a MeshNode keeps its engine host (a symbol: not part of the public surface; tests use it). */
export const ENGINE = Symbol('net-mesh.engine');
