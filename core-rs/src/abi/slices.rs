//! Byte slices from (ptr, len) pairs of linear memory, shared by the kernel ABIs.

/// A byte slice; a zero length never dereferences the pointer (it may be 0).
#[inline(always)]
pub(super) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        core::slice::from_raw_parts(ptr, len)
    }
}

/// A fixed-size input array at `ptr`.
#[inline(always)]
pub(super) unsafe fn array<'a, const N: usize>(ptr: *const u8) -> &'a [u8; N] {
    &*(ptr as *const [u8; N])
}

/// Writes `src` to `N` bytes at `ptr`.
#[inline(always)]
pub(super) unsafe fn write<const N: usize>(ptr: *mut u8, src: &[u8; N]) {
    core::ptr::copy_nonoverlapping(src.as_ptr(), ptr, N);
}
