// Messages between the app thread and a hashing worker (hash-worker.ts ↔ hash-worker-main.ts).
// Bytes cross as a buffer + offset + length: moved (transferred) when the sender owns the buffer,
// shared when it is a SharedArrayBuffer, and nothing else (the sender copies first otherwise).

/** Bytes crossing the thread boundary. */
export interface WireBytes {
  buf: ArrayBuffer | SharedArrayBuffer;
  off: number;
  len: number;
}

export type ToHashWorker =
  | { t: 'init'; module?: WebAssembly.Module; wasmBase64?: string }
  /** Hash `bytes`; with `sid`, also absorb them into session `sid`; `back` returns the buffer. */
  | { t: 'hash'; id: number; bytes: WireBytes; sid?: number; back: boolean }
  | { t: 'update'; sid: number; bytes: WireBytes }
  | { t: 'digest'; id: number; sid: number }
  | { t: 'free'; sid: number };

export type FromHashWorker =
  | { t: 'done'; id: number; hash: Uint8Array; bytes?: WireBytes }
  | { t: 'error'; id: number; message: string }
  /** The worker cannot go on (the core did not load). */
  | { t: 'fatal'; message: string };
