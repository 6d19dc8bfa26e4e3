//! BLAKE2s (RFC 7693) with keys and output lengths 1..=32, and the HMAC-BLAKE2s constructions
//! built on it (`hmac`): the hash of the Noise suite Noise_*_25519_ChaChaPoly_BLAKE2s, of Net's
//! session KDF and of node-id derivation. Inputs here are short (keys, 32-byte hashes, handshake
//! transcripts), so one scalar compression per 64-byte block is the whole cost.

mod hmac;

use crate::blake3::portable::g;

pub use hmac::{hkdf, hmac, HMAC_BLOCK};

pub const OUT_LEN: usize = 32;
pub const KEY_LEN: usize = 32;
const BLOCK: usize = 64;

/// The BLAKE2s IV, the same words as SHA-256's initial hash value.
const IV: [u32; 8] = [
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
];

/// Message word schedule σ for the ten rounds (RFC 7693 §2.7).
const SIGMA: [[usize; 16]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

/// A key or output length outside 1..=32 (key: 0..=32).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamError;

/// An incremental BLAKE2s hasher.
#[derive(Clone)]
pub struct Blake2s {
    h: [u32; 8],
    /// Bytes compressed so far (the counter t of RFC 7693).
    t: u64,
    buf: [u8; BLOCK],
    buf_len: usize,
    out_len: usize,
}

impl Drop for Blake2s {
    fn drop(&mut self) {
        // The buffer may hold the key block; the state is key-dependent.
        crate::wipe::wipe_bytes(&mut self.buf);
        crate::wipe::wipe_words(&mut self.h);
    }
}

impl Blake2s {
    /// A hasher with `out_len` bytes of output (1..=32) and an optional key (0..=32 bytes).
    pub fn new(key: &[u8], out_len: usize) -> Result<Blake2s, ParamError> {
        if out_len == 0 || out_len > OUT_LEN || key.len() > KEY_LEN {
            return Err(ParamError);
        }
        let mut h = IV;
        // Parameter block word 0: digest length, key length, fanout 1, depth 1.
        h[0] ^= 0x0101_0000 ^ ((key.len() as u32) << 8) ^ out_len as u32;
        let mut s = Blake2s { h, t: 0, buf: [0; BLOCK], buf_len: 0, out_len };
        if !key.is_empty() {
            // The key, zero-padded, is the first block.
            s.buf[..key.len()].copy_from_slice(key);
            s.buf_len = BLOCK;
        }
        Ok(s)
    }

    pub fn update(&mut self, mut data: &[u8]) -> &mut Self {
        // The last block must be compressed with the final flag, so a full buffer waits until
        // more data proves it is not the last.
        while !data.is_empty() {
            if self.buf_len == BLOCK {
                self.t += BLOCK as u64;
                let block = self.buf;
                compress(&mut self.h, &block, self.t, false);
                self.buf_len = 0;
            }
            if self.buf_len == 0 && data.len() > BLOCK {
                self.t += BLOCK as u64;
                compress(&mut self.h, data[..BLOCK].try_into().unwrap(), self.t, false);
                data = &data[BLOCK..];
                continue;
            }
            let take = data.len().min(BLOCK - self.buf_len);
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(&data[..take]);
            self.buf_len += take;
            data = &data[take..];
        }
        self
    }

    /// Writes the digest (`out_len` bytes) into `out[..out_len]`.
    pub fn finalize_into(mut self, out: &mut [u8]) {
        self.t += self.buf_len as u64;
        let mut block = self.buf;
        block[self.buf_len..].fill(0);
        compress(&mut self.h, &block, self.t, true);
        crate::wipe::wipe_bytes(&mut block);
        let mut full = [0u8; OUT_LEN];
        for (o, w) in full.chunks_exact_mut(4).zip(self.h.iter()) {
            o.copy_from_slice(&w.to_le_bytes());
        }
        out[..self.out_len].copy_from_slice(&full[..self.out_len]);
        crate::wipe::wipe_bytes(&mut full);
    }

    pub fn finalize(self) -> [u8; OUT_LEN] {
        let mut out = [0u8; OUT_LEN];
        self.finalize_into(&mut out);
        out
    }
}

/// BLAKE2s-256 of the concatenation of `parts`, keyed when `key` is non-empty.
pub fn blake2s(key: &[u8], parts: &[&[u8]]) -> [u8; OUT_LEN] {
    let mut h = Blake2s::new(key, OUT_LEN).expect("key of at most 32 bytes");
    for p in parts {
        h.update(p);
    }
    h.finalize()
}

/// The compression function F (RFC 7693 §3.2).
fn compress(h: &mut [u32; 8], block: &[u8; BLOCK], t: u64, last: bool) {
    let mut m = [0u32; 16];
    for (i, c) in block.chunks_exact(4).enumerate() {
        m[i] = u32::from_le_bytes(c.try_into().unwrap());
    }
    let mut v = [0u32; 16];
    v[..8].copy_from_slice(h);
    v[8..].copy_from_slice(&IV);
    v[12] ^= t as u32;
    v[13] ^= (t >> 32) as u32;
    if last {
        v[14] = !v[14];
    }
    for s in SIGMA.iter() {
        g(&mut v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        g(&mut v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        g(&mut v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        g(&mut v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        g(&mut v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        g(&mut v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        g(&mut v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        g(&mut v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for i in 0..8 {
        h[i] ^= v[i] ^ v[i + 8];
    }
    crate::wipe::wipe_words(&mut m);
    crate::wipe::wipe_words(&mut v);
}

#[cfg(test)]
mod tests;
