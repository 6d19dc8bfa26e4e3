//! Zeroing of secrets in linear memory: volatile writes, so the optimiser cannot drop them as
//! dead stores (in wasm the Rust stack and heap are both host-readable linear memory).

/// Overwrites `b` with zeros.
pub fn wipe_bytes(b: &mut [u8]) {
    for x in b.iter_mut() {
        // SAFETY: a valid, aligned &mut u8.
        unsafe { core::ptr::write_volatile(x, 0) };
    }
}

/// Overwrites `w` with zeros.
pub fn wipe_words<T: Copy + Default>(w: &mut [T]) {
    for x in w.iter_mut() {
        // SAFETY: a valid, aligned &mut T.
        unsafe { core::ptr::write_volatile(x, T::default()) };
    }
}
