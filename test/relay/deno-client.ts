// The relay path without a browser: a Deno process (Deno has a WebTransport client) binds a
// WebTransportTransport to the relay and runs the exchange against a UDP echo peer.
//   deno run --allow-net --unstable-net --sloppy-imports test/relay/deno-client.ts URL HASH PEER COUNT SEED
// Prints the ExchangeResult (plus the transport's address) as one JSON line; test/relay/relay-path.test.ts reads it.

import { WebTransportTransport } from '../../ts/transports/webtransport.js';
import { runExchange } from './exchange.js';

const [url, certificateHash, peer, count, seed] = (globalThis as unknown as { Deno: { args: string[] } }).Deno.args;
const t = new WebTransportTransport({ url: url!, certificateHash: certificateHash! });
const address = await t.bind('0.0.0.0:0');
const result = await runExchange(t, { peer: peer!, count: Number(count), seed: Number(seed) });
await t.close();
console.log(JSON.stringify({ address, ...result }));
