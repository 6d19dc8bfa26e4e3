// The Deck page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core): open
// it, screenshot it, stop a node, and see the page show that peer as failed without a reload, from
// the server's push alone. It fails where Chromium is missing (npm test installs it); the screenshot kept
// as docs/deck.png is refreshed with NET_MESH_UPDATE_SCREENSHOTS=1.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { serveDeck, type DeckServer } from '../../ts/meshos/deck-server.js';
import { connectPair, hubNodes, until } from '../node/helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The part of playwright-core this test uses (the package ships its own types once installed). */
interface Page {
  goto(url: string): Promise<unknown>;
  waitForSelector(selector: string, opts?: { timeout?: number }): Promise<unknown>;
  screenshot(opts: { path?: string; fullPage?: boolean }): Promise<Uint8Array>;
  evaluate<T>(fn: () => T): Promise<T>;
  on(event: 'request', cb: (r: { url(): string }) => void): void;
}
interface Browser {
  newPage(opts?: { viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(opts: { executablePath: string; headless: boolean; args?: string[] }): Promise<Browser> };
}

const playwright = (await import('playwright-core')) as unknown as Playwright;
const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');

let nodes: MeshNode[] = [];
let deck: DeckServer | undefined;
let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  await deck?.close();
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
  deck = undefined;
  browser = undefined;
});

// Chromium comes from scripts/setup-chromium.mjs (npm test runs it); without it this fails, never skips.
describe('Deck page in headless Chromium', () => {
  it('shows the cluster live and marks a stopped node failed without a reload', async () => {
    nodes = await hubNodes(3, new MemoryHub({ seed: 1504 }), { heartbeatIntervalMs: 50, sessionTimeoutMs: 300 });
    const [a, b, c] = nodes as [MeshNode, MeshNode, MeshNode];
    await connectPair(a, b);
    await connectPair(a, c);
    await connectPair(b, c);
    await Promise.all(nodes.map((n, i) => n.announceCapabilities({ tags: [`rack-${i}`, 'inference'] })));
    a.meshos.registerDaemon('indexer', { start() {}, stop() {} });
    a.meshos.registerDaemon('flaky-exporter', {
      start() {
        throw new Error('listen EADDRINUSE 127.0.0.1:9100');
      },
      stop() {},
    });
    a.meshos.log('info', 'deck demo started');
    await until(() => [...a.meshos.snapshot().peers.values()].filter((p) => p.health === 'healthy' && p.capabilitySet.length > 0).length === 2, 10_000, 'A to see its peers');
    deck = await serveDeck(a);

    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run node scripts/setup-chromium.mjs (npm test does)`);
    browser = await playwright.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(deck.url);
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
    await page.waitForSelector(`tr[data-peer="${c.nodeId}"][data-health="healthy"]`, { timeout: 10_000 });
    await page.waitForSelector('tr[data-daemon="indexer"][data-lifecycle="running"]', { timeout: 10_000 });
    const first = await page.screenshot({ fullPage: true });
    expect(first.length).toBeGreaterThan(10_000);
    // Marks this document: a reload would lose it.
    await page.evaluate(() => ((window as unknown as { deckMarker: number }).deckMarker = 42));
    const requestsBefore = requests.length;

    await c.close();
    await page.waitForSelector(`tr[data-peer="${c.nodeId}"][data-health="unreachable"]`, { timeout: 15_000 });
    const state = await page.evaluate(() => ({
      marker: (window as unknown as { deckMarker?: number }).deckMarker,
      rows: [...document.querySelectorAll('#peers tr[data-peer]')].map((tr) => [tr.getAttribute('data-peer'), tr.getAttribute('data-health')]),
      summary: document.getElementById('peer-summary')!.textContent,
      failures: [...document.querySelectorAll('#failures tr[data-failure]')].map((tr) => tr.getAttribute('data-failure')),
    }));
    expect(state.marker).toBe(42);
    expect(Object.fromEntries(state.rows)).toEqual({ [String(b.nodeId)]: 'healthy', [String(c.nodeId)]: 'unreachable' });
    expect(state.summary).toContain('1 unreachable');
    expect(state.failures).toContain('daemon:flaky-exporter');
    // No reload and no polling: nothing was requested since the page loaded.
    expect(requests.slice(requestsBefore)).toEqual([]);

    // docs/deck.png is refreshed on request only, so a test run leaves the tree unchanged.
    const dir = process.env.NET_MESH_UPDATE_SCREENSHOTS === '1' ? docs : mkdtempSync(join(tmpdir(), 'deck-'));
    mkdirSync(dir, { recursive: true });
    const shot = await page.screenshot({ path: join(dir, 'deck.png'), fullPage: true });
    expect(shot.length).toBeGreaterThan(1000);
  });
});
