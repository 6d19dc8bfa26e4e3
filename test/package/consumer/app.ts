// What a user of the published package writes: test/package/consumer.mjs installs the packed
// tarball into a fresh project, typechecks this file strictly against the shipped declarations,
// compiles it and runs it under Node, Deno and Bun. Any failure throws (a non-zero exit).
import {
  AuthenticationError,
  Identity,
  MeshNode,
  NetMeshError,
  PermissionToken,
  RpcCodecError,
  RpcStatus,
  TokenChain,
  TokenError,
  channelHash,
  nrpc,
  toolDescriptorFromJSON,
  toolFormats,
  type ChannelConfig,
  type NetMeshErrorCode,
  type ReceivedEvent,
  type RequestPayload,
  type ToolDescriptor,
} from 'net-mesh';
import { Blake3, ChaCha20Poly1305, MalformedPacketError, blake3, decodeHeader, encodeHeader, initCore, type PacketHeader } from 'net-mesh/core';
import { main as cli } from 'net-mesh/cli';

const g = globalThis as { Deno?: unknown; Bun?: unknown };
const runtime = g.Deno ? 'deno' : g.Bun ? 'bun' : 'node';
const EVENTS = 200;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`${runtime}: ${what}`);
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// The error code is a closed union, not a string.
// @ts-expect-error: not one of the codes
const notACode: NetMeshErrorCode = 'NO_SUCH_CODE';
void notACode;

// net-mesh/core on its own.
await initCore();
const abc = new TextEncoder().encode('abc');
check(hex(blake3(abc)) === '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85', 'BLAKE3("abc")');
const h = new Blake3();
check(hex(h.update(abc).digest()) === hex(blake3(abc)), 'incremental BLAKE3');
h.dispose();

const aead = new ChaCha20Poly1305(new Uint8Array(32).fill(7));
const nonce = new Uint8Array(12);
const sealed = aead.seal(nonce, abc);
check(hex(aead.open(nonce, sealed)) === hex(abc), 'AEAD round trip');
sealed[0] ^= 1;
try {
  aead.open(nonce, sealed);
  check(false, 'a tampered ciphertext opened');
} catch (e) {
  // One class, whichever entry point it is imported from.
  check(e instanceof AuthenticationError && e instanceof NetMeshError && e.code === 'AUTH_FAILED', `tamper error: ${String(e)}`);
}
aead.dispose();

const header = decodeHeader(encodeHeader({ sessionId: 0x1234567890abcdefn, streamId: 9n, sequence: 42n }));
const fields: PacketHeader = header;
check(fields.sessionId === 0x1234567890abcdefn && fields.sequence === 42n, 'header round trip');
try {
  decodeHeader(new Uint8Array(3));
  check(false, 'a 3-byte header decoded');
} catch (e) {
  const code: NetMeshErrorCode | undefined = e instanceof NetMeshError ? e.code : undefined;
  check(e instanceof MalformedPacketError && code === 'MALFORMED_PACKET', `short header error: ${String(e)}`);
}

// The CLI's programmatic entry.
let printed = '';
check((await cli(['--version'], { out: (t) => (printed += t), err: () => {} })) === 0 && /^\d+\.\d+\.\d+/.test(printed), 'net-mesh --version');

// The layers' further names (channels.md §10, sdk.md "Wire codecs and tool formats").
const root = Identity.generate();
const member = Identity.generate();
const token = PermissionToken.issue(root, { subject: member.publicKey, scope: ['publish'], channel: 'sensors/temp', ttlMs: 60_000 });
const chain = TokenChain.decode(TokenChain.of([token]).encode());
chain.verifyAuthorizes('publish', channelHash('sensors/temp'), member.publicKey, [root.publicKey]);
try {
  chain.verifyAuthorizes('subscribe', channelHash('sensors/temp'), member.publicKey, [root.publicKey]);
  check(false, 'a publish token authorized a subscribe');
} catch (e) {
  check(e instanceof TokenError && e.kind === 'NotAuthorized', `token error: ${String(e)}`);
}
const config: ChannelConfig = { tokenRoots: [root.publicKey] };
check(config.tokenRoots?.length === 1, 'channel config');

const request: RequestPayload = { service: 'echo', deadlineNs: 0n, flags: nrpc.FLAGS.REQUEST_END, headers: [['k', abc]], body: abc };
const decoded = nrpc.decodeRequest(nrpc.encodeRequest(request));
check(decoded.service === 'echo' && decoded.flags === request.flags && hex(decoded.body) === hex(abc) && decoded.headers[0]?.[0] === 'k', 'nRPC request round trip');
check(nrpc.decodeResponse(nrpc.encodeResponse({ status: RpcStatus.NotFound })).status === 1, 'nRPC response status');
try {
  nrpc.decodeRequest(new Uint8Array(1));
  check(false, 'a 1-byte request decoded');
} catch (e) {
  check(e instanceof RpcCodecError && e instanceof NetMeshError, `request decode error: ${String(e)}`);
}

const tool: ToolDescriptor = toolDescriptorFromJSON({ tool_id: 'weather', description: 'Forecast', input_schema: '{"type":"object"}' });
const openai = toolFormats.toOpenAI(tool) as { function: { name: string } };
check(openai.function.name === 'weather' && toolFormats.parseMcpCall({ name: 'weather', arguments: { city: 'Oslo' } }).argumentsJson === '{"city":"Oslo"}', 'tool formats');

// Two nodes, a session, events both ways on reliable streams, every payload checked.
check(MeshNode.name === 'MeshNode', `MeshNode.name is ${MeshNode.name}`);
const psk = 'c3'.repeat(32);
const a = await MeshNode.create({ psk });
const b = await MeshNode.create({ psk });
b.accept(a.nodeId);
await a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId });

function payload(from: bigint, i: number): Uint8Array {
  return new TextEncoder().encode(`${from}:${i}`);
}

async function receive(node: MeshNode, from: bigint): Promise<number> {
  let n = 0;
  for await (const e of node.events({ stream: 1n, from })) {
    const ev: ReceivedEvent = e;
    check(new TextDecoder().decode(ev.payload) === `${from}:${n}`, `event ${n} from ${from}`);
    if (++n === EVENTS) break;
  }
  return n;
}

// The test machine may be heavily loaded: retransmission must not give up (maxRetries at its
// maximum) and the graceful close gets a generous bound. Give-up behaviour is tested elsewhere.
async function send(node: MeshNode, to: bigint): Promise<void> {
  const s = node.openStream(to, 1n, { reliability: 'reliable', maxRetries: 255 });
  for (let i = 0; i < EVENTS; i += 10) await s.send(Array.from({ length: 10 }, (_, k) => payload(node.nodeId, i + k)));
  await s.closeGraceful(60_000);
}

const [atB, atA] = await Promise.all([receive(b, a.nodeId), receive(a, b.nodeId), send(a, b.nodeId), send(b, a.nodeId)]);
check(atB === EVENTS && atA === EVENTS, `received ${atB} and ${atA} of ${EVENTS}`);
// Counters reach the app with the engine's next stats record (10 ms apart at most): poll briefly.
const statsBy = Date.now() + 5000;
while (!(a.peers().length === 1 && b.stats().eventsIn >= EVENTS) && Date.now() < statsBy) await new Promise((r) => setTimeout(r, 20));
check(a.peers().length === 1 && b.stats().eventsIn >= EVENTS, `peers and stats (${a.peers().length} peers, ${b.stats().eventsIn} events in)`);
await Promise.all([a.close(), b.close()]);
console.log(`consumer ok under ${runtime}: core primitives, CLI entry, tokens, nRPC and tool codecs, ${EVENTS} events each way`);
