//! extern "C" surface of crate::xxh3.

/// XXH3-64 (seed 0) of `len` bytes at `ptr`; a zero length never dereferences the pointer.
#[no_mangle]
pub unsafe extern "C" fn nm_xxh3_64(ptr: *const u8, len: usize) -> u64 {
    let input = if len == 0 { &[][..] } else { core::slice::from_raw_parts(ptr, len) };
    crate::xxh3::xxh3_64(input)
}
