// A browser page as a full mesh peer, for real: headless Chromium (Debian's package, installed by
// scripts/setup-chromium.mjs) loads dist/browser/net-mesh.mjs (core from net-mesh.wasm beside it),
// runs a MeshNode with a WebTransportTransport and the inline engine, and reaches a MeshNode in
// this process through `net-mesh relay` (the CLI, which runs the relay under Deno) and a UDP tap.
// The Noise handshake completes through the relay; 1,000 reliable events go each way, each end
// checking what it received byte for byte. The relay holds no PSK, the tap on its mesh side never
// sees an event's plaintext marker, and the page must log no error.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, MeshNode } from '../../ts/index.js';
import { parseRelayArgs } from '../../ts/relay/args.js';
import type { RelayStats } from '../../ts/relay/stats.js';
import { CliProcess } from '../cli/cli-process.js';
import { root } from '../relay/helpers.js';
import { EventCheck, meshEvent, PLAIN_MARKER } from './mesh-events.js';
import type { ExchangeResult, MeshPage } from './mesh-page.js';
import { bundleForPage, launchChromium, pageErrors as collectPageErrors, servePage, type PageServer } from './page-harness.js';
import { startUdpTap, type UdpTap } from './udp-tap.js';

const BUNDLE = join(root, 'dist', 'browser', 'net-mesh.mjs');
const WASM = join(root, 'dist', 'browser', 'net-mesh.wasm');
const PSK = '3c'.repeat(32);
const COUNT = 1000;
const SEED = 20261202;
const DEADLINE_MS = 90_000;
/**
 * Both test streams allow 64 resends per packet instead of the default 3: a new reliable stream
 * starts at the 50 ms initial RTO, not backed off (streams.md §6-7), so with 3 resends it gives up
 * when its first round trip takes more than ~200 ms, and a page's round trip through the relay, its
 * main thread shared with everything else on a busy machine, was measured at 140-290 ms here.
 */
const RELAY_STREAM = { reliability: 'reliable', maxRetries: 64 } as const;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>net-mesh browser peer</title></head>
<body><script type="module">
import * as sdk from '/net-mesh.mjs';
import { MeshPage } from '/mesh-page.mjs';
window.meshPage = new MeshPage(sdk);
window.pageReady = true;
</script></body></html>`;

type PageWindow = { meshPage: MeshPage; pageReady?: boolean };

describe('a browser page as a mesh peer through net-mesh relay, in headless Chromium', () => {
  let browser: Browser | undefined;
  let relay: CliProcess | undefined;
  let http: PageServer | undefined;
  let node: MeshNode | undefined;
  let tap: UdpTap | undefined;

  beforeAll(async () => {
    if (!existsSync(BUNDLE) || !existsSync(WASM)) throw new Error(`${BUNDLE} or its .wasm is missing: run node scripts/build.mjs`);
    // The page's driver is test code, bundled here with no SDK code of its own (it gets the bundle's exports).
    http = await servePage({
      '/': ['text/html', PAGE],
      '/net-mesh.mjs': ['text/javascript', readFileSync(BUNDLE, 'utf8')],
      '/net-mesh.wasm': ['application/wasm', readFileSync(WASM)],
      '/mesh-page.mjs': ['text/javascript', await bundleForPage('test/browser/mesh-page.ts')],
    });
    relay = CliProcess.start(['relay', '--host', '127.0.0.1', '-v'], { cwd: root });
    [node, browser] = await Promise.all([
      MeshNode.create({ psk: PSK }),
      launchChromium(),
    ]);
    tap = await startUdpTap(node.address, PLAIN_MARKER);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.stop('SIGTERM');
    await node?.close();
    await tap?.close();
    await http?.close();
  }, 60_000);

  it('the relay takes no PSK: it has no flag for one', () => {
    expect(() => parseRelayArgs(['--psk', PSK])).toThrow(InvalidArgumentError);
  });

  it('handshakes through the relay and exchanges 1,000 reliable events each way, byte-exact at both ends', async () => {
    const printed = JSON.parse(await relay!.line(0)) as { url: string; certificate_hash: string };
    expect(printed.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/net-mesh$/);
    expect(printed.certificate_hash).toMatch(/^[0-9a-f]{64}$/);

    const page: Page = await browser!.newPage();
    const pageErrors = collectPageErrors(page);
    await page.goto(`${http!.origin}/`);
    await page.waitForFunction(() => (window as unknown as PageWindow).pageReady === true, undefined, { timeout: 30_000 });

    // 1. The page's node, bound through the relay (its address is the relay's UDP socket for it).
    const started = await page.evaluate(
      (c) => (window as unknown as PageWindow).meshPage.start(c),
      { url: printed.url, certificateHash: printed.certificate_hash, psk: PSK },
    );
    expect(started.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const pageId = BigInt(started.nodeId);

    // 2. The Noise handshake, page → node, through relay and tap.
    node!.accept(pageId);
    const hex = Buffer.from(node!.noisePublicKey).toString('hex');
    const connected = await page.evaluate(
      (c) => (window as unknown as PageWindow).meshPage.connect(c),
      { address: tap!.address, publicKeyHex: hex, nodeId: String(node!.nodeId) },
    );
    expect(connected.peers).toBe(1);
    expect(node!.peers().map((p) => p.nodeId)).toContain(pageId);

    // 3. Both directions at once: the page sends on stream 1 and reads stream 2, this node the reverse.
    const abort = new AbortController();
    const deadline = setTimeout(() => abort.abort(), DEADLINE_MS);
    const fromPage = new EventCheck(SEED, 0, COUNT);
    const reading = (async () => {
      for await (const e of node!.events({ stream: 1n, signal: abort.signal })) {
        if (e.from === pageId) fromPage.add(e.payload);
        if (fromPage.complete) break;
      }
    })().catch(() => undefined);
    const pageSide = page.evaluate(
      (c) => (window as unknown as PageWindow).meshPage.exchange(c),
      { count: COUNT, seed: SEED, deadlineMs: DEADLINE_MS },
    ) as Promise<ExchangeResult>;
    let sentToPage = 0;
    const stream = node!.openStream(pageId, 2n, RELAY_STREAM);
    for (let i = 0; i < COUNT; i += 25) {
      const batch: Uint8Array[] = [];
      for (let k = i; k < Math.min(COUNT, i + 25); k++) batch.push(meshEvent(SEED, 1, k));
      await stream.send(batch);
      sentToPage += batch.length;
    }
    await stream.closeGraceful(DEADLINE_MS);
    const [atPage] = await Promise.all([pageSide, reading]);
    const timedOut = abort.signal.aborted;
    clearTimeout(deadline);
    await page.evaluate(() => (window as unknown as PageWindow).meshPage.close());
    await page.close();

    // One comparison of each outcome, so a failure shows the whole of it.
    expect({ pageErrors, timedOut, sentToPage, ...fromPage.result }).toEqual({
      pageErrors: [],
      timedOut: false,
      sentToPage: COUNT,
      received: COUNT,
      matched: COUNT,
      mismatched: 0,
      duplicates: 0,
      bytes: fromPage.result.bytes,
    });
    expect(atPage).toMatchObject({ sent: COUNT, timedOut: false, received: COUNT, matched: COUNT, mismatched: 0, duplicates: 0 });
    expect(atPage.sendError).toBeUndefined();
    expect(atPage.firstProblem).toBeUndefined();
    // Events of 3,000+ bytes went over the relay's stream path, the rest as datagrams.
    expect(atPage.transport.sendErrors).toBe(0);
    // The core was fetched once, from beside the bundle.
    expect(http!.requests.filter((r) => r === '/net-mesh.wasm')).toHaveLength(1);

    // What crossed the relay's mesh side: at least every event's bytes each way, never a plaintext marker.
    expect(tap!.seen.toMeshBytes).toBeGreaterThan(fromPage.result.bytes);
    expect(tap!.seen.toPageBytes).toBeGreaterThan(atPage.bytes);
    expect(tap!.seen.withPattern).toBe(0);
  }, 240_000);

  it('the relay forwarded both ways, counted no abuse and stops cleanly', async () => {
    expect(await relay!.stop('SIGINT')).toEqual({ code: 0, signal: null });
    const line = /relay stats: (\{.*\})/.exec(relay!.stderr);
    expect(line, relay!.stderr).not.toBeNull();
    const stats = JSON.parse(line![1]!) as RelayStats;
    expect(stats).toMatchObject({
      sessionsAccepted: 1,
      sessionsRefused: 0,
      sessionsClosedProtocol: 0,
      droppedMalformed: 0,
      droppedDestination: 0,
      droppedRateLimitedToMesh: 0,
      droppedRateLimitedToPage: 0,
      udpSendErrors: 0,
    });
    // The tap sees only what the relay sent toward the mesh; the relay only what the tap sent it.
    expect(stats.packetsToMesh).toBeGreaterThanOrEqual(tap!.seen.toMesh);
    expect(stats.packetsToPage).toBeLessThanOrEqual(tap!.seen.toPage);
    expect(stats.packetsToPage).toBeGreaterThan(0);
  });
});
