//! ChaCha20 with wasm SIMD128: four blocks (256 bytes) per iteration. Each of the 16 state words
//! is one v128 holding that word for four consecutive blocks (lane j = block counter + j), so a
//! quarter round on four blocks is the scalar quarter round on vectors. The rotation by 16 is a
//! byte shuffle (V8 emits pshuflw+pshufhw); 12, 8 and 7 are shift-left | shift-right: measured in
//! Node 20, a byte shuffle for 8 is slower (V8 rebuilds the pshufb mask in a register each time).

use core::arch::wasm32::*;

use super::chacha20::SIGMA;

#[inline(always)]
fn rotl16(x: v128) -> v128 {
    i8x16_shuffle::<2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13>(x, x)
}

#[inline(always)]
fn rotl<const L: u32, const R: u32>(x: v128) -> v128 {
    v128_or(i32x4_shl(x, L), u32x4_shr(x, R))
}

#[inline(always)]
fn quarter(x: &mut [v128; 16], a: usize, b: usize, c: usize, d: usize) {
    x[a] = i32x4_add(x[a], x[b]);
    x[d] = rotl16(v128_xor(x[d], x[a]));
    x[c] = i32x4_add(x[c], x[d]);
    x[b] = rotl::<12, 20>(v128_xor(x[b], x[c]));
    x[a] = i32x4_add(x[a], x[b]);
    x[d] = rotl::<8, 24>(v128_xor(x[d], x[a]));
    x[c] = i32x4_add(x[c], x[d]);
    x[b] = rotl::<7, 25>(v128_xor(x[b], x[c]));
}

/// XORs words 4g..4g+4 (rows a..d) of all four blocks into `out` = block base + 16g: block j's
/// 16 bytes go to out + 64j.
#[inline(always)]
unsafe fn xor_group(out: *mut u8, a: v128, b: v128, c: v128, d: v128) {
    // Transpose the 4×4 of (word, block) into (block, word).
    let t0 = i32x4_shuffle::<0, 4, 1, 5>(a, b);
    let t1 = i32x4_shuffle::<2, 6, 3, 7>(a, b);
    let t2 = i32x4_shuffle::<0, 4, 1, 5>(c, d);
    let t3 = i32x4_shuffle::<2, 6, 3, 7>(c, d);
    let o = [
        i32x4_shuffle::<0, 1, 4, 5>(t0, t2),
        i32x4_shuffle::<2, 3, 6, 7>(t0, t2),
        i32x4_shuffle::<0, 1, 4, 5>(t1, t3),
        i32x4_shuffle::<2, 3, 6, 7>(t1, t3),
    ];
    for (j, k) in o.into_iter().enumerate() {
        let p = out.add(64 * j) as *mut v128;
        v128_store(p, v128_xor(v128_load(p), k));
    }
}

#[inline(always)]
fn double_round(x: &mut [v128; 16]) {
    quarter(x, 0, 4, 8, 12);
    quarter(x, 1, 5, 9, 13);
    quarter(x, 2, 6, 10, 14);
    quarter(x, 3, 7, 11, 15);
    quarter(x, 0, 5, 10, 15);
    quarter(x, 1, 6, 11, 12);
    quarter(x, 2, 7, 8, 13);
    quarter(x, 3, 4, 9, 14);
}

/// The 20 rounds, written out: unrolled, V8 keeps more of the state in registers (measured ~5%).
#[inline(always)]
fn rounds(x: &mut [v128; 16]) {
    double_round(x);
    double_round(x);
    double_round(x);
    double_round(x);
    double_round(x);
    double_round(x);
    double_round(x);
    double_round(x);
    double_round(x);
    double_round(x);
}

/// The 16 state rows for blocks counter..counter+4, one word per lane.
#[inline(always)]
fn initial(key: &[u32; 8], counter: u32, nonce: &[u32; 3]) -> [v128; 16] {
    [
        u32x4_splat(SIGMA[0]),
        u32x4_splat(SIGMA[1]),
        u32x4_splat(SIGMA[2]),
        u32x4_splat(SIGMA[3]),
        u32x4_splat(key[0]),
        u32x4_splat(key[1]),
        u32x4_splat(key[2]),
        u32x4_splat(key[3]),
        u32x4_splat(key[4]),
        u32x4_splat(key[5]),
        u32x4_splat(key[6]),
        u32x4_splat(key[7]),
        u32x4(
            counter,
            counter.wrapping_add(1),
            counter.wrapping_add(2),
            counter.wrapping_add(3),
        ),
        u32x4_splat(nonce[0]),
        u32x4_splat(nonce[1]),
        u32x4_splat(nonce[2]),
    ]
}

/// Adds the input state (feed-forward) and XORs the four keystream blocks into `out[0..256]`.
///
/// # Safety
/// `out` must be valid for reading and writing 256 bytes.
#[inline(always)]
unsafe fn finish_4x(out: *mut u8, x: &mut [v128; 16], init: &[v128; 16], ctr: v128) {
    for i in 0..16 {
        x[i] = i32x4_add(x[i], if i == 12 { ctr } else { init[i] });
    }
    xor_group(out, x[0], x[1], x[2], x[3]);
    xor_group(out.add(16), x[4], x[5], x[6], x[7]);
    xor_group(out.add(32), x[8], x[9], x[10], x[11]);
    xor_group(out.add(48), x[12], x[13], x[14], x[15]);
}

/// Four keystream blocks (256 bytes) from block `counter` on.
pub fn keystream_4x(key: &[u32; 8], counter: u32, nonce: &[u32; 3]) -> [u8; 256] {
    let mut out = [0u8; 256];
    xor_keystream_4x(key, counter, nonce, &mut out);
    out
}

/// XORs the keystream into the whole 256-byte chunks of `buf`, starting at block `counter`.
/// Returns the number of bytes processed (a multiple of 256); the caller does the tail.
pub fn xor_keystream_4x(key: &[u32; 8], counter: u32, nonce: &[u32; 3], buf: &mut [u8]) -> usize {
    let chunks = buf.len() / 256;
    let init = initial(key, counter, nonce);
    let mut ctr = init[12];
    let four = u32x4_splat(4);
    let base = buf.as_mut_ptr();
    for chunk in 0..chunks {
        let mut x = init;
        x[12] = ctr;
        rounds(&mut x);
        // SAFETY: chunk < chunks, so the 256 bytes at base + 256*chunk are inside buf.
        unsafe { finish_4x(base.add(256 * chunk), &mut x, &init, ctr) };
        ctr = i32x4_add(ctr, four);
    }
    chunks * 256
}
