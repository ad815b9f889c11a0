// Row-interleaved matrix products for AVX-512 VNNI at 256-bit width (Ice Lake, Zen 4 and later):
// the mat-vec and mat-mat kernels for Q4_0, Q4_1, Q5_0, Q8_0, Q4_K and Q6_K weights at that level.
//
// The one-row kernels (dot_x86.inc) multiply one weight row with one token at a time, so each
// block's unpacking, its scales and its float steps are paid for every row and token: on the
// 32-element formats that is most of the work. Here eight rows are unpacked together into
// unsigned bytes and transposed, so that the eight 32-bit lanes of a vpdpbusd are eight rows:
// one instruction multiplies four elements of eight rows with four activation bytes broadcast
// from one token, and the float steps of a block run once for eight rows. A batch unpacks its
// eight rows once into a panel (a few KiB, in L1/L2) that every token then passes over; one to
// four tokens use the unpacked block right away.
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
};

// MARK: - Helpers

static inline __m256i broadcast_dword(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
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

// MARK: - Q4_0, Q5_0, Q8_0 against Q8_0; Q4_1 against Q8_1

// Eight rows of one block: dword k of row r at q[32k + 4r], then the rows' scales (and Q4_1's mins).
typedef struct { uint8_t q[256]; float d[8]; float m[8]; } legacy_block;
// One activation block's scale dy, −o·Σy (where the block's integer sum starts) and, for Q8_1,
// its stored sy.
typedef struct { float d; int32_t minus_offset_sum; float s; } legacy_activation;

static inline size_t legacy_bytes(int type) {
    return type == HK_Q4_0 ? sizeof(hk_block_q4_0) : type == HK_Q4_1 ? sizeof(hk_block_q4_1)
         : type == HK_Q5_0 ? sizeof(hk_block_q5_0) : sizeof(hk_block_q8_0);
}

static inline int legacy_offset(int type) {
    return type == HK_Q4_0 ? 8 : type == HK_Q4_1 ? 0 : type == HK_Q5_0 ? 16 : 128;
}

// The activation block: Q8_1 (d, s, qs) for Q4_1, Q8_0 (d, qs) for the others.
static inline size_t activation_bytes(int type) { return type == HK_Q4_1 ? sizeof(hk_block_q8_1) : sizeof(hk_block_q8_0); }
static inline size_t activation_qs(int type) { return type == HK_Q4_1 ? 4 : 2; }

// Block b of eight rows as unsigned bytes, transposed (q[k] lane r: elements 4k..4k+3 of row r),
// and the rows' scales; Q4_1's mins into *m.
static inline __attribute__((always_inline)) __m256 unpack_legacy(const int type, const uint8_t *const rows[GROUP_ROWS], int64_t b, __m256i q[8],
                                   __m256 *m, const int transpose) {
    const uint8_t *p[GROUP_ROWS];
    HK_UNROLL for (int r = 0; r < GROUP_ROWS; ++r) p[r] = rows[r] + (size_t)b * legacy_bytes(type);
    HK_UNROLL for (int r = 0; r < GROUP_ROWS; ++r) {
        if (type == HK_Q4_0) {
            q[r] = nibbles32(p[r] + 2);
        } else if (type == HK_Q4_1) {
            q[r] = nibbles32(p[r] + 4);
        } else if (type == HK_Q5_0) {
            uint32_t bits;
            memcpy(&bits, p[r] + 2, 4);
            q[r] = _mm256_mask_add_epi8(nibbles32(p[r] + 6), _cvtu32_mask32(bits), nibbles32(p[r] + 6), _mm256_set1_epi8(0x10));
        } else {
            q[r] = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(p[r] + 2)), _mm256_set1_epi8((char)0x80));
        }
    }
    if (transpose) transpose8(q);
    if (type == HK_Q4_1) *m = halves8(p, 2);
    return halves8(p, 0);
}

// TOKENS tokens (x rows x_stride apart, from activation block 0) against eight rows, over nb
// blocks: from the panel, or unpacking each block as it goes when panel is NULL.
static inline __attribute__((always_inline)) void legacy_tile(
    const int type, const uint8_t *const rows[GROUP_ROWS], const legacy_block *panel, int64_t nb,
    const uint8_t *x, size_t x_stride, const legacy_activation *act, float *y, size_t y_stride,
    int valid, size_t ahead, const int TOKENS) {
    __m256 acc[TOKEN_TILE];
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        __m256i q[8];
        __m256 dw, mw = _mm256_setzero_ps();
        if (panel) {
            HK_UNROLL for (int k = 0; k < 8; ++k) q[k] = _mm256_load_si256((const __m256i *)(panel[b].q + 32 * k));
            dw = _mm256_load_ps(panel[b].d);
            if (type == HK_Q4_1) mw = _mm256_load_ps(panel[b].m);
        } else {
            prefetch_next_group(rows[0], ahead, b, legacy_bytes(type));
            // One token: rows stay as they are (q[r] is row r), see below.
            dw = unpack_legacy(type, rows, b, q, &mw, TOKENS > 1);
        }
        if (TOKENS == 1 && !panel) {
            // Each row against the token's 32 bytes, then the eight rows' lanes summed by a tree of
            // horizontal adds: integer sums, so exactly the transposed kernel's, for fewer
            // instructions than the transpose and the broadcasts.
            const uint8_t *xq = x + (size_t)b * activation_bytes(type) + activation_qs(type);
            const legacy_activation a = act[b];
            const __m256i yv = _mm256_loadu_si256((const __m256i *)xq);
            __m256i p[8];
            HK_UNROLL for (int r = 0; r < 8; ++r) p[r] = _mm256_dpbusd_epi32(_mm256_setzero_si256(), q[r], yv);
            const __m256i s0123 = _mm256_hadd_epi32(_mm256_hadd_epi32(p[0], p[1]), _mm256_hadd_epi32(p[2], p[3]));
            const __m256i s4567 = _mm256_hadd_epi32(_mm256_hadd_epi32(p[4], p[5]), _mm256_hadd_epi32(p[6], p[7]));
            const __m256i isum = _mm256_add_epi32(
                _mm256_add_epi32(_mm256_permute2x128_si256(s0123, s4567, 0x20), _mm256_permute2x128_si256(s0123, s4567, 0x31)),
                _mm256_set1_epi32(a.minus_offset_sum));
            const __m256 scale = _mm256_mul_ps(dw, _mm256_set1_ps(a.d));
            __m256 term = _mm256_mul_ps(scale, _mm256_cvtepi32_ps(isum));
            if (type == HK_Q4_1) term = _mm256_add_ps(term, _mm256_mul_ps(mw, _mm256_set1_ps(a.s)));
            acc[0] = _mm256_add_ps(acc[0], term);
            continue;
        }
        HK_UNROLL for (int t = 0; t < TOKENS; ++t) {
            const uint8_t *xq = x + (size_t)t * x_stride + (size_t)b * activation_bytes(type) + activation_qs(type);
            const legacy_activation a = act[(size_t)t * (size_t)nb + (size_t)b];
            __m256i s0 = _mm256_set1_epi32(a.minus_offset_sum), s1 = _mm256_setzero_si256();
            HK_UNROLL for (int k = 0; k < 4; ++k) {
                s0 = _mm256_dpbusd_epi32(s0, q[2 * k], broadcast_dword(xq + 8 * k));
                s1 = _mm256_dpbusd_epi32(s1, q[2 * k + 1], broadcast_dword(xq + 8 * k + 4));
            }
            const __m256i isum = _mm256_add_epi32(s0, s1);
            const __m256 scale = _mm256_mul_ps(dw, _mm256_set1_ps(a.d));
            __m256 term = _mm256_mul_ps(scale, _mm256_cvtepi32_ps(isum));
            if (type == HK_Q4_1) term = _mm256_add_ps(term, _mm256_mul_ps(mw, _mm256_set1_ps(a.s)));
            acc[t] = _mm256_add_ps(acc[t], term);
        }
    }
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) store_rows(y + (size_t)t * y_stride, acc[t], valid);
}

// Inlined into each type's entry point, so that `type` is a constant and every branch on it folds.
static inline __attribute__((always_inline)) void rows_legacy(const int type, int64_t n, const void *w, size_t row_bytes, int64_t row_begin,
                        int64_t row_end, const void *x, size_t x_row_bytes, int64_t tokens, float *y,
                        size_t y_stride) {
    const int64_t nb = n / HK_QK;
    const uint8_t *activations = x;
    legacy_activation *act = hk_thread_scratch(2, (size_t)(tokens * nb) * sizeof(legacy_activation) + 1);
    legacy_block *panel = tokens > TOKEN_TILE ? hk_thread_scratch(1, (size_t)nb * sizeof(legacy_block) + 1) : NULL;
    if (!act || (tokens > TOKEN_TILE && !panel)) {
        hk_rows_fallback(type, n, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y, y_stride);
        return;
    }
    const int offset = legacy_offset(type);
    const size_t ahead = GROUP_ROWS * row_bytes;
    for (int64_t t = 0; t < tokens; ++t)
        for (int64_t b = 0; b < nb; ++b) {
            if (type == HK_Q4_1) {
                const hk_block_q8_1 *block = (const hk_block_q8_1 *)(activations + (size_t)t * x_row_bytes) + b;
                act[t * nb + b] = (legacy_activation){ hk_load_h2f(&block->d), 0, hk_load_h2f(&block->s) };
                continue;
            }
            const hk_block_q8_0 *block = (const hk_block_q8_0 *)(activations + (size_t)t * x_row_bytes) + b;
            const __m256i ones = _mm256_set1_epi8(1);
            const int sum = hsum_epi32(_mm256_dpbusd_epi32(_mm256_setzero_si256(), ones, _mm256_loadu_si256((const __m256i *)block->qs)));
            act[t * nb + b] = (legacy_activation){ hk_load_h2f(&block->d), -offset * sum, 0 };
        }
    for (int64_t row = row_begin; row < row_end; row += GROUP_ROWS) {
        const uint8_t *rows[GROUP_ROWS];
        const int valid = group_rows(w, row_bytes, row, row_end, rows);
        float *out = y + row;
        if (tokens <= TOKEN_TILE) {
            switch (tokens) {
            case 1: legacy_tile(type, rows, NULL, nb, activations, x_row_bytes, act, out, y_stride, valid, ahead, 1); break;
            case 2: legacy_tile(type, rows, NULL, nb, activations, x_row_bytes, act, out, y_stride, valid, ahead, 2); break;
            case 3: legacy_tile(type, rows, NULL, nb, activations, x_row_bytes, act, out, y_stride, valid, ahead, 3); break;
            default: legacy_tile(type, rows, NULL, nb, activations, x_row_bytes, act, out, y_stride, valid, ahead, 4); break;
            }
            continue;
        }
        for (int64_t b = 0; b < nb; ++b) {
            __m256i q[8];
            __m256 m = _mm256_setzero_ps();
            _mm256_store_ps(panel[b].d, unpack_legacy(type, rows, b, q, &m, 1));
            _mm256_store_ps(panel[b].m, m);
            HK_UNROLL for (int k = 0; k < 8; ++k) _mm256_store_si256((__m256i *)(panel[b].q + 32 * k), q[k]);
        }
        int64_t t = 0;
        for (; t + TOKEN_TILE <= tokens; t += TOKEN_TILE)
            legacy_tile(type, rows, panel, nb, activations + (size_t)t * x_row_bytes, x_row_bytes, act + t * nb,
                        out + (size_t)t * y_stride, y_stride, valid, ahead, TOKEN_TILE);
        const uint8_t *xt = activations + (size_t)t * x_row_bytes;
        float *yt = out + (size_t)t * y_stride;
        switch (tokens - t) {
        case 1: legacy_tile(type, rows, panel, nb, xt, x_row_bytes, act + t * nb, yt, y_stride, valid, ahead, 1); break;
        case 2: legacy_tile(type, rows, panel, nb, xt, x_row_bytes, act + t * nb, yt, y_stride, valid, ahead, 2); break;
        case 3: legacy_tile(type, rows, panel, nb, xt, x_row_bytes, act + t * nb, yt, y_stride, valid, ahead, 3); break;
        default: break;
        }
    }
}

void hk_rows_q4_0_vnni(int64_t n, const void *w, size_t row_bytes, int64_t row_begin, int64_t row_end,
                       const void *x, size_t x_row_bytes, int64_t tokens, float *y, size_t y_stride) {
    rows_legacy(HK_Q4_0, n, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y, y_stride);
}

void hk_rows_q4_1_vnni(int64_t n, const void *w, size_t row_bytes, int64_t row_begin, int64_t row_end,
                       const void *x, size_t x_row_bytes, int64_t tokens, float *y, size_t y_stride) {
    rows_legacy(HK_Q4_1, n, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y, y_stride);
}

void hk_rows_q5_0_vnni(int64_t n, const void *w, size_t row_bytes, int64_t row_begin, int64_t row_end,
                       const void *x, size_t x_row_bytes, int64_t tokens, float *y, size_t y_stride) {
    rows_legacy(HK_Q5_0, n, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y, y_stride);
}

void hk_rows_q8_0_vnni(int64_t n, const void *w, size_t row_bytes, int64_t row_begin, int64_t row_end,
                       const void *x, size_t x_row_bytes, int64_t tokens, float *y, size_t y_stride) {
    rows_legacy(HK_Q8_0, n, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y, y_stride);
}

// MARK: - Q4_K and Q6_K against Q8_K

// Eight rows of one super-block: 32-element chunk c, dword k of row r at q[256c + 32k + 4r]; the
// rows' sub-block scales as int32 lanes; Q4_K's mins as int16 pairs (m, m) and Q6_K's scales as
// int16 pairs (s[2i], s[2i+1]), lined up with the activation's bsums (one per 16 elements).
typedef struct { uint8_t q[2048]; int32_t scales[8][8]; int32_t mins[8][8]; float d[8], dmin[8]; } q4_K_block;
typedef struct { uint8_t q[2048]; int32_t scales[16][8]; int32_t pairs[8][8]; float d[8]; } q6_K_block;

static inline void store8(int32_t *out, __m256i v) { _mm256_store_si256((__m256i *)out, v); }

// Eight rows' vectors of 32 bytes (one chunk of each row), transposed into chunk c of q.
static inline void store_chunk(uint8_t *q, int c, __m256i v[8]) {
    transpose8(v);
    HK_UNROLL for (int k = 0; k < 8; ++k) _mm256_store_si256((__m256i *)(q + 256 * c + 32 * k), v[k]);
}

static inline void unpack_q4_K(const uint8_t *const rows[GROUP_ROWS], int64_t i, q4_K_block *out) {
    const uint8_t *p[GROUP_ROWS];
    HK_UNROLL for (int r = 0; r < GROUP_ROWS; ++r) p[r] = rows[r] + (size_t)i * sizeof(hk_block_q4_K);
    __m256i scales[8], mins[8];
    HK_UNROLL for (int r = 0; r < GROUP_ROWS; ++r) {
        uint8_t sm[16];
        hk_unpack_scales_k4(((const hk_block_q4_K *)p[r])->scales, sm);
        scales[r] = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)sm));
        mins[r] = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(sm + 8)));
    }
    transpose8(scales);
    transpose8(mins);
    HK_UNROLL for (int j = 0; j < 8; ++j) {
        store8(out->scales[j], scales[j]);
        store8(out->mins[j], _mm256_or_si256(mins[j], _mm256_slli_epi32(mins[j], 16)));
    }
    _mm256_store_ps(out->d, halves8(p, 0));
    _mm256_store_ps(out->dmin, halves8(p, 2));
    // Sub-block 2j is the low nibbles of qs[32j ..< 32j + 32], sub-block 2j + 1 the high ones.
    HK_UNROLL for (int j = 0; j < 4; ++j) {
        __m256i lo[8], hi[8];
        HK_UNROLL for (int r = 0; r < GROUP_ROWS; ++r) {
            const __m256i bits = _mm256_loadu_si256((const __m256i *)(((const hk_block_q4_K *)p[r])->qs + 32 * j));
            lo[r] = _mm256_and_si256(bits, _mm256_set1_epi8(0x0f));
            hi[r] = _mm256_and_si256(_mm256_srli_epi16(bits, 4), _mm256_set1_epi8(0x0f));
        }
        store_chunk(out->q, 2 * j, lo);
        store_chunk(out->q, 2 * j + 1, hi);
    }
}

static inline void unpack_q6_K(const uint8_t *const rows[GROUP_ROWS], int64_t i, q6_K_block *out) {
    const hk_block_q6_K *p[GROUP_ROWS];
    HK_UNROLL for (int r = 0; r < GROUP_ROWS; ++r) p[r] = (const hk_block_q6_K *)(rows[r] + (size_t)i * sizeof(hk_block_q6_K));
    __m256i low[8], high[8];
    HK_UNROLL for (int r = 0; r < GROUP_ROWS; ++r) {
        const __m128i s = _mm_loadu_si128((const __m128i *)p[r]->scales);
        low[r] = _mm256_cvtepi8_epi32(s);
        high[r] = _mm256_cvtepi8_epi32(_mm_unpackhi_epi64(s, s));
    }
    transpose8(low);
    transpose8(high);
    HK_UNROLL for (int s = 0; s < 8; ++s) {
        store8(out->scales[s], low[s]);
        store8(out->scales[8 + s], high[s]);
    }
    HK_UNROLL for (int j = 0; j < 8; ++j) {
        const __m256i even = j < 4 ? low[2 * j] : high[2 * j - 8], odd = j < 4 ? low[2 * j + 1] : high[2 * j - 7];
        store8(out->pairs[j], _mm256_or_si256(_mm256_and_si256(even, _mm256_set1_epi32(0xffff)), _mm256_slli_epi32(odd, 16)));
    }
    {
        const uint8_t *d[GROUP_ROWS];
        HK_UNROLL for (int r = 0; r < GROUP_ROWS; ++r) d[r] = (const uint8_t *)&p[r]->d;
        _mm256_store_ps(out->d, halves8(d, 0));
    }
    // Chunk 4h + k: nibble (k / 2) of ql[64h + 32·(k mod 2) + l] | bits 2k of qh[32h + l] << 4.
    HK_UNROLL for (int h = 0; h < 2; ++h)
        HK_UNROLL for (int k = 0; k < 4; ++k) {
            __m256i v[8];
            HK_UNROLL for (int r = 0; r < GROUP_ROWS; ++r) {
                const __m256i ql = _mm256_loadu_si256((const __m256i *)(p[r]->ql + 64 * h + 32 * (k % 2)));
                const __m256i qh = _mm256_loadu_si256((const __m256i *)(p[r]->qh + 32 * h));
                const __m256i lowbits = _mm256_and_si256(k < 2 ? ql : _mm256_srli_epi16(ql, 4), _mm256_set1_epi8(0x0f));
                const __m256i highbits = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * k), _mm256_set1_epi8(3));
                v[r] = _mm256_or_si256(lowbits, _mm256_slli_epi16(highbits, 4));
            }
            store_chunk(out->q, 4 * h + k, v);
        }
}

// TOKENS tokens against one super-block of eight rows; adds each token's block term to acc[t].
static inline __attribute__((always_inline)) void q4_K_step(
    const q4_K_block *blk, const uint8_t *x, size_t x_stride, __m256 acc[TOKEN_TILE], const int TOKENS) {
    __m256i isum[TOKEN_TILE];
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) isum[t] = _mm256_setzero_si256();
    for (int j = 0; j < 8; ++j) {
        __m256i q[8];
        HK_UNROLL for (int k = 0; k < 8; ++k) q[k] = _mm256_load_si256((const __m256i *)(blk->q + 256 * j + 32 * k));
        const __m256i scale = _mm256_load_si256((const __m256i *)blk->scales[j]);
        HK_UNROLL for (int t = 0; t < TOKENS; ++t) {
            const int8_t *y = ((const hk_block_q8_K *)(x + (size_t)t * x_stride))->qs + 32 * j;
            __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
            HK_UNROLL for (int k = 0; k < 4; ++k) {
                s0 = _mm256_dpbusd_epi32(s0, q[2 * k], broadcast_dword(y + 8 * k));
                s1 = _mm256_dpbusd_epi32(s1, q[2 * k + 1], broadcast_dword(y + 8 * k + 4));
            }
            isum[t] = _mm256_add_epi32(isum[t], _mm256_mullo_epi32(_mm256_add_epi32(s0, s1), scale));
        }
    }
    const __m256 d = _mm256_load_ps(blk->d), dmin = _mm256_load_ps(blk->dmin);
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) {
        const hk_block_q8_K *b = (const hk_block_q8_K *)(x + (size_t)t * x_stride);
        __m256i summins = _mm256_setzero_si256();
        HK_UNROLL for (int j = 0; j < 8; ++j)
            summins = _mm256_dpwssd_epi32(summins, _mm256_load_si256((const __m256i *)blk->mins[j]), broadcast_dword(b->bsums + 2 * j));
        const __m256 dy = _mm256_set1_ps(b->d);
        const __m256 main = _mm256_mul_ps(_mm256_mul_ps(d, dy), _mm256_cvtepi32_ps(isum[t]));
        const __m256 min = _mm256_mul_ps(_mm256_mul_ps(dmin, dy), _mm256_cvtepi32_ps(summins));
        acc[t] = _mm256_add_ps(acc[t], _mm256_sub_ps(main, min));
    }
}

static inline __attribute__((always_inline)) void q6_K_step(
    const q6_K_block *blk, const uint8_t *x, size_t x_stride, __m256 acc[TOKEN_TILE], const int TOKENS) {
    __m256i isum[TOKEN_TILE];
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) isum[t] = _mm256_setzero_si256();
    for (int c = 0; c < 8; ++c) {
        __m256i q[8];
        HK_UNROLL for (int k = 0; k < 8; ++k) q[k] = _mm256_load_si256((const __m256i *)(blk->q + 256 * c + 32 * k));
        const __m256i scale_lo = _mm256_load_si256((const __m256i *)blk->scales[2 * c]);
        const __m256i scale_hi = _mm256_load_si256((const __m256i *)blk->scales[2 * c + 1]);
        HK_UNROLL for (int t = 0; t < TOKENS; ++t) {
            const int8_t *y = ((const hk_block_q8_K *)(x + (size_t)t * x_stride))->qs + 32 * c;
            __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
            HK_UNROLL for (int k = 0; k < 4; ++k) {
                lo = _mm256_dpbusd_epi32(lo, q[k], broadcast_dword(y + 4 * k));
                hi = _mm256_dpbusd_epi32(hi, q[4 + k], broadcast_dword(y + 16 + 4 * k));
            }
            isum[t] = _mm256_add_epi32(isum[t], _mm256_add_epi32(_mm256_mullo_epi32(lo, scale_lo), _mm256_mullo_epi32(hi, scale_hi)));
        }
    }
    const __m256 d = _mm256_load_ps(blk->d);
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) {
        const hk_block_q8_K *b = (const hk_block_q8_K *)(x + (size_t)t * x_stride);
        // Values are u − 32: Σ s·(u − 32)·y = Σ s·u·y − 32·Σ s·bsum.
        __m256i offset = _mm256_setzero_si256();
        HK_UNROLL for (int j = 0; j < 8; ++j)
            offset = _mm256_dpwssd_epi32(offset, _mm256_load_si256((const __m256i *)blk->pairs[j]), broadcast_dword(b->bsums + 2 * j));
        const __m256i total = _mm256_sub_epi32(isum[t], _mm256_slli_epi32(offset, 5));
        acc[t] = _mm256_add_ps(acc[t], _mm256_mul_ps(_mm256_mul_ps(d, _mm256_set1_ps(b->d)), _mm256_cvtepi32_ps(total)));
    }
}

// One K-quant type's tile and row loop, generated for Q4_K and Q6_K.
#define HK_DEFINE_K_ROWS(name, type, weight_block, block_type, unpack, step)                                                    \
    static inline __attribute__((always_inline)) void name##_tile(                                            \
        const uint8_t *const rows[GROUP_ROWS], const block_type *panel, int64_t nb, const uint8_t *x,         \
        size_t x_stride, float *y, size_t y_stride, int valid, size_t ahead, const int TOKENS) {              \
        __m256 acc[TOKEN_TILE];                                                                               \
        HK_UNROLL for (int t = 0; t < TOKENS; ++t) acc[t] = _mm256_setzero_ps();                              \
        _Alignas(64) block_type local;                                                                        \
        for (int64_t i = 0; i < nb; ++i) {                                                                    \
            const block_type *blk = panel ? &panel[i] : &local;                                               \
            if (!panel) {                                                                                     \
                prefetch_next_group(rows[0], ahead, i, sizeof(weight_block));                                 \
                unpack(rows, i, &local);                                                                      \
            }                                                                                                 \
            step(blk, x + (size_t)i * sizeof(hk_block_q8_K), x_stride, acc, TOKENS);                          \
        }                                                                                                     \
        HK_UNROLL for (int t = 0; t < TOKENS; ++t) store_rows(y + (size_t)t * y_stride, acc[t], valid);       \
    }                                                                                                         \
    static void name##_tokens(const uint8_t *const rows[GROUP_ROWS], const block_type *panel, int64_t nb,     \
                              const uint8_t *x, size_t x_stride, float *y, size_t y_stride, int valid,        \
                              size_t ahead, int64_t tokens) {                                                 \
        switch (tokens) {                                                                                     \
        case 1: name##_tile(rows, panel, nb, x, x_stride, y, y_stride, valid, ahead, 1); break;               \
        case 2: name##_tile(rows, panel, nb, x, x_stride, y, y_stride, valid, ahead, 2); break;               \
        case 3: name##_tile(rows, panel, nb, x, x_stride, y, y_stride, valid, ahead, 3); break;               \
        case 4: name##_tile(rows, panel, nb, x, x_stride, y, y_stride, valid, ahead, 4); break;               \
        default: break;                                                                                       \
        }                                                                                                     \
    }                                                                                                         \
    void hk_rows_##name##_vnni(int64_t n, const void *w, size_t row_bytes, int64_t row_begin,                 \
                               int64_t row_end, const void *x, size_t x_row_bytes, int64_t tokens, float *y,  \
                               size_t y_stride) {                                                             \
        const int64_t nb = n / HK_QK_K;                                                                       \
        block_type *panel = NULL;                                                                             \
        if (tokens > TOKEN_TILE) {                                                                            \
            panel = hk_thread_scratch(1, (size_t)nb * sizeof(block_type) + 1);                                \
            if (!panel) {                                                                                     \
                hk_rows_fallback(type, n, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y,   \
                                 y_stride);                                                                   \
                return;                                                                                       \
            }                                                                                                 \
        }                                                                                                     \
        for (int64_t row = row_begin; row < row_end; row += GROUP_ROWS) {                                     \
            const uint8_t *rows[GROUP_ROWS];                                                                  \
            const int valid = group_rows(w, row_bytes, row, row_end, rows);                                   \
            if (panel)                                                                                        \
                for (int64_t i = 0; i < nb; ++i) unpack(rows, i, &panel[i]);                                  \
            for (int64_t t = 0; t < tokens; t += TOKEN_TILE)                                                  \
                name##_tokens(rows, panel, nb, (const uint8_t *)x + (size_t)t * x_row_bytes, x_row_bytes,     \
                              y + (size_t)t * y_stride + row, y_stride, valid, GROUP_ROWS * row_bytes,        \
                              tokens - t < TOKEN_TILE ? tokens - t : TOKEN_TILE);                             \
        }                                                                                                     \
    }

HK_DEFINE_K_ROWS(q4_K, HK_Q4_K, hk_block_q4_K, q4_K_block, unpack_q4_K, q4_K_step)
HK_DEFINE_K_ROWS(q6_K, HK_Q6_K, hk_block_q6_K, q6_K_block, unpack_q6_K, q6_K_step)

#pragma clang attribute pop
#endif
