// The responder policy accept: 'any' and contact strings, on loopback UDP in both placements, and
// the contact codec on its own (round trip, and a typed error naming each malformed part).
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../ts/errors.js';
import { formatContact, parseContact } from '../../ts/node/contact.js';
import { NodeSet, PLACEMENTS, peerOf, rejection } from './helpers.js';
import { take } from '../node/helpers.js';

const set = new NodeSet();
afterEach(() => set.close());

describe.each(PLACEMENTS)('%s engine: accept policy and contacts', (engine) => {
  it("accept: 'any' admits an initiator holding the PSK that was never accept()ed, and data flows both ways", async () => {
    const server = await set.node(engine, { accept: 'any' });
    const client = await set.node(engine);
    const info = await client.connect(server.contact, { timeoutMs: 10_000 });
    expect(info.nodeId).toBe(server.nodeId);
    expect(server.peers().map((p) => p.nodeId)).toEqual([client.nodeId]);
    const got = take(server.events({ stream: 7n }), 1);
    await client.openStream(server.nodeId, 7n).send([new Uint8Array([1, 2, 3])]);
    const [e] = await got;
    expect(e!.from).toBe(client.nodeId);
    expect([...e!.payload]).toEqual([1, 2, 3]);
    expect(server.stats().handshakesRefused).toEqual({ unaccepted: 0, unauthenticated: 0 });
  });

  it("node.accept('any') switches the policy at run time; it still refuses another PSK", async () => {
    const server = await set.node(engine);
    const stranger = await set.node(engine, { psk: 'ab'.repeat(32) });
    const client = await set.node(engine);
    server.accept('any');
    const { err } = await rejection(stranger.connect(server.contact, { timeoutMs: 500 }));
    expect(err.code).toBe('HANDSHAKE_TIMEOUT');
    await client.connect(server.address, peerOf(server), { timeoutMs: 10_000 });
    expect(server.peers().map((p) => p.nodeId)).toEqual([client.nodeId]);
    expect(server.stats().handshakesRefused.unauthenticated).toBeGreaterThanOrEqual(1);
  });

  it('connect(contact) equals connect(address, peer)', async () => {
    const a = await set.node(engine);
    const b = await set.node(engine);
    b.accept(a.nodeId);
    expect(b.contact).toBe(`nm1:${Buffer.from(b.noisePublicKey).toString('hex')}@${b.address}#${b.nodeId}`);
    const info = await a.connect(b.contact);
    expect(info).toMatchObject({ nodeId: b.nodeId, address: b.address });
  });
});

describe('contact strings', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);

  it('round-trip, IPv4, IPv6 and names, with the full u64 range of node ids', () => {
    for (const address of ['10.1.2.3:7447', '[::1]:9', 'mesh.example.org:7447']) {
      for (const nodeId of [0n, 1n, 2n ** 64n - 1n, 123456789012345678n]) {
        const s = formatContact({ publicKey: key, address, nodeId });
        expect(s.startsWith('nm1:')).toBe(true);
        const c = parseContact(s);
        expect(c).toEqual({ publicKey: key, address, nodeId });
        expect(formatContact(c)).toBe(s);
      }
    }
    // Upper-case hex is read too.
    const upper = `nm1:${Buffer.from(key).toString('hex').toUpperCase()}@1.2.3.4:5#6`;
    expect(parseContact(upper).publicKey).toEqual(key);
  });

  it('refuses malformed contacts with InvalidArgumentError naming the part', () => {
    const hex = Buffer.from(key).toString('hex');
    const cases: [string, RegExp][] = [
      [`nm2:${hex}@1.2.3.4:5#6`, /contact\.prefix/],
      [`nm1:${hex}1.2.3.4:5#6`, /contact\.key/],
      [`nm1:${hex.slice(2)}@1.2.3.4:5#6`, /contact\.key/],
      [`nm1:${hex.slice(0, 62)}zz@1.2.3.4:5#6`, /contact\.key/],
      [`nm1:${hex}@1.2.3.4#6`, /contact\.address/],
      [`nm1:${hex}@1.2.3.4:99999#6`, /contact\.address/],
      [`nm1:${hex}@1.2.3.4:5`, /contact\.nodeId/],
      [`nm1:${hex}@1.2.3.4:5#-1`, /contact\.nodeId/],
      [`nm1:${hex}@1.2.3.4:5#007`, /contact\.nodeId/],
      [`nm1:${hex}@1.2.3.4:5#0x10`, /contact\.nodeId/],
      [`nm1:${hex}@1.2.3.4:5#18446744073709551616`, /contact\.nodeId/],
    ];
    for (const [s, field] of cases) {
      let err: unknown;
      try {
        parseContact(s);
      } catch (e) {
        err = e;
      }
      expect(err, s).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message, s).toMatch(field);
    }
  });
});
