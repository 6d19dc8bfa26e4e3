// Identity files (meshos-cli.md §3.1–§3.2): TOML with `seed_hex` (the 32-byte ed25519 seed). Verbs
// read them; `net-mesh node` creates a missing one (mode 0600, never overwriting a file another
// process created meanwhile). The node's X25519 Noise static key is derived from the same seed, so
// a node restarted with its identity file keeps its node id AND the key its peers attach with.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CliError } from '../errors.js';
import { Identity } from '../identity/identity.js';
import { EXIT } from './exit-codes.js';
import { parseToml, TomlError } from './toml.js';

export interface IdentityFile {
  identity: Identity;
  seed: Uint8Array;
  /** The X25519 secret of the node's Noise static key: `identity.noiseKeypair()`, as MeshNode derives it. */
  noiseSecretKey: Uint8Array;
}

function fromSeed(seed: Uint8Array): IdentityFile {
  const identity = Identity.fromSeed(seed);
  return { identity, seed, noiseSecretKey: identity.noiseKeypair().secretKey };
}

function parseIdentity(file: string, text: string): IdentityFile {
  let seed: unknown;
  try {
    seed = parseToml(text).seed_hex;
  } catch (e) {
    if (e instanceof TomlError) throw new CliError('CLI_IDENTITY', `identity file ${file} is not valid TOML: ${e.message}`, EXIT.USAGE);
    throw e;
  }
  const hex = typeof seed === 'string' ? seed.trim().replace(/^0x/i, '') : '';
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new CliError('CLI_IDENTITY', `identity file ${file}: seed_hex must be 64 hex characters`, EXIT.USAGE);
  return fromSeed(Uint8Array.from(Buffer.from(hex, 'hex')));
}

/** Reads an identity file (exit 1 when unreadable, 2 when malformed). */
export async function readIdentityFile(file: string): Promise<IdentityFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CliError('CLI_IDENTITY', `cannot read identity file ${file}: ${(e as Error).message}`, EXIT.FAILURE, { cause: e });
  }
  return parseIdentity(file, text);
}

/** Reads `file`, or creates it with a fresh seed when it does not exist. */
export async function loadOrCreateIdentityFile(file: string): Promise<IdentityFile & { created: boolean }> {
  const seed = new Uint8Array(randomBytes(32));
  try {
    await mkdir(dirname(file), { recursive: true });
    // 'wx': fails if the file exists, so a file made by someone else in between is never replaced.
    await writeFile(file, `# net-mesh identity (ed25519 seed); keep it private\nseed_hex = "${Buffer.from(seed).toString('hex')}"\n`, { flag: 'wx', mode: 0o600 });
    return { ...fromSeed(seed), created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new CliError('CLI_IDENTITY', `cannot create identity file ${file}: ${(e as Error).message}`, EXIT.FAILURE, { cause: e });
    }
  }
  return { ...(await readIdentityFile(file)), created: false };
}
