//! FIPS 180-4 SHA-512 examples (NIST CSRC "Examples with Intermediate Values" and the
//! FIPS 180-2 Appendix C long-message example), plus incremental-vs-one-shot consistency.

use super::*;
use crate::testutil::{hex, Rng};

fn one_shot(data: &[u8]) -> Vec<u8> {
    sha512(&[data]).to_vec()
}

#[test]
fn fips_180_4_examples() {
    assert_eq!(
        one_shot(b"abc"),
        hex("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
    );
    assert_eq!(
        one_shot(b""),
        hex("cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")
    );
    assert_eq!(
        one_shot(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        hex("204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445")
    );
    assert_eq!(
        one_shot(b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
        hex("8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909")
    );
}

#[test]
fn one_million_a() {
    let mut h = Sha512::new();
    let chunk = [b'a'; 1000];
    for _ in 0..1000 {
        h.update(&chunk);
    }
    assert_eq!(
        h.finalize().to_vec(),
        hex("e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b")
    );
}

#[test]
fn incremental_equals_one_shot_at_every_split() {
    let mut rng = Rng::new(29);
    for len in [0usize, 1, 111, 112, 127, 128, 129, 239, 240, 255, 256, 257, 1000] {
        let data = rng.bytes(len);
        let want = one_shot(&data);
        for split in 0..=len {
            let mut h = Sha512::new();
            h.update(&data[..split]).update(&data[split..]);
            assert_eq!(h.finalize().to_vec(), want, "len {len} split {split}");
        }
    }
}
