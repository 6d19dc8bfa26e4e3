//! The Net packet layer (wire.md §2–§6, §12, §13): 68-byte header codec and validation, 56-byte
//! AAD, event framing and greedy packing, one-packet seal/open, per-session state (keys, nonce
//! prefix, TX counter, replay window) and the batch layouts the ABI exposes.

pub mod aad;
pub mod batch;
pub mod error;
pub mod frames;
pub mod header;
pub mod seal;
pub mod session;

pub use error::PacketError;
pub use header::Header;
pub use seal::{Kind, Opened, Template};
pub use session::Session;

pub const MAGIC: u16 = 0x4E45;
pub const VERSION: u8 = 1;
pub const HEADER_SIZE: usize = 68;
pub const TAG_SIZE: usize = 16;
pub const NONCE_SIZE: usize = 12;
pub const AAD_SIZE: usize = 56;
pub const MAX_PACKET_SIZE: usize = 8192;
/// 8192 − 68 − 16: the largest framed plaintext per packet.
pub const MAX_PAYLOAD_SIZE: usize = MAX_PACKET_SIZE - HEADER_SIZE - TAG_SIZE;
pub const FRAME_PREFIX: usize = 4;
/// 8108 − 4: the largest single event.
pub const MAX_EVENT_SIZE: usize = MAX_PAYLOAD_SIZE - FRAME_PREFIX;
/// ⌊8108 / 4⌋.
pub const MAX_EVENTS_PER_PACKET: usize = MAX_PAYLOAD_SIZE / FRAME_PREFIX;
pub const PACKET_WIRE_OVERHEAD: usize = HEADER_SIZE + TAG_SIZE;

pub const FLAG_RELIABLE: u8 = 0x01;
pub const FLAG_NACK: u8 = 0x02;
pub const FLAG_PRIORITY: u8 = 0x04;
pub const FLAG_FIN: u8 = 0x08;
pub const FLAG_HANDSHAKE: u8 = 0x10;
pub const FLAG_HEARTBEAT: u8 = 0x20;
