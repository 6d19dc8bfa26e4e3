// Capability tags (fold.md §2.1): the grammar, the permissive and user parsers, rendering and the
// two equalities. The rendered string is the wire form and always reproduces the input exactly.
import { InvalidArgumentError } from '../errors.js';
import { isWellFormed } from './byte-order.js';

export type TagAxis = 'hardware' | 'software' | 'devices' | 'dataforts';
export const TAG_AXES: readonly TagAxis[] = ['hardware', 'software', 'devices', 'dataforts'];

/** Prefixes of Reserved tags, checked before the axis split (`dataforts:` reserved, `dataforts.` axis). */
export const RESERVED_PREFIXES = ['causal:', 'dataforts:', 'fork-of:', 'heat:', 'scope:'] as const;
export type ReservedPrefix = (typeof RESERVED_PREFIXES)[number];

export type TagKind = 'axis-present' | 'axis-value' | 'reserved' | 'legacy';

/** The parts of a parsed tag, without building a Tag object (hot paths use this). */
export interface TagParts {
  kind: TagKind;
  axis?: TagAxis;
  key?: string;
  value?: string;
  separator?: '=' | ':';
  prefix?: ReservedPrefix;
  body?: string;
}

function axisOf(name: string): TagAxis | undefined {
  return name === 'hardware' || name === 'software' || name === 'devices' || name === 'dataforts' ? name : undefined;
}

/** The permissive parser's classification; undefined only for the empty string. */
export function parseTagParts(tag: string): TagParts | undefined {
  if (tag.length === 0) return undefined;
  for (const prefix of RESERVED_PREFIXES) {
    if (tag.startsWith(prefix)) return { kind: 'reserved', prefix, body: tag.slice(prefix.length) };
  }
  const dot = tag.indexOf('.');
  if (dot >= 0) {
    const axis = axisOf(tag.slice(0, dot));
    if (axis) {
      const body = tag.slice(dot + 1);
      const eq = body.indexOf('=');
      const colon = body.indexOf(':');
      const at = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
      if (at < 0) return { kind: 'axis-present', axis, key: body };
      return { kind: 'axis-value', axis, key: body.slice(0, at), value: body.slice(at + 1), separator: body[at] as '=' | ':' };
    }
  }
  return { kind: 'legacy' };
}

/** True when `tag` starts with a reserved prefix (the user parser refuses those). */
export function isReservedTag(tag: string): boolean {
  return RESERVED_PREFIXES.some((p) => tag.startsWith(p));
}

/**
 * Checks a tag an application supplies (the user parser): a non-empty, well-formed string without
 * a reserved prefix. Throws InvalidArgumentError naming the tag.
 */
export function validateUserTag(tag: unknown): string {
  if (typeof tag !== 'string') throw new InvalidArgumentError(`tag must be a string, got ${typeof tag}`);
  if (tag.length === 0) throw new InvalidArgumentError('tag must not be empty');
  if (!isWellFormed(tag)) throw new InvalidArgumentError(`tag ${JSON.stringify(tag)} contains a lone surrogate`);
  if (isReservedTag(tag)) {
    throw new InvalidArgumentError(`tag ${JSON.stringify(tag)} uses a reserved prefix (${RESERVED_PREFIXES.join(' ')}); only the substrate may set it`);
  }
  return tag;
}

/** Checks a tag from a substrate path or the wire (the permissive parser): non-empty, well-formed. */
export function validateTag(tag: unknown): string {
  if (typeof tag !== 'string') throw new InvalidArgumentError(`tag must be a string, got ${typeof tag}`);
  if (tag.length === 0) throw new InvalidArgumentError('tag must not be empty');
  if (!isWellFormed(tag)) throw new InvalidArgumentError(`tag ${JSON.stringify(tag)} contains a lone surrogate`);
  return tag;
}

/** A parsed tag. `toString()` is the rendered (= wire) form, byte-for-byte the parsed input. */
export class Tag {
  readonly kind: TagKind;
  readonly axis: TagAxis | undefined;
  readonly key: string | undefined;
  readonly value: string | undefined;
  readonly separator: '=' | ':' | undefined;
  readonly prefix: ReservedPrefix | undefined;
  readonly body: string | undefined;
  readonly #text: string;

  private constructor(text: string, p: TagParts) {
    this.#text = text;
    this.kind = p.kind;
    this.axis = p.axis;
    this.key = p.key;
    this.value = p.value;
    this.separator = p.separator;
    this.prefix = p.prefix;
    this.body = p.body;
  }

  /** The permissive parser (substrate paths, JSON decoding): accepts reserved prefixes. */
  static parse(text: string): Tag {
    validateTag(text);
    return new Tag(text, parseTagParts(text)!);
  }

  /** The user parser: rejects reserved prefixes with InvalidArgumentError. */
  static parseUser(text: string): Tag {
    validateUserTag(text);
    return new Tag(text, parseTagParts(text)!);
  }

  toString(): string {
    return this.#text;
  }

  /** Structural equality (separator included): the rendered strings are equal. */
  equals(other: Tag | string): boolean {
    return this.#text === String(other);
  }

  /** Semantic equality: like `equals`, but AxisValue tags ignore their separator. */
  semanticEquals(other: Tag | string): boolean {
    const o = typeof other === 'string' ? Tag.parse(other) : other;
    if (this.kind === 'axis-value' && o.kind === 'axis-value') {
      return this.axis === o.axis && this.key === o.key && this.value === o.value;
    }
    return this.#text === o.toString();
  }
}

/** `has_tag(q)`: parses `q` permissively and compares semantically against each tag. */
export function hasTagSemantic(tags: Iterable<string>, query: string): boolean {
  const q = Tag.parse(query);
  for (const t of tags) {
    if (t === query) return true;
    if (q.kind === 'axis-value' && Tag.parse(t).semanticEquals(q)) return true;
  }
  return false;
}
