//! Poly1305 over many blocks with wasm SIMD128: two interleaved Horner chains in the two u64 lanes
//! (even-numbered blocks in lane 0, odd in lane 1), each multiplied by r² per step and the last
//! step by (r², r), so that the lanes sum to the scalar result. Every 26×26-bit product is one lane
//! of `i64x2_extmul_low_u32x4`: two products per multiply where scalar code gets one.

use core::arch::wasm32::*;

use super::poly1305::Poly1305;

const M26: u64 = 0x03ff_ffff;

/// Packs a u64x2 of small values into u32 lanes 0 and 1, the operand shape extmul_low wants.
///
/// It is a swizzle with an opaque mask on purpose: with a plain shuffle LLVM sees that the lanes
/// are small, drops the zero-extension and emits a full `i64x2.mul`, which V8 lowers to ~8 x64
/// instructions; `i64x2.extmul_low_i32x4_u` is 3.
#[inline(always)]
fn pack(x: v128, mask: v128) -> v128 {
    i8x16_swizzle(x, mask)
}

#[inline(always)]
fn mul(a: v128, b: v128) -> v128 {
    u64x2_extmul_low_u32x4(a, b)
}

/// Packs the multiplier vectors (s[0] is unused). Done inside each loop iteration with an opaque
/// mask, so their zero-extension stays in the loop body, where instruction selection can fuse it
/// into extmul (hoisted out of the loop, it would turn every product into `i64x2.mul`).
#[inline(always)]
fn packed(r: &[v128; 5], s: &[v128; 5], pm: v128) -> ([v128; 5], [v128; 5]) {
    (
        core::array::from_fn(|i| pack(r[i], pm)),
        core::array::from_fn(|i| if i == 0 { s[0] } else { pack(s[i], pm) }),
    )
}

/// One step for both lanes: h = (h + m)·R with R given per lane (r² or r), partially reduced;
/// `r` and `s` come from `packed`.
#[inline(always)]
fn step(h: &mut [v128; 5], m: &[v128; 5], r: &[v128; 5], s: &[v128; 5], pm: v128) {
    let a0 = pack(u64x2_add(h[0], m[0]), pm);
    let a1 = pack(u64x2_add(h[1], m[1]), pm);
    let a2 = pack(u64x2_add(h[2], m[2]), pm);
    let a3 = pack(u64x2_add(h[3], m[3]), pm);
    let a4 = pack(u64x2_add(h[4], m[4]), pm);
    let add = u64x2_add;
    let d0 = add(
        add(
            add(mul(a0, r[0]), mul(a1, s[4])),
            add(mul(a2, s[3]), mul(a3, s[2])),
        ),
        mul(a4, s[1]),
    );
    let d1 = add(
        add(
            add(mul(a0, r[1]), mul(a1, r[0])),
            add(mul(a2, s[4]), mul(a3, s[3])),
        ),
        mul(a4, s[2]),
    );
    let d2 = add(
        add(
            add(mul(a0, r[2]), mul(a1, r[1])),
            add(mul(a2, r[0]), mul(a3, s[4])),
        ),
        mul(a4, s[3]),
    );
    let d3 = add(
        add(
            add(mul(a0, r[3]), mul(a1, r[2])),
            add(mul(a2, r[1]), mul(a3, r[0])),
        ),
        mul(a4, s[4]),
    );
    let d4 = add(
        add(
            add(mul(a0, r[4]), mul(a1, r[3])),
            add(mul(a2, r[2]), mul(a3, r[1])),
        ),
        mul(a4, r[0]),
    );
    let mask = u64x2_splat(M26);
    let d1 = add(d1, u64x2_shr(d0, 26));
    let d2 = add(d2, u64x2_shr(d1, 26));
    let d3 = add(d3, u64x2_shr(d2, 26));
    let d4 = add(d4, u64x2_shr(d3, 26));
    // c·5 as c + 4c with 4c = (d4 >> 24) & !3, a form LLVM does not turn into `i64x2.mul` by 5.
    let c = u64x2_shr(d4, 26);
    let c4 = v128_and(u64x2_shr(d4, 24), u64x2_splat(!3));
    let h0 = add(v128_and(d0, mask), add(c, c4));
    h[1] = add(v128_and(d1, mask), u64x2_shr(h0, 26));
    h[0] = v128_and(h0, mask);
    h[2] = v128_and(d2, mask);
    h[3] = v128_and(d3, mask);
    h[4] = v128_and(d4, mask);
}

/// Limbs of two consecutive 16-byte blocks at `p` (block 0 in lane 0, block 1 in lane 1).
#[inline(always)]
unsafe fn load2(p: *const u8) -> [v128; 5] {
    let b0 = v128_load(p as *const v128);
    let b1 = v128_load(p.add(16) as *const v128);
    let lo = i64x2_shuffle::<0, 2>(b0, b1);
    let hi = i64x2_shuffle::<1, 3>(b0, b1);
    let mask = u64x2_splat(M26);
    [
        v128_and(lo, mask),
        v128_and(u64x2_shr(lo, 26), mask),
        v128_and(v128_or(u64x2_shr(lo, 52), i64x2_shl(hi, 12)), mask),
        v128_and(u64x2_shr(hi, 14), mask),
        v128_or(u64x2_shr(hi, 40), u64x2_splat(1 << 24)),
    ]
}

/// Per-limb multiplier vectors (lane 0 = `a`, lane 1 = `b`, as u64x2, packed at use) and their
/// 5× companions.
#[inline(always)]
fn multiplier(a: &[u64; 5], b: &[u64; 5]) -> ([v128; 5], [v128; 5]) {
    let r = core::array::from_fn(|i| u64x2(a[i], b[i]));
    let s = core::array::from_fn(|i| u64x2(a[i] * 5, b[i] * 5));
    (r, s)
}

/// Absorbs the whole 32-byte pairs of blocks of `data` into `mac` (its state in and out in scalar
/// form); returns the bytes consumed (a multiple of 32), the caller absorbs the rest.
pub fn blocks_2x(mac: &mut Poly1305, data: &[u8]) -> usize {
    let pairs = data.len() / 32;
    if pairs < 4 {
        return 0; // below 128 bytes the scalar path is as fast (no powers or lane setup)
    }
    let (r, r2) = mac.powers();
    // An opaque copy of the packing mask, so LLVM cannot fold the swizzles (see `pack`).
    let pm = core::hint::black_box(i8x16(0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11));
    let (rr, ss) = multiplier(&r2, &r2);
    let (rl, sl) = multiplier(&r2, &r);
    let h = mac.state();
    let p = data.as_ptr();
    // SAFETY: every load reads 32 bytes at p + 32·i with i < pairs, inside data.
    unsafe {
        let mut acc = [
            u64x2(h[0], 0),
            u64x2(h[1], 0),
            u64x2(h[2], 0),
            u64x2(h[3], 0),
            u64x2(h[4], 0),
        ];
        // Two pairs per iteration, so each packing of r², 5r² serves two steps.
        let full = pairs - 1;
        let mut i = 0;
        while i + 2 <= full {
            let pm = core::hint::black_box(pm);
            let (r, s) = packed(&rr, &ss, pm);
            step(&mut acc, &load2(p.add(32 * i)), &r, &s, pm);
            step(&mut acc, &load2(p.add(32 * i + 32)), &r, &s, pm);
            i += 2;
        }
        if i < full {
            let (r, s) = packed(&rr, &ss, pm);
            step(&mut acc, &load2(p.add(32 * i)), &r, &s, pm);
        }
        let (r, s) = packed(&rl, &sl, pm);
        step(&mut acc, &load2(p.add(32 * full)), &r, &s, pm);
        let sum = |v: v128| u64x2_extract_lane::<0>(v) + u64x2_extract_lane::<1>(v);
        mac.set_state([
            sum(acc[0]),
            sum(acc[1]),
            sum(acc[2]),
            sum(acc[3]),
            sum(acc[4]),
        ]);
    }
    pairs * 32
}
