// The on-disk chunk store: one file per chunk at `<dir>/<first 2 hex>/<64 hex>`, written atomically
// (temp file, fsync, rename) and read on demand, so chunks another process adds to the directory
// (a CLI `send-blob --store`, say) are served too. Reads re-verify; puts of one hash are serialised.
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import { KeyedLock, checkHash32, verifyChunkAsync, type ChunkStore } from './chunk-store.js';
import { errnoCode, ioError, nodeFs, randomHex16 } from './fs.js';
import { toHex } from './hex.js';

/** A chunk store on disk: one file per chunk named by its hash, written atomically (temp file, fsync, rename) and re-verified on read. */
export class DiskChunkStore implements ChunkStore {
  private readonly locks = new KeyedLock();

  /** `dir` is created on the first put. */
  constructor(readonly dir: string) {
    if (typeof dir !== 'string' || dir === '') throw new InvalidArgumentError('dir must be a non-empty path');
  }

  private async pathOf(hash: Uint8Array): Promise<{ sub: string; file: string; hex: string }> {
    checkHash32(hash);
    const { path } = await nodeFs();
    const hex = toHex(hash);
    const sub = path.join(this.dir, hex.slice(0, 2));
    return { sub, file: path.join(sub, hex), hex };
  }

  async has(hash: Uint8Array): Promise<boolean> {
    const { file } = await this.pathOf(hash);
    const { fs } = await nodeFs();
    try {
      return (await fs.stat(file)).isFile();
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return false;
      throw ioError(`chunk store ${this.dir}`, e);
    }
  }

  async get(hash: Uint8Array): Promise<Uint8Array> {
    const bytes = await this.read(hash);
    if (!bytes) throw new NotFoundError(`chunk ${toHex(hash)} is not in the store`);
    return verifyChunkAsync(hash, bytes, true);
  }

  async read(hash: Uint8Array): Promise<Uint8Array | undefined> {
    const { file } = await this.pathOf(hash);
    const { readWhole } = await nodeFs();
    try {
      return await readWhole(file);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
      throw ioError(`chunk store ${this.dir}`, e);
    }
  }

  async put(hash: Uint8Array, bytes: Uint8Array): Promise<void> {
    const { sub, file, hex } = await this.pathOf(hash);
    await verifyChunkAsync(hash, bytes);
    await this.locks.run(hex, async () => {
      const existing = await this.read(hash);
      if (existing) {
        await verifyChunkAsync(hash, existing, true);
        return;
      }
      const { fs, path } = await nodeFs();
      const tmp = path.join(sub, `.${hex}.${randomHex16()}.tmp`);
      try {
        await fs.mkdir(sub, { recursive: true });
        const fh = await fs.open(tmp, 'wx');
        try {
          await fh.writeFile(bytes);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await fs.rename(tmp, file);
      } catch (e) {
        await fs.rm(tmp, { force: true }).catch(() => undefined);
        throw ioError(`chunk store ${this.dir}: writing ${hex}`, e);
      }
    });
  }

  async delete(hash: Uint8Array): Promise<boolean> {
    const { file, hex } = await this.pathOf(hash);
    const { fs } = await nodeFs();
    return this.locks.run(hex, async () => {
      try {
        await fs.unlink(file);
        return true;
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') return false;
        throw ioError(`chunk store ${this.dir}`, e);
      }
    });
  }
}
