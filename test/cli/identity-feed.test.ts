// Identity files (created once, never overwritten, read with exit 1 / 2 on failure, a Noise key
// derived from the seed) and the remote Deck feed (latest snapshot, change fan-out, its end).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateIdentityFile, readIdentityFile } from '../../ts/cli/identity-file.js';
import { Identity } from '../../ts/identity/identity.js';
import { RemoteDeckFeed } from '../../ts/cli/deck-feed.js';
import { CliError } from '../../ts/errors.js';
import { noiseKeypairFromSecret } from '../../ts/session/noise.js';
import { AsyncQueue } from '../../ts/util/async-queue.js';
import { rejection } from '../dataforts/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nm-cli-identity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('identity files', () => {
  it('are created once and then read back; the Noise key follows the seed', async () => {
    const file = join(dir, 'a/b/id.toml');
    const made = await loadOrCreateIdentityFile(file);
    expect(made.created).toBe(true);
    const again = await loadOrCreateIdentityFile(file);
    expect(again.created).toBe(false);
    expect(again.identity.nodeId).toBe(made.identity.nodeId);
    expect(again.noiseSecretKey).toEqual(made.noiseSecretKey);
    expect((await readIdentityFile(file)).identity.publicKey).toEqual(made.identity.publicKey);
    expect(await readFile(file, 'utf8')).toMatch(/^# .*\nseed_hex = "[0-9a-f]{64}"\n$/);
    // The key MeshNode derives for the same identity, and not the ed25519 seed itself.
    expect(made.noiseSecretKey).toEqual(Identity.fromSeed(made.seed).noiseKeypair().secretKey);
    expect(made.noiseSecretKey).not.toEqual(made.seed);
    expect(noiseKeypairFromSecret(made.noiseSecretKey).publicKey).toEqual(made.identity.noiseKeypair().publicKey);
  });

  it('an existing file is never replaced; unreadable exits 1, malformed exits 2', async () => {
    writeFileSync(join(dir, 'given.toml'), `seed_hex = "0x${'07'.repeat(32)}"\n`);
    const given = await loadOrCreateIdentityFile(join(dir, 'given.toml'));
    expect(given.created).toBe(false);
    expect(given.seed).toEqual(new Uint8Array(32).fill(7));
    const missing = await rejection(readIdentityFile(join(dir, 'none.toml')));
    expect(missing).toBeInstanceOf(CliError);
    expect((missing as CliError).exitCode).toBe(1);
    for (const text of ['seed_hex = 5\n', 'seed_hex = "abc"\n', 'seed_hex = \n']) {
      writeFileSync(join(dir, 'bad.toml'), text);
      const e = await rejection(readIdentityFile(join(dir, 'bad.toml')));
      expect((e as CliError).exitCode, text).toBe(2);
    }
  });
});

describe('the remote Deck feed', () => {
  it('keeps the latest snapshot, tells every listener, and ends with its stream', async () => {
    const src = new AsyncQueue<string>();
    const feed = new RemoteDeckFeed(src);
    expect(feed.snapshotJson()).toBe('null');
    const a = feed.changes()[Symbol.asyncIterator]();
    const b = feed.changes()[Symbol.asyncIterator]();
    src.push('{"n":1}');
    expect(await feed.first).toBe('{"n":1}');
    expect((await a.next()).value).toBe(1n);
    src.push('{"n":2}');
    expect((await b.next()).value).toBe(1n);
    expect((await b.next()).value).toBe(2n);
    expect(feed.snapshotJson()).toBe('{"n":2}');
    src.fail(new Error('node gone'));
    expect((await feed.ended)?.message).toBe('node gone');
    expect((await a.next()).value).toBe(2n);
    expect((await a.next()).done).toBe(true);
    // A listener that arrives after the end gets an ended stream.
    expect((await feed.changes()[Symbol.asyncIterator]().next()).done).toBe(true);
  });

  it('a stream that ends before its first snapshot rejects `first`', async () => {
    const src = new AsyncQueue<string>();
    const feed = new RemoteDeckFeed(src);
    src.end();
    expect((await rejection(feed.first)).message).toMatch(/ended before its first snapshot/);
    expect(await feed.ended).toBeUndefined();
  });
});
