//! extern "C" surface of crate::aead (to be written).
