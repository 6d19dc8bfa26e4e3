//! The reference's published XXH3-64 values (seed 0) for every length branch.
//!
//! Source: Cyan4973/xxHash, `cli/xsum_sanity_check.c` (`XSUM_XXH3_testdata`, the rows with seed
//! 0), hashing the prefix of length `len` of the buffer `XSUM_fillTestBuffer` fills: starting from
//! `byteGen = PRIME32` (2654435761), byte i = `byteGen >> 56`, then `byteGen *= PRIME64`
//! (11400714785074694797), wrapping.

use super::xxh3_64;

/// (len, expected) — the comment names the branch each row exercises.
pub const SANITY_SEED0: [(usize, u64); 13] = [
    (0, 0x2D06_8005_38D3_94C2),    // empty
    (1, 0xC44B_DFF4_074E_ECDB),    // 1–3
    (6, 0x27B5_6A84_CD2D_7325),    // 4–8
    (12, 0xA713_DAF0_DFBB_77E7),   // 9–16
    (24, 0xA3FE_70BF_9D35_10EB),   // 17–32
    (48, 0x397D_A259_ECBA_1F11),   // 33–64
    (80, 0xBCDE_FBBB_2C47_C90A),   // 65–96
    (195, 0xCD94_217E_E362_EC3A),  // 129–240
    (403, 0xCDEB_804D_65C6_DEA4),  // one block, last stripe overlapping
    (512, 0x617E_4959_9013_CB6B),  // one block, ends on a stripe boundary
    (2048, 0xDD59_E2C3_A5F0_38E0), // two blocks, ends on a block boundary
    (2240, 0x6E73_A905_39CF_2948), // three blocks, ends on a stripe boundary
    (2367, 0xCB37_AEB9_E5D3_61ED), // three blocks, last stripe overlapping
];

pub fn sanity_buffer(len: usize) -> Vec<u8> {
    let mut gen: u64 = 2_654_435_761;
    (0..len)
        .map(|_| {
            let b = (gen >> 56) as u8;
            gen = gen.wrapping_mul(11_400_714_785_074_694_797);
            b
        })
        .collect()
}

#[test]
fn published_sanity_values() {
    let buf = sanity_buffer(2367);
    for (len, want) in SANITY_SEED0 {
        assert_eq!(xxh3_64(&buf[..len]), want, "len {len}");
    }
}

#[test]
fn every_length_up_to_two_blocks_is_total() {
    // No length panics (slice bounds) and neighbouring lengths differ.
    let buf = sanity_buffer(2100);
    let mut prev = None;
    for len in 0..=2100 {
        let h = xxh3_64(&buf[..len]);
        assert_ne!(Some(h), prev, "len {len}");
        prev = Some(h);
    }
}
