// The tiny bootstrap protocol between the app thread and a core worker. After `init`/`ready`
// everything travels through the two link rings; these messages only start and stop the engine.
import type { EngineConfig } from './engine-host.js';

/** app → worker, once. */
export interface InitMessage {
  t: 'init';
  /** The compiled core, where the runtime can clone a WebAssembly.Module; else `wasmBase64`. */
  module?: WebAssembly.Module;
  wasmBase64?: string;
  /** EngineConfig with the node id as a decimal string (bigints do not cross every runtime). */
  cfg: Omit<EngineConfig, 'nodeId'> & { nodeId: string };
  /** SharedArrayBuffers of the app → engine and engine → app rings. */
  toEngine: SharedArrayBuffer;
  toApp: SharedArrayBuffer;
  /** Doorbell ports (engine's end of each ring) where Atomics.waitAsync is missing. */
  toEnginePort?: MessagePort;
  toAppPort?: MessagePort;
  /** The app thread owns the transport: datagrams cross the link (at this bound address). */
  bridgedAddress?: string;
}

/** worker → app. */
export type WorkerMessage =
  | { t: 'ready'; address: string; publicKey: Uint8Array }
  | { t: 'error'; code: string; message: string }
  | { t: 'closed' }
  | { t: 'fatal'; message: string };
