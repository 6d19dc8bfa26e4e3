//! RFC 7748 X25519 vectors, low-order inputs, and the Edwards machinery against a plain
//! double-and-add reference.

use super::edwards::{EdwardsPoint, BASE};
use super::field::Fe;
use super::scalarmul::{double_mul_base_vartime, mul_base, naf};
use super::*;
use crate::testutil::{hex32, Rng};

// RFC 7748 §5.2 (IETF Trust, BSD-licensed code components): the two single-shot vectors.
#[test]
fn rfc7748_5_2_vectors() {
    let cases = [
        (
            "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
            "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
        ),
        (
            "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
            "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
            "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
        ),
    ];
    for (k, u, want) in cases {
        assert_eq!(x25519(&hex32(k), &hex32(u)), hex32(want));
    }
}

/// RFC 7748 §5.2 iteration: k, u ← X25519(k, u), k starting at 9; after 1 and 1,000 rounds.
#[test]
fn rfc7748_5_2_iterations() {
    let mut k = [0u8; 32];
    k[0] = 9;
    let mut u = k;
    let mut results = Vec::new();
    for i in 1..=1000 {
        let out = x25519(&k, &u);
        u = k;
        k = out;
        if i == 1 || i == 1000 {
            results.push(k);
        }
    }
    assert_eq!(results[0], hex32("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"));
    assert_eq!(results[1], hex32("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"));
}

// RFC 7748 §6.1 Diffie-Hellman example.
#[test]
fn rfc7748_6_1_diffie_hellman() {
    let a = hex32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    let a_pub = hex32("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    let b = hex32("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    let b_pub = hex32("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    let shared = hex32("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    assert_eq!(x25519_base(&a), a_pub);
    assert_eq!(x25519_base(&b), b_pub);
    let mut nine = [0u8; 32];
    nine[0] = 9;
    assert_eq!(x25519(&a, &nine), a_pub);
    assert_eq!(x25519(&a, &b_pub), shared);
    assert_eq!(x25519(&b, &a_pub), shared);
    assert!(!is_all_zero(&shared));
}

/// The fixed-base path (Edwards table, then the birational map) equals the ladder on u = 9.
#[test]
fn base_point_path_matches_ladder() {
    let mut rng = Rng::new(7);
    let mut nine = [0u8; 32];
    nine[0] = 9;
    for _ in 0..64 {
        let k = rng.bytes32();
        assert_eq!(x25519_base(&k), x25519(&k, &nine));
    }
}

/// u-coordinates of small order on the curve or its twist give the all-zero shared secret for
/// every scalar, as do their aliases with bit 255 set (RFC 7748 masks it). The seven values are
/// the well-known list (0, 1, two points of order 8, p − 1, p, p + 1) that libsodium rejects.
#[test]
fn low_order_points_give_all_zero() {
    let low = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ];
    let mut rng = Rng::new(11);
    for u in low {
        let mut u = hex32(u);
        for high in [0, 0x80] {
            u[31] = (u[31] & 0x7f) | high;
            for _ in 0..4 {
                assert!(is_all_zero(&x25519(&rng.bytes32(), &u)), "u = {u:?}");
            }
        }
    }
}

#[test]
fn field_encoding_round_trips_and_reduces() {
    let mut rng = Rng::new(3);
    for _ in 0..200 {
        let mut b = rng.bytes32();
        b[31] &= 0x7f;
        // values ≥ p only occur in the top 19 values; keep the round trip to canonical inputs
        if b[31] == 0x7f && b[1..31].iter().all(|&x| x == 0xff) && b[0] >= 0xed {
            continue;
        }
        assert_eq!(Fe::from_bytes(&b).to_bytes(), b);
    }
    // p + 5 reduces to 5; 2^255 − 1 = p + 18 reduces to 18.
    let mut p5 = hex32("f2ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    assert_eq!(Fe::from_bytes(&p5).to_bytes()[0], 5);
    p5[0] = 0xff;
    let r = Fe::from_bytes(&p5).to_bytes();
    assert_eq!(r[0], 18);
    assert!(r[1..].iter().all(|&x| x == 0));
}

#[test]
fn field_inverse_and_square_root_agree() {
    let mut rng = Rng::new(5);
    for _ in 0..50 {
        let a = Fe::from_bytes(&rng.bytes32());
        assert!(a.mul(&a.invert()).ct_eq(&Fe::ONE));
        // Sums of several products stay inside the accepted limb range.
        let s = a.add(&a).sub(&a.neg()).add(&a);
        assert!(s.sq().ct_eq(&a.mul_small(16).mul(&a)));
        assert!(a.sq2().ct_eq(&a.sq().add(&a.sq())));
    }
    assert!(edwards::SQRT_M1.sq().ct_eq(&Fe::ONE.neg()));
}

/// [k]P by plain double-and-add over bits: the reference the fast paths are checked against.
pub(crate) fn reference_mul(k: &[u8; 32], p: &EdwardsPoint) -> EdwardsPoint {
    let mut r = EdwardsPoint::IDENTITY;
    for i in (0..256).rev() {
        r = r.add(&r);
        if (k[i / 8] >> (i % 8)) & 1 == 1 {
            r = r.add(p);
        }
    }
    r
}

#[test]
fn base_point_encoding_and_order() {
    let enc = BASE.compress();
    assert_eq!(enc, hex32("5866666666666666666666666666666666666666666666666666666666666666"));
    let l = hex32("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    assert!(reference_mul(&l, &BASE).is_identity());
    assert!(!BASE.is_small_order());
}

#[test]
fn fixed_base_matches_reference() {
    let mut rng = Rng::new(13);
    for i in 0..40 {
        let mut k = rng.bytes32();
        k[31] &= 0x7f;
        if i == 0 {
            k = [0; 32];
        }
        if i == 1 {
            k = [0xff; 32];
            k[31] = 0x7f;
        }
        assert!(mul_base(&k).equals(&reference_mul(&k, &BASE)), "k = {k:?}");
    }
}

#[test]
fn naf_reconstructs_the_scalar() {
    let mut rng = Rng::new(17);
    for w in [5, 8] {
        for _ in 0..100 {
            let mut k = rng.bytes32();
            k[31] &= 0x1f;
            let digits = naf(&k, w);
            // Σ digit·2^i, in 9 u32 words with signed accumulation.
            let mut acc = [0i64; 9];
            for (i, &d) in digits.iter().enumerate() {
                if d != 0 {
                    assert!(d % 2 != 0 && (d as i32).abs() < 1 << (w - 1));
                    acc[i / 32] += (d as i64) << (i % 32);
                }
            }
            for i in 0..8 {
                let c = acc[i] >> 32;
                acc[i] -= c << 32;
                acc[i + 1] += c;
            }
            let mut got = [0u8; 32];
            for i in 0..8 {
                got[4 * i..4 * i + 4].copy_from_slice(&(acc[i] as u32).to_le_bytes());
            }
            assert_eq!(acc[8], 0);
            assert_eq!(got, k);
        }
    }
}

#[test]
fn double_scalar_matches_reference() {
    let mut rng = Rng::new(19);
    for i in 0..30 {
        let mut a = rng.bytes32();
        let mut b = rng.bytes32();
        a[31] &= 0x1f;
        b[31] &= 0x1f;
        if i == 0 {
            a = [0; 32];
        }
        if i == 1 {
            b = [0; 32];
        }
        let mut seed = rng.bytes32();
        seed[31] &= 0x0f;
        let p = mul_base(&seed);
        let want = reference_mul(&a, &p).add(&reference_mul(&b, &BASE));
        assert!(double_mul_base_vartime(&a, &p, &b).equals(&want));
    }
}

#[test]
fn compress_decompress_round_trip() {
    let mut rng = Rng::new(23);
    for _ in 0..50 {
        let mut k = rng.bytes32();
        k[31] &= 0x0f;
        let p = mul_base(&k);
        let enc = p.compress();
        let q = EdwardsPoint::decompress_strict(&enc).expect("a valid encoding");
        assert!(q.equals(&p));
        assert_eq!(q.compress(), enc);
    }
    // y = 2 is not on the curve (no x exists): about half of all y values are rejected.
    let mut two = [0u8; 32];
    two[0] = 2;
    assert!(EdwardsPoint::decompress_strict(&two).is_none());
    // y = 1 with the sign bit set is the identity encoded a second way.
    let mut one_neg = [0u8; 32];
    one_neg[0] = 1;
    one_neg[31] = 0x80;
    assert!(EdwardsPoint::decompress_strict(&one_neg).is_none());
    one_neg[31] = 0;
    assert!(EdwardsPoint::decompress_strict(&one_neg).unwrap().is_small_order());
    // y = p (≡ 0) is non-canonical.
    let p_enc = hex32("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    assert!(EdwardsPoint::decompress_strict(&p_enc).is_none());
}
