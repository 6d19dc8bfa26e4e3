//! Poly1305 (RFC 8439 §2.5) with 5×26-bit limbs and u64 products: wasm has a native 64-bit
//! multiply but no 64×64→128 one, so this shape keeps every product in a single i64.mul (radix
//! 2^44 would need 128-bit products built from four 32×32 multiplies each).
//!
//! This scalar form handles short inputs, tails and non-SIMD targets; long runs of blocks go to
//! `poly1305_simd` (two lanes, about 1.7× faster in V8). Measured in V8 against a
//! 2-blocks-per-carry r² scalar variant and u64-held limbs with interleaved carry chains, this
//! plain form was fastest: register pressure, not latency, limits it.

const M26: u64 = 0x03ff_ffff;

/// Full normalisation of limbs each < 2^60: afterwards every limb is < 2^26 (value < 2^130).
#[inline(always)]
fn normalize(h: [u64; 5]) -> [u64; 5] {
    let [mut h0, mut h1, mut h2, mut h3, mut h4] = h;
    for _ in 0..2 {
        h1 += h0 >> 26;
        h0 &= M26;
        h2 += h1 >> 26;
        h1 &= M26;
        h3 += h2 >> 26;
        h2 &= M26;
        h4 += h3 >> 26;
        h3 &= M26;
        h0 += (h4 >> 26) * 5;
        h4 &= M26;
    }
    h1 += h0 >> 26;
    h0 &= M26;
    [h0, h1, h2, h3, h4]
}

#[derive(Clone, Copy)]
pub struct Poly1305 {
    r: [u32; 5],
    s4: [u32; 4], // r[1..5] * 5, precomputed for the reduction
    h: [u32; 5],
    pad: [u32; 4],
}

#[inline(always)]
fn le32(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

impl Poly1305 {
    /// `key` is the one-time key: r (clamped) ‖ s.
    pub fn new(key: &[u8; 32]) -> Self {
        let r0 = le32(key, 0) & 0x03ff_ffff;
        let r1 = (le32(key, 3) >> 2) & 0x03ff_ff03;
        let r2 = (le32(key, 6) >> 4) & 0x03ff_c0ff;
        let r3 = (le32(key, 9) >> 6) & 0x03f0_3fff;
        let r4 = (le32(key, 12) >> 8) & 0x000f_ffff;
        Poly1305 {
            r: [r0, r1, r2, r3, r4],
            s4: [r1 * 5, r2 * 5, r3 * 5, r4 * 5],
            h: [0; 5],
            pad: [le32(key, 16), le32(key, 20), le32(key, 24), le32(key, 28)],
        }
    }

    /// Absorbs one whole 16-byte block (read in place) with the 2^128 bit set.
    #[inline(always)]
    pub fn block(&mut self, m: &[u8]) {
        let r0 = self.r[0] as u64;
        let (r1, r2, r3, r4) = (
            self.r[1] as u64,
            self.r[2] as u64,
            self.r[3] as u64,
            self.r[4] as u64,
        );
        let (s1, s2, s3, s4) = (
            self.s4[0] as u64,
            self.s4[1] as u64,
            self.s4[2] as u64,
            self.s4[3] as u64,
        );
        let [mut h0, mut h1, mut h2, mut h3, mut h4] = self.h;
        h0 = h0.wrapping_add(le32(m, 0) & 0x03ff_ffff);
        h1 = h1.wrapping_add((le32(m, 3) >> 2) & 0x03ff_ffff);
        h2 = h2.wrapping_add((le32(m, 6) >> 4) & 0x03ff_ffff);
        h3 = h3.wrapping_add((le32(m, 9) >> 6) & 0x03ff_ffff);
        h4 = h4.wrapping_add((le32(m, 12) >> 8) | (1 << 24));

        let (a0, a1, a2, a3, a4) = (h0 as u64, h1 as u64, h2 as u64, h3 as u64, h4 as u64);
        let d0 = a0 * r0 + a1 * s4 + a2 * s3 + a3 * s2 + a4 * s1;
        let d1 = a0 * r1 + a1 * r0 + a2 * s4 + a3 * s3 + a4 * s2;
        let d2 = a0 * r2 + a1 * r1 + a2 * r0 + a3 * s4 + a4 * s3;
        let d3 = a0 * r3 + a1 * r2 + a2 * r1 + a3 * r0 + a4 * s4;
        let d4 = a0 * r4 + a1 * r3 + a2 * r2 + a3 * r1 + a4 * r0;

        // Serial carry (fewest operations; wasm throughput, not latency, is the limit here).
        let mut c = d0 >> 26;
        h0 = (d0 as u32) & 0x03ff_ffff;
        let d1 = d1 + c;
        c = d1 >> 26;
        h1 = (d1 as u32) & 0x03ff_ffff;
        let d2 = d2 + c;
        c = d2 >> 26;
        h2 = (d2 as u32) & 0x03ff_ffff;
        let d3 = d3 + c;
        c = d3 >> 26;
        h3 = (d3 as u32) & 0x03ff_ffff;
        let d4 = d4 + c;
        c = d4 >> 26;
        h4 = (d4 as u32) & 0x03ff_ffff;
        h0 += (c as u32) * 5;
        h1 += h0 >> 26;
        h0 &= 0x03ff_ffff;
        self.h = [h0, h1, h2, h3, h4];
    }

    /// Absorbs whole 16-byte blocks of `data` (its length must be a multiple of 16), read in place:
    /// pairs of blocks in the two SIMD lanes when available, the remainder one by one.
    #[inline]
    pub fn blocks(&mut self, data: &[u8]) {
        debug_assert!(data.len() % 16 == 0);
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let data = &data[super::poly1305_simd::blocks_2x(self, data)..];
        for m in data.chunks_exact(16) {
            self.block(m);
        }
    }

    /// Absorbs `data` zero-padded to a multiple of 16 (the AEAD construction's padding): whole
    /// blocks are read in place, only a final partial block is copied.
    #[inline]
    pub fn padded(&mut self, data: &[u8]) {
        let whole = data.len() & !15;
        if whole > 0 {
            self.blocks(&data[..whole]);
        }
        if whole < data.len() {
            let mut last = [0u8; 16];
            last[..data.len() - whole].copy_from_slice(&data[whole..]);
            self.blocks(&last);
        }
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    /// r and r² (fully reduced, limbs < 2^26) for multi-lane absorption.
    pub fn powers(&self) -> ([u64; 5], [u64; 5]) {
        let r = self.r.map(|x| x as u64);
        let s = [0, r[1] * 5, r[2] * 5, r[3] * 5, r[4] * 5];
        let d = [
            r[0] * r[0] + r[1] * s[4] + r[2] * s[3] + r[3] * s[2] + r[4] * s[1],
            r[0] * r[1] + r[1] * r[0] + r[2] * s[4] + r[3] * s[3] + r[4] * s[2],
            r[0] * r[2] + r[1] * r[1] + r[2] * r[0] + r[3] * s[4] + r[4] * s[3],
            r[0] * r[3] + r[1] * r[2] + r[2] * r[1] + r[3] * r[0] + r[4] * s[4],
            r[0] * r[4] + r[1] * r[3] + r[2] * r[2] + r[3] * r[1] + r[4] * r[0],
        ];
        (r, normalize(d))
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    /// The accumulator's limbs.
    pub fn state(&self) -> [u64; 5] {
        self.h.map(|x| x as u64)
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    /// Replaces the accumulator (limbs may be unreduced, each < 2^60); it is normalised here.
    pub fn set_state(&mut self, h: [u64; 5]) {
        self.h = normalize(h).map(|x| x as u32);
    }

    /// Completes the MAC: normalise, subtract p when h ≥ p (constant time), add s mod 2^128.
    pub fn finish(self) -> [u8; 16] {
        let [h0, h1, h2, h3, h4] = normalize(self.h.map(|x| x as u64));

        // g = h + 5 - 2^130; it is the result when it does not borrow (h ≥ p).
        let mut g0 = h0 + 5;
        let mut g1 = h1 + (g0 >> 26);
        g0 &= M26;
        let mut g2 = h2 + (g1 >> 26);
        g1 &= M26;
        let mut g3 = h3 + (g2 >> 26);
        g2 &= M26;
        let g4 = (h4 + (g3 >> 26)).wrapping_sub(1 << 26);
        g3 &= M26;
        let use_g = (g4 >> 63).wrapping_sub(1); // all ones when g4 did not borrow
        let sel = |h: u64, g: u64| (h & !use_g) | (g & use_g);
        let (h0, h1, h2, h3, h4) = (
            sel(h0, g0),
            sel(h1, g1),
            sel(h2, g2),
            sel(h3, g3),
            sel(h4, g4),
        );

        // h mod 2^128 as two u64 halves, then + pad with carry.
        let lo = h0 | (h1 << 26) | (h2 << 52);
        let hi = (h2 >> 12) | (h3 << 14) | (h4 << 40);
        let pad_lo = self.pad[0] as u64 | (self.pad[1] as u64) << 32;
        let pad_hi = self.pad[2] as u64 | (self.pad[3] as u64) << 32;
        let (lo, c) = lo.overflowing_add(pad_lo);
        let hi = hi.wrapping_add(pad_hi).wrapping_add(c as u64);
        let mut tag = [0u8; 16];
        tag[..8].copy_from_slice(&lo.to_le_bytes());
        tag[8..].copy_from_slice(&hi.to_le_bytes());
        tag
    }
}
