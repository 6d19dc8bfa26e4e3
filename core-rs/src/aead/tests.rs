//! RFC 8439 examples and the Wycheproof ChaCha20-Poly1305 vectors.

use super::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

#[test]
fn rfc8439_2_8_2_example() {
    let pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
    let aad = hex("50515253c0c1c2c3c4c5c6c7");
    let key: [u8; 32] = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
        .try_into()
        .unwrap();
    let nonce: [u8; 12] = hex("070000004041424344454647").try_into().unwrap();
    let want_ct = hex(
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116",
    );
    let want_tag = hex("1ae10b594f09e26a7e902ecbd0600691");
    let aead = ChaCha20Poly1305::new(&key);
    let mut buf = pt.to_vec();
    let tag = aead.seal_in_place(&nonce, &aad, &mut buf);
    assert_eq!(buf, want_ct);
    assert_eq!(tag.to_vec(), want_tag);
    aead.open_in_place(&nonce, &aad, &mut buf, &tag).unwrap();
    assert_eq!(&buf[..], &pt[..]);
}

/// The textbook composition: keystream from block 1, MAC over padded aad and ciphertext.
fn simple_seal(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], pt: &[u8]) -> (Vec<u8>, [u8; 16]) {
    let k: [u32; 8] = words(key);
    let n: [u32; 3] = words(nonce);
    let mut ct = pt.to_vec();
    chacha20::xor_keystream(&k, 1, &n, &mut ct);
    let b0 = chacha20::block(&k, 0, &n);
    let mut otk = [0u8; 32];
    for i in 0..8 {
        otk[4 * i..4 * i + 4].copy_from_slice(&b0[i].to_le_bytes());
    }
    let mut mac = poly1305::Poly1305::new(&otk);
    mac.padded(aad);
    mac.padded(&ct);
    (ct, mac_lengths(mac, aad.len(), pt.len()))
}

#[test]
fn matches_the_simple_composition_at_every_length() {
    let key = [0x42u8; 32];
    let nonce = *b"net-mesh-aad";
    let aead = ChaCha20Poly1305::new(&key);
    let lengths = (0..=1100).chain([4095, 4096, 4097, 8191, 8192, 8193, 9000, 70_000]);
    for len in lengths {
        let pt: Vec<u8> = (0..len).map(|i| (i * 31 + len) as u8).collect();
        let aad = &pt[..len.min(57)];
        let (want_ct, want_tag) = simple_seal(&key, &nonce, aad, &pt);
        let mut buf = pt.clone();
        let tag = aead.seal_in_place(&nonce, aad, &mut buf);
        assert!(buf == want_ct && tag == want_tag, "length {len}");
        aead.open_in_place(&nonce, aad, &mut buf, &tag).unwrap();
        assert!(buf == pt, "length {len} round trip");
    }
}

#[test]
fn tamper_is_rejected_and_buffer_untouched() {
    let aead = ChaCha20Poly1305::new(&[7u8; 32]);
    let nonce = [1u8; 12];
    let mut buf = (0..300u32).map(|i| i as u8).collect::<Vec<_>>();
    let tag = aead.seal_in_place(&nonce, b"aad", &mut buf);
    let ct = buf.clone();
    for i in 0..buf.len() {
        let mut b = ct.clone();
        b[i] ^= 0x40;
        assert_eq!(
            aead.open_in_place(&nonce, b"aad", &mut b, &tag),
            Err(AuthError)
        );
        let mut expect = ct.clone();
        expect[i] ^= 0x40;
        assert_eq!(b, expect, "buffer changed on failure");
    }
    let mut bad = tag;
    bad[15] ^= 1;
    let mut b = ct.clone();
    assert_eq!(
        aead.open_in_place(&nonce, b"aad", &mut b, &bad),
        Err(AuthError)
    );
    assert_eq!(
        aead.open_in_place(&nonce, b"aae", &mut b, &tag),
        Err(AuthError)
    );
    aead.open_in_place(&nonce, b"aad", &mut b, &tag).unwrap();
    assert_eq!(b, (0..300u32).map(|i| i as u8).collect::<Vec<_>>());
}

/// Poly1305 over zero-padded 16-byte blocks with schoolbook big-integer arithmetic (64-bit words),
/// independent of the limb representation under test.
fn reference_poly(key: &[u8; 32], msg: &[u8]) -> [u8; 16] {
    reference_poly_with(key, msg, true)
}

/// `aead_padding`: partial blocks are zero-padded to 16 bytes (RFC 8439 §2.8); otherwise they get
/// the plain MAC's 0x01 byte after the message and no 2^128 bit (§2.5).
fn reference_poly_with(key: &[u8; 32], msg: &[u8], aead_padding: bool) -> [u8; 16] {
    type N = [u64; 5]; // little-endian words
    fn mul(a: &N, b: &N) -> [u64; 10] {
        let mut out = [0u64; 10];
        for i in 0..5 {
            let mut carry = 0u128;
            for j in 0..5 {
                let t = a[i] as u128 * b[j] as u128 + out[i + j] as u128 + carry;
                out[i + j] = t as u64;
                carry = t >> 64;
            }
            out[i + 5] = carry as u64;
        }
        out
    }
    fn add(a: &N, b: &N) -> N {
        let mut out = [0u64; 5];
        let mut c = 0u128;
        for i in 0..5 {
            let t = a[i] as u128 + b[i] as u128 + c;
            out[i] = t as u64;
            c = t >> 64;
        }
        out
    }
    fn geq_p(a: &N) -> bool {
        // p = 2^130 - 5: words [0xffff_ffff_ffff_fffb, 0xffff_ffff_ffff_ffff, 3]
        let p = [0xffff_ffff_ffff_fffbu64, u64::MAX, 3, 0, 0];
        for i in (0..5).rev() {
            if a[i] != p[i] {
                return a[i] > p[i];
            }
        }
        true
    }
    fn reduce(x: [u64; 10]) -> N {
        let mut x = x;
        loop {
            // hi = x >> 130, lo = x mod 2^130
            let mut hi = [0u64; 10];
            for i in 0..8 {
                hi[i] = (x[i + 2] >> 2) | if i + 3 < 10 { x[i + 3] << 62 } else { 0 };
            }
            if hi.iter().all(|&w| w == 0) {
                break;
            }
            let mut lo = [x[0], x[1], x[2] & 3, 0, 0, 0, 0, 0, 0, 0];
            let mut c = 0u128;
            for i in 0..10 {
                let t = lo[i] as u128 + hi[i] as u128 * 5 + c;
                lo[i] = t as u64;
                c = t >> 64;
            }
            x = lo;
        }
        let mut n = [x[0], x[1], x[2], 0, 0];
        if geq_p(&n) {
            // n - p = n + 5 - 2^130
            n = add(&n, &[5, 0, 0, 0, 0]);
            n[2] &= 3;
        }
        n
    }
    let mut rb = [0u8; 16];
    rb.copy_from_slice(&key[..16]);
    for i in [3, 7, 11, 15] {
        rb[i] &= 15;
    }
    for i in [4, 8, 12] {
        rb[i] &= 252;
    }
    let r: N = [
        u64::from_le_bytes(rb[..8].try_into().unwrap()),
        u64::from_le_bytes(rb[8..].try_into().unwrap()),
        0,
        0,
        0,
    ];
    let mut h: N = [0; 5];
    for block in msg.chunks(16) {
        let mut b = [0u8; 16];
        b[..block.len()].copy_from_slice(block);
        let mut top = 1;
        if !aead_padding && block.len() < 16 {
            b[block.len()] = 1;
            top = 0;
        }
        let m: N = [
            u64::from_le_bytes(b[..8].try_into().unwrap()),
            u64::from_le_bytes(b[8..].try_into().unwrap()),
            top,
            0,
            0,
        ];
        h = reduce(mul(&add(&h, &m), &r));
    }
    let s: N = [
        u64::from_le_bytes(key[16..24].try_into().unwrap()),
        u64::from_le_bytes(key[24..].try_into().unwrap()),
        0,
        0,
        0,
    ];
    let t = add(&h, &s);
    let mut tag = [0u8; 16];
    tag[..8].copy_from_slice(&t[0].to_le_bytes());
    tag[8..].copy_from_slice(&t[1].to_le_bytes());
    tag
}

#[test]
fn poly1305_matches_big_integer_reference_on_edge_inputs() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for case in 0..3000u32 {
        let mut key = [0u8; 32];
        key.iter_mut().for_each(|b| *b = rnd() as u8);
        match case % 4 {
            0 => key[..16].fill(0xff), // largest clamped r
            1 => key.fill(0xff),       // and the largest s: the final addition wraps
            2 => key[..16].fill(0),    // r = 0
            _ => {}
        }
        let len = (rnd() % 600) as usize;
        let msg: Vec<u8> = (0..len)
            .map(|_| match case % 3 {
                0 => 0xff,
                1 => {
                    if rnd() % 16 == 0 {
                        rnd() as u8
                    } else {
                        0xff
                    }
                }
                _ => rnd() as u8,
            })
            .collect();
        let mut mac = poly1305::Poly1305::new(&key);
        mac.padded(&msg);
        assert_eq!(
            mac.finish(),
            reference_poly(&key, &msg),
            "case {case}, {len} bytes"
        );
    }
}

#[test]
fn reference_model_matches_rfc8439_2_5_2() {
    // The plain Poly1305 example (partial last block padded with 0x01): validates the model the
    // kernel is compared against above.
    let key: [u8; 32] = hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b")
        .try_into()
        .unwrap();
    let tag = reference_poly_with(&key, b"Cryptographic Forum Research Group", false);
    assert_eq!(tag.to_vec(), hex("a8061dc1305136c6c22b8baf0c0127a9"));
}

/// Picks the string value of `"name": "..."` out of one JSON test object.
fn field<'a>(obj: &'a str, name: &str) -> &'a str {
    let pat = format!("\"{name}\"");
    let at = obj.find(&pat).unwrap_or_else(|| panic!("no field {name}")) + pat.len();
    let rest = &obj[at..];
    let start = rest.find('"').unwrap() + 1;
    let end = start + rest[start..].find('"').unwrap();
    &rest[start..end]
}

#[test]
fn wycheproof() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../test/vectors/wycheproof-chacha20-poly1305.json"
    );
    let json = std::fs::read_to_string(path).expect("read wycheproof vectors");
    // Each test object starts at `"tcId"` and is flat (no nested objects besides the flags array).
    let mut count = 0;
    let (mut valid, mut refused_nonce, mut rejected) = (0, 0, 0);
    for piece in json.split("\"tcId\"").skip(1) {
        let obj = &piece[..piece.find('}').unwrap()];
        let key = hex(field(obj, "key"));
        let iv = hex(field(obj, "iv"));
        let aad = hex(field(obj, "aad"));
        let msg = hex(field(obj, "msg"));
        let ct = hex(field(obj, "ct"));
        let tag = hex(field(obj, "tag"));
        let result = field(obj, "result");
        count += 1;
        let key: [u8; 32] = key.try_into().expect("key size");
        let aead = ChaCha20Poly1305::new(&key);
        let Ok(nonce) = <[u8; 12]>::try_from(iv.as_slice()) else {
            assert_eq!(
                result,
                "invalid",
                "a {}-byte nonce case is expected invalid",
                iv.len()
            );
            refused_nonce += 1;
            continue;
        };
        let tag: [u8; 16] = tag.try_into().expect("tag size");
        if result == "valid" {
            let mut buf = msg.clone();
            let t = aead.seal_in_place(&nonce, &aad, &mut buf);
            assert_eq!(
                buf,
                ct,
                "ciphertext, case {}",
                obj.split(',')
                    .next()
                    .unwrap()
                    .trim_start_matches(':')
                    .trim()
            );
            assert_eq!(t, tag, "tag");
            aead.open_in_place(&nonce, &aad, &mut buf, &tag)
                .expect("valid case opens");
            assert_eq!(buf, msg);
            valid += 1;
        } else {
            let mut buf = ct.clone();
            assert_eq!(
                aead.open_in_place(&nonce, &aad, &mut buf, &tag),
                Err(AuthError),
                "invalid case must fail"
            );
            assert_eq!(buf, ct);
            rejected += 1;
        }
    }
    assert_eq!(count, 325);
    assert!(valid > 0 && rejected > 0);
    eprintln!(
        "wycheproof: {valid} valid, {rejected} rejected, {refused_nonce} refused nonce sizes"
    );
}
