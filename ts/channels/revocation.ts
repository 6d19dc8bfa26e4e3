// RevocationRegistry (channels.md §5): issuer → generation floor. A token is revoked iff its
// issuer_generation is below its issuer's floor; floors only ever rise.
import { InvalidArgumentError } from '../errors.js';
import { requireBytes } from '../identity/bytes.js';
import type { PermissionToken } from './token.js';

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/**
 * Token revocation (channels.md §5): a generation floor per issuer. A token whose issuer generation
 * is below its issuer's floor is revoked; `revokeBelow` only ever raises a floor.
 */
export class RevocationRegistry {
  readonly #floors = new Map<string, number>();

  /** Raises `issuer`'s floor to `generation` (never lowers it). */
  revokeBelow(issuer: Uint8Array, generation: number): void {
    requireBytes(issuer, 'issuer', 32);
    if (!Number.isInteger(generation) || generation < 0 || generation > 0xffff_ffff) throw new InvalidArgumentError(`generation must be a u32, got ${String(generation)}`);
    const k = hex(issuer);
    if (generation > (this.#floors.get(k) ?? 0)) this.#floors.set(k, generation);
  }

  /** The issuer's floor (0 when never raised). */
  floor(issuer: Uint8Array): number {
    return this.#floors.get(hex(issuer)) ?? 0;
  }

  isRevoked(token: PermissionToken): boolean {
    return this.#floors.size > 0 && token.issuerGeneration < this.floor(token.issuer);
  }

  get size(): number {
    return this.#floors.size;
  }
}

export { hex as entityHex };
