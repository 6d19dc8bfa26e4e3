//! RFC 7693 BLAKE2s vectors, keyed known answers, and HMAC/HKDF values.
//!
//! Sources: RFC 7693 Appendix B ("abc") and Appendix E (the self-test "grand hash" over output
//! lengths 16/20/28/32 and input lengths 0..1024, keyed and unkeyed); the keyed known answers
//! are the first entries of blake2s-kat.txt from the BLAKE2 reference repository (CC0), key
//! 00..1f and input 00 01 02 …. HMAC and HKDF expectations were computed independently with
//! Python's hashlib/hmac (the reference C BLAKE2s).

use super::*;
use crate::testutil::{hex, Rng};

#[test]
fn rfc7693_appendix_b_abc() {
    assert_eq!(
        blake2s(&[], &[b"abc"]).to_vec(),
        hex("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982")
    );
}

/// RFC 7693 Appendix E's deterministic input sequence.
fn selftest_seq(len: usize, seed: u32) -> Vec<u8> {
    let mut a = 0xDEAD_4BADu32.wrapping_mul(seed);
    let mut b = 1u32;
    (0..len)
        .map(|_| {
            let t = a.wrapping_add(b);
            a = b;
            b = t;
            (t >> 24) as u8
        })
        .collect()
}

#[test]
fn rfc7693_appendix_e_self_test() {
    let mut grand = Blake2s::new(&[], 32).unwrap();
    for out_len in [16usize, 20, 28, 32] {
        for in_len in [0usize, 3, 64, 65, 255, 1024] {
            let input = selftest_seq(in_len, in_len as u32);
            let mut md = [0u8; 32];
            let mut h = Blake2s::new(&[], out_len).unwrap();
            h.update(&input);
            h.finalize_into(&mut md);
            grand.update(&md[..out_len]);
            let key = selftest_seq(out_len, out_len as u32);
            let mut h = Blake2s::new(&key, out_len).unwrap();
            h.update(&input);
            h.finalize_into(&mut md);
            grand.update(&md[..out_len]);
        }
    }
    assert_eq!(
        grand.finalize().to_vec(),
        hex("6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe")
    );
}

#[test]
fn keyed_known_answers() {
    let key: Vec<u8> = (0..32).collect();
    let cases = [
        (0usize, "48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49"),
        (1, "40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1"),
        (2, "6bb71300644cd3991b26ccd4d274acd1adeab8b1d7914546c1198bbe9fc9d803"),
        (63, "c65382513f07460da39833cb666c5ed82e61b9e998f4b0c4287cee56c3cc9bcd"),
        (64, "8975b0577fd35566d750b362b0897a26c399136df07bababbde6203ff2954ed4"),
        (65, "21fe0ceb0052be7fb0f004187cacd7de67fa6eb0938d927677f2398c132317a8"),
        (255, "3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd"),
    ];
    for (len, want) in cases {
        let input: Vec<u8> = (0..len).map(|i| i as u8).collect();
        assert_eq!(blake2s(&key, &[&input]).to_vec(), hex(want), "len {len}");
    }
}

#[test]
fn incremental_equals_one_shot_at_every_split() {
    let mut rng = Rng::new(31);
    for len in [0usize, 1, 63, 64, 65, 127, 128, 129, 200] {
        let data = rng.bytes(len);
        for key in [&[][..], &[7u8; 32][..]] {
            let want = blake2s(key, &[&data]);
            for split in 0..=len {
                assert_eq!(blake2s(key, &[&data[..split], &data[split..]]), want, "len {len} split {split}");
            }
        }
    }
}

#[test]
fn rejects_bad_parameters() {
    assert!(Blake2s::new(&[0; 33], 32).is_err());
    assert!(Blake2s::new(&[], 0).is_err());
    assert!(Blake2s::new(&[], 33).is_err());
    assert!(Blake2s::new(&[0; 32], 1).is_ok());
}

#[test]
fn hmac_values() {
    let k32: Vec<u8> = (0..32).collect();
    let k64: Vec<u8> = (0..64).collect();
    let k100: Vec<u8> = (0..100).collect();
    assert_eq!(
        hmac(&k32, &[b"net-mesh hmac test"]).to_vec(),
        hex("883201f899bc475090617d63bf81ef94d4012acacdc09bfb42077aae2ab926d0")
    );
    assert_eq!(hmac(&k64, &[]).to_vec(), hex("4a4f8f181c931253202b2d7a77e2a612f65580f4b0d56108f7f275f22b63ae00"));
    assert_eq!(
        hmac(&k100, &[b"long ", b"key"]).to_vec(),
        hex("096d2dec44b647196383c466daf27592cf0c187793f83d1e9f8a19efc137d0d1")
    );
}

#[test]
fn noise_hkdf_values() {
    let ck: Vec<u8> = (0..32).collect();
    let ikm: Vec<u8> = (100..133).collect();
    let mut out = [0u8; 96];
    hkdf(&ck, &ikm, 3, &mut out);
    assert_eq!(
        out.to_vec(),
        hex(concat!(
            "0e815e594e987c034b015e8abc8fd4b518414c8f0a839a777fcdd760e9f32f7e",
            "c1e8bc52e426b32faca977d3677ca9f423efa209201c5b601ead38fde60779d9",
            "7f617fcacf0f5c2c3c27a65d1e2e3bfdd4ed3bc5f4519a23c66f1387093a35da"
        ))
    );
    let mut two = [0u8; 64];
    hkdf(&ck, &ikm, 2, &mut two);
    assert_eq!(two[..], out[..64]);
}
