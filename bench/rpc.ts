// nRPC bench: unary 64-byte echo calls at concurrency 1 and 16 (calls/s, p50/p99 latency) and a
// 1 KiB-item server stream (items/s), for net-mesh nRPC over UDP loopback beside @grpc/grpc-js
// (HTTP/2; the service defined with hand-written serialize/deserialize, no protobuf) and Node
// `http` with keep-alive, doing the same work on loopback in the same run, interleaved round by
// round. Caller and server of each system live in this process.
//
//   npm run bench:rpc                options: --quick (shorter rounds), --rounds=N
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { MeshNode } from '../ts/node/mesh-node.js';
import { fmtNum, fmtRatio, fmtUs, median, note, percentile, printEnvironment, printTable, roundsOf, target } from './harness.js';

const QUICK = process.argv.includes('--quick');
const arg = (k: string): string | undefined => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const ROUNDS = Number(arg('rounds') ?? (QUICK ? 2 : 3));
/** Wall time of one unary trial. */
const TRIAL_MS = QUICK ? 400 : 1500;
const STREAM_ITEMS = QUICK ? 5_000 : 20_000;
const ITEM = 1024;
const BODY = new Uint8Array(64).fill(0x61);
const PSK = '72706320626e6563682070736b20666f72206c6f63616c206c6f6f706261636b';

/** One system under test: a unary echo call and a server stream of `n` items of 1 KiB. */
interface System {
  name: string;
  call(): Promise<unknown>;
  stream(n: number): Promise<number>;
  close(): Promise<void>;
}

// ---- net-mesh nRPC ------------------------------------------------------------------------------

async function meshSystem(): Promise<System> {
  const server = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0' });
  const caller = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0' });
  server.accept(caller.nodeId);
  await caller.connect(server.address, { publicKey: server.noisePublicKey, nodeId: server.nodeId });
  const item = new Uint8Array(ITEM).fill(0x62);
  server.serve('bench.echo', (req) => req);
  server.serve('bench.stream', async function* (req) {
    const n = new DataView(req.buffer, req.byteOffset, 4).getUint32(0, true);
    for (let i = 0; i < n; i++) yield item;
  });
  const target = server.nodeId;
  return {
    name: 'net-mesh nRPC (UDP)',
    call: () => caller.call(target, 'bench.echo', BODY),
    async stream(n) {
      const req = new Uint8Array(4);
      new DataView(req.buffer).setUint32(0, n, true);
      let got = 0;
      for await (const x of caller.callStream(target, 'bench.stream', req, { window: 512 })) got += x.length > 0 ? 1 : 0;
      return got;
    },
    async close() {
      await caller.close();
      await server.close();
    },
  };
}

/** Writes `item` `n` times with backpressure (waits for 'drain'), then ends: the peers' stream servers. */
function writeItems(out: { write(b: Buffer): boolean; once(ev: 'drain', f: () => void): unknown; end(): unknown }, item: Buffer, n: number): void {
  let i = 0;
  const pump = (): void => {
    while (i < n) {
      i++;
      if (!out.write(item)) {
        out.once('drain', pump);
        return;
      }
    }
    out.end();
  };
  pump();
}

// ---- @grpc/grpc-js --------------------------------------------------------------------------------

const raw = (b: Buffer): Buffer => b;
const SERVICE: grpc.ServiceDefinition = {
  echo: { path: '/bench.Bench/Echo', requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw },
  stream: { path: '/bench.Bench/Stream', requestStream: false, responseStream: true, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw },
};

async function grpcSystem(): Promise<System> {
  const server = new grpc.Server();
  const item = Buffer.alloc(ITEM, 0x62);
  server.addService(SERVICE, {
    echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request),
    stream: (call: grpc.ServerWritableStream<Buffer, Buffer>) => writeItems(call, item, call.request.readUInt32LE(0)),
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const Ctor = grpc.makeGenericClientConstructor(SERVICE, 'Bench');
  const client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as grpc.Client & Record<string, (...a: unknown[]) => unknown>;
  const body = Buffer.from(BODY);
  return {
    name: '@grpc/grpc-js (HTTP/2)',
    call: () => new Promise((resolve, reject) => client.echo!(body, (e: Error | null, r: Buffer) => (e ? reject(e) : resolve(r)))),
    stream: (n) =>
      new Promise((resolve, reject) => {
        const req = Buffer.alloc(4);
        req.writeUInt32LE(n, 0);
        const s = client.stream!(req) as grpc.ClientReadableStream<Buffer>;
        let got = 0;
        s.on('data', () => got++);
        s.on('end', () => resolve(got));
        s.on('error', reject);
      }),
    async close() {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}

// ---- Node http keep-alive -----------------------------------------------------------------------

async function httpSystem(): Promise<System> {
  const item = Buffer.alloc(ITEM, 0x62);
  const server = http.createServer((req, res) => {
    if (req.url === '/echo') {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const b = Buffer.concat(parts);
        res.writeHead(200, { 'content-length': b.length });
        res.end(b);
      });
      return;
    }
    const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n'));
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    writeItems(res, item, n);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const body = Buffer.from(BODY);
  return {
    name: 'node:http keep-alive',
    call: () =>
      new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/echo', method: 'POST', agent, headers: { 'content-length': body.length } }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve(Buffer.concat(parts)));
        });
        req.on('error', reject);
        req.end(body);
      }),
    stream: (n) =>
      new Promise((resolve, reject) => {
        // Items are the 1 KiB writes; the byte count says how many arrived.
        http
          .get({ host: '127.0.0.1', port, path: `/stream?n=${n}`, agent }, (res) => {
            let bytes = 0;
            res.on('data', (c: Buffer) => (bytes += c.length));
            res.on('end', () => resolve(bytes / ITEM));
          })
          .on('error', reject);
      }),
    async close() {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- trials -------------------------------------------------------------------------------------

interface UnaryFigure {
  callsPerSec: number;
  latenciesUs: number[];
}

async function unaryTrial(sys: System, concurrency: number): Promise<UnaryFigure> {
  const latenciesUs: number[] = [];
  const t0 = performance.now();
  const end = t0 + TRIAL_MS;
  let calls = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const s = performance.now();
      await sys.call();
      latenciesUs.push((performance.now() - s) * 1000);
      calls++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { callsPerSec: (calls * 1000) / (performance.now() - t0), latenciesUs };
}

async function streamTrial(sys: System): Promise<number> {
  const t0 = performance.now();
  const got = await sys.stream(STREAM_ITEMS);
  if (got !== STREAM_ITEMS) throw new Error(`${sys.name}: stream delivered ${got} of ${STREAM_ITEMS} items`);
  return (got * 1000) / (performance.now() - t0);
}

function summary(figs: UnaryFigure[]): { rate: number; p50: number; p99: number } {
  const all = figs.flatMap((f) => f.latenciesUs);
  return { rate: median(figs.map((f) => f.callsPerSec)), p50: percentile(all, 50), p99: percentile(all, 99) };
}

async function main(): Promise<void> {
  printEnvironment('nRPC bench: unary 64-byte echo calls and a 1 KiB server stream on loopback');
  const systems = [await meshSystem(), await grpcSystem(), await httpSystem()];
  try {
    for (const s of systems) {
      // warm-up: connections, JIT, the reply-channel subscription
      for (let i = 0; i < 200; i++) await s.call();
      await s.stream(500);
    }
    const c1 = await roundsOf(systems.map((s) => () => unaryTrial(s, 1)), ROUNDS);
    const c16 = await roundsOf(systems.map((s) => () => unaryTrial(s, 16)), ROUNDS);
    const st = await roundsOf(systems.map((s) => () => streamTrial(s)), ROUNDS);
    const rows = systems.map((s, i) => {
      const a = summary(c1[i]!);
      const b = summary(c16[i]!);
      return { name: s.name, a, b, items: median(st[i]!) };
    });
    printTable(
      `Unary 64 B echo (${TRIAL_MS} ms trials) and a ${STREAM_ITEMS}-item 1 KiB server stream, median of ${ROUNDS} rounds`,
      ['system', 'c=1 calls/s', 'p50', 'p99', 'c=16 calls/s', 'p50', 'p99', 'stream items/s'],
      rows.map((r) => [r.name, fmtNum(r.a.rate), fmtUs(r.a.p50), fmtUs(r.a.p99), fmtNum(r.b.rate), fmtUs(r.b.p50), fmtUs(r.b.p99), fmtNum(r.items)]),
    );
    const [ours, g, h] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    const pair = (k: number, fig: (x: UnaryFigure) => number, arr: UnaryFigure[][]): number => median(arr[0]!.map((f, r) => fig(f) / fig(arr[k]![r]!)));
    const r1 = pair(1, (f) => f.callsPerSec, c1);
    const r16 = pair(1, (f) => f.callsPerSec, c16);
    const rs = median(st[0]!.map((x, r) => x / st[1]![r]!));
    printTable('net-mesh nRPC / peer (paired per round; > 1 = ours faster)', ['peer', 'c=1 calls/s', 'c=16 calls/s', 'stream items/s'], [
      [g.name, `${fmtRatio(r1)}  (${target(r1, '≥', 2)})`, `${fmtRatio(r16)}  (${target(r16, '≥', 2)})`, fmtRatio(rs)],
      [h.name, fmtRatio(pair(2, (f) => f.callsPerSec, c1)), fmtRatio(pair(2, (f) => f.callsPerSec, c16)), fmtRatio(median(st[0]!.map((x, r) => x / st[2]![r]!)))],
    ]);
    note(`Net v0.27 publishes 14–24K calls/s at concurrency 1 and 53–93K/s at 16 (native Rust, a larger machine);`);
    note(`net-mesh here: ${fmtNum(ours.a.rate)} calls/s at 1 and ${fmtNum(ours.b.rate)} at 16, in one Node process on this machine.`);
    note('A unary call costs one engine round trip (bench:node prints it); the nRPC layer adds one frame each way.');
  } finally {
    for (const s of systems) await s.close();
  }
}

await main();
