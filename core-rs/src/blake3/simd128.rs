//! wasm SIMD128 compression.
//!
//! * One block (`compress_*`): the 4x4 state rows live in four v128s; a round is a column step,
//!   a lane rotation that turns diagonals into columns, a diagonal step and the inverse rotation.
//!   The message stays in four v128s in "per-step" order and is permuted with shuffles between
//!   rounds. Used for single chunks, partial chunks, parent merges of the CV stack and the XOF.
//! * Four inputs (`hash4`): the 16 state words of four independent compressions are transposed
//!   into lanes (v[i] holds word i of all four), so each G is plain lane-wise arithmetic; the
//!   message blocks of the four inputs are transposed on load. Used for chunk batches and for
//!   each level of parent merges in the subtree code.
//!
//! Rotations by 16 and 8 are byte swizzles; by 12 and 7 they are shift/shift/or.

use core::arch::wasm32::*;

use super::{CvWords, BLOCK_LEN, CHUNK_START, IV, MSG_SCHEDULE, OUT_LEN};

/// Inputs per `hash4` pass.
pub(crate) const DEGREE: usize = 4;

#[inline(always)]
fn add(a: v128, b: v128) -> v128 {
    i32x4_add(a, b)
}

#[inline(always)]
fn xor(a: v128, b: v128) -> v128 {
    v128_xor(a, b)
}

/// Constants the kernels need in registers, loaded through a volatile read so LLVM cannot see
/// their values (see `Consts::rot16` and `Consts::early`).
#[derive(Clone, Copy)]
struct Consts {
    rot16: v128,
    rot8: v128,
    ones: v128,
}

static CONSTS: [[u8; 16]; 3] = [
    [2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13],
    [1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12],
    [0xff; 16],
];

impl Consts {
    #[inline(always)]
    fn load() -> Consts {
        let p = CONSTS.as_ptr() as *const v128;
        // Safety: CONSTS is 48 readable bytes; v128 loads need no alignment.
        unsafe {
            Consts {
                rot16: core::ptr::read_volatile(p),
                rot8: core::ptr::read_volatile(p.add(1)),
                ones: core::ptr::read_volatile(p.add(2)),
            }
        }
    }

    // Byte rotations are i8x16.swizzle with a mask LLVM cannot constant-fold. With a constant mask
    // LLVM turns the swizzle into an i8x16.shuffle, which V8 (x64) lowers to pshuflw+pshufhw for
    // rot16 and, for rot8, to a pshufb whose mask is rebuilt from two 64-bit immediates at every
    // use; a runtime mask costs one paddusb + pshufb instead. Measured: ~15% faster `hash4`, and
    // less latency in the row path. (Shift/shift/or is 3 ops, in between.)
    #[inline(always)]
    fn rot16(self, a: v128) -> v128 {
        i8x16_swizzle(a, self.rot16)
    }

    #[inline(always)]
    fn rot8(self, a: v128) -> v128 {
        i8x16_swizzle(a, self.rot8)
    }

    /// `a + m` kept out of LLVM's add reassociation (an `and` with all-ones it cannot see), so in
    /// the latency-bound row path `(a + m) + b` puts one add after `b` where LLVM's own order,
    /// `(a + b) + m`, puts two.
    #[inline(always)]
    fn early(self, a: v128, m: v128) -> v128 {
        v128_and(add(a, m), self.ones)
    }
}

#[inline(always)]
fn rot12(a: v128) -> v128 {
    v128_or(u32x4_shr(a, 12), i32x4_shl(a, 20))
}

#[inline(always)]
fn rot7(a: v128) -> v128 {
    v128_or(u32x4_shr(a, 7), i32x4_shl(a, 25))
}

#[inline(always)]
unsafe fn load(p: *const u8) -> v128 {
    v128_load(p as *const v128)
}

#[inline(always)]
unsafe fn store(p: *mut u8, v: v128) {
    v128_store(p as *mut v128, v)
}

// ---------------------------------------------------------------------------------------------
// One block, rows in lanes.

/// First half of G on all four columns (or diagonals): mixes in the `m` words.
#[inline(always)]
fn g1(k: Consts, r0: &mut v128, r1: &mut v128, r2: &mut v128, r3: &mut v128, m: v128) {
    *r0 = add(k.early(*r0, m), *r1);
    *r3 = k.rot16(xor(*r3, *r0));
    *r2 = add(*r2, *r3);
    *r1 = rot12(xor(*r1, *r2));
}

#[inline(always)]
fn g2(k: Consts, r0: &mut v128, r1: &mut v128, r2: &mut v128, r3: &mut v128, m: v128) {
    *r0 = add(k.early(*r0, m), *r1);
    *r3 = k.rot8(xor(*r3, *r0));
    *r2 = add(*r2, *r3);
    *r1 = rot7(xor(*r1, *r2));
}

// Diagonals into columns by rotating rows 0, 2 and 3 (row 1, the last one computed, stays put):
// afterwards lane j holds the diagonal whose b word is s[4 + j], i.e. diagonal j - 1. So the
// diagonal message vectors are rotated the same way: lanes (m14, m8, m10, m12) and (m15, m9, m11, m13).
#[inline(always)]
fn diagonalize(r0: &mut v128, r2: &mut v128, r3: &mut v128) {
    *r0 = i32x4_shuffle::<3, 0, 1, 2>(*r0, *r0);
    *r2 = i32x4_shuffle::<1, 2, 3, 0>(*r2, *r2);
    *r3 = i32x4_shuffle::<2, 3, 0, 1>(*r3, *r3);
}

#[inline(always)]
fn undiagonalize(r0: &mut v128, r2: &mut v128, r3: &mut v128) {
    *r0 = i32x4_shuffle::<1, 2, 3, 0>(*r0, *r0);
    *r2 = i32x4_shuffle::<3, 0, 1, 2>(*r2, *r2);
    *r3 = i32x4_shuffle::<2, 3, 0, 1>(*r3, *r3);
}

/// Message words of one round in step order: x = (w0 w2 w4 w6), y = (w1 w3 w5 w7),
/// z = (w14 w8 w10 w12), w = (w15 w9 w11 w13).
#[derive(Clone, Copy)]
struct Msg {
    x: v128,
    y: v128,
    z: v128,
    w: v128,
}

impl Msg {
    #[inline(always)]
    unsafe fn load(block: *const u8) -> Msg {
        let m0 = load(block);
        let m1 = load(block.add(16));
        let m2 = load(block.add(32));
        let m3 = load(block.add(48));
        Msg {
            x: i32x4_shuffle::<0, 2, 4, 6>(m0, m1),
            y: i32x4_shuffle::<1, 3, 5, 7>(m0, m1),
            z: i32x4_shuffle::<6, 0, 2, 4>(m2, m3),
            w: i32x4_shuffle::<7, 1, 3, 5>(m2, m3),
        }
    }

    /// The next round's words: w'[i] = w[PERM[i]], in the same lane layout.
    #[inline(always)]
    fn permute(&mut self) {
        let Msg { x, y, z, w } = *self;
        // x' = (x1 y1 y3 x2), y' = (x3 z2 x0 w3), z' = (w0 y0 z3 w1), w' = (z1 w2 y2 z0)
        self.x = i32x4_shuffle::<1, 5, 7, 2>(x, y);
        let t = i32x4_shuffle::<3, 6, 0, 0>(x, z);
        self.y = i32x4_shuffle::<0, 1, 2, 7>(t, w);
        let t = i32x4_shuffle::<0, 4, 1, 1>(w, y);
        self.z = i32x4_shuffle::<0, 1, 7, 2>(t, z);
        let t = i32x4_shuffle::<1, 6, 0, 0>(z, w);
        self.w = i32x4_shuffle::<0, 1, 6, 2>(t, y);
    }
}

#[inline(always)]
fn round_rows(k: Consts, r: &mut [v128; 4], m: &Msg) {
    let [r0, r1, r2, r3] = r;
    g1(k, r0, r1, r2, r3, m.x);
    g2(k, r0, r1, r2, r3, m.y);
    diagonalize(r0, r2, r3);
    g1(k, r0, r1, r2, r3, m.z);
    g2(k, r0, r1, r2, r3, m.w);
    undiagonalize(r0, r2, r3);
}

/// The state rows after 7 rounds (before the feed-forward).
#[inline(always)]
unsafe fn compress_rows(
    k: Consts,
    cv0: v128,
    cv1: v128,
    block: *const u8,
    block_len: u32,
    counter: u64,
    flags: u32,
) -> [v128; 4] {
    let mut r = [
        cv0,
        cv1,
        u32x4(IV[0], IV[1], IV[2], IV[3]),
        u32x4(counter as u32, (counter >> 32) as u32, block_len, flags),
    ];
    let mut m = Msg::load(block);
    round_rows(k, &mut r, &m);
    for _ in 1..7 {
        m.permute();
        round_rows(k, &mut r, &m);
    }
    r
}

pub(crate) unsafe fn compress_in_place(
    cv: &mut CvWords,
    block: &[u8; BLOCK_LEN],
    block_len: u8,
    counter: u64,
    flags: u8,
) {
    let p = cv.as_mut_ptr() as *mut u8;
    let r = compress_rows(
        Consts::load(),
        load(p),
        load(p.add(16)),
        block.as_ptr(),
        block_len as u32,
        counter,
        flags as u32,
    );
    store(p, xor(r[0], r[2]));
    store(p.add(16), xor(r[1], r[3]));
}

pub(crate) unsafe fn compress_xof(
    cv: &CvWords,
    block: &[u8; BLOCK_LEN],
    block_len: u8,
    counter: u64,
    flags: u8,
) -> [u8; 64] {
    let p = cv.as_ptr() as *const u8;
    let (cv0, cv1) = (load(p), load(p.add(16)));
    let r = compress_rows(
        Consts::load(),
        cv0,
        cv1,
        block.as_ptr(),
        block_len as u32,
        counter,
        flags as u32,
    );
    let mut out = [0u8; 64];
    let o = out.as_mut_ptr();
    store(o, xor(r[0], r[2]));
    store(o.add(16), xor(r[1], r[3]));
    store(o.add(32), xor(r[2], cv0));
    store(o.add(48), xor(r[3], cv1));
    out
}

/// Consecutive full blocks of one chunk, the CV kept in registers between blocks.
pub(crate) unsafe fn compress_blocks(cv: &mut CvWords, blocks: &[u8], counter: u64, flags: u8, start: bool) {
    let n = blocks.len() / BLOCK_LEN;
    let p = cv.as_mut_ptr() as *mut u8;
    let (mut cv0, mut cv1) = (load(p), load(p.add(16)));
    let mut block_flags = (flags | if start { CHUNK_START } else { 0 }) as u32;
    let mut b = blocks.as_ptr();
    let k = Consts::load();
    for _ in 0..n {
        let r = compress_rows(k, cv0, cv1, b, BLOCK_LEN as u32, counter, block_flags);
        cv0 = xor(r[0], r[2]);
        cv1 = xor(r[1], r[3]);
        block_flags = flags as u32;
        b = b.add(BLOCK_LEN);
    }
    store(p, cv0);
    store(p.add(16), cv1);
}

/// One input of `hash_many` with the row-wise compression.
#[inline(always)]
unsafe fn hash1(
    input: *const u8,
    blocks: usize,
    key: &CvWords,
    counter: u64,
    flags: u8,
    flags_start: u8,
    flags_end: u8,
    out: *mut u8,
) {
    let k = key.as_ptr() as *const u8;
    let (mut cv0, mut cv1) = (load(k), load(k.add(16)));
    let mut block_flags = flags | flags_start;
    let k = Consts::load();
    for b in 0..blocks {
        if b + 1 == blocks {
            block_flags |= flags_end;
        }
        let r = compress_rows(
            k,
            cv0,
            cv1,
            input.add(b * BLOCK_LEN),
            BLOCK_LEN as u32,
            counter,
            block_flags as u32,
        );
        cv0 = xor(r[0], r[2]);
        cv1 = xor(r[1], r[3]);
        block_flags = flags;
    }
    store(out, cv0);
    store(out.add(16), cv1);
}

// ---------------------------------------------------------------------------------------------
// Four inputs, state words in lanes.

#[inline(always)]
fn round4(k: Consts, v: &mut [v128; 16], m: &[v128; 16], r: usize) {
    let s = &MSG_SCHEDULE[r];
    // Columns.
    v[0] = add(add(v[0], m[s[0]]), v[4]);
    v[1] = add(add(v[1], m[s[2]]), v[5]);
    v[2] = add(add(v[2], m[s[4]]), v[6]);
    v[3] = add(add(v[3], m[s[6]]), v[7]);
    v[12] = k.rot16(xor(v[12], v[0]));
    v[13] = k.rot16(xor(v[13], v[1]));
    v[14] = k.rot16(xor(v[14], v[2]));
    v[15] = k.rot16(xor(v[15], v[3]));
    v[8] = add(v[8], v[12]);
    v[9] = add(v[9], v[13]);
    v[10] = add(v[10], v[14]);
    v[11] = add(v[11], v[15]);
    v[4] = rot12(xor(v[4], v[8]));
    v[5] = rot12(xor(v[5], v[9]));
    v[6] = rot12(xor(v[6], v[10]));
    v[7] = rot12(xor(v[7], v[11]));
    v[0] = add(add(v[0], m[s[1]]), v[4]);
    v[1] = add(add(v[1], m[s[3]]), v[5]);
    v[2] = add(add(v[2], m[s[5]]), v[6]);
    v[3] = add(add(v[3], m[s[7]]), v[7]);
    v[12] = k.rot8(xor(v[12], v[0]));
    v[13] = k.rot8(xor(v[13], v[1]));
    v[14] = k.rot8(xor(v[14], v[2]));
    v[15] = k.rot8(xor(v[15], v[3]));
    v[8] = add(v[8], v[12]);
    v[9] = add(v[9], v[13]);
    v[10] = add(v[10], v[14]);
    v[11] = add(v[11], v[15]);
    v[4] = rot7(xor(v[4], v[8]));
    v[5] = rot7(xor(v[5], v[9]));
    v[6] = rot7(xor(v[6], v[10]));
    v[7] = rot7(xor(v[7], v[11]));
    // Diagonals.
    v[0] = add(add(v[0], m[s[8]]), v[5]);
    v[1] = add(add(v[1], m[s[10]]), v[6]);
    v[2] = add(add(v[2], m[s[12]]), v[7]);
    v[3] = add(add(v[3], m[s[14]]), v[4]);
    v[15] = k.rot16(xor(v[15], v[0]));
    v[12] = k.rot16(xor(v[12], v[1]));
    v[13] = k.rot16(xor(v[13], v[2]));
    v[14] = k.rot16(xor(v[14], v[3]));
    v[10] = add(v[10], v[15]);
    v[11] = add(v[11], v[12]);
    v[8] = add(v[8], v[13]);
    v[9] = add(v[9], v[14]);
    v[5] = rot12(xor(v[5], v[10]));
    v[6] = rot12(xor(v[6], v[11]));
    v[7] = rot12(xor(v[7], v[8]));
    v[4] = rot12(xor(v[4], v[9]));
    v[0] = add(add(v[0], m[s[9]]), v[5]);
    v[1] = add(add(v[1], m[s[11]]), v[6]);
    v[2] = add(add(v[2], m[s[13]]), v[7]);
    v[3] = add(add(v[3], m[s[15]]), v[4]);
    v[15] = k.rot8(xor(v[15], v[0]));
    v[12] = k.rot8(xor(v[12], v[1]));
    v[13] = k.rot8(xor(v[13], v[2]));
    v[14] = k.rot8(xor(v[14], v[3]));
    v[10] = add(v[10], v[15]);
    v[11] = add(v[11], v[12]);
    v[8] = add(v[8], v[13]);
    v[9] = add(v[9], v[14]);
    v[5] = rot7(xor(v[5], v[10]));
    v[6] = rot7(xor(v[6], v[11]));
    v[7] = rot7(xor(v[7], v[8]));
    v[4] = rot7(xor(v[4], v[9]));
}

/// Transposes four rows of four words: out[i] lane j = in[j] lane i.
#[inline(always)]
fn transpose(a: v128, b: v128, c: v128, d: v128) -> [v128; 4] {
    let ab_lo = i32x4_shuffle::<0, 4, 1, 5>(a, b);
    let ab_hi = i32x4_shuffle::<2, 6, 3, 7>(a, b);
    let cd_lo = i32x4_shuffle::<0, 4, 1, 5>(c, d);
    let cd_hi = i32x4_shuffle::<2, 6, 3, 7>(c, d);
    [
        i64x2_shuffle::<0, 2>(ab_lo, cd_lo),
        i64x2_shuffle::<1, 3>(ab_lo, cd_lo),
        i64x2_shuffle::<0, 2>(ab_hi, cd_hi),
        i64x2_shuffle::<1, 3>(ab_hi, cd_hi),
    ]
}

/// The 16 message words of block `offset` of the four inputs, word i of input j in m[i] lane j.
#[inline(always)]
unsafe fn load_msg4(inputs: &[*const u8; 4], offset: usize) -> [v128; 16] {
    let mut m = [u32x4_splat(0); 16];
    for q in 0..4 {
        let t = transpose(
            load(inputs[0].add(offset + 16 * q)),
            load(inputs[1].add(offset + 16 * q)),
            load(inputs[2].add(offset + 16 * q)),
            load(inputs[3].add(offset + 16 * q)),
        );
        m[4 * q] = t[0];
        m[4 * q + 1] = t[1];
        m[4 * q + 2] = t[2];
        m[4 * q + 3] = t[3];
    }
    m
}

/// Four independent inputs of `blocks` blocks each, CVs written to `out[0..128]` in input order.
#[inline(never)]
unsafe fn hash4(
    inputs: &[*const u8; 4],
    blocks: usize,
    key: &CvWords,
    counter: u64,
    increment_counter: bool,
    flags: u8,
    flags_start: u8,
    flags_end: u8,
    out: *mut u8,
) {
    let mut h = [
        u32x4_splat(key[0]),
        u32x4_splat(key[1]),
        u32x4_splat(key[2]),
        u32x4_splat(key[3]),
        u32x4_splat(key[4]),
        u32x4_splat(key[5]),
        u32x4_splat(key[6]),
        u32x4_splat(key[7]),
    ];
    let c = |i: u64| {
        if increment_counter {
            counter.wrapping_add(i)
        } else {
            counter
        }
    };
    let counter_lo = u32x4(c(0) as u32, c(1) as u32, c(2) as u32, c(3) as u32);
    let counter_hi = u32x4(
        (c(0) >> 32) as u32,
        (c(1) >> 32) as u32,
        (c(2) >> 32) as u32,
        (c(3) >> 32) as u32,
    );
    let mut block_flags = flags | flags_start;
    let k = Consts::load();
    for b in 0..blocks {
        if b + 1 == blocks {
            block_flags |= flags_end;
        }
        let m = load_msg4(inputs, b * BLOCK_LEN);
        let mut v = [
            h[0],
            h[1],
            h[2],
            h[3],
            h[4],
            h[5],
            h[6],
            h[7],
            u32x4_splat(IV[0]),
            u32x4_splat(IV[1]),
            u32x4_splat(IV[2]),
            u32x4_splat(IV[3]),
            counter_lo,
            counter_hi,
            u32x4_splat(BLOCK_LEN as u32),
            u32x4_splat(block_flags as u32),
        ];
        round4(k, &mut v, &m, 0);
        round4(k, &mut v, &m, 1);
        round4(k, &mut v, &m, 2);
        round4(k, &mut v, &m, 3);
        round4(k, &mut v, &m, 4);
        round4(k, &mut v, &m, 5);
        round4(k, &mut v, &m, 6);
        for i in 0..8 {
            h[i] = xor(v[i], v[i + 8]);
        }
        block_flags = flags;
    }
    let lo = transpose(h[0], h[1], h[2], h[3]);
    let hi = transpose(h[4], h[5], h[6], h[7]);
    for j in 0..4 {
        store(out.add(j * OUT_LEN), lo[j]);
        store(out.add(j * OUT_LEN + 16), hi[j]);
    }
}

/// See `Platform::hash_many`.
pub(crate) unsafe fn hash_many(
    inputs: &[*const u8],
    blocks: usize,
    key: &CvWords,
    mut counter: u64,
    increment_counter: bool,
    flags: u8,
    flags_start: u8,
    flags_end: u8,
    out: &mut [u8],
) {
    let o = out.as_mut_ptr();
    let mut i = 0;
    while inputs.len() - i >= DEGREE {
        let four = [inputs[i], inputs[i + 1], inputs[i + 2], inputs[i + 3]];
        hash4(
            &four,
            blocks,
            key,
            counter,
            increment_counter,
            flags,
            flags_start,
            flags_end,
            o.add(i * OUT_LEN),
        );
        if increment_counter {
            counter += DEGREE as u64;
        }
        i += DEGREE;
    }
    let rest = inputs.len() - i;
    if rest >= 2 {
        // Two or three left: one 4-lane pass (the spare lanes repeat an input) is cheaper than
        // the latency-bound row path per input.
        let mut four = [inputs[i]; DEGREE];
        four[..rest].copy_from_slice(&inputs[i..]);
        let mut tmp = [0u8; DEGREE * OUT_LEN];
        hash4(
            &four,
            blocks,
            key,
            counter,
            increment_counter,
            flags,
            flags_start,
            flags_end,
            tmp.as_mut_ptr(),
        );
        core::ptr::copy_nonoverlapping(tmp.as_ptr(), o.add(i * OUT_LEN), rest * OUT_LEN);
    } else if rest == 1 {
        hash1(
            inputs[i],
            blocks,
            key,
            counter,
            flags,
            flags_start,
            flags_end,
            o.add(i * OUT_LEN),
        );
    }
}
