// The relay's limits and abuse handling end to end, under Deno: relays started in this process
// with tight limits, real WebTransport clients (the transport, and raw sessions that misbehave),
// and a UDP echo peer. Prints one JSON line of observations per scenario;
// test/relay/relay-path.test.ts asserts on them.
//   deno run --allow-net --unstable-net --sloppy-imports test/relay/deno-limits.ts

import { encodePrefix, encodeRecord } from '../../ts/relay/framing.js';
import { fromHex } from '../../ts/relay/hex.js';
import { startRelay, type Relay, type RelayOptions } from '../../ts/relay/server.js';
import { parseIpAddress } from '../../ts/transports/address.js';
import { DenoTransport } from '../../ts/transports/deno.js';
import type { Datagram } from '../../ts/transports/transport.js';
import { WebTransportTransport } from '../../ts/transports/webtransport.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) return false;
    await sleep(20);
  }
  return true;
}

function errorInfo(err: unknown): { name: string; code?: string; message: string } {
  const e = err as { name?: string; code?: string; message?: string };
  return { name: e?.name ?? typeof err, code: e?.code, message: e?.message ?? String(err) };
}

async function withRelay<T>(opts: RelayOptions, fn: (r: Relay) => Promise<T>): Promise<T & { relay: ReturnType<Relay['stats']> }> {
  const relay = await startRelay(opts);
  try {
    const out = await fn(relay);
    return { ...out, relay: relay.stats() };
  } finally {
    await relay.close();
  }
}

function client(r: Relay, extra: Partial<ConstructorParameters<typeof WebTransportTransport>[0]> = {}): WebTransportTransport {
  return new WebTransportTransport({ url: r.url, certificateHash: r.certificateHash, ...extra });
}

/** n packets of `size` bytes to `peer`, numbered in their first two bytes. */
function packets(n: number, size: number, peer: string): Datagram[] {
  return Array.from({ length: n }, (_, i) => {
    const data = new Uint8Array(size);
    data[0] = i & 0xff;
    data[1] = i >> 8;
    return { data, address: peer };
  });
}

/** A raw WebTransport session to the relay, for sending what the transport never would. */
async function rawSession(r: Relay, url = r.url): Promise<WebTransport> {
  const wt = new WebTransport(url, { serverCertificateHashes: [{ algorithm: 'sha-256', value: fromHex(r.certificateHash, 32, 'hash') }] });
  wt.closed.catch(() => undefined);
  await wt.ready;
  return wt;
}

async function closeInfo(wt: WebTransport, timeoutMs = 10_000): Promise<string> {
  const info = await Promise.race([
    wt.closed.then(
      (i) => `closed ${i.closeCode}: ${i.reason}`,
      (e) => `failed: ${errorInfo(e).message}`,
    ),
    sleep(timeoutMs).then(() => 'still open'),
  ]);
  return info;
}

async function main(): Promise<void> {
  const echo = new DenoTransport();
  const echoAddress = await echo.bind('127.0.0.1:0');
  echo.onReceive((batch) => echo.send(batch));
  const out: Record<string, unknown> = {};

  out.sessionCap = await withRelay({ limits: { maxSessions: 1 } }, async (r) => {
    const a = client(r);
    const aBound = await a.bind('0.0.0.0:0');
    const b = client(r, { connectTimeoutMs: 5000 });
    const bError = await b.bind('0.0.0.0:0').then(() => null, errorInfo);
    await b.close();
    await a.close();
    const freed = await waitFor(() => r.stats().sessionsOpen === 0);
    const c = client(r);
    const cBound = await c.bind('0.0.0.0:0').catch(errorInfo);
    await c.close();
    return { aBound, bError, freed, cBound };
  });

  out.hostCap = await withRelay({ limits: { maxSessions: 8, maxSessionsPerHost: 2 } }, async (r) => {
    const ts = [client(r), client(r), client(r, { connectTimeoutMs: 5000 })];
    const results = [];
    for (const t of ts) results.push(await t.bind('0.0.0.0:0').then((a) => a, errorInfo));
    for (const t of ts) await t.close();
    return { results };
  });

  out.idle = await withRelay({ limits: { idleTimeoutMs: 300 } }, async (r) => {
    const t = client(r);
    await t.bind('0.0.0.0:0');
    const t0 = Date.now();
    const closed = await waitFor(() => (t.stats().lastError ?? '').includes('idle'));
    const closedAfterMs = Date.now() - t0;
    t.send(packets(3, 10, echoAddress));
    const stats = t.stats();
    await t.close();
    return { closed, closedAfterMs, lastError: stats.lastError, sendErrors: stats.sendErrors };
  });

  // Packets of 2,000+ bytes take the stream path (reliable), so every one reaches the limiter.
  const burst = (limits: RelayOptions['limits'], n: number, size: number) =>
    withRelay({ limits }, async (r) => {
      const t = client(r);
      await t.bind('0.0.0.0:0');
      const t0 = Date.now();
      t.send(packets(n, size, echoAddress));
      await waitFor(() => r.stats().packetsToMesh + r.stats().droppedRateLimitedToMesh >= n);
      const elapsedMs = Date.now() - t0;
      await t.close();
      return { elapsedMs };
    });
  out.packetRate = await burst({ packetsPerSecond: 100, burstSeconds: 1 }, 400, 2000);
  out.byteRate = await burst({ bytesPerSecond: 65536, burstSeconds: 1 }, 100, 4096);

  out.quota = await withRelay({ limits: { maxBytesPerSession: 10_000 } }, async (r) => {
    const t = client(r);
    await t.bind('0.0.0.0:0');
    t.send(packets(10, 2000, echoAddress));
    const closed = await waitFor(() => (t.stats().lastError ?? '').includes('quota'));
    await t.close();
    return { closed, lastError: t.stats().lastError };
  });

  out.destinations = await withRelay({}, async (r) => {
    const t = client(r);
    await t.bind('0.0.0.0:0');
    t.send([
      { data: new Uint8Array(20), address: '224.0.0.1:9' },
      { data: new Uint8Array(20), address: '0.0.0.0:9' },
      { data: new Uint8Array(20), address: '255.255.255.255:9' },
    ]);
    await waitFor(() => r.stats().droppedDestination >= 3, 5000);
    await t.close();
    return {};
  });

  out.abuse = await withRelay({ limits: { bindTimeoutMs: 500 } }, async (r) => {
    // A session that never binds.
    const silent = await rawSession(r);
    const silentClose = await closeInfo(silent);
    // A session that binds, then sends undecodable datagrams and an impossible record length.
    const rude = await rawSession(r);
    const bidi = await rude.createBidirectionalStream();
    const w = bidi.writable.getWriter();
    await w.write(encodeRecord(encodePrefix(parseIpAddress('0.0.0.0:0')), new Uint8Array(0)));
    const reply = await bidi.readable.getReader().read();
    const dgw = rude.datagrams.writable.getWriter();
    await dgw.write(Uint8Array.of(0xff, 1, 2, 3));
    await dgw.write(Uint8Array.of(4, 127, 0));
    await dgw.write(encodePrefix(parseIpAddress(echoAddress))); // empty packet
    const malformedSeen = await waitFor(() => r.stats().droppedMalformed >= 3, 5000);
    await w.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 4));
    const rudeClose = await closeInfo(rude);
    // A session on a path the relay does not serve.
    const wrongPath = client(r, { url: r.url.replace('/net-mesh', '/other') });
    const wrongPathError = await wrongPath.bind('0.0.0.0:0').then(() => null, errorInfo);
    await wrongPath.close();
    // A page that pins another certificate.
    const wrongPin = client(r, { certificateHash: '00'.repeat(32), connectTimeoutMs: 5000 });
    const wrongPinError = await wrongPin.bind('0.0.0.0:0').then(() => null, errorInfo);
    await wrongPin.close();
    // After all that, the relay still serves an honest page.
    const t = client(r);
    const bound = await t.bind('0.0.0.0:0');
    let echoed = 0;
    t.onReceive((batch) => (echoed += batch.length));
    t.send(packets(20, 3000, echoAddress));
    await waitFor(() => echoed >= 20);
    await t.close();
    return { silentClose, replyBytes: reply.value?.length ?? 0, malformedSeen, rudeClose, wrongPathError, wrongPinError, bound, echoed };
  });

  // A "relay" that never answers: a UDP socket that swallows the QUIC handshake.
  const silent = new DenoTransport();
  const silentAddress = await silent.bind('127.0.0.1:0');
  const mute = new WebTransportTransport({
    url: `https://${silentAddress}/net-mesh`,
    certificateHash: '00'.repeat(32),
    connectTimeoutMs: 500,
  });
  const t0 = Date.now();
  const muteError = await mute.bind('0.0.0.0:0').then(() => null, errorInfo);
  out.noAnswer = { error: muteError, elapsedMs: Date.now() - t0, address: mute.address };
  await mute.close();
  await silent.close();

  await echo.close();
  console.log(JSON.stringify(out));
}

main().then(
  () => (globalThis as unknown as { Deno: { exit(c: number): never } }).Deno.exit(0),
  (err) => {
    console.error(err);
    (globalThis as unknown as { Deno: { exit(c: number): never } }).Deno.exit(1);
  },
);
