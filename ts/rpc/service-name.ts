// nRPC service names double as channel names (`<service>.requests`,
// `<service>.replies.<16 hex>`, rpc-tools.md §1), so they follow channels.md §1 and leave room
// for the longest suffix within the 255-byte channel name limit.
import { InvalidArgumentError } from '../errors.js';

/** `.replies.` + 16 hex digits: the longest suffix a service name gets. */
const REPLY_SUFFIX_LEN = '.replies.'.length + 16;
export const MAX_SERVICE_NAME_BYTES = 255 - REPLY_SUFFIX_LEN;

/** Throws InvalidArgumentError naming `field` unless `name` is a usable nRPC service name. */
export function validateServiceName(name: unknown, field = 'service'): string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError(`${field} must be a non-empty string`);
  if (name.length > MAX_SERVICE_NAME_BYTES) {
    throw new InvalidArgumentError(`${field} is ${name.length} bytes; service names are at most ${MAX_SERVICE_NAME_BYTES} (the reply channel adds ${REPLY_SUFFIX_LEN})`);
  }
  if (!/^[a-z0-9\-_./]+$/.test(name)) {
    throw new InvalidArgumentError(`${field} ${JSON.stringify(name)} must use only a-z 0-9 - _ . / (it names channels; uppercase is not allowed)`);
  }
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) throw new InvalidArgumentError(`${field} ${JSON.stringify(name)} has an empty path segment`);
  if (name.split('/').some((seg) => seg === '.' || seg === '..')) throw new InvalidArgumentError(`${field} ${JSON.stringify(name)} has a "." or ".." segment`);
  return name;
}
