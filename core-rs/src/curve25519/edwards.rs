//! The twisted Edwards curve −x² + y² = 1 + d·x²·y² (edwards25519, RFC 8032 §5.1) in extended
//! coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, x·y = T/Z, with the a = −1 formulas of Hisil, Wong,
//! Carter and Dawson ("Twisted Edwards curves revisited", 2008). Additions produce a "completed"
//! point (X':Y':Z':T') that is converted to extended or projective form depending on what comes
//! next, so a doubling followed by a doubling never computes T.

use super::field::Fe;

/// d = −121665/121666.
pub(crate) const D: Fe = Fe::from_bytes(&[
    0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
    0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52,
]);

/// 2·d.
pub(crate) const D2: Fe = Fe::from_bytes(&[
    0x59, 0xf1, 0xb2, 0x26, 0x94, 0x9b, 0xd6, 0xeb, 0x56, 0xb1, 0x83, 0x82, 0x9a, 0x14, 0xe0, 0x00,
    0x30, 0xd1, 0xf3, 0xee, 0xf2, 0x80, 0x8e, 0x19, 0xe7, 0xfc, 0xdf, 0x56, 0xdc, 0xd9, 0x06, 0x24,
]);

/// A square root of −1: 2^((p−1)/4).
pub(crate) const SQRT_M1: Fe = Fe::from_bytes(&[
    0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad, 0x06, 0x18, 0x43, 0x2f,
    0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b,
]);

/// The base point B: y = 4/5, x positive (even).
pub const BASE: EdwardsPoint = {
    let x = Fe::from_bytes(&[
        0x1a, 0xd5, 0x25, 0x8f, 0x60, 0x2d, 0x56, 0xc9, 0xb2, 0xa7, 0x25, 0x95, 0x60, 0xc7, 0x2c,
        0x69, 0x5c, 0xdc, 0xd6, 0xfd, 0x31, 0xe2, 0xa4, 0xc0, 0xfe, 0x53, 0x6e, 0xcd, 0xd3, 0x36,
        0x69, 0x21,
    ]);
    let y = Fe::from_bytes(&[
        0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
        0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
        0x66, 0x66,
    ]);
    // T = x·y, as canonical bytes (a const fn cannot multiply field elements).
    let t = Fe::from_bytes(&[
        0xa3, 0xdd, 0xb7, 0xa5, 0xb3, 0x8a, 0xde, 0x6d, 0xf5, 0x52, 0x51, 0x77, 0x80, 0x9f, 0xf0,
        0x20, 0x7d, 0xe3, 0xab, 0x64, 0x8e, 0x4e, 0xea, 0x66, 0x65, 0x76, 0x8b, 0xd7, 0x0f, 0x5f,
        0x87, 0x67,
    ]);
    EdwardsPoint { x, y, z: Fe::ONE, t }
};

/// A point in extended coordinates.
#[derive(Clone, Copy, Debug)]
pub struct EdwardsPoint {
    pub(crate) x: Fe,
    pub(crate) y: Fe,
    pub(crate) z: Fe,
    pub(crate) t: Fe,
}

/// The result of an addition or doubling before its final multiplications.
#[derive(Clone, Copy)]
pub(crate) struct Completed {
    x: Fe,
    y: Fe,
    z: Fe,
    t: Fe,
}

/// (X:Y:Z) without T: enough input for a doubling.
#[derive(Clone, Copy)]
pub(crate) struct Projective {
    x: Fe,
    y: Fe,
    z: Fe,
}

/// A point prepared as the second operand of an addition: (Y+X, Y−X, Z, 2d·T).
#[derive(Clone, Copy)]
pub(crate) struct Cached {
    y_plus_x: Fe,
    y_minus_x: Fe,
    z: Fe,
    t2d: Fe,
}

/// An affine point prepared for mixed addition (Z = 1): (y+x, y−x, 2d·x·y).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Niels {
    pub(crate) y_plus_x: Fe,
    pub(crate) y_minus_x: Fe,
    pub(crate) xy2d: Fe,
}

impl Niels {
    /// The neutral element in this form.
    pub(crate) const IDENTITY: Niels = Niels { y_plus_x: Fe::ONE, y_minus_x: Fe::ONE, xy2d: Fe::ZERO };

    #[inline(always)]
    pub(crate) fn neg(&self) -> Niels {
        Niels { y_plus_x: self.y_minus_x, y_minus_x: self.y_plus_x, xy2d: self.xy2d.neg() }
    }

    /// self = p when `choice` is 1 (constant time).
    #[inline(always)]
    pub(crate) fn cmov(&mut self, p: &Niels, choice: u32) {
        self.y_plus_x.cmov(&p.y_plus_x, choice);
        self.y_minus_x.cmov(&p.y_minus_x, choice);
        self.xy2d.cmov(&p.xy2d, choice);
    }
}

impl Completed {
    #[inline(always)]
    pub(crate) fn to_extended(self) -> EdwardsPoint {
        EdwardsPoint {
            x: self.x.mul(&self.t),
            y: self.y.mul(&self.z),
            z: self.z.mul(&self.t),
            t: self.x.mul(&self.y),
        }
    }

    #[inline(always)]
    pub(crate) fn to_projective(self) -> Projective {
        Projective { x: self.x.mul(&self.t), y: self.y.mul(&self.z), z: self.z.mul(&self.t) }
    }
}

impl Projective {
    /// 2·self (dbl-2008-hwcd).
    #[inline(always)]
    pub(crate) fn double(&self) -> Completed {
        let xx = self.x.sq();
        let yy = self.y.sq();
        let zz2 = self.z.sq2();
        let xy2 = self.x.add(&self.y).sq();
        let y = yy.add(&xx);
        let z = yy.sub(&xx);
        Completed { x: xy2.sub(&y), y, z, t: zz2.sub(&z) }
    }
}

impl EdwardsPoint {
    pub const IDENTITY: EdwardsPoint = EdwardsPoint { x: Fe::ZERO, y: Fe::ONE, z: Fe::ONE, t: Fe::ZERO };

    #[inline(always)]
    pub(crate) fn to_projective(self) -> Projective {
        Projective { x: self.x, y: self.y, z: self.z }
    }

    #[inline(always)]
    pub(crate) fn to_cached(self) -> Cached {
        Cached {
            y_plus_x: self.y.add(&self.x),
            y_minus_x: self.y.sub(&self.x),
            z: self.z,
            t2d: self.t.mul(&D2),
        }
    }

    #[inline(always)]
    pub(crate) fn double(&self) -> Completed {
        self.to_projective().double()
    }

    /// self + q (add-2008-hwcd-3).
    #[inline(always)]
    pub(crate) fn add_cached(&self, q: &Cached) -> Completed {
        let a = self.y.sub(&self.x).mul(&q.y_minus_x);
        let b = self.y.add(&self.x).mul(&q.y_plus_x);
        let c = q.t2d.mul(&self.t);
        let zz = self.z.mul(&q.z);
        let d = zz.add(&zz);
        Completed { x: b.sub(&a), y: b.add(&a), z: d.add(&c), t: d.sub(&c) }
    }

    /// self − q.
    #[inline(always)]
    pub(crate) fn sub_cached(&self, q: &Cached) -> Completed {
        let a = self.y.sub(&self.x).mul(&q.y_plus_x);
        let b = self.y.add(&self.x).mul(&q.y_minus_x);
        let c = q.t2d.mul(&self.t);
        let zz = self.z.mul(&q.z);
        let d = zz.add(&zz);
        Completed { x: b.sub(&a), y: b.add(&a), z: d.sub(&c), t: d.add(&c) }
    }

    /// self + q for an affine q (madd-2008-hwcd-3).
    #[inline(always)]
    pub(crate) fn add_niels(&self, q: &Niels) -> Completed {
        let a = self.y.sub(&self.x).mul(&q.y_minus_x);
        let b = self.y.add(&self.x).mul(&q.y_plus_x);
        let c = q.xy2d.mul(&self.t);
        let d = self.z.add(&self.z);
        Completed { x: b.sub(&a), y: b.add(&a), z: d.add(&c), t: d.sub(&c) }
    }

    /// self − q for an affine q.
    #[inline(always)]
    pub(crate) fn sub_niels(&self, q: &Niels) -> Completed {
        let a = self.y.sub(&self.x).mul(&q.y_plus_x);
        let b = self.y.add(&self.x).mul(&q.y_minus_x);
        let c = q.xy2d.mul(&self.t);
        let d = self.z.add(&self.z);
        Completed { x: b.sub(&a), y: b.add(&a), z: d.sub(&c), t: d.add(&c) }
    }

    pub fn add(&self, q: &EdwardsPoint) -> EdwardsPoint {
        self.add_cached(&q.to_cached()).to_extended()
    }

    pub fn neg(&self) -> EdwardsPoint {
        EdwardsPoint { x: self.x.neg(), y: self.y, z: self.z, t: self.t.neg() }
    }

    /// [2^k]·self.
    pub fn double_n(&self, k: u32) -> EdwardsPoint {
        let mut p = self.to_projective();
        for _ in 1..k {
            p = p.double().to_projective();
        }
        p.double().to_extended()
    }

    /// Projective equality: X1·Z2 = X2·Z1 and Y1·Z2 = Y2·Z1.
    pub fn equals(&self, q: &EdwardsPoint) -> bool {
        self.x.mul(&q.z).ct_eq(&q.x.mul(&self.z)) && self.y.mul(&q.z).ct_eq(&q.y.mul(&self.z))
    }

    pub fn is_identity(&self) -> bool {
        self.x.is_zero() && self.y.ct_eq(&self.z)
    }

    /// True when [8]·self is the identity, i.e. self lies in the torsion subgroup.
    pub fn is_small_order(&self) -> bool {
        self.double_n(3).is_identity()
    }

    /// The 32-byte encoding (RFC 8032 §5.1.2): y, with the sign of x in bit 255.
    pub fn compress(&self) -> [u8; 32] {
        let recip = self.z.invert();
        let x = self.x.mul(&recip);
        let y = self.y.mul(&recip);
        let mut out = y.to_bytes();
        out[31] |= (x.is_negative() as u8) << 7;
        out
    }

    /// Strict decoding (RFC 8032 §5.1.3 without its leniencies): None when y ≥ p, when no x
    /// exists, or when x = 0 but the sign bit is set (a second encoding of the same point).
    pub fn decompress_strict(bytes: &[u8; 32]) -> Option<EdwardsPoint> {
        if !y_is_canonical(bytes) {
            return None;
        }
        let sign = bytes[31] >> 7;
        let y = Fe::from_bytes(bytes);
        let yy = y.sq();
        let u = yy.sub(&Fe::ONE);
        let v = yy.mul(&D).add(&Fe::ONE);
        // x = u·v³·(u·v⁷)^((p−5)/8): a square root of u/v when one exists.
        let v3 = v.sq().mul(&v);
        let v7 = v3.sq().mul(&v);
        let mut x = u.mul(&v3).mul(&u.mul(&v7).pow_p58());
        let vxx = v.mul(&x.sq());
        if !vxx.ct_eq(&u) {
            if vxx.ct_eq(&u.neg()) {
                x = x.mul(&SQRT_M1);
            } else {
                return None;
            }
        }
        if x.is_zero() && sign == 1 {
            return None;
        }
        if x.is_negative() as u8 != sign {
            x = x.neg();
        }
        Some(EdwardsPoint { x, y, z: Fe::ONE, t: x.mul(&y) })
    }

    /// The Montgomery u-coordinate of the same point on Curve25519: u = (1 + y)/(1 − y).
    /// The identity (y = 1) maps to 0, as the X25519 ladder does.
    pub fn to_montgomery_u(&self) -> [u8; 32] {
        let num = self.z.add(&self.y);
        let den = self.z.sub(&self.y);
        num.mul(&den.invert()).to_bytes()
    }
}

/// y < p for the low 255 bits of an encoding (p = 2^255 − 19).
fn y_is_canonical(bytes: &[u8; 32]) -> bool {
    if bytes[31] & 0x7f != 0x7f {
        return true;
    }
    if bytes[1..31].iter().any(|&b| b != 0xff) {
        return true;
    }
    bytes[0] < 0xed
}

/// Affine Niels forms of `points` with one shared inversion (Montgomery's trick).
pub(crate) fn batch_to_niels(points: &[EdwardsPoint]) -> Vec<Niels> {
    let n = points.len();
    let mut prefix = Vec::with_capacity(n);
    let mut acc = Fe::ONE;
    for p in points {
        prefix.push(acc);
        acc = acc.mul(&p.z);
    }
    let mut inv = acc.invert();
    let mut out = vec![Niels::IDENTITY; n];
    for i in (0..n).rev() {
        let zinv = inv.mul(&prefix[i]);
        inv = inv.mul(&points[i].z);
        let x = points[i].x.mul(&zinv);
        let y = points[i].y.mul(&zinv);
        out[i] = Niels { y_plus_x: y.add(&x), y_minus_x: y.sub(&x), xy2d: x.mul(&y).mul(&D2) };
    }
    out
}
