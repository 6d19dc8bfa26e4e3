//! extern "C" surface of crate::capindex: one handle per fold, entries and queries passed as the
//! byte encodings of `capindex::codec`, results left in handle-owned buffers the host reads in
//! place (`nm_capindex_result_*` give their addresses, valid until the next call on the handle).

use crate::capindex::codec::{decode_entry, decode_query};
use crate::capindex::{ApplyError, CapIndex, Outcome, Output, Scratch};

/// Status codes (negative i32).
const ERR_MALFORMED: i32 = -1;
const ERR_INVALID_GENERATION: i32 = -2;
const ERR_TOO_LARGE: i32 = -3;

/// Outcome codes in the low two bits of `nm_capindex_apply`'s result.
const OUT_INSERTED: i32 = 1;
const OUT_REPLACED: i32 = 2;

pub struct FoldHandle {
    index: CapIndex,
    scratch: Scratch,
    res_u32: Vec<u32>,
    res_bytes: Vec<u8>,
}

unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || ptr.is_null() {
        &[]
    } else {
        core::slice::from_raw_parts(ptr, len)
    }
}

/// A new empty fold; `seed` keys its string hashing (pass random bits).
#[no_mangle]
pub extern "C" fn nm_capindex_new(seed: u64) -> *mut FoldHandle {
    Box::into_raw(Box::new(FoldHandle {
        index: CapIndex::new(seed),
        scratch: Scratch::default(),
        res_u32: Vec::new(),
        res_bytes: Vec::new(),
    }))
}

/// Frees a handle from `nm_capindex_new` (null is ignored).
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_free(h: *mut FoldHandle) {
    if !h.is_null() {
        drop(Box::from_raw(h));
    }
}

/// Applies one encoded entry. Returns `slot << 2 | 1` (inserted), `slot << 2 | 2` (replaced),
/// 0 (rejected: equal or older generation), or a negative status.
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_apply(h: *mut FoldHandle, ptr: *const u8, len: usize) -> i32 {
    let f = &mut *h;
    let Ok(rec) = decode_entry(bytes(ptr, len)) else { return ERR_MALFORMED };
    match f.index.apply_record(&rec) {
        Ok(Outcome::Inserted(slot)) if slot < (1 << 29) => ((slot as i32) << 2) | OUT_INSERTED,
        Ok(Outcome::Replaced(slot)) if slot < (1 << 29) => ((slot as i32) << 2) | OUT_REPLACED,
        Ok(Outcome::Rejected) => 0,
        Ok(_) => ERR_TOO_LARGE,
        Err(ApplyError::InvalidGeneration) => ERR_INVALID_GENERATION,
    }
}

/// Removes a node's entry; returns its former slot or -1 when absent.
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_remove(h: *mut FoldHandle, node_id: u64) -> i32 {
    match (*h).index.remove(node_id) {
        Some(slot) => slot as i32,
        None => -1,
    }
}

/// Removes up to `max` entries with `expires_at <= now`; their slots are in `result_u32`.
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_sweep(h: *mut FoldHandle, now: u64, max: u32) -> i32 {
    let f = &mut *h;
    f.res_u32.clear();
    f.index.sweep(now, max as usize, &mut f.res_u32) as i32
}

/// The earliest pending expiry (u64::MAX when none).
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_next_expiry(h: *mut FoldHandle) -> u64 {
    (*h).index.next_expiry()
}

/// Runs an encoded query. `mode` 0: slots in `result_u32`; 1: node ids in `result_u64`;
/// 2: count only. Results are in ascending node-id order. Returns the count or a negative status.
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_query(h: *mut FoldHandle, ptr: *const u8, len: usize, mode: u32) -> i32 {
    let f = &mut *h;
    let Ok(q) = decode_query(bytes(ptr, len)) else { return ERR_MALFORMED };
    let output = match mode {
        0 => Output::Slots,
        1 => Output::NodeIds,
        2 => Output::CountOnly,
        _ => return ERR_MALFORMED,
    };
    f.index.query(&q, output, &mut f.scratch) as i32
}

/// Whether `nm_capindex_compact` would pay for itself now (1) or not (0).
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_compaction_advised(h: *const FoldHandle) -> i32 {
    (*h).index.compaction_advised() as i32
}

/// Renumbers slots to node-id order; `result_u32` holds old slot → new slot (u32::MAX = none).
/// Returns the previous slot count (the map's length).
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_compact(h: *mut FoldHandle) -> i32 {
    let f = &mut *h;
    f.index.compact(&mut f.res_u32);
    f.res_u32.len() as i32
}

/// Address of the auxiliary u32 results (swept slots, compaction map, tag lengths).
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_result_u32(h: *const FoldHandle) -> *const u32 {
    (*h).res_u32.as_ptr()
}

/// Address of the query slot results (mode 0).
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_result_slots(h: *const FoldHandle) -> *const u32 {
    (*h).scratch.slots.as_ptr()
}

/// 1 when the last query's slots are consecutive and ascending (copy one range), else 0.
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_result_contiguous(h: *const FoldHandle) -> i32 {
    (*h).scratch.contiguous as i32
}

/// Address of the query node-id results (mode 1).
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_result_ids(h: *const FoldHandle) -> *const u64 {
    (*h).scratch.ids.as_ptr()
}

/// Address of the byte result buffer (tag text of `nm_capindex_tags_of`).
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_result_bytes(h: *const FoldHandle) -> *const u8 {
    (*h).res_bytes.as_ptr()
}

/// Number of entries.
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_len(h: *const FoldHandle) -> u32 {
    (*h).index.len() as u32
}

/// Generation of a node's entry (0 when absent; real generations are ≥ 1).
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_generation(h: *const FoldHandle, node_id: u64) -> u64 {
    (*h).index.generation(node_id).unwrap_or(0)
}

/// Slot of a node's entry, or -1.
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_slot_of(h: *const FoldHandle, node_id: u64) -> i32 {
    (*h).index.slot_of(node_id).map_or(-1, |s| s as i32)
}

/// Expiry (ms) of a node's entry; u64::MAX both for "never" and for an absent node (check
/// `nm_capindex_slot_of` first).
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_expires_at(h: *const FoldHandle, node_id: u64) -> u64 {
    (*h).index.expires_at(node_id).unwrap_or(u64::MAX)
}

/// A node's tags: count returned (-1 when absent), byte lengths in `result_u32`, UTF-8 text back
/// to back in `result_bytes`.
#[no_mangle]
pub unsafe extern "C" fn nm_capindex_tags_of(h: *mut FoldHandle, node_id: u64) -> i32 {
    let f = &mut *h;
    f.res_u32.clear();
    f.res_bytes.clear();
    let Some(tags) = f.index.tags_of(node_id) else { return -1 };
    for t in &tags {
        f.res_u32.push(t.len() as u32);
        f.res_bytes.extend_from_slice(t.as_bytes());
    }
    tags.len() as i32
}
