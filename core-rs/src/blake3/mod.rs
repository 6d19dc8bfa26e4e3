//! blake3 (to be written).
