// `net-mesh deck` and `net-mesh relay` start, serve and stop (issues 14, 15): the Deck page of a
// `net-mesh node` in another process (attached, its snapshots over meshos.snapshot, pushed to the
// page as Server-Sent Events), of a fresh node (--local), and in-process (`node --deck`); the
// WebTransport relay under Deno. SIGINT / SIGTERM end them with exit 0; bad relay flags exit 2,
// a relay that cannot start within --timeout exits 7.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../ts/cli/index.js';
import { attachFlags, CliProcess, startNode } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'nm-cli-deck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The u64 `nodeId` of a Deck JSON snapshot, exactly. */
const nodeIdOf = (json: string): string => /"nodeId":(\d+)/.exec(json)![1]!;

/** The first `event: snapshot` of the page's SSE stream. */
async function firstPushed(url: string): Promise<string> {
  const ac = new AbortController();
  const res = await fetch(new URL('events', url), { signal: ac.signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the event stream ended: ${text}`);
      text += dec.decode(value, { stream: true });
      const m = /event: snapshot\ndata: (.*)\n\n/.exec(text);
      if (m) return m[1]!;
    }
  } finally {
    ac.abort();
  }
}

async function io() {
  const c = { out: '', err: '' };
  return { c, io: { out: (t: string) => void (c.out += t), err: (t: string) => void (c.err += t), cwd: dir, env: {} } };
}

describe('net-mesh deck', () => {
  it('serves the page of an attached node and of `node --deck`, pushes its snapshot, stops on SIGINT', async () => {
    const { node, attach } = await startNode(dir, ['--deck', '127.0.0.1:0']);
    const deckUrl = JSON.parse(node.lines[0]!).deck_url as string;
    expect(deckUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(nodeIdOf(await (await fetch(new URL('snapshot.json', deckUrl))).text())).toBe(attach.node_id);

    const deck = CliProcess.start(['deck', ...attachFlags(attach, 'cli.toml')], { cwd: dir });
    const line = await deck.line(0);
    expect(line).toContain(`"node_id":${attach.node_id}`);
    const url = JSON.parse(line).url as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/deck.js"');
    expect(nodeIdOf(await (await fetch(new URL('snapshot.json', url))).text())).toBe(attach.node_id);
    expect(nodeIdOf(await firstPushed(url))).toBe(attach.node_id);
    expect(await deck.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(await node.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('--local shows a fresh node in its own process', async () => {
    const deck = CliProcess.start(['deck', '--local', '--listen', '127.0.0.1:0'], { cwd: dir });
    const line = await deck.line(0);
    const id = /"node_id":(\d+)/.exec(line)![1]!;
    expect(nodeIdOf(await (await fetch(new URL('snapshot.json', JSON.parse(line).url))).text())).toBe(id);
    expect(await deck.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('needs a target unless --local (exit 2)', async () => {
    const { c, io: i } = await io();
    expect(await main(['deck'], i)).toBe(2);
    expect(c.err).toMatch(/^net-mesh: deck: no target node/);
  });
});

describe('net-mesh relay', () => {
  it('starts the WebTransport relay under Deno, prints its URL and certificate hash, exits 0 on SIGINT', async () => {
    const relay = CliProcess.start(['relay', '--host', '127.0.0.1', '--port', '0', '--max-sessions', '4'], { cwd: dir });
    const info = JSON.parse(await relay.line(0));
    expect(info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/net-mesh$/);
    expect(info.certificate_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await relay.stop('SIGINT')).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('bad relay flags exit 2 before Deno starts; a start slower than --timeout exits 7', async () => {
    const bad = await io();
    expect(await main(['relay', '--port', 'eighty'], bad.io)).toBe(2);
    expect(bad.c.err).toMatch(/^net-mesh: relay: --port must be a whole number/);
    const slow = await io();
    expect(await main(['relay', '--timeout', '1ms'], slow.io)).toBe(7);
    expect(slow.c.err).toMatch(/^net-mesh: relay: the relay did not start within 1 ms/);
  }, 60_000);
});
