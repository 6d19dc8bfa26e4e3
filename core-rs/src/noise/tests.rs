use super::*;
use crate::aead::ChaCha20Poly1305;
use crate::curve25519::x25519_base;

/// msg1 built token by token (psk, e, es, payload 0x01) for a candidate hash `h_psk`.
fn msg1(e: &[u8; 32], rs: &[u8; 32], ck_psk: &[u8; 32], h_psk: &[u8; 32]) -> Vec<u8> {
    let re = x25519_base(e);
    let h = blake2s(&[], &[h_psk, &re]);
    let mut okm = [0u8; 64];
    hkdf(ck_psk, &re, 2, &mut okm);
    let ck2: [u8; 32] = okm[..32].try_into().unwrap();
    hkdf(&ck2, &x25519(e, rs), 2, &mut okm);
    let key: [u8; 32] = okm[32..].try_into().unwrap();
    let mut payload = vec![0x01u8];
    let tag = ChaCha20Poly1305::new(&key).seal_in_place(&[0u8; 12], &h, &mut payload);
    let mut out = re.to_vec();
    out.extend_from_slice(&payload);
    out.extend_from_slice(&tag);
    out
}

#[test]
fn finds_the_candidate_whose_hash_authenticates() {
    let s = [7u8; 32];
    let rs = x25519_base(&s);
    let ck = [1u8; 32];
    let hs: Vec<u8> = (0..5u8).flat_map(|i| [i + 10; 32]).collect();
    let m = msg1(&[3u8; 32], &rs, &ck, &[13u8; 32]);
    assert_eq!(screen_msg1(&s, &ck, &hs, &m), Screen::Match(3));
    assert_eq!(screen_msg1(&s, &ck, &hs[..96], &m), Screen::NoMatch);
    let mut bad = m.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert_eq!(screen_msg1(&s, &ck, &hs, &bad), Screen::NoMatch);
    assert_eq!(screen_msg1(&[8u8; 32], &ck, &hs, &m), Screen::NoMatch);
}

#[test]
fn short_and_small_order_messages_are_malformed() {
    let s = [7u8; 32];
    let hs = [0u8; 32];
    assert_eq!(screen_msg1(&s, &[0u8; 32], &hs, &[0u8; 47]), Screen::Malformed);
    // u = 0 has small order: the shared secret is all zeros.
    assert_eq!(screen_msg1(&s, &[0u8; 32], &hs, &[0u8; 48]), Screen::Malformed);
}
