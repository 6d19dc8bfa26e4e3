// `net-mesh transfer ls | status | cancel` on a running transfer (meshos-cli.md §3.4, dataforts.md
// §8), each verb its own process attached over real UDP. The transfer runs in this process: a node
// fetches from a holder whose store is held shut, so it stays in flight (under the 30 s per-chunk
// bound) until cancelled. Not found and nothing to cancel exit 0; a node without the service exits 3.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Identity } from '../../ts/identity/identity.js';
import { MeshNode } from '../../ts/node/mesh-node.js';
import { toHex } from '../../ts/dataforts/hex.js';
import { SubstrateError } from '../../ts/errors.js';
import { connectPair, until } from '../node/helpers.js';
import { GatedStore, patternBytes, rejection } from '../dataforts/helpers.js';
import { PSK, runCli } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'nm-cli-admin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const seed = new Uint8Array(32).fill(13);
writeFileSync(join(dir, 'cli.toml'), `seed_hex = "${Buffer.from(seed).toString('hex')}"\n`);
const CLI_ID = Identity.fromSeed(seed).nodeId;

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

async function udpNode(opts: Partial<Parameters<typeof MeshNode.create>[0]> = {}): Promise<MeshNode> {
  const n = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0', ...opts });
  nodes.push(n);
  return n;
}

function flagsFor(n: MeshNode): string[] {
  return ['--node-addr', n.address, '--node-pubkey', toHex(n.noisePublicKey), '--node-id', String(n.nodeId), '--psk-hex', PSK, '--identity', 'cli.toml'];
}

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(args, { cwd: dir });
}

describe('ls / status / cancel on a running transfer', () => {
  it('lists it, shows it, cancels it (its fetch fails), then reports it gone with exit 0', async () => {
    const gated = new GatedStore();
    const holder = await udpNode({ blobStore: gated });
    const fetcher = await udpNode();
    await connectPair(fetcher, holder);
    fetcher.accept(CLI_ID);
    const ref = await holder.blobs.store(patternBytes(100_000, 5));
    const fetching = rejection(fetcher.blobs.fetch(ref, { from: holder.nodeId }));
    await until(() => fetcher.blobs.transfers().length === 1, 10_000, 'the transfer to start');
    const id = fetcher.blobs.transfers()[0]!.id;
    expect(id).toBeGreaterThan(1n << 53n); // transfer ids need exact u64 printing
    const flags = flagsFor(fetcher);

    const ls = await cli(['transfer', 'ls', ...flags]);
    expect(ls.stderr).toBe('');
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain(`"transfer_id": ${id},`);
    expect(ls.stdout).toContain(`"peer": ${holder.nodeId},`);
    expect(JSON.parse(ls.stdout)).toMatchObject({ transfer_count: 1, transfers: [{ hash: toHex(ref.hash!), bytes_received: 0 }] });

    const status = await cli(['transfer', 'status', String(id), ...flags, '--output', 'ndjson']);
    expect(status.code).toBe(0);
    expect(status.stdout).toBe(`{"transfer_id":${id},"found":true,"transfer":{"transfer_id":${id},"peer":${holder.nodeId},"hash":"${toHex(ref.hash!)}","bytes_received":0}}\n`);

    const cancel = await cli(['transfer', 'cancel', `0x${id.toString(16)}`, ...flags, '--output', 'ndjson']);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toBe(`{"transfer_id":${id},"cancelled":true}\n`);
    const e = await fetching;
    expect(e).toBeInstanceOf(SubstrateError);
    expect((e as SubstrateError).kind).toBe('cancelled');

    const gone = await cli(['transfer', 'status', String(id), ...flags, '--output', 'ndjson']);
    expect(gone.code).toBe(0);
    expect(gone.stdout).toBe(`{"transfer_id":${id},"found":false}\n`);
    const again = await cli(['transfer', 'cancel', String(id), ...flags, '--output', 'yaml']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`transfer_id: ${id}\ncancelled: false\n`);
    const empty = await cli(['transfer', 'ls', ...flags, '--output', 'ndjson']);
    expect(empty.stdout).toBe('{"transfer_count":0,"transfers":[]}\n');
    gated.open();
  }, 120_000);

  it('a node without blob.transfers: exit 3 after the 3 s deadline', async () => {
    const quiet = await udpNode({ serveBlobs: false });
    quiet.accept(CLI_ID);
    const r = await cli(['transfer', 'ls', ...flagsFor(quiet)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^net-mesh: blob.transfers on node ${quiet.nodeId} failed: `));
  }, 60_000);
});
