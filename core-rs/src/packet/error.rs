//! Why a packet operation failed. Every variant maps to one stable negative ABI status code, which
//! the TS side turns into a typed error (MalformedPacketError + reason, AuthenticationError,
//! ReplayError, InvalidArgumentError).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketError {
    // Malformed datagrams (wire.md §2, §5, §6): dropped before any crypto.
    /// Fewer than 68 bytes.
    TooShort,
    /// `magic` is not 0x4E45.
    BadMagic,
    /// `version` is not 1.
    BadVersion,
    /// `payload_len` > 8108.
    PayloadTooLarge,
    /// `event_count` > 2027.
    TooManyEvents,
    /// Bytes after the header are not exactly `payload_len + 16`.
    LengthMismatch,
    /// A HEARTBEAT whose post-header length is not exactly 16.
    HeartbeatLength,
    // Crypto and replay.
    /// The Poly1305 tag does not verify.
    Auth,
    /// The replay window refused the nonce counter (wire.md §13).
    Replay,
    // Caller errors on the seal side or in a batch layout.
    /// An event longer than 8104 bytes (it can never fit a packet).
    EventTooLarge,
    /// A batch input region that does not follow the documented layout.
    InvalidLayout,
    /// The output region is too small for the batch.
    OutputTooSmall,
    /// The session's TX counter cannot cover the packets (counter u64::MAX is never sent).
    CounterExhausted,
    /// Flags that cannot be sealed: HANDSHAKE (never encrypted) or HEARTBEAT with events.
    InvalidFlags,
}

impl PacketError {
    /// The ABI status code (always negative; 0 is success).
    pub const fn code(self) -> i32 {
        match self {
            PacketError::TooShort => -1,
            PacketError::BadMagic => -2,
            PacketError::BadVersion => -3,
            PacketError::PayloadTooLarge => -4,
            PacketError::TooManyEvents => -5,
            PacketError::LengthMismatch => -6,
            PacketError::HeartbeatLength => -7,
            PacketError::Auth => -16,
            PacketError::Replay => -17,
            PacketError::EventTooLarge => -32,
            PacketError::InvalidLayout => -33,
            PacketError::OutputTooSmall => -34,
            PacketError::CounterExhausted => -35,
            PacketError::InvalidFlags => -36,
        }
    }

    /// True for the reasons a received datagram is malformed (as opposed to auth/replay/caller errors).
    pub const fn is_malformed(self) -> bool {
        matches!(
            self,
            PacketError::TooShort
                | PacketError::BadMagic
                | PacketError::BadVersion
                | PacketError::PayloadTooLarge
                | PacketError::TooManyEvents
                | PacketError::LengthMismatch
                | PacketError::HeartbeatLength
        )
    }
}

impl core::fmt::Display for PacketError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = match self {
            PacketError::TooShort => "datagram shorter than the 68-byte header",
            PacketError::BadMagic => "bad magic (expected 0x4E45)",
            PacketError::BadVersion => "unsupported version (expected 1)",
            PacketError::PayloadTooLarge => "payload_len exceeds 8108",
            PacketError::TooManyEvents => "event_count exceeds 2027",
            PacketError::LengthMismatch => "post-header length is not payload_len + 16",
            PacketError::HeartbeatLength => "heartbeat post-header length is not 16",
            PacketError::Auth => "authentication failed",
            PacketError::Replay => "nonce counter refused by the replay window",
            PacketError::EventTooLarge => "event larger than 8104 bytes",
            PacketError::InvalidLayout => "batch input does not follow the layout",
            PacketError::OutputTooSmall => "output region too small",
            PacketError::CounterExhausted => "session TX counter exhausted",
            PacketError::InvalidFlags => "flags cannot be sealed (HANDSHAKE, or HEARTBEAT with events)",
        };
        f.write_str(s)
    }
}

impl std::error::Error for PacketError {}
