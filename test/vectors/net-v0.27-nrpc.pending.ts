// PENDING (renamed to .test.ts when nRPC serve/call land): Net v0.27's unary nRPC vectors
// (ai-2070/net, test/vectors/net-v0.27/README.md) through the calls sdk.md fixes ("nRPC and
// tools"). The codec-level cases of Net's nRPC vectors run now in net-v0.27-nrpc-codec.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCore, MemoryHub, MeshNode, RpcError } from '../../ts/index.js';
import { fromUtf8, loadFixture, utf8 } from './net-v0.27-fixtures.js';

beforeAll(async () => {
  await initCore();
});

describe('cross_lang_nrpc/golden_vectors.json (cross_lang_echo_sum, unary)', () => {
  const v = loadFixture('cross_lang_nrpc/golden_vectors.json');
  const hub = new MemoryHub({ seed: 27 });
  const psk = '5a'.repeat(32);
  let caller: MeshNode;
  let server: MeshNode;

  // The canonical service: { text, numbers[] } → { echo: text, sum }; a malformed request is the
  // typed layer's bad request, status 0x8000 (rpc-tools.md §3).
  async function echoSum(req: Uint8Array): Promise<Uint8Array> {
    const j = JSON.parse(fromUtf8(req));
    if (typeof j?.text !== 'string' || !Array.isArray(j.numbers) || !j.numbers.every(Number.isInteger)) {
      throw new RpcError(0x8000, 'bad request');
    }
    return utf8(JSON.stringify({ echo: j.text, sum: j.numbers.reduce((a: number, b: number) => a + b, 0) }));
  }

  beforeAll(async () => {
    caller = await MeshNode.create({ psk, transport: hub.transport(), bind: '10.0.0.1:7000' });
    server = await MeshNode.create({ psk, transport: hub.transport(), bind: '10.0.0.2:7000' });
    server.accept(caller.nodeId);
    await caller.connect(server.address, { publicKey: server.noisePublicKey, nodeId: server.nodeId });
    server.serve(v.service, echoSum);
  });

  afterAll(async () => {
    await caller?.close();
    await server?.close();
  });

  it('has the cases this test runs', () => {
    expect(v.service).toBe('cross_lang_echo_sum');
    expect(v.ok_cases).toHaveLength(6);
    expect(v.error_cases).toHaveLength(3);
  });

  for (const c of v.ok_cases) {
    it(`ok: ${c.name}`, async () => {
      const res = await caller.call(server.nodeId, v.service, utf8(JSON.stringify(c.request_json)), { deadlineMs: 10_000 });
      expect(JSON.parse(fromUtf8(res))).toEqual(c.expected_response_json);
    });
  }

  for (const c of v.error_cases) {
    it(`error: ${c.name} → status ${c.expected_status}`, async () => {
      const call = caller.call(server.nodeId, v.service, utf8(JSON.stringify(c.request_json)), { deadlineMs: 10_000 });
      await expect(call).rejects.toBeInstanceOf(RpcError);
      await expect(call).rejects.toMatchObject({ status: c.expected_status });
    });
  }
});
