//! Arithmetic in GF(2^255 - 19) with ten signed limbs of alternately 26 and 25 bits (radix
//! 2^25.5): limb i holds bits ceil(25.5·i).. of the value. Products are i32×i32→i64, one native
//! `i64.mul` each in wasm32, where 5×51-bit limbs would need emulated 128-bit products.
//!
//! Limbs are signed so that subtraction needs no bias; `mul` and `sq` accept limbs up to about
//! 2^27 in magnitude (sums and differences of a few reduced elements) and return limbs of at most
//! about 2^25/2^24. Every operation here runs in constant time: no branch or index depends on a
//! limb value.

/// A field element; see the module comment for the representation.
#[derive(Clone, Copy, Debug)]
pub struct Fe(pub(crate) [i32; 10]);

/// Bit offset of each limb.
const OFFSET: [u32; 10] = [0, 26, 51, 77, 102, 128, 153, 179, 204, 230];

impl Fe {
    pub const ZERO: Fe = Fe([0; 10]);
    pub const ONE: Fe = Fe([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

    /// The element from 32 little-endian bytes; bit 255 is ignored and values ≥ p are accepted
    /// (they are reduced by later arithmetic), as RFC 7748 asks for X25519 inputs.
    pub const fn from_bytes(b: &[u8; 32]) -> Fe {
        let mut padded = [0u8; 40];
        let mut i = 0;
        while i < 32 {
            padded[i] = b[i];
            i += 1;
        }
        padded[31] &= 0x7f;
        let mut limbs = [0i32; 10];
        let mut k = 0;
        while k < 10 {
            let off = OFFSET[k];
            let at = (off / 8) as usize;
            let mut word = 0u64;
            let mut j = 0;
            while j < 8 {
                word |= (padded[at + j] as u64) << (8 * j);
                j += 1;
            }
            let width = if k % 2 == 0 { 26 } else { 25 };
            limbs[k] = ((word >> (off % 8)) & ((1u64 << width) - 1)) as i32;
            k += 1;
        }
        Fe(limbs)
    }

    /// The canonical (fully reduced) 32-byte little-endian encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut h = carry(self.0.map(|l| l as i64)).0.map(|l| l as i64);
        // h is now within (-2^255, 2^256) with small limbs. q = 1 exactly when h ≥ p (after the
        // wrap of 2^255 ≡ 19 below), found by propagating h + 19 through the limbs.
        let mut q = (19 * h[9] + (1 << 24)) >> 25;
        for (i, &l) in h.iter().enumerate() {
            q = (l + q) >> width(i);
        }
        h[0] += 19 * q;
        for i in 0..9 {
            let c = h[i] >> width(i);
            h[i + 1] += c;
            h[i] -= c << width(i);
        }
        h[9] &= (1 << 25) - 1;
        let mut out = [0u8; 32];
        let mut acc: u64 = 0;
        let mut bits = 0;
        let mut n = 0;
        for (i, &l) in h.iter().enumerate() {
            acc |= (l as u64) << bits;
            bits += width(i);
            while bits >= 8 && n < 32 {
                out[n] = acc as u8;
                acc >>= 8;
                bits -= 8;
                n += 1;
            }
        }
        if n < 32 {
            out[n] = acc as u8;
        }
        out
    }

    #[inline(always)]
    pub fn add(&self, g: &Fe) -> Fe {
        Fe(core::array::from_fn(|i| self.0[i] + g.0[i]))
    }

    #[inline(always)]
    pub fn sub(&self, g: &Fe) -> Fe {
        Fe(core::array::from_fn(|i| self.0[i] - g.0[i]))
    }

    #[inline(always)]
    pub fn neg(&self) -> Fe {
        Fe::ZERO.sub(self)
    }

    /// self · g.
    ///
    /// Not inlined (nor `sq`): measured in V8 and natively, inlining every multiplication into
    /// the ladder and the point formulas made them up to twice slower (register spills) and the
    /// module larger; a call costs little next to 100 multiplies.
    #[inline(never)]
    pub fn mul(&self, g: &Fe) -> Fe {
        let [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9] = self.0.map(|x| x as i64);
        let [g0, g1, g2, g3, g4, g5, g6, g7, g8, g9] = g.0.map(|x| x as i64);
        // A product whose limb indexes sum past 9 wraps past 2^255 ≡ 19; two odd (25-bit) limbs
        // meet half a bit below their weight's position, which doubles the product.
        let (g1_19, g2_19, g3_19, g4_19, g5_19) = (19 * g1, 19 * g2, 19 * g3, 19 * g4, 19 * g5);
        let (g6_19, g7_19, g8_19, g9_19) = (19 * g6, 19 * g7, 19 * g8, 19 * g9);
        let (f1_2, f3_2, f5_2, f7_2, f9_2) = (2 * f1, 2 * f3, 2 * f5, 2 * f7, 2 * f9);
        let h0 = f0 * g0 + f1_2 * g9_19 + f2 * g8_19 + f3_2 * g7_19 + f4 * g6_19 + f5_2 * g5_19 + f6 * g4_19 + f7_2 * g3_19 + f8 * g2_19 + f9_2 * g1_19;
        let h1 = f0 * g1 + f1 * g0 + f2 * g9_19 + f3 * g8_19 + f4 * g7_19 + f5 * g6_19 + f6 * g5_19 + f7 * g4_19 + f8 * g3_19 + f9 * g2_19;
        let h2 = f0 * g2 + f1_2 * g1 + f2 * g0 + f3_2 * g9_19 + f4 * g8_19 + f5_2 * g7_19 + f6 * g6_19 + f7_2 * g5_19 + f8 * g4_19 + f9_2 * g3_19;
        let h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9_19 + f5 * g8_19 + f6 * g7_19 + f7 * g6_19 + f8 * g5_19 + f9 * g4_19;
        let h4 = f0 * g4 + f1_2 * g3 + f2 * g2 + f3_2 * g1 + f4 * g0 + f5_2 * g9_19 + f6 * g8_19 + f7_2 * g7_19 + f8 * g6_19 + f9_2 * g5_19;
        let h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9_19 + f7 * g8_19 + f8 * g7_19 + f9 * g6_19;
        let h6 = f0 * g6 + f1_2 * g5 + f2 * g4 + f3_2 * g3 + f4 * g2 + f5_2 * g1 + f6 * g0 + f7_2 * g9_19 + f8 * g8_19 + f9_2 * g7_19;
        let h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9_19 + f9 * g8_19;
        let h8 = f0 * g8 + f1_2 * g7 + f2 * g6 + f3_2 * g5 + f4 * g4 + f5_2 * g3 + f6 * g2 + f7_2 * g1 + f8 * g0 + f9_2 * g9_19;
        let h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
        carry([h0, h1, h2, h3, h4, h5, h6, h7, h8, h9])
    }

    /// self².
    #[inline(never)]
    pub fn sq(&self) -> Fe {
        carry(self.sq_terms())
    }

    /// 2·self².
    #[inline(never)]
    pub fn sq2(&self) -> Fe {
        carry(self.sq_terms().map(|h| 2 * h))
    }

    /// The uncarried limbs of self²: `mul`'s sums with each symmetric pair computed once.
    #[inline(always)]
    fn sq_terms(&self) -> [i64; 10] {
        let [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9] = self.0.map(|x| x as i64);
        let (f0_2, f1_2, f2_2, f3_2, f4_2) = (2 * f0, 2 * f1, 2 * f2, 2 * f3, 2 * f4);
        let (f5_2, f6_2, f7_2, f8_2, f9_2) = (2 * f5, 2 * f6, 2 * f7, 2 * f8, 2 * f9);
        let (f1_4, f3_4, f5_4, f7_4) = (4 * f1, 4 * f3, 4 * f5, 4 * f7);
        let (f5_19, f6_19, f7_19, f8_19, f9_19) = (19 * f5, 19 * f6, 19 * f7, 19 * f8, 19 * f9);
        [
            f0 * f0 + f1_4 * f9_19 + f2_2 * f8_19 + f3_4 * f7_19 + f4_2 * f6_19 + f5_2 * f5_19,
            f0_2 * f1 + f2_2 * f9_19 + f3_2 * f8_19 + f4_2 * f7_19 + f5_2 * f6_19,
            f0_2 * f2 + f1_2 * f1 + f3_4 * f9_19 + f4_2 * f8_19 + f5_4 * f7_19 + f6 * f6_19,
            f0_2 * f3 + f1_2 * f2 + f4_2 * f9_19 + f5_2 * f8_19 + f6_2 * f7_19,
            f0_2 * f4 + f1_4 * f3 + f2 * f2 + f5_4 * f9_19 + f6_2 * f8_19 + f7_2 * f7_19,
            f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6_2 * f9_19 + f7_2 * f8_19,
            f0_2 * f6 + f1_4 * f5 + f2_2 * f4 + f3_2 * f3 + f7_4 * f9_19 + f8 * f8_19,
            f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8_2 * f9_19,
            f0_2 * f8 + f1_4 * f7 + f2_2 * f6 + f3_4 * f5 + f4 * f4 + f9_2 * f9_19,
            f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5,
        ]
    }

    /// self · n for a small non-negative constant n < 2^20.
    #[inline]
    pub fn mul_small(&self, n: i32) -> Fe {
        carry(self.0.map(|l| l as i64 * n as i64))
    }

    /// self^(2^k).
    #[inline(always)]
    pub fn sq_n(&self, k: u32) -> Fe {
        let mut t = self.sq();
        for _ in 1..k {
            t = t.sq();
        }
        t
    }

    /// (self^(2^250 − 1), self^11): the shared head of the inversion and square-root chains.
    fn pow_2_250_minus_1(&self) -> (Fe, Fe) {
        let z2 = self.sq();
        let z9 = z2.sq_n(2).mul(self);
        let z11 = z9.mul(&z2);
        let z_5 = z11.sq().mul(&z9); // 2^5 − 1
        let z_10 = z_5.sq_n(5).mul(&z_5);
        let z_20 = z_10.sq_n(10).mul(&z_10);
        let z_40 = z_20.sq_n(20).mul(&z_20);
        let z_50 = z_40.sq_n(10).mul(&z_10);
        let z_100 = z_50.sq_n(50).mul(&z_50);
        let z_200 = z_100.sq_n(100).mul(&z_100);
        let z_250 = z_200.sq_n(50).mul(&z_50);
        (z_250, z11)
    }

    /// self^(p − 2) = 1/self (0 for 0).
    pub fn invert(&self) -> Fe {
        let (z_250, z11) = self.pow_2_250_minus_1();
        z_250.sq_n(5).mul(&z11) // 2^255 − 32 + 11 = p − 2
    }

    /// self^((p − 5)/8) = self^(2^252 − 3), the core of a square root.
    pub fn pow_p58(&self) -> Fe {
        let (z_250, _) = self.pow_2_250_minus_1();
        z_250.sq_n(2).mul(self)
    }

    /// True when the element is 0 mod p.
    pub fn is_zero(&self) -> bool {
        let b = self.to_bytes();
        let mut acc = 0u8;
        for x in b {
            acc |= x;
        }
        acc == 0
    }

    /// The low bit of the canonical encoding ("negative" in RFC 8032's sense).
    pub fn is_negative(&self) -> bool {
        self.to_bytes()[0] & 1 == 1
    }

    /// Equality mod p.
    pub fn ct_eq(&self, g: &Fe) -> bool {
        let (a, b) = (self.to_bytes(), g.to_bytes());
        let mut acc = 0u8;
        for i in 0..32 {
            acc |= a[i] ^ b[i];
        }
        acc == 0
    }

    /// self = g when `choice` is 1, unchanged when 0 (no branch on `choice`).
    #[inline(always)]
    pub fn cmov(&mut self, g: &Fe, choice: u32) {
        let mask = (choice as i32).wrapping_neg();
        for i in 0..10 {
            self.0[i] ^= (self.0[i] ^ g.0[i]) & mask;
        }
    }

    /// Swaps a and b when `choice` is 1 (no branch on `choice`).
    #[inline(always)]
    pub fn cswap(a: &mut Fe, b: &mut Fe, choice: u32) {
        let mask = (choice as i32).wrapping_neg();
        for i in 0..10 {
            let t = (a.0[i] ^ b.0[i]) & mask;
            a.0[i] ^= t;
            b.0[i] ^= t;
        }
    }

    /// Overwrites the limbs with zeros in a way the optimiser keeps (for secret intermediates).
    pub fn wipe(&mut self) {
        crate::wipe::wipe_words(&mut self.0);
    }
}

#[inline(always)]
const fn width(i: usize) -> u32 {
    if i & 1 == 0 {
        26
    } else {
        25
    }
}

/// Carries i64 limbs (each well inside ±2^62) back to |limb| ≤ 2^25 (even) / 2^24 (odd), with
/// rounding carries; two interleaved chains (from limbs 0 and 4) shorten the dependency path.
#[inline(always)]
fn carry(h: [i64; 10]) -> Fe {
    let [mut h0, mut h1, mut h2, mut h3, mut h4, mut h5, mut h6, mut h7, mut h8, mut h9] = h;
    macro_rules! step {
        ($from:ident, $to:ident, $w:expr, $mul:expr) => {{
            let c = ($from + (1i64 << ($w - 1))) >> $w;
            $from -= c << $w;
            $to += c * $mul;
        }};
    }
    step!(h0, h1, 26, 1);
    step!(h4, h5, 26, 1);
    step!(h1, h2, 25, 1);
    step!(h5, h6, 25, 1);
    step!(h2, h3, 26, 1);
    step!(h6, h7, 26, 1);
    step!(h3, h4, 25, 1);
    step!(h7, h8, 25, 1);
    step!(h4, h5, 26, 1);
    step!(h8, h9, 26, 1);
    step!(h9, h0, 25, 19);
    step!(h0, h1, 26, 1);
    Fe([h0 as i32, h1 as i32, h2 as i32, h3 as i32, h4 as i32, h5 as i32, h6 as i32, h7 as i32, h8 as i32, h9 as i32])
}
