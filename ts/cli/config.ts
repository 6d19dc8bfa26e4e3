// The CLI config file and profiles (meshos-cli.md §3.1): `--config` > NET_MESH_CONFIG >
// `<platform config dir>/net-mesh/config.toml`; a missing file is an empty config, an unreadable
// or invalid one exits 3. `--profile` > NET_MESH_PROFILE > `default`; `default` is the `[default]`
// table, other names `[profiles.<name>]`, an unknown profile is empty.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { EXIT } from './exit-codes.js';
import { parseToml, TomlError, type TomlTable, type TomlValue } from './toml.js';

/** Profile keys (all optional). Values are kept as the file has them; readers validate. */
export interface Profile {
  endpoint?: string;
  identity?: string;
  netdb?: string;
  default_timeout_ms?: number;
  ice_signature_threshold?: number;
  psk_hex?: string;
  node_addr?: string;
  node_pubkey?: string;
  node_id?: string | number;
  blob_store?: string;
  [key: string]: TomlValue | undefined;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** `<platform config dir>/net-mesh/config.toml`, or undefined when the platform dir is unknown. */
export function defaultConfigPath(env: Env, platform: string = process.platform): string | undefined {
  let base: string | undefined;
  if (platform === 'win32') base = env.APPDATA;
  else if (platform === 'darwin') base = env.HOME && join(env.HOME, 'Library', 'Application Support');
  else base = env.XDG_CONFIG_HOME || (env.HOME && join(env.HOME, '.config'));
  return base ? join(base, 'net-mesh', 'config.toml') : undefined;
}

/** `<platform data dir>/net-mesh/blobs`, the store of `--store` without a directory (profile `blob_store` overrides). */
export function defaultBlobStore(env: Env, platform: string = process.platform): string | undefined {
  let base: string | undefined;
  if (platform === 'win32') base = env.LOCALAPPDATA || env.APPDATA;
  else if (platform === 'darwin') base = env.HOME && join(env.HOME, 'Library', 'Application Support');
  else base = env.XDG_DATA_HOME || (env.HOME && join(env.HOME, '.local', 'share'));
  return base ? join(base, 'net-mesh', 'blobs') : undefined;
}

export async function loadProfile(opts: { configPath: string | undefined; profile: string; env: Env; readText?: (path: string) => Promise<string> }): Promise<Profile> {
  const path = opts.configPath ?? opts.env.NET_MESH_CONFIG ?? defaultConfigPath(opts.env);
  if (path === undefined) return {};
  const read = opts.readText ?? ((p: string) => readFile(p, 'utf8'));
  let text: string;
  try {
    text = await read(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError('CONFIG_UNREADABLE', `cannot read config ${path}: ${(e as Error).message}`, EXIT.SUBSTRATE, { cause: e });
  }
  let doc: TomlTable;
  try {
    doc = parseToml(text);
  } catch (e) {
    if (e instanceof TomlError) throw new CliError('CONFIG_INVALID', `config ${path} is not valid TOML: ${e.message}`, EXIT.SUBSTRATE);
    throw e;
  }
  const name = opts.profile;
  const table = name === 'default' ? doc.default : (doc.profiles as TomlTable | undefined)?.[name];
  if (table === undefined) return {};
  if (typeof table !== 'object' || Array.isArray(table)) throw new CliError('CONFIG_INVALID', `config ${path}: profile ${name} is not a table`, EXIT.SUBSTRATE);
  const profile = { ...table } as Profile;
  if (profile.endpoint !== undefined && profile.endpoint !== 'in-process') {
    throw new CliError('CONFIG_ENDPOINT', `profile ${name}: endpoint ${JSON.stringify(profile.endpoint)} is not supported (only "in-process")`, EXIT.USAGE);
  }
  return profile;
}
