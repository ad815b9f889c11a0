// Private to CKernels: ggml's block layouts, fp16 helpers and the per-level kernel tables.
#ifndef HEARTH_CKERNELS_INTERNAL_H
#define HEARTH_CKERNELS_INTERNAL_H

#include <stdint.h>
#include <string.h>
#include "CKernels.h"

// No fused multiply-add behind our back: a * b + c must round twice, as the Swift twins do, and
// every level must keep its own arithmetic whatever the compiler's default contraction mode.
#pragma STDC FP_CONTRACT OFF

// HK_NO_X86_KERNELS builds what a non-x86 target gets (a check that it compiles, on x86).
#if (defined(__x86_64__) || defined(_M_X64)) && !defined(HK_NO_X86_KERNELS)
#define HK_X86 1
#else
#define HK_X86 0
#endif

#define HK_QK 32    // elements per block of the legacy formats
#define HK_QK_K 256 // elements per super-block of the K-quants

// ggml type numbers (GGMLType raw values).
enum {
    HK_F32 = 0, HK_F16 = 1, HK_Q4_0 = 2, HK_Q4_1 = 3, HK_Q5_0 = 6, HK_Q5_1 = 7, HK_Q8_0 = 8,
    HK_Q8_1 = 9, HK_Q2_K = 10, HK_Q3_K = 11, HK_Q4_K = 12, HK_Q5_K = 13, HK_Q6_K = 14, HK_Q8_K = 15,
    HK_TYPE_SLOTS = 16,
};

// ggml's block layouts (hk_blocks.h, public: the Swift `BlockLayout` reads its sizes and offsets
// from the same structs) come in through CKernels.h.

static inline uint32_t hk_bits_of(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float hk_float_of(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

// Exact binary16 -> binary32.
static inline float hk_h2f(hk_half h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1fu;
    const uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0x1f) return hk_float_of(sign | 0x7f800000u | (mantissa << 13));
    if (exponent != 0) return hk_float_of(sign | ((exponent + 112) << 23) | (mantissa << 13));
    // zero or subnormal: mantissa * 2^-24 is exact in binary32
    return hk_float_of(sign | hk_bits_of((float)mantissa * 0x1p-24f));
}

// binary32 -> binary16, round to nearest even (what F16C's vcvtps2ph does for finite values).
static inline hk_half hk_f2h(float f) {
    uint32_t x = hk_bits_of(f);
    const uint32_t sign = (x >> 16) & 0x8000u;
    x &= 0x7fffffffu;
    if (x > 0x7f800000u) return (hk_half)(sign | 0x7e00u | ((x >> 13) & 0x3ffu)); // NaN stays NaN
    if (x >= 0x47800000u) return (hk_half)(sign | 0x7c00u);                        // >= 65536: inf
    if (x >= 0x38800000u) {                                                         // normal half
        const uint32_t mantissa_odd = (x >> 13) & 1u;
        x += 0xc8000fffu + mantissa_odd; // rebias the exponent by -112 and round half to even
        return (hk_half)(sign | (x >> 13));
    }
    // Subnormal half or zero: adding 0.5 makes the FPU round the mantissa at bit 2^-24.
    const float shifted = hk_float_of(x) + 0.5f;
    return (hk_half)(sign | (hk_bits_of(shifted) - 0x3f000000u));
}

static inline float hk_load_h2f(const void *p) { hk_half h; memcpy(&h, p, 2); return hk_h2f(h); }

// Q4_K / Q5_K: unpack 8 six-bit scales (out[0..7]) and 8 six-bit mins (out[8..15]) from 12 bytes
// (ggml's get_scale_min_k4 for all groups at once, in 32-bit words as ggml's kernels do it).
// Groups 0..3 are the low 6 bits of bytes 0..3 (scales) and 4..7 (mins); groups 4..7 take their
// low 4 bits from bytes 8..11 and their top 2 bits from the spare top bits of bytes 0..7.
static inline void hk_unpack_scales_k4(const uint8_t *packed, uint8_t out[16]) {
    uint32_t word[3], result[4];
    memcpy(word, packed, 12);
    result[0] = word[0] & 0x3f3f3f3fu;
    result[1] = (word[2] & 0x0f0f0f0fu) | (((word[0] >> 6) & 0x03030303u) << 4);
    result[2] = word[1] & 0x3f3f3f3fu;
    result[3] = ((word[2] >> 4) & 0x0f0f0f0fu) | (((word[1] >> 6) & 0x03030303u) << 4);
    memcpy(out, result, 16);
}

// Q3_K: unpack 16 six-bit scales from 12 bytes (still offset by 32). Scale j has its low 4 bits
// in nibble (j / 8) of byte j mod 8 and its top 2 bits in bits 2·(j / 4) of byte 8 + j mod 4.
static inline void hk_unpack_scales_q3k(const uint8_t *packed, uint8_t out[16]) {
    uint32_t word[3], result[4];
    memcpy(word, packed, 12);
    result[0] = (word[0] & 0x0f0f0f0fu) | ((word[2] & 0x03030303u) << 4);
    result[1] = (word[1] & 0x0f0f0f0fu) | (((word[2] >> 2) & 0x03030303u) << 4);
    result[2] = ((word[0] >> 4) & 0x0f0f0f0fu) | (((word[2] >> 4) & 0x03030303u) << 4);
    result[3] = ((word[1] >> 4) & 0x0f0f0f0fu) | (((word[2] >> 6) & 0x03030303u) << 4);
    memcpy(out, result, 16);
}

typedef float (*hk_dot_fn)(int64_t n, const void *w, const void *x);
typedef void (*hk_quantize_fn)(const float *x, void *y, int64_t k);
/// One weight row against 4 activation rows `x_stride` bytes apart (out[t]). Each output must be
/// bitwise what the same level's hk_dot_fn gives for that pair: shared work may be saved, but no
/// operation reordered.
typedef void (*hk_tokens4_fn)(int64_t n, const void *w, const void *x, size_t x_stride, float *out);

/// Rows [row_begin, row_end) of W against `tokens` activation rows `x_row_bytes` apart:
/// y[t * y_stride + r]. What `hk_gemm_rows` does, as one kernel that owns its blocking; its outputs
/// must not depend on the row range, the token count or the thread.
typedef void (*hk_rows_fn)(int64_t n, const void *w, size_t row_bytes, int64_t row_begin, int64_t row_end,
                           const void *x, size_t x_row_bytes, int64_t tokens, float *y, size_t y_stride);

/// Everything one dispatch level provides. A NULL dot entry means "type not supported"; a NULL
/// tokens4 entry means "call dot for each token"; a non-NULL rows entry serves both mat-vec and
/// mat-mat for that type (the dot and tokens4 entries then serve only hk_vec_dot).
typedef struct hk_kernels {
    hk_dot_fn dot[HK_TYPE_SLOTS];
    hk_tokens4_fn tokens4[HK_TYPE_SLOTS];
    hk_rows_fn rows[HK_TYPE_SLOTS];
    hk_quantize_fn quantize_q8_0;
    hk_quantize_fn quantize_q8_1;
    hk_quantize_fn quantize_q8_K;
} hk_kernels;

extern const hk_kernels hk_kernels_portable;
#if HK_X86
extern const hk_kernels hk_kernels_avx2;
extern const hk_kernels hk_kernels_avx512vnni;
#endif

/// The table of the active level (one relaxed atomic load).
const hk_kernels *hk_active_kernels(void);

// Portable quantizers, shared by every level's table where no faster one exists.
void hk_quantize_q8_0_portable(const float *x, void *y, int64_t k);
void hk_quantize_q8_1_portable(const float *x, void *y, int64_t k);
void hk_quantize_q8_K_portable(const float *x, void *y, int64_t k);
/// The portable level's dots, row by row and token by token: the bitwise stand-in for a rows
/// kernel that could not get its scratch memory.
void hk_rows_fallback(uint32_t weight_type, int64_t n, const void *w, size_t row_bytes, int64_t row_begin,
                      int64_t row_end, const void *x, size_t x_row_bytes, int64_t tokens, float *y, size_t y_stride);

#if HK_X86
// Row-interleaved kernels (gemm_vnni.h), bitwise equal to the portable dots.
void hk_rows_q4_0_vnni(int64_t n, const void *w, size_t row_bytes, int64_t row_begin, int64_t row_end,
                       const void *x, size_t x_row_bytes, int64_t tokens, float *y, size_t y_stride);
void hk_rows_q4_1_vnni(int64_t n, const void *w, size_t row_bytes, int64_t row_begin, int64_t row_end,
                       const void *x, size_t x_row_bytes, int64_t tokens, float *y, size_t y_stride);
void hk_rows_q5_0_vnni(int64_t n, const void *w, size_t row_bytes, int64_t row_begin, int64_t row_end,
                       const void *x, size_t x_row_bytes, int64_t tokens, float *y, size_t y_stride);
void hk_rows_q8_0_vnni(int64_t n, const void *w, size_t row_bytes, int64_t row_begin, int64_t row_end,
                       const void *x, size_t x_row_bytes, int64_t tokens, float *y, size_t y_stride);
void hk_rows_q4_K_vnni(int64_t n, const void *w, size_t row_bytes, int64_t row_begin, int64_t row_end,
                       const void *x, size_t x_row_bytes, int64_t tokens, float *y, size_t y_stride);
void hk_rows_q6_K_vnni(int64_t n, const void *w, size_t row_bytes, int64_t row_begin, int64_t row_end,
                       const void *x, size_t x_row_bytes, int64_t tokens, float *y, size_t y_stride);
// Products over weights packed at load (packed.c dispatches): Q5_0 and Q8_0 in
// gemm_vnni_legacy.c, Q4_K and Q6_K in gemm_vnni_kquants.c.
void hk_legacy_pack_rows(uint32_t weight_type, int64_t n, const void *w, size_t row_bytes, int64_t row_begin,
                         int64_t row_end, void *packed);
void hk_legacy_packed_row(uint32_t weight_type, int64_t n, const void *packed, int64_t row, void *out);
void hk_legacy_gemm_packed(uint32_t weight_type, int64_t n, const void *packed, const void *w, size_t row_bytes,
                           int64_t row_begin, int64_t row_end, const void *x, size_t x_row_bytes, int64_t tokens,
                           float *y, size_t y_stride);
void hk_kquant_pack_rows(uint32_t weight_type, int64_t n, const void *w, size_t row_bytes, int64_t row_begin,
                         int64_t row_end, void *packed);
void hk_kquant_packed_row(uint32_t weight_type, int64_t n, const void *packed, int64_t row, void *out);
void hk_kquant_gemm_packed_q4_K(int64_t n, const void *packed, const void *w, size_t row_bytes, int64_t row_begin,
                                int64_t row_end, const void *x, size_t x_row_bytes, int64_t tokens, float *y,
                                size_t y_stride);
void hk_kquant_gemm_packed_q6_K(int64_t n, const void *packed, const void *w, size_t row_bytes, int64_t row_begin,
                                int64_t row_end, const void *x, size_t x_row_bytes, int64_t tokens, float *y,
                                size_t y_stride);
void hk_quantize_q8_0_avx2(const float *x, void *y, int64_t k);
void hk_quantize_q8_1_avx2(const float *x, void *y, int64_t k);
void hk_quantize_q8_K_avx2(const float *x, void *y, int64_t k);
#endif

#endif
