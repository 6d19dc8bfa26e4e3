//! XXH3-64 with seed 0 and the default secret: the canonical channel hash (channels.md §1) and
//! the reference's `stream_id_from_key` (wire.md §9).
//!
//! Scalar and sans-IO. Channel names are at most 255 bytes, so the short paths (≤ 240 bytes) are
//! what runs in practice; the long path (stripes, blocks, scrambles) is here for completeness and
//! is checked against the reference's published values like every other length class.

#[cfg(test)]
mod tests;

/// The reference's default 192-byte secret (`XXH3_kSecret` in xxhash.h).
const SECRET: [u8; 192] = [
    0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
    0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
    0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
    0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
    0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
    0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
    0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
    0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
    0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
    0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
    0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
    0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
];

const PRIME32_1: u64 = 0x9E37_79B1;
const PRIME32_2: u64 = 0x85EB_CA77;
const PRIME32_3: u64 = 0xC2B2_AE3D;
const PRIME64_1: u64 = 0x9E37_79B1_85EB_CA87;
const PRIME64_2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const PRIME64_3: u64 = 0x1656_67B1_9E37_79F9;
const PRIME64_4: u64 = 0x85EB_CA77_C2B2_AE63;
const PRIME64_5: u64 = 0x27D4_EB2F_1656_67C5;
const PRIME_MX1: u64 = 0x1656_6791_9E37_79F9;
const PRIME_MX2: u64 = 0x9FB2_1C65_1E98_DF25;

const STRIPE_LEN: usize = 64;
const SECRET_CONSUME_RATE: usize = 8;
const STRIPES_PER_BLOCK: usize = (SECRET.len() - STRIPE_LEN) / SECRET_CONSUME_RATE;
const BLOCK_LEN: usize = STRIPE_LEN * STRIPES_PER_BLOCK;
/// The 129–240 path indexes its last read from the minimum secret size, not from 192.
const SECRET_SIZE_MIN: usize = 136;
const MIDSIZE_START_OFFSET: usize = 3;
const MIDSIZE_LAST_OFFSET: usize = 17;
const LAST_ACC_START: usize = 7;
const MERGE_ACCS_START: usize = 11;

#[inline(always)]
fn r64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

#[inline(always)]
fn r32(b: &[u8], at: usize) -> u64 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as u64
}

#[inline(always)]
fn mul128_fold64(a: u64, b: u64) -> u64 {
    let p = (a as u128) * (b as u128);
    (p as u64) ^ ((p >> 64) as u64)
}

fn xxh64_avalanche(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(PRIME64_2);
    h ^= h >> 29;
    h = h.wrapping_mul(PRIME64_3);
    h ^ (h >> 32)
}

fn avalanche(mut h: u64) -> u64 {
    h ^= h >> 37;
    h = h.wrapping_mul(PRIME_MX1);
    h ^ (h >> 32)
}

fn rrmxmx(mut h: u64, len: u64) -> u64 {
    h ^= h.rotate_left(49) ^ h.rotate_left(24);
    h = h.wrapping_mul(PRIME_MX2);
    h ^= (h >> 35).wrapping_add(len);
    h = h.wrapping_mul(PRIME_MX2);
    h ^ (h >> 28)
}

#[inline(always)]
fn mix16(input: &[u8], at: usize, secret_at: usize) -> u64 {
    mul128_fold64(r64(input, at) ^ r64(&SECRET, secret_at), r64(input, at + 8) ^ r64(&SECRET, secret_at + 8))
}

fn len_1to3(input: &[u8]) -> u64 {
    let len = input.len();
    let c1 = input[0] as u32;
    let c2 = input[len >> 1] as u32;
    let c3 = input[len - 1] as u32;
    let combined = (c1 << 16) | (c2 << 24) | c3 | ((len as u32) << 8);
    let bitflip = (r32(&SECRET, 0) ^ r32(&SECRET, 4)) as u64;
    xxh64_avalanche(combined as u64 ^ bitflip)
}

fn len_4to8(input: &[u8]) -> u64 {
    let len = input.len();
    let lo = r32(input, 0);
    let hi = r32(input, len - 4);
    let bitflip = r64(&SECRET, 8) ^ r64(&SECRET, 16);
    let keyed = (hi.wrapping_add(lo << 32)) ^ bitflip;
    rrmxmx(keyed, len as u64)
}

fn len_9to16(input: &[u8]) -> u64 {
    let len = input.len();
    let lo = r64(input, 0) ^ (r64(&SECRET, 24) ^ r64(&SECRET, 32));
    let hi = r64(input, len - 8) ^ (r64(&SECRET, 40) ^ r64(&SECRET, 48));
    let acc = (len as u64).wrapping_add(lo.swap_bytes()).wrapping_add(hi).wrapping_add(mul128_fold64(lo, hi));
    avalanche(acc)
}

fn len_17to128(input: &[u8]) -> u64 {
    let len = input.len();
    let mut acc = (len as u64).wrapping_mul(PRIME64_1);
    if len > 32 {
        if len > 64 {
            if len > 96 {
                acc = acc.wrapping_add(mix16(input, 48, 96));
                acc = acc.wrapping_add(mix16(input, len - 64, 112));
            }
            acc = acc.wrapping_add(mix16(input, 32, 64));
            acc = acc.wrapping_add(mix16(input, len - 48, 80));
        }
        acc = acc.wrapping_add(mix16(input, 16, 32));
        acc = acc.wrapping_add(mix16(input, len - 32, 48));
    }
    acc = acc.wrapping_add(mix16(input, 0, 0));
    acc = acc.wrapping_add(mix16(input, len - 16, 16));
    avalanche(acc)
}

fn len_129to240(input: &[u8]) -> u64 {
    let len = input.len();
    let mut acc = (len as u64).wrapping_mul(PRIME64_1);
    for i in 0..8 {
        acc = acc.wrapping_add(mix16(input, 16 * i, 16 * i));
    }
    acc = avalanche(acc);
    for i in 8..len / 16 {
        acc = acc.wrapping_add(mix16(input, 16 * i, 16 * (i - 8) + MIDSIZE_START_OFFSET));
    }
    acc = acc.wrapping_add(mix16(input, len - 16, SECRET_SIZE_MIN - MIDSIZE_LAST_OFFSET));
    avalanche(acc)
}

#[inline(always)]
fn accumulate_512(acc: &mut [u64; 8], input: &[u8], at: usize, secret_at: usize) {
    for i in 0..8 {
        let v = r64(input, at + 8 * i);
        let k = v ^ r64(&SECRET, secret_at + 8 * i);
        acc[i ^ 1] = acc[i ^ 1].wrapping_add(v);
        acc[i] = acc[i].wrapping_add((k & 0xFFFF_FFFF).wrapping_mul(k >> 32));
    }
}

fn scramble(acc: &mut [u64; 8]) {
    let at = SECRET.len() - STRIPE_LEN;
    for (i, a) in acc.iter_mut().enumerate() {
        let mut x = *a;
        x ^= x >> 47;
        x ^= r64(&SECRET, at + 8 * i);
        *a = x.wrapping_mul(PRIME32_1);
    }
}

fn long(input: &[u8]) -> u64 {
    let len = input.len();
    let mut acc = [PRIME32_3, PRIME64_1, PRIME64_2, PRIME64_3, PRIME64_4, PRIME32_2, PRIME64_5, PRIME32_1];
    let blocks = (len - 1) / BLOCK_LEN;
    for b in 0..blocks {
        for s in 0..STRIPES_PER_BLOCK {
            accumulate_512(&mut acc, input, b * BLOCK_LEN + s * STRIPE_LEN, s * SECRET_CONSUME_RATE);
        }
        scramble(&mut acc);
    }
    let stripes = ((len - 1) - blocks * BLOCK_LEN) / STRIPE_LEN;
    for s in 0..stripes {
        accumulate_512(&mut acc, input, blocks * BLOCK_LEN + s * STRIPE_LEN, s * SECRET_CONSUME_RATE);
    }
    // The last stripe always ends at the input's end (it may overlap the previous one).
    accumulate_512(&mut acc, input, len - STRIPE_LEN, SECRET.len() - STRIPE_LEN - LAST_ACC_START);
    let mut h = (len as u64).wrapping_mul(PRIME64_1);
    for i in 0..4 {
        let s = MERGE_ACCS_START + 16 * i;
        h = h.wrapping_add(mul128_fold64(acc[2 * i] ^ r64(&SECRET, s), acc[2 * i + 1] ^ r64(&SECRET, s + 8)));
    }
    avalanche(h)
}

/// XXH3-64 of `input` with seed 0 and the default secret.
pub fn xxh3_64(input: &[u8]) -> u64 {
    match input.len() {
        0 => xxh64_avalanche(r64(&SECRET, 56) ^ r64(&SECRET, 64)),
        1..=3 => len_1to3(input),
        4..=8 => len_4to8(input),
        9..=16 => len_9to16(input),
        17..=128 => len_17to128(input),
        129..=240 => len_129to240(input),
        _ => long(input),
    }
}
