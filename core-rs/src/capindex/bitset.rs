//! Word-level helpers for bitsets over slot numbers (`Vec<u64>`, bit `s` = slot `s`).

#[inline(always)]
pub fn words_for(bits: usize) -> usize {
    (bits + 63) >> 6
}

#[inline(always)]
pub fn test(words: &[u64], slot: u32) -> bool {
    let w = (slot >> 6) as usize;
    w < words.len() && (words[w] >> (slot & 63)) & 1 == 1
}

#[inline(always)]
pub fn set(words: &mut Vec<u64>, slot: u32) {
    let w = (slot >> 6) as usize;
    if w >= words.len() {
        words.resize(w + 1, 0);
    }
    words[w] |= 1u64 << (slot & 63);
}

#[inline(always)]
pub fn clear(words: &mut [u64], slot: u32) {
    let w = (slot >> 6) as usize;
    if w < words.len() {
        words[w] &= !(1u64 << (slot & 63));
    }
}

/// `dst &= src` over `dst`'s length (missing `src` words count as zero).
pub fn and_into(dst: &mut [u64], src: &[u64]) {
    let n = dst.len().min(src.len());
    let (head, tail) = dst.split_at_mut(n);
    for (d, s) in head.iter_mut().zip(&src[..n]) {
        *d &= *s;
    }
    tail.fill(0);
}

/// `dst |= src` over `dst`'s length (`src` words beyond it are ignored).
pub fn or_into(dst: &mut [u64], src: &[u64]) {
    let n = dst.len().min(src.len());
    for (d, s) in dst[..n].iter_mut().zip(&src[..n]) {
        *d |= *s;
    }
}

pub fn count(words: &[u64]) -> usize {
    words.iter().map(|w| w.count_ones() as usize).sum()
}

/// Calls `f(slot)` for every set bit in ascending slot order.
#[inline]
pub fn for_each(words: &[u64], mut f: impl FnMut(u32)) {
    for (i, &w0) in words.iter().enumerate() {
        let mut w = w0;
        let base = (i as u32) << 6;
        while w != 0 {
            f(base + w.trailing_zeros());
            w &= w - 1;
        }
    }
}
