//! The two per-slot loops of query output: numeric range masks over the memory / VRAM columns and
//! decoding a result bitset into slot numbers. Both have a wasm SIMD path (`simd128`) and a
//! portable one; native tests exercise the portable path, the TS tests the wasm one.

/// Bit k of the result is set when `col[base + k] >= min` (k < 64; lanes past the end read as 0).
#[inline]
pub fn ge_mask(col: &[u32], base: usize, min: u32) -> u64 {
    if base + 64 <= col.len() {
        ge_mask_full(&col[base..base + 64], min)
    } else {
        let mut m = 0u64;
        for (k, &v) in col[base.min(col.len())..].iter().enumerate() {
            m |= u64::from(v >= min) << k;
        }
        m
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn ge_mask_full(c: &[u32], min: u32) -> u64 {
    use core::arch::wasm32::*;
    let lim = u32x4_splat(min);
    let mut m = 0u64;
    for (i, chunk) in c.chunks_exact(4).enumerate() {
        // SAFETY: `chunk` is 4 in-bounds u32 (16 bytes); v128_load tolerates any alignment.
        let v = unsafe { v128_load(chunk.as_ptr() as *const v128) };
        m |= u64::from(i32x4_bitmask(u32x4_ge(v, lim))) << (4 * i);
    }
    m
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn ge_mask_full(c: &[u32], min: u32) -> u64 {
    let mut m = 0u64;
    for (k, &v) in c.iter().enumerate() {
        m |= u64::from(v >= min) << k;
    }
    m
}

/// Appends the set bits of `words` (ascending) to `out` as slot numbers; `count` must be their
/// number (it sizes `out` once).
pub fn decode_bits(words: &[u64], count: usize, out: &mut Vec<u32>) {
    let start = out.len();
    out.resize(start + count, 0);
    let dst = &mut out[start..];
    let mut n = 0usize;
    for (i, &w) in words.iter().enumerate() {
        let base = (i as u32) << 6;
        if w == u64::MAX {
            // A full word is 64 consecutive slots (the common case of broad queries).
            for (k, d) in dst[n..n + 64].iter_mut().enumerate() {
                *d = base + k as u32;
            }
            n += 64;
            continue;
        }
        let mut w = w;
        while w != 0 {
            dst[n] = base + w.trailing_zeros();
            n += 1;
            w &= w - 1;
        }
    }
    debug_assert_eq!(n, count);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_decoding() {
        let col: Vec<u32> = (0..150).collect();
        assert_eq!(ge_mask(&col, 0, 60), !0u64 << 60);
        assert_eq!(ge_mask(&col, 64, 0), !0u64);
        assert_eq!(ge_mask(&col, 128, 140), (0x3fffffu64 >> 12) << 12);
        assert_eq!(ge_mask(&col, 192, 0), 0);
        let words = [u64::MAX, 0b1010, 0, 1 << 63];
        let mut out = vec![7];
        decode_bits(&words, 64 + 2 + 1, &mut out);
        let mut want = vec![7];
        want.extend(0..64);
        want.extend([65, 67, 255]);
        assert_eq!(out, want);
    }
}
