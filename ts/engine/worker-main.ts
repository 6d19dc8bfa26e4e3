// The engine side of the worker placement: answers `init` by loading the core, creating the node's
// default UDP transport (or a bridge to the app's transport), the engine and its driver, and then
// runs entirely from the rings, the socket and its timer. Errors end in a `fatal` message.
import { initCore } from '../core/wasm.js';
import { dh25519, hashBlake2s } from '../session/noise.js';
import { defaultTransport } from '../transports/default.js';
import type { Transport } from '../transports/transport.js';
import { NetMeshError } from '../errors.js';
import { Engine, engineOptions } from './engine.js';
import { EngineDriver } from './driver.js';
import { Op, writeAddressNote, writeDatagramBatches } from './link-format.js';
import { Ring, RingConsumer, RingProducer } from './ring.js';
import type { InitMessage, WorkerMessage } from './worker-protocol.js';

export interface WorkerEndpoint {
  post(m: WorkerMessage): void;
  onMessage(cb: (m: unknown) => void): void;
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function runEngineWorker(ep: WorkerEndpoint): void {
  let started = false;
  ep.onMessage((m) => {
    const msg = m as InitMessage;
    if (started || msg?.t !== 'init') return;
    started = true;
    start(ep, msg).catch((e: unknown) => {
      const code = e instanceof NetMeshError ? e.code : 'ENGINE_START_FAILED';
      ep.post({ t: 'error', code, message: e instanceof Error ? e.message : String(e) });
    });
  });
}

async function start(ep: WorkerEndpoint, msg: InitMessage): Promise<void> {
  if (msg.module) await initCore(msg.module);
  else await initCore(await WebAssembly.compile(decodeBase64(msg.wasmBase64 ?? '') as BufferSource));
  const cfg = { ...msg.cfg, nodeId: BigInt(msg.cfg.nodeId) };
  const keypair = cfg.staticKeypair;
  // Bridged: the app thread owns the transport; datagrams cross the link in DATAGRAMS records.
  const bridged = msg.bridgedAddress !== undefined;
  const transport: Transport | undefined = bridged ? undefined : defaultTransport();
  if (transport) await transport.bind(cfg.bind);
  const toApp = new RingProducer(new Ring(msg.toApp), msg.toAppPort);
  const fromApp = new RingConsumer(new Ring(msg.toEngine), msg.toEnginePort);
  let fatal = false;
  const die = (e: unknown): void => {
    if (fatal) return;
    fatal = true;
    ep.post({ t: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  };
  const engine = new Engine(engineOptions(cfg), {
    send: bridged
      ? (batch) => {
          writeDatagramBatches(toApp, Op.DATAGRAMS_OUT, batch);
          toApp.publish();
        }
      : (batch) => transport!.send(batch),
    link: toApp,
    publish: () => toApp.publish(),
    // Bridged, datagrams wait in the link until the app thread takes them to its transport.
    backlog: bridged ? () => Math.ceil(toApp.unread / 8192) : () => transport!.sendBacklog?.() ?? 0,
    // Bridged, datagrams are copied into the link as they are sent.
    released: bridged ? () => true : () => transport!.sendReleased?.() ?? false,
    // Bridged, the app thread's transport probes (PROBE out, UNREACHABLE back in).
    probe: bridged
      ? (address, payload) => {
          writeAddressNote(toApp, Op.PROBE, address, payload);
          return false; // whether the app's transport probes is not known here
        }
      : (address, payload) => transport!.probe?.(address, payload, (detail) => driver.onUnreachable(address, detail)) ?? false,
  });
  let closing = false;
  const driver = new EngineDriver(
    engine,
    (now) => {
      fromApp.drain((r) => engine.handleLink(r, now));
      if (engine.closed && !closing) {
        closing = true;
        // After SHUTDOWN: the engine said CLOSED; free the socket, then tell the host.
        queueMicrotask(() => {
          fromApp.stop();
          driver.stop();
          void (transport ? transport.close() : Promise.resolve()).finally(() => ep.post({ t: 'closed' }));
        });
      }
    },
    die,
  );
  transport?.onReceive((batch) => driver.onDatagrams(batch));
  void fromApp.watch(() => driver.onLink()).catch(die);
  ep.post({ t: 'ready', address: transport?.address ?? msg.bridgedAddress!, publicKey: keypair.publicKey });
  // A fresh worker runs the Noise code cold: warm it up while the app is still setting up, so the
  // first handshake does not pay for compiling it inside its attempt timeout.
  setTimeout(() => {
    try {
      hashBlake2s(dh25519(keypair.secretKey, keypair.publicKey));
    } catch {
      // only a warm-up
    }
  }, 0);
}
