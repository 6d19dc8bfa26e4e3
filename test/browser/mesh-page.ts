// The page side of the browser mesh test: a full MeshNode from dist/browser/net-mesh.mjs (passed in
// as `sdk`, so this file bundles no SDK code of its own), with a WebTransportTransport to the relay
// and the inline engine. Three steps the test drives through page.evaluate: start (the node and its
// ids), connect (Noise handshake with the Node peer, through the relay), exchange (1,000 reliable
// events each way, checked byte for byte here; the Node end checks the other direction).
import type * as Sdk from '../../ts/browser.js';
import { EventCheck, meshEvent, type CheckResult } from './mesh-events.js';

export interface StartConfig {
  url: string;
  certificateHash: string;
  psk: string;
}

export interface ConnectConfig {
  address: string;
  publicKeyHex: string;
  nodeId: string;
}

export interface ExchangeConfig {
  count: number;
  seed: number;
  deadlineMs: number;
}

export interface ExchangeResult extends CheckResult {
  sent: number;
  timedOut: boolean;
  sendError?: string;
  transport: Sdk.TransportStats;
}

const hexBytes = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));

export class MeshPage {
  private node?: Sdk.MeshNode;
  private transport?: Sdk.WebTransportTransport;
  private peer = 0n;

  constructor(private readonly sdk: typeof Sdk) {}

  async start(cfg: StartConfig): Promise<{ nodeId: string; address: string }> {
    this.transport = new this.sdk.WebTransportTransport({ url: cfg.url, certificateHash: cfg.certificateHash });
    // No engine option: the browser default (inline) is what is under test.
    this.node = await this.sdk.MeshNode.create({ psk: cfg.psk, transport: this.transport });
    return { nodeId: String(this.node.nodeId), address: this.node.address };
  }

  async connect(cfg: ConnectConfig): Promise<{ peers: number }> {
    this.peer = BigInt(cfg.nodeId);
    await this.node!.connect(cfg.address, { publicKey: hexBytes(cfg.publicKeyHex), nodeId: this.peer });
    return { peers: this.node!.peers().length };
  }

  /** Sends `count` events on stream 1 and reads `count` from stream 2, until both are done or the deadline. */
  async exchange(cfg: ExchangeConfig): Promise<ExchangeResult> {
    const node = this.node!;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), cfg.deadlineMs);
    const check = new EventCheck(cfg.seed, 1, cfg.count);
    const reading = (async () => {
      for await (const e of node.events({ stream: 2n, signal: abort.signal })) {
        if (e.from === this.peer) check.add(e.payload);
        if (check.complete) break;
      }
    })().catch(() => undefined); // an abort ends the loop; the counts say what arrived
    let sent = 0;
    let sendError: string | undefined;
    try {
      // maxRetries: see RELAY_STREAM in chromium-mesh.test.ts.
      const s = node.openStream(this.peer, 1n, { reliability: 'reliable', maxRetries: 64 });
      for (let i = 0; i < cfg.count; i += 25) {
        const batch: Uint8Array[] = [];
        for (let k = i; k < Math.min(cfg.count, i + 25); k++) batch.push(meshEvent(cfg.seed, 0, k));
        await s.send(batch);
        sent += batch.length;
      }
      await s.closeGraceful(cfg.deadlineMs);
    } catch (e) {
      sendError = `${(e as Error).name}: ${(e as Error).message}`;
    }
    await reading;
    const timedOut = abort.signal.aborted;
    clearTimeout(timer);
    return { ...check.result, sent, timedOut, ...(sendError ? { sendError } : {}), transport: this.transport!.stats() };
  }

  async close(): Promise<void> {
    await this.node?.close();
  }
}
