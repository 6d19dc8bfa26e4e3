//! extern "C" surface of crate::blake3 (to be written).
