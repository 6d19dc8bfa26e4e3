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

/// Overwrites `8·WORDS` bytes of the stack below the caller's frame: the frames of the kernel calls the
/// caller just made (and the copies of secrets that moves and return values left in them).
/// Call it from an ABI function right after a call that handled secrets; the area must cover
/// that call's stack depth.
#[inline(never)]
pub fn scrub_stack<const WORDS: usize>() {
    let mut area = [0u64; WORDS];
    wipe_words(&mut area);
    core::hint::black_box(&area);
}

/// Stack scrubbed after an X25519 or Ed25519 call (16 KiB; their deepest path uses a few KiB).
pub const CURVE_STACK_WORDS: usize = 2048;
/// Stack scrubbed after a keyed BLAKE2s, HMAC or HKDF call (4 KiB).
pub const HASH_STACK_WORDS: usize = 512;
