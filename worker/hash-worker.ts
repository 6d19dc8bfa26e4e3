// Worker entry point: a hashing worker (ts/core/hash-worker-main.ts) for large BLAKE3 inputs.
// Thin on purpose; it works as a Node worker_threads worker (eval) and as a module Web Worker.
import { runHashWorker } from '../ts/core/hash-worker-main.js';
import { parentEndpoint } from './endpoint.js';

runHashWorker(parentEndpoint());
