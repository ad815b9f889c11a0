#ifndef HK_GEMM_VNNI_H
#define HK_GEMM_VNNI_H
// Row-interleaved matrix products for AVX-512 VNNI (Ice Lake, Zen 4 and later): the mat-vec and
// mat-mat kernels for Q4_0, Q4_1, Q5_0, Q8_0 (gemm_vnni_legacy.c), Q4_K and Q6_K
// (gemm_vnni_kquants.c) at that level, and the helpers they share (here).
//
// The one-row kernels (dot_x86.inc) multiply one weight row with one token at a time, so each
// block's unpacking, its scales and its float steps are paid for every row and token: on the
// 32-element formats that is most of the work. Here eight rows are unpacked together into
// unsigned bytes and transposed, so that the eight 32-bit lanes of a vpdpbusd are eight rows:
// one instruction multiplies four elements of eight rows with four activation bytes broadcast
// from one token, and the float steps of a block run once for eight rows. One to four tokens use
// each unpacked block right away, at 256-bit width. A larger batch unpacks sixteen rows (two groups,
// side by side) once into a panel (tens of KiB, in L1/L2) that every token then passes over, eight
// tokens at a time, with 512-bit vpdpbusd: half the instructions and broadcasts per multiply-add.
// Where the core has two 512-bit ports (the Xeon of docs/BENCHMARKS.md: 360 G vpdpbusd
// multiply-adds/s per core at 512 bits against 185 at 256) that doubles the ceiling; where it splits
// 512-bit work in two (Zen 4) it still halves the front end's load. A last group of eight or fewer
// rows takes a 256-bit panel. Q5_0, Q8_0, Q4_K and Q6_K matrices of whole groups of sixteen rows
// are packed at load into that panel's byte order (hk_block_q5_0x16, hk_block_q8_0x16,
// hk_block_q4_Kx16, hk_block_q6_Kx16; PackedWeights in Swift; packed.c), so that their products,
// one token or many, skip the transposes (the end of gemm_vnni_legacy.c and gemm_vnni_kquants.c).
//
// Arithmetic: each block's (or super-block's) integer sum is exact, and the float steps are the
// portable kernels' and the Swift twins', one block after another:
//   Q4_0, Q5_0, Q8_0:  sum += (dw·dy)·isum
//   Q4_1:              sum += (dw·dy)·isum + mw·sy       (against Q8_1, sy its stored d·Σy)
//   Q4_K:              sum += (d·dy)·isum − (dmin·dy)·summins
//   Q6_K:              sum += (d·dy)·isum
// so every output is bitwise the portable level's and the scalar twin's, whatever the batch, the
// tile or the thread count. Unsigned bytes stand for signed weights as u = q + o (o = 8 for Q4_0,
// 16 for Q5_0, 128 for Q8_0, 32 for Q6_K; Q4_1's nibbles are unsigned already, o = 0): Σu·y − o·Σy = Σq·y exactly, with Σy from the
// activation block (Q8_0: summed here once per call; Q8_K: its bsums).
#include "hk_internal.h"

#if HK_X86
#include <immintrin.h>
#include <stdlib.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512vnni"))), apply_to = function)

#define HK_UNROLL _Pragma("clang loop unroll(full)")

enum {
    GROUP_ROWS = 8,  // rows per tile: the lanes of a 256-bit vector of int32
    TOKEN_TILE = 4,  // tokens per tile; fewer tokens than this skip the panel
    WIDE_TILE = 8,   // tokens per tile of the 512-bit panel kernels
};

// MARK: - Helpers

static inline __m256i broadcast_dword(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

static inline __m512i broadcast_dword512(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
}

static inline int hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
    return _mm_cvtsi128_si32(s);
}

// The fp16 values at p[r] + offset of eight blocks, as floats (exact, as hk_h2f).
static inline __m256 halves8(const uint8_t *const p[GROUP_ROWS], size_t offset) {
    uint16_t h[GROUP_ROWS];
    HK_UNROLL for (int r = 0; r < GROUP_ROWS; ++r) memcpy(&h[r], p[r] + offset, 2);
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)h));
}

// Dword k of v[r] becomes dword r of v[k] (an 8 × 8 transpose of 32-bit elements).
static inline void transpose8(__m256i v[8]) {
    const __m256i t0 = _mm256_unpacklo_epi32(v[0], v[1]), t1 = _mm256_unpackhi_epi32(v[0], v[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(v[2], v[3]), t3 = _mm256_unpackhi_epi32(v[2], v[3]);
    const __m256i t4 = _mm256_unpacklo_epi32(v[4], v[5]), t5 = _mm256_unpackhi_epi32(v[4], v[5]);
    const __m256i t6 = _mm256_unpacklo_epi32(v[6], v[7]), t7 = _mm256_unpackhi_epi32(v[6], v[7]);
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
    const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
    const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
    v[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
    v[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
    v[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
    v[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
    v[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
    v[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
    v[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
    v[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

// 16 bytes of nibbles to 32 bytes in ggml's element order: low nibbles, then high nibbles.
static inline __m256i nibbles32(const uint8_t *p) {
    const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)p));
    const __m256i shifted = _mm256_srlv_epi64(both, _mm256_setr_epi64x(0, 0, 4, 4));
    return _mm256_and_si256(shifted, _mm256_set1_epi8(0x0f));
}

// Stores lanes [0, valid) of v at y.
static inline void store_rows(float *y, __m256 v, int valid) {
    if (valid == GROUP_ROWS) _mm256_storeu_ps(y, v);
    else _mm256_mask_storeu_ps(y, (__mmask8)((1u << valid) - 1u), v);
}

// Eight rows are eight interleaved streams, which the hardware prefetchers follow badly on a
// matrix larger than the caches (the output projection ran at a third of its speed): while block
// `b` of a group is unpacked, the matching share of the next group's bytes (the group's rows are
// contiguous) is fetched, in address order. Past the end of the matrix a prefetch never faults.
static inline void prefetch_next_group(const uint8_t *group, size_t ahead, int64_t b, size_t block_bytes) {
    const uint8_t *start = group + ahead + (size_t)b * GROUP_ROWS * block_bytes;
    for (size_t offset = 0; offset < GROUP_ROWS * block_bytes; offset += 64) _mm_prefetch((const char *)(start + offset), _MM_HINT_T0);
}

// Row pointers of the group at `row`: rows past `end` repeat the last one (their lanes are
// computed and never stored).
static inline int group_rows(const uint8_t *w, size_t row_bytes, int64_t row, int64_t end,
                             const uint8_t *rows[GROUP_ROWS]) {
    const int valid = end - row < GROUP_ROWS ? (int)(end - row) : GROUP_ROWS;
    HK_UNROLL for (int r = 0; r < GROUP_ROWS; ++r)
        rows[r] = w + (size_t)(row + (r < valid ? r : valid - 1)) * row_bytes;
    return valid;
}

#pragma clang attribute pop
#endif
#endif
