//! ChaCha20-Poly1305 AEAD (RFC 8439 §2.8), the cipher of every Net packet (wire.md §12).
//!
//! The key is expanded once into words at construction, so per-packet work is only the keystream
//! and the MAC. Each message starts with one 4-block keystream computation (blocks 0..3): block 0
//! keys Poly1305, blocks 1..3 cover the first 192 bytes, so a small packet costs a single SIMD
//! pass. Open verifies the tag in constant time before touching the ciphertext, so a forged
//! packet leaves the buffer unchanged.

mod chacha20;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod chacha20_simd;
mod poly1305;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod poly1305_simd;

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use chacha20 as simd;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use chacha20_simd as simd;
use poly1305::Poly1305;

pub const KEY_SIZE: usize = 32;
pub const NONCE_SIZE: usize = 12;
pub const TAG_SIZE: usize = 16;

/// The tag did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthError;

impl core::fmt::Display for AuthError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("authentication failed: the tag does not verify")
    }
}

impl std::error::Error for AuthError {}

/// Bytes encrypted and then MACed per step of `seal`: small enough to stay in L1 between the two.
const PIECE: usize = 4096;

/// Keystream bytes of the head (blocks 1..3) used for the start of the message.
const HEAD: usize = 192;

/// RFC 8439's limit: the 32-bit block counter covers 2^32 - 1 blocks after the MAC key block.
/// (wasm32 cannot even address this much; the check matters only on 64-bit hosts.)
const MAX_MESSAGE: u64 = ((1u64 << 32) - 1) * 64;

/// A ChaCha20-Poly1305 key, expanded into the cipher's 32-bit key words.
pub struct ChaCha20Poly1305 {
    key: [u32; 8],
}

impl Drop for ChaCha20Poly1305 {
    fn drop(&mut self) {
        for w in self.key.iter_mut() {
            // SAFETY: a valid, aligned &mut u32; volatile so the wipe is not optimised away.
            unsafe { core::ptr::write_volatile(w, 0) };
        }
    }
}

#[inline(always)]
fn words<const N: usize>(bytes: &[u8]) -> [u32; N] {
    core::array::from_fn(|i| {
        u32::from_le_bytes([
            bytes[4 * i],
            bytes[4 * i + 1],
            bytes[4 * i + 2],
            bytes[4 * i + 3],
        ])
    })
}

/// Compares two tags without an early exit: OR-fold of the XOR of every byte.
#[inline(never)]
fn tags_equal(a: &[u8; 16], b: &[u8; 16]) -> bool {
    let mut acc = 0u8;
    for i in 0..16 {
        acc |= a[i] ^ b[i];
    }
    core::hint::black_box(acc) == 0
}

#[inline(always)]
fn xor_into(buf: &mut [u8], ks: &[u8]) {
    for (b, k) in buf.iter_mut().zip(ks) {
        *b ^= k;
    }
}

/// Absorbs the final length block (aad and ciphertext lengths, u64 LE) and completes the tag.
#[inline]
fn mac_lengths(mut mac: Poly1305, aad_len: usize, ct_len: usize) -> [u8; 16] {
    let mut lens = [0u8; 16];
    lens[..8].copy_from_slice(&(aad_len as u64).to_le_bytes());
    lens[8..].copy_from_slice(&(ct_len as u64).to_le_bytes());
    mac.blocks(&lens);
    mac.finish()
}

impl ChaCha20Poly1305 {
    pub fn new(key: &[u8; 32]) -> Self {
        ChaCha20Poly1305 { key: words(key) }
    }

    /// Keystream blocks 0..3 for this nonce, and the Poly1305 instance keyed by block 0.
    #[inline]
    fn head(&self, nonce: &[u32; 3]) -> ([u8; 256], Poly1305) {
        let ks = simd::keystream_4x(&self.key, 0, nonce);
        let mac = Poly1305::new(ks[..32].try_into().unwrap());
        (ks, mac)
    }

    /// XORs the keystream into `buf`, which holds message bytes `off..off + buf.len()`, where
    /// `off` is a multiple of 256. The first 192 message bytes use the head's blocks 1..3.
    fn xor_at(&self, nonce: &[u32; 3], head: &[u8; 256], buf: &mut [u8], off: usize) {
        let mut start = 0;
        if off == 0 {
            start = buf.len().min(HEAD);
            xor_into(&mut buf[..start], &head[64..64 + start]);
        }
        let counter = 1 + ((off + start) / 64) as u32;
        let rest = &mut buf[start..];
        let done = simd::xor_keystream_4x(&self.key, counter, nonce, rest);
        let tail = &mut rest[done..];
        if !tail.is_empty() {
            // Up to 255 bytes: one more 4-block pass beats scalar blocks once past one block.
            let counter = counter + (done / 64) as u32;
            if tail.len() > 64 {
                xor_into(tail, &simd::keystream_4x(&self.key, counter, nonce));
            } else {
                chacha20::xor_keystream(&self.key, counter, nonce, tail);
            }
        }
    }

    /// Encrypts buf in place, returns the tag.
    ///
    /// Panics if `buf` is longer than RFC 8439 allows (about 256 GiB).
    pub fn seal_in_place(&self, nonce: &[u8; 12], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
        assert!(
            buf.len() as u64 <= MAX_MESSAGE,
            "ChaCha20-Poly1305 message too long"
        );
        let n: [u32; 3] = words(nonce);
        let (head, mut mac) = self.head(&n);
        mac.padded(aad);
        // Encrypt then MAC piece by piece (pieces are multiples of 16 bytes, so the MAC's block
        // boundaries are those of the whole ciphertext), reading each piece back from L1.
        let mut off = 0;
        while off < buf.len() {
            let end = buf.len().min(off + PIECE);
            self.xor_at(&n, &head, &mut buf[off..end], off);
            mac.padded(&buf[off..end]);
            off = end;
        }
        mac_lengths(mac, aad.len(), buf.len())
    }

    /// Verifies the tag (constant time) BEFORE decrypting; on failure buf is left untouched.
    pub fn open_in_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; 16],
    ) -> Result<(), AuthError> {
        if buf.len() as u64 > MAX_MESSAGE {
            return Err(AuthError); // no sealer could have produced it
        }
        let n: [u32; 3] = words(nonce);
        let (head, mut mac) = self.head(&n);
        mac.padded(aad);
        mac.padded(buf);
        if !tags_equal(&mac_lengths(mac, aad.len(), buf.len()), tag) {
            return Err(AuthError);
        }
        self.xor_at(&n, &head, buf, 0);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
