//! aead (to be written).
