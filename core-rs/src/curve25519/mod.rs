//! Curve25519 in both of its shapes: the Montgomery form for X25519 key agreement (RFC 7748) and
//! the twisted Edwards form edwards25519 that Ed25519 signs on (RFC 8032), over one field
//! implementation chosen for wasm32 (see `field`).
//!
//! Secret-dependent work (the X25519 ladder, fixed-base multiplication) is constant time:
//! conditional swaps and table scans with masks, no secret-dependent branches or indexes.
//! Public-only work (signature verification) uses faster variable-time code, named `_vartime`.

pub mod edwards;
pub mod field;
pub mod scalarmul;
pub mod x25519;

pub use x25519::{is_all_zero, x25519, x25519_base};

#[cfg(test)]
pub(crate) mod tests;
