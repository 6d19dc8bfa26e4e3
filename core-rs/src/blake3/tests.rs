//! The official BLAKE3 vectors (test/vectors/blake3-official.json) through every entry point.

use super::*;

const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../test/vectors/blake3-official.json"
));

struct Case {
    input_len: usize,
    hash: Vec<u8>,
    keyed_hash: Vec<u8>,
    derive_key: Vec<u8>,
}

/// The string value of `"name": "..."` at or after `from`; returns it and the index after it.
fn string_field<'a>(text: &'a str, name: &str, from: usize) -> Option<(&'a str, usize)> {
    let key = format!("\"{name}\"");
    let at = from + text[from..].find(&key)?;
    let rest = &text[at + key.len()..];
    let open = rest.find('"')? + 1;
    let close = open + rest[open..].find('"')?;
    let base = at + key.len();
    Some((&rest[open..close], base + close + 1))
}

fn number_field(text: &str, name: &str, from: usize) -> Option<(usize, usize)> {
    let key = format!("\"{name}\"");
    let at = from + text[from..].find(&key)?;
    let rest = &text[at + key.len()..];
    let start = rest.find(|c: char| c.is_ascii_digit())?;
    let len = rest[start..]
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len() - start);
    Some((rest[start..start + len].parse().ok()?, at + key.len() + start + len))
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Minimal parse of the vector file: the key, the context and every case in order.
fn vectors() -> (Vec<u8>, Vec<u8>, Vec<Case>) {
    let (key, _) = string_field(VECTORS, "key", 0).unwrap();
    let (context, mut pos) = string_field(VECTORS, "context_string", 0).unwrap();
    let mut cases = Vec::new();
    while let Some((input_len, p)) = number_field(VECTORS, "input_len", pos) {
        let (hash, p) = string_field(VECTORS, "hash", p).unwrap();
        let (keyed_hash, p) = string_field(VECTORS, "keyed_hash", p).unwrap();
        let (derive_key, p) = string_field(VECTORS, "derive_key", p).unwrap();
        cases.push(Case {
            input_len,
            hash: unhex(hash),
            keyed_hash: unhex(keyed_hash),
            derive_key: unhex(derive_key),
        });
        pos = p;
    }
    (key.as_bytes().to_vec(), context.as_bytes().to_vec(), cases)
}

fn input(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// A small deterministic generator for split points.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn hashers(key: &[u8; 32], context: &[u8], platform: Platform) -> [Hasher; 3] {
    [
        Hasher::new_in(platform),
        Hasher::new_keyed_in(key, platform),
        Hasher::new_derive_key_in(context, platform),
    ]
}

#[test]
fn parses_every_case() {
    let (key, context, cases) = vectors();
    assert_eq!(key, b"whats the Elvish word for friend");
    assert_eq!(context, b"BLAKE3 2019-12-27 16:29:52 test vectors context");
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    assert!(cases.iter().any(|c| c.input_len == 102400));
    assert!(cases
        .iter()
        .all(|c| c.hash.len() == 131 && c.keyed_hash.len() == 131 && c.derive_key.len() == 131));
}

const PLATFORMS: [Platform; 2] = [Platform::Portable, Platform::PortableWide];

#[test]
fn one_shot_functions() {
    let (key, context, cases) = vectors();
    let key: [u8; 32] = key.try_into().unwrap();
    for c in &cases {
        let data = input(c.input_len);
        assert_eq!(hash(&data)[..], c.hash[..32], "hash len {}", c.input_len);
        assert_eq!(
            keyed_hash(&key, &data)[..],
            c.keyed_hash[..32],
            "keyed len {}",
            c.input_len
        );
        assert_eq!(
            derive_key(&context, &data)[..],
            c.derive_key[..32],
            "derive len {}",
            c.input_len
        );
        for platform in PLATFORMS {
            let mut out = vec![0u8; c.hash.len()];
            hash_xof(&data, &mut out, platform);
            assert_eq!(out, c.hash, "hash xof len {} {platform:?}", c.input_len);
            keyed_hash_xof(&key, &data, &mut out, platform);
            assert_eq!(out, c.keyed_hash, "keyed xof len {} {platform:?}", c.input_len);
            derive_key_xof(&context, &data, &mut out, platform);
            assert_eq!(out, c.derive_key, "derive xof len {} {platform:?}", c.input_len);
        }
    }
}

#[test]
fn incremental_whole_and_split() {
    let (key, context, cases) = vectors();
    let key: [u8; 32] = key.try_into().unwrap();
    let mut rng = Rng(0x9E3779B97F4A7C15);
    for c in &cases {
        let data = input(c.input_len);
        let expected = [&c.hash, &c.keyed_hash, &c.derive_key];
        let all = PLATFORMS.iter().flat_map(|&p| hashers(&key, &context, p));
        for (i, mut h) in all.enumerate() {
            let mode = i % 3;
            h.update(&data);
            assert_eq!(
                h.finalize()[..],
                expected[mode][..32],
                "mode {mode} len {}",
                c.input_len
            );
            let mut out = vec![0u8; expected[mode].len()];
            h.finalize_at(0, &mut out);
            assert_eq!(&out, expected[mode], "mode {mode} len {}", c.input_len);

            // Random splits, including empty updates, after a reset.
            for _ in 0..3 {
                h.reset();
                let mut rest = &data[..];
                while !rest.is_empty() {
                    let cap = if rng.below(4) == 0 { 4096 } else { 70 };
                    let n = core::cmp::min(rng.below(cap + 1), rest.len());
                    h.update(&rest[..n]);
                    rest = &rest[n..];
                }
                assert_eq!(h.count(), c.input_len as u64);
                h.finalize_at(0, &mut out);
                assert_eq!(&out, expected[mode], "split mode {mode} len {}", c.input_len);
            }
        }
    }
}

#[test]
fn byte_at_a_time_and_chunk_sized_updates() {
    let (_, _, cases) = vectors();
    for c in cases.iter().filter(|c| c.input_len <= 8192) {
        let data = input(c.input_len);
        let mut h = Hasher::new_in(Platform::Portable);
        for b in &data {
            h.update(core::slice::from_ref(b));
        }
        assert_eq!(h.finalize()[..], c.hash[..32], "bytewise len {}", c.input_len);
        let mut h = Hasher::new_in(Platform::Portable);
        for part in data.chunks(CHUNK_LEN) {
            h.update(part);
        }
        assert_eq!(h.finalize()[..], c.hash[..32], "chunkwise len {}", c.input_len);
    }
}

#[test]
fn xof_at_offsets_and_reader() {
    let (_, _, cases) = vectors();
    for c in &cases {
        let data = input(c.input_len);
        let mut h = Hasher::new_in(Platform::Portable);
        h.update(&data);
        let total = c.hash.len();
        for &offset in &[0usize, 1, 31, 32, 63, 64, 65, 100] {
            for &len in &[0usize, 1, 7, 32, 64, 66] {
                if offset + len > total {
                    continue;
                }
                let mut out = vec![0u8; len];
                h.finalize_at(offset as u64, &mut out);
                assert_eq!(
                    &out[..],
                    &c.hash[offset..offset + len],
                    "len {} offset {offset} n {len}",
                    c.input_len
                );
            }
        }
        let mut reader = h.finalize_xof();
        let mut got = Vec::new();
        let mut piece = 1;
        while got.len() < total {
            let n = core::cmp::min(piece, total - got.len());
            let mut buf = vec![0u8; n];
            reader.fill(&mut buf);
            got.extend_from_slice(&buf);
            piece = piece * 3 + 1;
        }
        assert_eq!(got, c.hash);
        assert_eq!(reader.position(), total as u64);
        reader.set_position(5);
        let mut buf = [0u8; 9];
        reader.fill(&mut buf);
        assert_eq!(&buf[..], &c.hash[5..14]);
    }
}

#[test]
fn hasher_keeps_updating_after_finalize() {
    let data = input(5000);
    let mut h = Hasher::new_in(Platform::Portable);
    h.update(&data[..3000]);
    assert_eq!(h.finalize(), hash(&data[..3000]));
    h.update(&data[3000..]);
    assert_eq!(h.finalize(), hash(&data));
}

#[test]
fn large_input_matches_serial_tree() {
    // The one-shot (subtree at once) and the incremental path build the same tree.
    let data = input(3 * 1024 * 1024 + 777);
    let one_shot = hash(&data);
    for platform in PLATFORMS {
        let mut out = [0u8; 32];
        hash_xof(&data, &mut out, platform);
        assert_eq!(out, one_shot);
        for piece in [100_003, 65_536, 4096 * 3] {
            let mut h = Hasher::new_in(platform);
            for part in data.chunks(piece) {
                h.update(part);
            }
            assert_eq!(h.finalize(), one_shot, "{platform:?} pieces of {piece}");
        }
    }
}
