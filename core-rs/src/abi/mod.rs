//! The C ABI of the core: the only place with `extern "C"`.
//!
//! Conventions: handles are pointers to boxed state (`u32` in wasm32), byte inputs and outputs are
//! `(ptr, len)` pairs into linear memory that the caller got from `nm_alloc`. Status results are
//! `i32`: 0 = ok, negative = a typed error code the TS side maps to an error class.

mod memory;
mod slices;
mod aead;
mod blake2s;
mod blake3;
mod capindex;
mod ed25519;
mod packet;
mod reliable;
mod xxh3;
mod sha512;
mod x25519;
mod noise;
