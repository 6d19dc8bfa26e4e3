// Worker entry point: runs a node's engine (ts/engine/worker-main.ts) once the host sends `init`.
// Thin on purpose; it works as a Node worker_threads worker (eval) and as a module Web Worker.
import { runEngineWorker } from '../ts/engine/worker-main.js';
import { parentEndpoint } from './endpoint.js';

runEngineWorker(parentEndpoint());
