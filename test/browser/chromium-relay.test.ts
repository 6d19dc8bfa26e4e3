// The browser path for real: headless Chromium (Debian's package, installed by
// scripts/setup-chromium.mjs) loads dist/browser/webtransport.mjs from a local page, binds a
// WebTransportTransport to the relay (dist/deno/relay.mjs under Deno, pinned by its certificate
// hash) and sends 1,000 packets of mixed sizes, up to 8,210 bytes, to a UDP echo peer in this
// process. Every echo must come back byte for byte, and the page must log no error.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type SpawnedRelay } from '../../ts/relay/spawn.js';
import type { RelayStats } from '../../ts/relay/stats.js';
import type { ExchangeResult } from '../relay/exchange.js';
import { root, startUdpEcho, type UdpEcho } from '../relay/helpers.js';
import { bundleForPage, launchChromium, pageErrors as collectPageErrors, servePage, type PageServer } from './page-harness.js';

const TRANSPORT_BUNDLE = join(root, 'dist', 'browser', 'webtransport.mjs');

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>net-mesh relay test</title></head>
<body><script type="module">
import { WebTransportTransport } from '/webtransport.mjs';
import { runExchange } from '/exchange.mjs';
window.runRelayTest = async ({ url, certificateHash, peer, count, seed }) => {
  const t = new WebTransportTransport({ url, certificateHash });
  const address = await t.bind('0.0.0.0:0');
  const result = await runExchange(t, { peer, count, seed, deadlineMs: 30000 });
  await t.close();
  return { address, ...result };
};
window.pageReady = true;
</script></body></html>`;

describe('WebTransport relay path in headless Chromium', () => {
  let browser: Browser | undefined;
  let relay: SpawnedRelay | undefined;
  let echo: UdpEcho | undefined;
  let http: PageServer | undefined;
  let relayStats: RelayStats | undefined;

  beforeAll(async () => {
    if (!existsSync(TRANSPORT_BUNDLE)) throw new Error(`${TRANSPORT_BUNDLE} is missing: run node scripts/build.mjs`);
    // The exchange routine is test code: bundle it for the page here.
    http = await servePage({
      '/': ['text/html', PAGE],
      '/webtransport.mjs': ['text/javascript', readFileSync(TRANSPORT_BUNDLE, 'utf8')],
      '/exchange.mjs': ['text/javascript', await bundleForPage('test/relay/exchange.ts')],
    });
    [echo, relay, browser] = await Promise.all([startUdpEcho(), spawnRelay(), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    relayStats = await relay?.close();
    await echo?.close();
    await http?.close();
  });

  it('carries 1,000 packets of mixed sizes to a UDP peer and back byte-exact', async () => {
    const page = await browser!.newPage();
    const pageErrors = collectPageErrors(page);
    await page.goto(`${http!.origin}/`);
    await page.waitForFunction(() => (window as unknown as { pageReady?: boolean }).pageReady === true, undefined, { timeout: 15_000 });
    const cfg = { url: relay!.url, certificateHash: relay!.certificateHash, peer: echo!.address, count: 1000, seed: 20261202 };
    const result = (await page.evaluate(
      (c) => (window as unknown as { runRelayTest(x: typeof c): Promise<unknown> }).runRelayTest(c),
      cfg,
    )) as ExchangeResult & { address: string };
    await page.close();

    // One comparison of the outcome, so a failure shows the whole of it.
    expect({ pageErrors, ...result }).toMatchObject({
      pageErrors: [],
      timedOut: false,
      matched: 1000,
      mismatched: 0,
    });
    expect(result.firstProblem).toBeUndefined();
    // Both paths were used: Chromium's datagrams are ~1,200 bytes, the largest packet is 8,210.
    expect(result.maxDatagramSize).toBeGreaterThan(1000);
    expect(result.maxDatagramSize).toBeLessThan(1500);
    expect(result.viaDatagram).toBeGreaterThan(300);
    expect(result.viaStream).toBeGreaterThan(200);
    expect(result.largest).toBe(8210);
    // The page's mesh address is the relay's UDP socket for it.
    expect(result.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(result.transportStats.sendErrors).toBe(0);
    expect(result.transportStats.dropped).toBe(0);
    expect(result.transportStats.datagramsOut).toBe(1000 + result.resends);
    expect(echo!.echoed()).toBeGreaterThanOrEqual(1000);
  });

  it('the relay forwarded every packet both ways and counted no abuse', async () => {
    // afterAll has not run yet: stop the relay here to read its final stats.
    relayStats = await relay!.close();
    relay = undefined;
    expect(relayStats).toBeDefined();
    const s = relayStats!;
    expect(s).toMatchObject({ sessionsAccepted: 1, droppedMalformed: 0, droppedDestination: 0, droppedRateLimitedToMesh: 0, droppedRateLimitedToPage: 0, sessionsClosedProtocol: 0 });
    expect(s.packetsToMesh).toBeGreaterThanOrEqual(1000);
    expect(s.packetsToPage).toBeGreaterThanOrEqual(1000);
  });
});
