// One node of the three-process relay runs (bench/relay-path.ts, test/routing/relay-udp.test.ts):
// `node relay-peer.mjs <psk> <engine>` binds 127.0.0.1, prints its contact details as one JSON
// line, then answers one line per command read from stdin:
//   accept <nodeId>                 → ok
//   connect <address> <nodeId> <key> → ok | error <code>
//   expect <from> <stream> <count>  → ok (starts counting patterned events; see relayEvent)
//   wait <stream>                   → {"events":n,"bytes":n,"corrupt":n} once `count` arrived
//   stats                           → {"forwarded":n,"dropped":{…},"peers":[…]}
//   exit                            → closes the node and exits
import { createInterface } from 'node:readline';
import { MeshNode } from '../ts/node/mesh-node.js';
import { NetMeshError } from '../ts/errors.js';

/** Event `i` of a relay run: its index (u32 LE), then bytes (i + k) & 0xff. */
export function relayEvent(i: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let k = 4; k < len; k++) b[k] = (i + k) & 0xff;
  new DataView(b.buffer).setUint32(0, i, true);
  return b;
}

function isRelayEvent(p: Uint8Array): boolean {
  if (p.length < 4) return false;
  const i = new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0, true);
  for (let k = 4; k < p.length; k++) if (p[k] !== ((i + k) & 0xff)) return false;
  return true;
}

async function main(): Promise<void> {
  const [psk, engine] = process.argv.slice(2);
  const node = await MeshNode.create({ psk: psk!, bind: '127.0.0.1:0', engine: engine === 'inline' ? 'inline' : 'worker' });
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  out(JSON.stringify({ address: node.address, nodeId: node.nodeId.toString(), key: Buffer.from(node.noisePublicKey).toString('hex') }));
  const runs = new Map<string, Promise<{ events: number; bytes: number; corrupt: number }>>();
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, ...args] = line.trim().split(/\s+/);
    try {
      switch (cmd) {
        case 'accept':
          node.accept(BigInt(args[0]!));
          out('ok');
          break;
        case 'connect':
          await node.connect(args[0]!, { nodeId: BigInt(args[1]!), publicKey: Uint8Array.from(Buffer.from(args[2]!, 'hex')) });
          out('ok');
          break;
        case 'expect': {
          const [from, stream, count] = [BigInt(args[0]!), BigInt(args[1]!), Number(args[2])];
          const r = { events: 0, bytes: 0, corrupt: 0 };
          const iter = node.events({ from, stream });
          runs.set(
            args[1]!,
            (async () => {
              for await (const e of iter) {
                r.events++;
                r.bytes += e.payload.length;
                if (!isRelayEvent(e.payload)) r.corrupt++;
                if (r.events === count) break;
              }
              return r;
            })(),
          );
          out('ok');
          break;
        }
        case 'wait':
          out(JSON.stringify(await runs.get(args[0]!)));
          break;
        case 'stats': {
          const s = node.stats();
          out(JSON.stringify({ forwarded: s.forwarded, dropped: s.dropped, peers: node.peers().map((p) => p.nodeId.toString()) }));
          break;
        }
        case 'exit':
          await node.close();
          process.exit(0);
      }
    } catch (e) {
      out(`error ${e instanceof NetMeshError ? e.code : String(e)}`);
    }
  }
  await node.close();
}

if (process.argv[1] && /relay-peer\.(m?js|ts)$/.test(process.argv[1])) void main();
