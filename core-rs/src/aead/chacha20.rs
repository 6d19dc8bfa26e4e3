//! Portable ChaCha20 (RFC 8439 §2.3–2.4): the block function and a keystream XOR.

/// "expand 32-byte k" as four little-endian words.
pub const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

#[inline(always)]
fn quarter(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(16);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(12);
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(8);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(7);
}

/// The initial state for (key, counter, nonce).
#[inline(always)]
pub fn initial_state(key: &[u32; 8], counter: u32, nonce: &[u32; 3]) -> [u32; 16] {
    [
        SIGMA[0], SIGMA[1], SIGMA[2], SIGMA[3], key[0], key[1], key[2], key[3], key[4], key[5],
        key[6], key[7], counter, nonce[0], nonce[1], nonce[2],
    ]
}

/// One 64-byte keystream block as 16 words (serialise little-endian).
#[inline]
pub fn block(key: &[u32; 8], counter: u32, nonce: &[u32; 3]) -> [u32; 16] {
    let init = initial_state(key, counter, nonce);
    let mut s = init;
    for _ in 0..10 {
        quarter(&mut s, 0, 4, 8, 12);
        quarter(&mut s, 1, 5, 9, 13);
        quarter(&mut s, 2, 6, 10, 14);
        quarter(&mut s, 3, 7, 11, 15);
        quarter(&mut s, 0, 5, 10, 15);
        quarter(&mut s, 1, 6, 11, 12);
        quarter(&mut s, 2, 7, 8, 13);
        quarter(&mut s, 3, 4, 9, 14);
    }
    for i in 0..16 {
        s[i] = s[i].wrapping_add(init[i]);
    }
    s
}

/// Four keystream blocks (256 bytes) from block `counter` on (portable).
#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(dead_code)
)]
pub fn keystream_4x(key: &[u32; 8], counter: u32, nonce: &[u32; 3]) -> [u8; 256] {
    let mut out = [0u8; 256];
    xor_keystream(key, counter, nonce, &mut out);
    out
}

/// XORs the keystream into the whole 256-byte chunks of `buf`; returns the bytes processed (the
/// portable twin of the SIMD kernel's entry point).
#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(dead_code)
)]
pub fn xor_keystream_4x(key: &[u32; 8], counter: u32, nonce: &[u32; 3], buf: &mut [u8]) -> usize {
    let done = buf.len() & !255;
    xor_keystream(key, counter, nonce, &mut buf[..done]);
    done
}

/// XORs `buf` with the keystream starting at block `counter` (portable path, any length).
pub fn xor_keystream(key: &[u32; 8], mut counter: u32, nonce: &[u32; 3], buf: &mut [u8]) {
    let mut chunks = buf.chunks_exact_mut(64);
    for chunk in &mut chunks {
        let ks = block(key, counter, nonce);
        for (i, w) in ks.iter().enumerate() {
            let p = &mut chunk[4 * i..4 * i + 4];
            let v = u32::from_le_bytes([p[0], p[1], p[2], p[3]]) ^ w;
            p.copy_from_slice(&v.to_le_bytes());
        }
        counter = counter.wrapping_add(1);
    }
    let tail = chunks.into_remainder();
    if !tail.is_empty() {
        let ks = block(key, counter, nonce);
        let mut bytes = [0u8; 64];
        for (i, w) in ks.iter().enumerate() {
            bytes[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        for (b, k) in tail.iter_mut().zip(bytes.iter()) {
            *b ^= k;
        }
    }
}
