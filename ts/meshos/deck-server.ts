// The Deck page server (node:http): `/` the page, `/deck.css` and `/deck.js` its assets,
// `/snapshot.json` the current snapshot, `/events` a Server-Sent Events stream that sends the
// snapshot at once and again on every structural change. This is all `net-mesh deck` needs: it
// serves any source with snapshot() and changes() (a node, its MeshOs, or a remote snapshot feed).
//
// Operator safety: it binds loopback unless told otherwise, answers only GET/HEAD, rejects Host
// headers other than its own when bound to loopback (DNS rebinding), sends a strict CSP, caps the
// number of event streams, and coalesces pushes for a slow reader to the latest snapshot.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { InvalidArgumentError } from '../errors.js';
import { DECK_CSS, DECK_HTML, DECK_JS } from './deck-page.js';
import { toDeckJson } from './json.js';
import type { MeshOsSnapshot } from './types.js';

/**
 * What the server shows: a snapshot now, and a signal per structural change (its value, the
 * change counter, becomes the SSE event id). A remote feed (`net-mesh deck` attached to a node)
 * that already holds the snapshot as Deck JSON can pass `snapshotJson` instead of `snapshot`.
 */
export interface DeckSnapshotSource {
  snapshot?(): MeshOsSnapshot;
  snapshotJson?(): string;
  changes(opts?: { signal?: AbortSignal }): AsyncIterable<unknown>;
}

export interface DeckServerOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** Concurrent event streams (default 64); more get 503. */
  maxStreams?: number;
  /** Comment line sent on idle streams so proxies and dead peers are noticed (default 15 s). */
  keepAliveMs?: number;
}

export interface DeckServer extends AsyncDisposable {
  /** The page's URL, e.g. http://127.0.0.1:53211/ */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Ends every event stream and stops listening. */
  close(): Promise<void>;
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.startsWith('127.');
}

function sourceOf(s: DeckSnapshotSource | { meshos: DeckSnapshotSource }): DeckSnapshotSource {
  const src = 'meshos' in s && s.meshos ? s.meshos : (s as DeckSnapshotSource);
  if ((typeof src.snapshot !== 'function' && typeof src.snapshotJson !== 'function') || typeof src.changes !== 'function') {
    throw new InvalidArgumentError('serveDeck needs a node, its meshos, or an object with snapshot() (or snapshotJson()) and changes()');
  }
  return src;
}

function jsonOf(src: DeckSnapshotSource): { json: string; id: string } {
  if (src.snapshotJson) return { json: src.snapshotJson(), id: '' };
  const s = src.snapshot!();
  return { json: toDeckJson(s), id: String(s.counters.structuralChanges) };
}

/** Serves the Deck page for `source` (a MeshNode, its `meshos`, or any snapshot source). */
export async function serveDeck(source: DeckSnapshotSource | { meshos: DeckSnapshotSource }, opts: DeckServerOptions = {}): Promise<DeckServer> {
  const src = sourceOf(source);
  const host = opts.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0) throw new InvalidArgumentError('host must be a non-empty string');
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`port must be an integer in 0..65535, got ${String(opts.port)}`);
  const maxStreams = opts.maxStreams ?? 64;
  const keepAliveMs = opts.keepAliveMs ?? 15_000;
  const streams = new Set<AbortController>();

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    }
  });

  let boundPort = port;
  const hostAllowed = (h: string | undefined): boolean => {
    if (!isLoopback(host)) return true; // bound to a routable or wildcard address on purpose
    if (!h) return false;
    let name = h;
    let p = '';
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h);
    if (m) {
      name = m[1]!;
      p = m[2] ?? '';
    }
    return isLoopback(name.toLowerCase()) && (p === '' || Number(p) === boundPort);
  };

  function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
    res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': CSP,
    });
    res.end(head ? undefined : body);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (!hostAllowed(req.headers.host)) return send(res, 403, 'text/plain; charset=utf-8', 'forbidden host\n', false);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', false);
    }
    const head = req.method === 'HEAD';
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/':
      case '/index.html':
        return send(res, 200, 'text/html; charset=utf-8', DECK_HTML, head);
      case '/deck.css':
        return send(res, 200, 'text/css; charset=utf-8', DECK_CSS, head);
      case '/deck.js':
        return send(res, 200, 'text/javascript; charset=utf-8', DECK_JS, head);
      case '/snapshot.json':
        return send(res, 200, 'application/json', jsonOf(src).json, head);
      case '/events':
        if (head) return send(res, 200, 'text/event-stream', '', true);
        if (streams.size >= maxStreams) return send(res, 503, 'text/plain; charset=utf-8', 'too many event streams\n', false);
        return events(req, res);
      default:
        return send(res, 404, 'text/plain; charset=utf-8', 'not found\n', false);
    }
  }

  function events(req: IncomingMessage, res: ServerResponse): void {
    const ac = new AbortController();
    streams.add(ac);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    // One snapshot in the socket at a time; while it drains, only the latest is kept.
    let waiting = false;
    let dirty = false;
    let lastChange = '';
    const push = (): void => {
      if (ac.signal.aborted) return;
      if (waiting) {
        dirty = true;
        return;
      }
      const { json, id } = jsonOf(src);
      const ok = res.write(`id: ${id || lastChange}\nevent: snapshot\ndata: ${json}\n\n`);
      if (!ok) {
        waiting = true;
        res.once('drain', () => {
          waiting = false;
          if (dirty) {
            dirty = false;
            push();
          }
        });
      }
    };
    const keepAlive = setInterval(() => {
      if (!waiting) res.write(': keep-alive\n\n');
    }, keepAliveMs);
    keepAlive.unref?.();
    const finish = (): void => {
      clearInterval(keepAlive);
      streams.delete(ac);
      ac.abort();
    };
    req.on('close', finish);
    res.on('close', finish);
    push();
    void (async () => {
      try {
        for await (const change of src.changes({ signal: ac.signal })) {
          if (typeof change === 'bigint' || typeof change === 'number') lastChange = String(change);
          push();
        }
      } catch {
        // the source failed: end the stream below
      }
      if (!ac.signal.aborted) {
        // The source ended (its node closed): tell the page, which stops reconnecting.
        res.end('event: closed\ndata: {}\n\n');
        finish();
      }
    })();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  boundPort = typeof addr === 'object' && addr ? addr.port : port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const url = `http://${urlHost}:${boundPort}/`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const ac of streams) ac.abort();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  return { url, host, port: boundPort, close, [Symbol.asyncDispose]: close };
}
