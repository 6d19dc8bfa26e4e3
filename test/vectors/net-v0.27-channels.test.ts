// PENDING (renamed to .test.ts when channel hashes land): Net v0.27 ships no channel or token
// fixture, but its nRPC frame fixture names a channel with its canonical hash: the request channel
// `net.mesh.enroll.requests` (rpc-tools.md §1) and its XXH3-64 (channels.md §1, §10 names).
import { describe, expect, it } from 'vitest';
import { channelHash, wireChannelHash } from '../../ts/index.js';
import { loadFixture } from './net-v0.27-fixtures.js';

describe('cross_lang_wire/nrpc_frame.json: route_channel → route_canonical_hash', () => {
  const v = loadFixture('cross_lang_wire/nrpc_frame.json');

  it('channelHash is XXH3-64 of the name; the wire hint its low 16 bits', () => {
    expect(v.fields.route_channel).toBe(`${v.fields.service}.requests`);
    const h = BigInt(v.fields.route_canonical_hash);
    expect(channelHash(v.fields.route_channel)).toBe(h);
    expect(wireChannelHash(v.fields.route_channel)).toBe(Number(h & 0xffffn));
  });
});
