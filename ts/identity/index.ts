export { Identity } from './identity.js';
export { nodeIdFromPublicKey, originHashFromPublicKey, routingIdOf } from './node-id.js';
