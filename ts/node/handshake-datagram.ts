// Receive-path constants of the node layer; packet encoding itself lives in ts/core.
export { encodeHandshakePacket as handshakeDatagram } from '../core/packet.js';
export { checkHeader } from '../core/header.js';

export const FLAG_RELIABLE = 0x01;
export const FLAG_HANDSHAKE = 0x10;
export const FLAG_HEARTBEAT = 0x20;
