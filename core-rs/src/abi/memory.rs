//! Linear-memory allocation for the host: the TS side asks for buffers here and writes into them.

use std::alloc::{alloc, dealloc, Layout};

const ALIGN: usize = 16;

/// Allocates `size` bytes (16-byte aligned) and returns the pointer; 0 on failure or size 0.
#[no_mangle]
pub extern "C" fn nm_alloc(size: usize) -> *mut u8 {
    if size == 0 {
        return core::ptr::null_mut();
    }
    match Layout::from_size_align(size, ALIGN) {
        Ok(layout) => unsafe { alloc(layout) },
        Err(_) => core::ptr::null_mut(),
    }
}

/// Frees a buffer from `nm_alloc`; `size` must be the size it was allocated with.
#[no_mangle]
pub extern "C" fn nm_free(ptr: *mut u8, size: usize) {
    if ptr.is_null() || size == 0 {
        return;
    }
    if let Ok(layout) = Layout::from_size_align(size, ALIGN) {
        unsafe { dealloc(ptr, layout) }
    }
}

/// ABI version, bumped whenever an export changes shape; the TS loader checks it.
#[no_mangle]
pub extern "C" fn nm_abi_version() -> u32 {
    1
}
