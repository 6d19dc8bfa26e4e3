//! net-mesh core: sans-IO kernels and state machines.
//!
//! Nothing here reads a clock or touches a socket: time and bytes are passed in, outputs are
//! returned. `abi` is the only module with `extern "C"` items; every other module is plain Rust
//! and is unit-tested natively (`cargo test`).

pub mod aead;
pub mod blake2s;
pub mod blake3;
pub mod capindex;
pub mod curve25519;
pub mod ed25519;
pub mod noise;
pub mod packet;
pub mod reliable;
pub mod replay;
pub mod xxh3;
pub mod sha512;
pub mod wipe;

#[cfg(test)]
mod testutil;

mod abi;
