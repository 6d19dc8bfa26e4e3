// The Deck server over a real node: the page and its assets, the JSON snapshot with exact u64s,
// and the SSE stream pushing a new snapshot when a peer fails (no polling involved).
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { serveDeck, type DeckServer } from '../../ts/meshos/deck-server.js';
import { connectPair, hubNodes, until } from '../node/helpers.js';
import { SseReader } from './sse-client.js';

let nodes: MeshNode[] = [];
let servers: DeckServer[] = [];
let readers: SseReader[] = [];
afterEach(async () => {
  for (const r of readers) r.close();
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
  servers = [];
  readers = [];
});

async function cluster(): Promise<[MeshNode, MeshNode, MeshNode]> {
  nodes = await hubNodes(3, new MemoryHub({ seed: 1503 }), { heartbeatIntervalMs: 50, sessionTimeoutMs: 300 });
  const [a, b, c] = nodes as [MeshNode, MeshNode, MeshNode];
  await connectPair(a, b);
  await connectPair(a, c);
  await connectPair(b, c);
  await until(() => a.meshos.snapshot().peers.size === 2, 5000, 'A to see its peers');
  return [a, b, c];
}

function rawGet(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Deck server', () => {
  it('serves the page, its assets and the JSON snapshot with exact u64 ids', async () => {
    const [a, b] = await cluster();
    const deck = await serveDeck(a);
    servers.push(deck);
    expect(deck.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const page = await fetch(deck.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script src="/deck.js" defer></script>');
    expect(html).toContain('<tbody id="peers">');

    const js = await fetch(deck.url + 'deck.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const code = await js.text();
    expect(code).toContain("new EventSource('/events')");
    expect(code).not.toMatch(/setInterval|fetch\(/); // pushed, never polled
    expect((await fetch(deck.url + 'deck.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');

    const snap = await fetch(deck.url + 'snapshot.json');
    expect(snap.headers.get('content-type')).toBe('application/json');
    const text = await snap.text();
    expect(text).toContain(`"nodeId":${a.nodeId}`); // exact, even above 2^53
    const parsed = JSON.parse(text) as { peers: Record<string, { health: string }> };
    expect(parsed.peers[String(b.nodeId)]!.health).toBe('healthy');
  });

  it('refuses other methods, unknown paths and foreign Host headers', async () => {
    const [a] = await cluster();
    const deck = await serveDeck(a.meshos, { port: 0 });
    servers.push(deck);
    expect((await fetch(deck.url, { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await fetch(deck.url + 'nope')).status).toBe(404);
    expect((await fetch(deck.url, { method: 'HEAD' })).status).toBe(200);
    expect(await rawGet(deck.url, `evil.example:${deck.port}`)).toBe(403);
    expect(await rawGet(deck.url, `localhost:${deck.port}`)).toBe(200);
    expect(await rawGet(deck.url, `127.0.0.1:${deck.port + 1}`)).toBe(403);
    await expect(serveDeck({} as never)).rejects.toThrow(/snapshot\(\)/);
    await expect(serveDeck(a, { port: 70_000 })).rejects.toThrow(/port/);
  });

  it('pushes the snapshot at once and again when a peer fails', async () => {
    const [a, , c] = await cluster();
    const deck = await serveDeck(a);
    servers.push(deck);
    const sse = new SseReader(deck.url + 'events');
    readers.push(sse);
    await sse.open();
    expect(sse.status).toBe(200);
    expect(sse.contentType).toBe('text/event-stream; charset=utf-8');
    const first = (await sse.next())!;
    expect(first.event).toBe('snapshot');
    const peerOf = (data: string) => (JSON.parse(data) as { peers: Record<string, { health?: string }> }).peers[String(c.nodeId)];
    expect(peerOf(first.data)!.health).toBe('healthy');
    expect(BigInt(first.id)).toBe(a.meshos.changeCounter);

    await c.close();
    const ids = [BigInt(first.id)];
    for (;;) {
      const ev = await sse.next();
      expect(ev).toBeDefined();
      expect(ev!.event).toBe('snapshot');
      ids.push(BigInt(ev!.id));
      if (peerOf(ev!.data)!.health === 'unreachable') break;
    }
    // Every push is a new structural change, in order.
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);

    await deck.close();
    expect(await sse.next()).toBeUndefined();
  });

  it('relays a source that already holds Deck JSON (a remote snapshot feed)', async () => {
    const [a] = await cluster();
    const ac = new AbortController();
    const feed = {
      snapshotJson: () => '{"remote":true}',
      changes: (opts?: { signal?: AbortSignal }) => a.meshos.changes({ signal: opts?.signal ?? ac.signal }),
    };
    const deck = await serveDeck(feed);
    servers.push(deck);
    expect(await (await fetch(deck.url + 'snapshot.json')).text()).toBe('{"remote":true}');
    const sse = new SseReader(deck.url + 'events');
    readers.push(sse);
    await sse.open();
    expect((await sse.next())!.data).toBe('{"remote":true}');
    a.meshos.admin({ kind: 'cordon' });
    const ev = (await sse.next())!;
    expect(ev.id).toBe(String(a.meshos.changeCounter));
    ac.abort();
  });

  it('tells the page when the node closes, so it stops reconnecting', async () => {
    const [a] = await cluster();
    const deck = await serveDeck(a);
    servers.push(deck);
    const sse = new SseReader(deck.url + 'events');
    readers.push(sse);
    await sse.open();
    expect((await sse.next())!.event).toBe('snapshot');
    await a.close();
    expect((await sse.next())!.event).toBe('closed');
    expect(await sse.next()).toBeUndefined();
  });
});
