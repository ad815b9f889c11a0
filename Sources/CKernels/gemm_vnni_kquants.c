// Q4_K and Q6_K rows through the row-interleaved kernels: see gemm_vnni.h.
#include "gemm_vnni.h"

#if HK_X86
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512vnni"))), apply_to = function)

// MARK: - Q4_K and Q6_K against Q8_K

// Eight rows of one super-block: 32-element chunk c, dword k of row r at q[256c + 32k + 4r]; the
// rows' sub-block scales as int32 lanes; Q4_K's mins as int16 pairs (m, m) and Q6_K's scales as
// int16 pairs (s[2i], s[2i+1]), lined up with the activation's bsums (one per 16 elements).
typedef struct { uint8_t q[2048]; int32_t scales[8][8]; int32_t mins[8][8]; float d[8], dmin[8]; } q4_K_block;
typedef struct { uint8_t q[2048]; int32_t scales[16][8]; int32_t pairs[8][8]; float d[8]; } q6_K_block;
// The same for sixteen rows (two groups side by side in every vector), for the 512-bit panel.
typedef struct { uint8_t q[4096]; int32_t scales[8][16]; int32_t mins[8][16]; float d[16], dmin[16]; } q4_K_block16;
typedef struct { uint8_t q[4096]; int32_t scales[16][16]; int32_t pairs[8][16]; float d[16]; } q6_K_block16;

static inline void store8(int32_t *out, __m256i v) { _mm256_store_si256((__m256i *)out, v); }

// Where one group of eight rows' unpacked super-block goes: its own 8-row block, or one half of a
// 16-row block (then every vector of eight lanes sits beside the other group's, `lanes` = 16 apart).
typedef struct { uint8_t *q; int32_t *scales, *mins; float *d, *dmin; int lanes; } k_panel_slot;

// Eight rows' vectors of 32 bytes (one chunk of each row), transposed into chunk c of q.
static inline void store_chunk(const k_panel_slot out, int c, __m256i v[8]) {
    transpose8(v);
    HK_UNROLL for (int k = 0; k < 8; ++k) _mm256_store_si256((__m256i *)(out.q + 32 * out.lanes * c + 4 * out.lanes * k), v[k]);
}

static inline __attribute__((always_inline)) void unpack_q4_K(const uint8_t *const rows[GROUP_ROWS], int64_t i, const k_panel_slot out) {
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
        store8(out.scales + out.lanes * j, scales[j]);
        store8(out.mins + out.lanes * j, _mm256_or_si256(mins[j], _mm256_slli_epi32(mins[j], 16)));
    }
    _mm256_store_ps(out.d, halves8(p, 0));
    _mm256_store_ps(out.dmin, halves8(p, 2));
    // Sub-block 2j is the low nibbles of qs[32j ..< 32j + 32], sub-block 2j + 1 the high ones.
    HK_UNROLL for (int j = 0; j < 4; ++j) {
        __m256i lo[8], hi[8];
        HK_UNROLL for (int r = 0; r < GROUP_ROWS; ++r) {
            const __m256i bits = _mm256_loadu_si256((const __m256i *)(((const hk_block_q4_K *)p[r])->qs + 32 * j));
            lo[r] = _mm256_and_si256(bits, _mm256_set1_epi8(0x0f));
            hi[r] = _mm256_and_si256(_mm256_srli_epi16(bits, 4), _mm256_set1_epi8(0x0f));
        }
        store_chunk(out, 2 * j, lo);
        store_chunk(out, 2 * j + 1, hi);
    }
}

// Q6_K's slot: `scales` holds its sixteen sub-block scales, `mins` the int16 pairs.
static inline __attribute__((always_inline)) void unpack_q6_K(const uint8_t *const rows[GROUP_ROWS], int64_t i, const k_panel_slot out) {
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
        store8(out.scales + out.lanes * s, low[s]);
        store8(out.scales + out.lanes * (8 + s), high[s]);
    }
    HK_UNROLL for (int j = 0; j < 8; ++j) {
        const __m256i even = j < 4 ? low[2 * j] : high[2 * j - 8], odd = j < 4 ? low[2 * j + 1] : high[2 * j - 7];
        store8(out.mins + out.lanes * j, _mm256_or_si256(_mm256_and_si256(even, _mm256_set1_epi32(0xffff)), _mm256_slli_epi32(odd, 16)));
    }
    {
        const uint8_t *d[GROUP_ROWS];
        HK_UNROLL for (int r = 0; r < GROUP_ROWS; ++r) d[r] = (const uint8_t *)&p[r]->d;
        _mm256_store_ps(out.d, halves8(d, 0));
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
            store_chunk(out, 4 * h + k, v);
        }
}

// The slots of an 8-row block and of half h of a 16-row block.
static inline k_panel_slot q4_K_slot(q4_K_block *b) { return (k_panel_slot){ b->q, b->scales[0], b->mins[0], b->d, b->dmin, 8 }; }
static inline k_panel_slot q6_K_slot(q6_K_block *b) { return (k_panel_slot){ b->q, b->scales[0], b->pairs[0], b->d, NULL, 8 }; }
static inline k_panel_slot q4_K_slot16(q4_K_block16 *b, int h) {
    return (k_panel_slot){ b->q + 32 * h, b->scales[0] + 8 * h, b->mins[0] + 8 * h, b->d + 8 * h, b->dmin + 8 * h, 16 };
}
static inline k_panel_slot q6_K_slot16(q6_K_block16 *b, int h) {
    return (k_panel_slot){ b->q + 32 * h, b->scales[0] + 8 * h, b->pairs[0] + 8 * h, b->d + 8 * h, NULL, 16 };
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

// The 16-row steps: the same arithmetic per lane as q4_K_step and q6_K_step, two groups at once.
static inline __attribute__((always_inline)) void q4_K_step16(
    const q4_K_block16 *blk, const uint8_t *x, size_t x_stride, __m512 acc[WIDE_TILE], const int TOKENS) {
    __m512i isum[WIDE_TILE];
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) isum[t] = _mm512_setzero_si512();
    for (int j = 0; j < 8; ++j) {
        __m512i q[8];
        HK_UNROLL for (int k = 0; k < 8; ++k) q[k] = _mm512_load_si512((const void *)(blk->q + 512 * j + 64 * k));
        const __m512i scale = _mm512_load_si512((const void *)blk->scales[j]);
        HK_UNROLL for (int t = 0; t < TOKENS; ++t) {
            const int8_t *y = ((const hk_block_q8_K *)(x + (size_t)t * x_stride))->qs + 32 * j;
            __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
            HK_UNROLL for (int k = 0; k < 4; ++k) {
                s0 = _mm512_dpbusd_epi32(s0, q[2 * k], broadcast_dword512(y + 8 * k));
                s1 = _mm512_dpbusd_epi32(s1, q[2 * k + 1], broadcast_dword512(y + 8 * k + 4));
            }
            isum[t] = _mm512_add_epi32(isum[t], _mm512_mullo_epi32(_mm512_add_epi32(s0, s1), scale));
        }
    }
    const __m512 d = _mm512_load_ps(blk->d), dmin = _mm512_load_ps(blk->dmin);
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) {
        const hk_block_q8_K *b = (const hk_block_q8_K *)(x + (size_t)t * x_stride);
        __m512i summins = _mm512_setzero_si512();
        HK_UNROLL for (int j = 0; j < 8; ++j)
            summins = _mm512_dpwssd_epi32(summins, _mm512_load_si512((const void *)blk->mins[j]), broadcast_dword512(b->bsums + 2 * j));
        const __m512 dy = _mm512_set1_ps(b->d);
        const __m512 main = _mm512_mul_ps(_mm512_mul_ps(d, dy), _mm512_cvtepi32_ps(isum[t]));
        const __m512 min = _mm512_mul_ps(_mm512_mul_ps(dmin, dy), _mm512_cvtepi32_ps(summins));
        acc[t] = _mm512_add_ps(acc[t], _mm512_sub_ps(main, min));
    }
}

static inline __attribute__((always_inline)) void q6_K_step16(
    const q6_K_block16 *blk, const uint8_t *x, size_t x_stride, __m512 acc[WIDE_TILE], const int TOKENS) {
    __m512i isum[WIDE_TILE];
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) isum[t] = _mm512_setzero_si512();
    for (int c = 0; c < 8; ++c) {
        __m512i q[8];
        HK_UNROLL for (int k = 0; k < 8; ++k) q[k] = _mm512_load_si512((const void *)(blk->q + 512 * c + 64 * k));
        const __m512i scale_lo = _mm512_load_si512((const void *)blk->scales[2 * c]);
        const __m512i scale_hi = _mm512_load_si512((const void *)blk->scales[2 * c + 1]);
        HK_UNROLL for (int t = 0; t < TOKENS; ++t) {
            const int8_t *y = ((const hk_block_q8_K *)(x + (size_t)t * x_stride))->qs + 32 * c;
            __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
            HK_UNROLL for (int k = 0; k < 4; ++k) {
                lo = _mm512_dpbusd_epi32(lo, q[k], broadcast_dword512(y + 4 * k));
                hi = _mm512_dpbusd_epi32(hi, q[4 + k], broadcast_dword512(y + 16 + 4 * k));
            }
            isum[t] = _mm512_add_epi32(isum[t], _mm512_add_epi32(_mm512_mullo_epi32(lo, scale_lo), _mm512_mullo_epi32(hi, scale_hi)));
        }
    }
    const __m512 d = _mm512_load_ps(blk->d);
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) {
        const hk_block_q8_K *b = (const hk_block_q8_K *)(x + (size_t)t * x_stride);
        __m512i offset = _mm512_setzero_si512();
        HK_UNROLL for (int j = 0; j < 8; ++j)
            offset = _mm512_dpwssd_epi32(offset, _mm512_load_si512((const void *)blk->pairs[j]), broadcast_dword512(b->bsums + 2 * j));
        const __m512i total = _mm512_sub_epi32(isum[t], _mm512_slli_epi32(offset, 5));
        acc[t] = _mm512_add_ps(acc[t], _mm512_mul_ps(_mm512_mul_ps(d, _mm512_set1_ps(b->d)), _mm512_cvtepi32_ps(total)));
    }
}

// One K-quant type's tile and row loop, generated for Q4_K and Q6_K.
#define HK_DEFINE_K_ROWS(name, type, weight_block, block_type, block16_type, unpack, slot, slot16, step, step16)        \
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
                unpack(rows, i, slot(&local));                                                                \
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
    static inline __attribute__((always_inline)) void name##_tile16(                                          \
        const block16_type *panel, int64_t nb, const uint8_t *x, size_t x_stride, float *y, size_t y_stride,  \
        const int TOKENS) {                                                                                   \
        __m512 acc[WIDE_TILE];                                                                                \
        HK_UNROLL for (int t = 0; t < TOKENS; ++t) acc[t] = _mm512_setzero_ps();                              \
        for (int64_t i = 0; i < nb; ++i) step16(&panel[i], x + (size_t)i * sizeof(hk_block_q8_K), x_stride, acc, TOKENS); \
        HK_UNROLL for (int t = 0; t < TOKENS; ++t) _mm512_storeu_ps(y + (size_t)t * y_stride, acc[t]);        \
    }                                                                                                         \
    static void name##_tokens16(const block16_type *panel, int64_t nb, const uint8_t *x, size_t x_stride,     \
                                float *y, size_t y_stride, int64_t tokens) {                                  \
        switch (tokens) {                                                                                     \
        case 1: name##_tile16(panel, nb, x, x_stride, y, y_stride, 1); break;                                 \
        case 2: name##_tile16(panel, nb, x, x_stride, y, y_stride, 2); break;                                 \
        case 3: name##_tile16(panel, nb, x, x_stride, y, y_stride, 3); break;                                 \
        case 4: name##_tile16(panel, nb, x, x_stride, y, y_stride, 4); break;                                 \
        case 5: name##_tile16(panel, nb, x, x_stride, y, y_stride, 5); break;                                 \
        case 6: name##_tile16(panel, nb, x, x_stride, y, y_stride, 6); break;                                 \
        case 7: name##_tile16(panel, nb, x, x_stride, y, y_stride, 7); break;                                 \
        case 8: name##_tile16(panel, nb, x, x_stride, y, y_stride, 8); break;                                 \
        default: break;                                                                                       \
        }                                                                                                     \
    }                                                                                                         \
    void hk_rows_##name##_vnni(int64_t n, const void *w, size_t row_bytes, int64_t row_begin,                 \
                               int64_t row_end, const void *x, size_t x_row_bytes, int64_t tokens, float *y,  \
                               size_t y_stride) {                                                             \
        const int64_t nb = n / HK_QK_K;                                                                       \
        void *panel_memory = NULL;                                                                            \
        if (tokens > TOKEN_TILE) {                                                                            \
            panel_memory = hk_thread_scratch(1, (size_t)nb * sizeof(block16_type) + 1);                       \
            if (!panel_memory) {                                                                              \
                hk_rows_fallback(type, n, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y,        \
                                 y_stride);                                                                   \
                return;                                                                                       \
            }                                                                                                 \
        }                                                                                                     \
        block_type *panel = panel_memory;                                                                     \
        block16_type *panel16 = panel_memory;                                                                 \
        for (int64_t row = row_begin; row < row_end; row += GROUP_ROWS) {                                     \
            if (panel && row_end - row >= 2 * GROUP_ROWS) {                                                   \
                for (int h = 0; h < 2; ++h) {                                                                 \
                    const uint8_t *rows[GROUP_ROWS];                                                          \
                    group_rows(w, row_bytes, row + GROUP_ROWS * h, row_end, rows);                            \
                    for (int64_t i = 0; i < nb; ++i) {                                                        \
                        prefetch_next_group(rows[0], 2 * GROUP_ROWS * row_bytes, i, sizeof(weight_block));    \
                        unpack(rows, i, slot16(&panel16[i], h));                                              \
                    }                                                                                         \
                }                                                                                             \
                for (int64_t t = 0; t < tokens; t += WIDE_TILE)                                               \
                    name##_tokens16(panel16, nb, (const uint8_t *)x + (size_t)t * x_row_bytes, x_row_bytes,   \
                                    y + (size_t)t * y_stride + row, y_stride,                                 \
                                    tokens - t < WIDE_TILE ? tokens - t : WIDE_TILE);                         \
                row += GROUP_ROWS;                                                                            \
                continue;                                                                                     \
            }                                                                                                 \
            const uint8_t *rows[GROUP_ROWS];                                                                  \
            const int valid = group_rows(w, row_bytes, row, row_end, rows);                                   \
            if (panel)                                                                                        \
                for (int64_t i = 0; i < nb; ++i) {                                                            \
                    prefetch_next_group(rows[0], GROUP_ROWS * row_bytes, i, sizeof(weight_block));            \
                    unpack(rows, i, slot(&panel[i]));                                                         \
                }                                                                                             \
            for (int64_t t = 0; t < tokens; t += TOKEN_TILE)                                                  \
                name##_tokens(rows, panel, nb, (const uint8_t *)x + (size_t)t * x_row_bytes, x_row_bytes,     \
                              y + (size_t)t * y_stride + row, y_stride, valid, GROUP_ROWS * row_bytes,        \
                              tokens - t < TOKEN_TILE ? tokens - t : TOKEN_TILE);                             \
        }                                                                                                     \
    }

HK_DEFINE_K_ROWS(q4_K, HK_Q4_K, hk_block_q4_K, q4_K_block, q4_K_block16, unpack_q4_K, q4_K_slot, q4_K_slot16, q4_K_step, q4_K_step16)
HK_DEFINE_K_ROWS(q6_K, HK_Q6_K, hk_block_q6_K, q6_K_block, q6_K_block16, unpack_q6_K, q6_K_slot, q6_K_slot16, q6_K_step, q6_K_step16)


// MARK: - Q4_K and Q6_K packed at load
//
// As for Q5_0 and Q8_0 (gemm_vnni_legacy.c): sixteen rows' super-blocks lie side by side as the
// 512-bit panel reads them (hk_block_q4_Kx16, hk_block_q6_Kx16), so that a product only splits
// nibbles and widens scales (no transposes), into the panel for many tokens or into one block on
// the stack for up to eight. The panel steps (q4_K_step16, q6_K_step16) then run as they do for
// unpacked rows, so every output is bitwise what it was.

static inline __attribute__((always_inline)) void unpack_packed_q4_K(const hk_block_q4_Kx16 *p, q4_K_block16 *out) {
    _mm512_store_ps(out->d, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p->d)));
    _mm512_store_ps(out->dmin, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p->dmin)));
    HK_UNROLL for (int j = 0; j < 8; ++j) {
        _mm512_store_si512((void *)out->scales[j], _mm512_cvtepu8_epi32(_mm_load_si128((const __m128i *)p->scales[j])));
        const __m512i m = _mm512_cvtepu8_epi32(_mm_load_si128((const __m128i *)p->mins[j]));
        _mm512_store_si512((void *)out->mins[j], _mm512_or_si512(m, _mm512_slli_epi32(m, 16)));
    }
    const __m512i low = _mm512_set1_epi8(0x0f);
    HK_UNROLL for (int j = 0; j < 4; ++j)
        HK_UNROLL for (int k = 0; k < 8; ++k) {
            const __m512i v = _mm512_load_si512((const void *)(p->qs[j] + 64 * k));
            _mm512_store_si512((void *)(out->q + 512 * (2 * j) + 64 * k), _mm512_and_si512(v, low));
            _mm512_store_si512((void *)(out->q + 512 * (2 * j + 1) + 64 * k), _mm512_and_si512(_mm512_srli_epi16(v, 4), low));
        }
}

static inline __attribute__((always_inline)) void unpack_packed_q6_K(const hk_block_q6_Kx16 *p, q6_K_block16 *out) {
    _mm512_store_ps(out->d, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p->d)));
    __m512i scale[16];
    HK_UNROLL for (int s = 0; s < 16; ++s) {
        scale[s] = _mm512_cvtepi8_epi32(_mm_load_si128((const __m128i *)p->scales[s]));
        _mm512_store_si512((void *)out->scales[s], scale[s]);
    }
    HK_UNROLL for (int j = 0; j < 8; ++j)
        _mm512_store_si512((void *)out->pairs[j], _mm512_or_si512(_mm512_and_si512(scale[2 * j], _mm512_set1_epi32(0xffff)),
                                                                  _mm512_slli_epi32(scale[2 * j + 1], 16)));
    // Chunk 4h + k: nibble (k / 2) of ql[2h + k mod 2] | bits 2k of qh[h] << 4, as unpack_q6_K.
    const __m512i low = _mm512_set1_epi8(0x0f), three = _mm512_set1_epi8(3);
    HK_UNROLL for (int h = 0; h < 2; ++h)
        HK_UNROLL for (int v = 0; v < 8; ++v) {
            const __m512i qh = _mm512_load_si512((const void *)(p->qh[h] + 64 * v));
            HK_UNROLL for (int k = 0; k < 4; ++k) {
                const __m512i ql = _mm512_load_si512((const void *)(p->ql[2 * h + k % 2] + 64 * v));
                const __m512i lowbits = _mm512_and_si512(k < 2 ? ql : _mm512_srli_epi16(ql, 4), low);
                const __m512i highbits = _mm512_and_si512(_mm512_srli_epi16(qh, 2 * k), three);
                _mm512_store_si512((void *)(out->q + 512 * (4 * h + k) + 64 * v), _mm512_or_si512(lowbits, _mm512_slli_epi16(highbits, 4)));
            }
        }
}

static void pack_q4_K(int64_t nb, const uint8_t *w, size_t row_bytes, int64_t row, hk_block_q4_Kx16 *out) {
    for (int64_t b = 0; b < nb; ++b) {
        hk_block_q4_Kx16 *dst = &out[b];
        for (int r = 0; r < 16; ++r) {
            const hk_block_q4_K *src = (const hk_block_q4_K *)(w + (size_t)(row + r) * row_bytes) + b;
            dst->d[r] = src->d;
            dst->dmin[r] = src->dmin;
            uint8_t sm[16];
            hk_unpack_scales_k4(src->scales, sm);
            for (int j = 0; j < 8; ++j) { dst->scales[j][r] = sm[j]; dst->mins[j][r] = sm[8 + j]; }
            for (int j = 0; j < 4; ++j)
                for (int k = 0; k < 8; ++k) memcpy(dst->qs[j] + 64 * k + 4 * r, src->qs + 32 * j + 4 * k, 4);
        }
    }
}

// The inverse of pack_q4_K for one row. The six-bit packing uses all 96 bits of `scales`, so the
// stored bytes come back exactly: scales and mins 0-3 in the low six bits of bytes 0-3 and 4-7,
// the top two bits of 4-7 above them, and the low nibbles of 4-7 in bytes 8-11.
static void packed_row_q4_K(int64_t nb, const hk_block_q4_Kx16 *packed, int r, hk_block_q4_K *out) {
    for (int64_t b = 0; b < nb; ++b) {
        const hk_block_q4_Kx16 *src = &packed[b];
        hk_block_q4_K *dst = &out[b];
        dst->d = src->d[r];
        dst->dmin = src->dmin[r];
        for (int j = 0; j < 4; ++j) {
            const uint8_t sc = src->scales[j][r], m = src->mins[j][r], sc4 = src->scales[j + 4][r], m4 = src->mins[j + 4][r];
            dst->scales[j] = (uint8_t)((sc & 63) | ((sc4 >> 4) << 6));
            dst->scales[j + 4] = (uint8_t)((m & 63) | ((m4 >> 4) << 6));
            dst->scales[j + 8] = (uint8_t)((sc4 & 0x0f) | ((m4 & 0x0f) << 4));
        }
        for (int j = 0; j < 4; ++j)
            for (int k = 0; k < 8; ++k) memcpy(dst->qs + 32 * j + 4 * k, src->qs[j] + 64 * k + 4 * r, 4);
    }
}

static void pack_q6_K(int64_t nb, const uint8_t *w, size_t row_bytes, int64_t row, hk_block_q6_Kx16 *out) {
    for (int64_t b = 0; b < nb; ++b) {
        hk_block_q6_Kx16 *dst = &out[b];
        memset(dst->pad, 0, sizeof dst->pad);
        for (int r = 0; r < 16; ++r) {
            const hk_block_q6_K *src = (const hk_block_q6_K *)(w + (size_t)(row + r) * row_bytes) + b;
            dst->d[r] = src->d;
            for (int s = 0; s < 16; ++s) dst->scales[s][r] = src->scales[s];
            for (int k = 0; k < 8; ++k) {
                for (int q = 0; q < 4; ++q) memcpy(dst->ql[q] + 64 * k + 4 * r, src->ql + 32 * q + 4 * k, 4);
                for (int h = 0; h < 2; ++h) memcpy(dst->qh[h] + 64 * k + 4 * r, src->qh + 32 * h + 4 * k, 4);
            }
        }
    }
}

static void packed_row_q6_K(int64_t nb, const hk_block_q6_Kx16 *packed, int r, hk_block_q6_K *out) {
    for (int64_t b = 0; b < nb; ++b) {
        const hk_block_q6_Kx16 *src = &packed[b];
        hk_block_q6_K *dst = &out[b];
        dst->d = src->d[r];
        for (int s = 0; s < 16; ++s) dst->scales[s] = src->scales[s][r];
        for (int k = 0; k < 8; ++k) {
            for (int q = 0; q < 4; ++q) memcpy(dst->ql + 32 * q + 4 * k, src->ql[q] + 64 * k + 4 * r, 4);
            for (int h = 0; h < 2; ++h) memcpy(dst->qh + 32 * h + 4 * k, src->qh[h] + 64 * k + 4 * r, 4);
        }
    }
}

static inline void prefetch_block(const void *block, size_t bytes) {
    for (size_t offset = 0; offset < bytes; offset += 64) _mm_prefetch((const char *)block + offset, _MM_HINT_T0);
}

// One K-quant type's products over packed rows, generated for Q4_K and Q6_K.
#define HK_DEFINE_K_PACKED(name, type, packed_type, block16_type, unpack_packed, step16)                      \
    /* Up to eight tokens against a packed group, each super-block unpacked on the stack as it is */          \
    /* reached, while the next group's matching block is prefetched. */                                     \
    static inline __attribute__((always_inline)) void name##_packed_tile(                                    \
        const packed_type *group, int64_t nb, const uint8_t *x, size_t x_stride, float *y, size_t y_stride,   \
        const int TOKENS) {                                                                                   \
        __m512 acc[WIDE_TILE];                                                                                \
        HK_UNROLL for (int t = 0; t < TOKENS; ++t) acc[t] = _mm512_setzero_ps();                              \
        _Alignas(64) block16_type local;                                                                      \
        for (int64_t i = 0; i < nb; ++i) {                                                                    \
            prefetch_block(&group[nb + i], sizeof(packed_type));                                              \
            unpack_packed(&group[i], &local);                                                                 \
            step16(&local, x + (size_t)i * sizeof(hk_block_q8_K), x_stride, acc, TOKENS);                     \
        }                                                                                                     \
        HK_UNROLL for (int t = 0; t < TOKENS; ++t) _mm512_storeu_ps(y + (size_t)t * y_stride, acc[t]);        \
    }                                                                                                         \
    void hk_kquant_gemm_packed_##name(int64_t n, const void *packed, const void *w, size_t row_bytes,         \
                                      int64_t row_begin, int64_t row_end, const void *x, size_t x_row_bytes,  \
                                      int64_t tokens, float *y, size_t y_stride) {                            \
        const int64_t nb = n / HK_QK_K;                                                                       \
        block16_type *panel = NULL;                                                                           \
        if (tokens > WIDE_TILE) {                                                                             \
            panel = hk_thread_scratch(1, (size_t)nb * sizeof(block16_type) + 1);                              \
            if (!panel) {                                                                                     \
                hk_rows_fallback(type, n, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y,        \
                                 y_stride);                                                                   \
                return;                                                                                       \
            }                                                                                                 \
        }                                                                                                     \
        for (int64_t row = row_begin; row < row_end; row += 16) {                                             \
            const packed_type *group = (const packed_type *)packed + (size_t)(row / 16) * (size_t)nb;         \
            const uint8_t *xt = x;                                                                            \
            float *out = y + row;                                                                             \
            if (panel) {                                                                                      \
                for (int64_t i = 0; i < nb; ++i) {                                                            \
                    prefetch_block(&group[nb + i], sizeof(packed_type));                                      \
                    unpack_packed(&group[i], &panel[i]);                                                      \
                }                                                                                             \
                for (int64_t t = 0; t < tokens; t += WIDE_TILE)                                               \
                    name##_tokens16(panel, nb, xt + (size_t)t * x_row_bytes, x_row_bytes,                    \
                                    out + (size_t)t * y_stride, y_stride,                                     \
                                    tokens - t < WIDE_TILE ? tokens - t : WIDE_TILE);                         \
                continue;                                                                                     \
            }                                                                                                 \
            switch (tokens) {                                                                                 \
            case 1: name##_packed_tile(group, nb, xt, x_row_bytes, out, y_stride, 1); break;                  \
            case 2: name##_packed_tile(group, nb, xt, x_row_bytes, out, y_stride, 2); break;                  \
            case 3: name##_packed_tile(group, nb, xt, x_row_bytes, out, y_stride, 3); break;                  \
            case 4: name##_packed_tile(group, nb, xt, x_row_bytes, out, y_stride, 4); break;                  \
            case 5: name##_packed_tile(group, nb, xt, x_row_bytes, out, y_stride, 5); break;                  \
            case 6: name##_packed_tile(group, nb, xt, x_row_bytes, out, y_stride, 6); break;                  \
            case 7: name##_packed_tile(group, nb, xt, x_row_bytes, out, y_stride, 7); break;                  \
            default: name##_packed_tile(group, nb, xt, x_row_bytes, out, y_stride, 8); break;                 \
            }                                                                                                 \
        }                                                                                                     \
    }

HK_DEFINE_K_PACKED(q4_K, HK_Q4_K, hk_block_q4_Kx16, q4_K_block16, unpack_packed_q4_K, q4_K_step16)
HK_DEFINE_K_PACKED(q6_K, HK_Q6_K, hk_block_q6_Kx16, q6_K_block16, unpack_packed_q6_K, q6_K_step16)

void hk_kquant_pack_rows(uint32_t weight_type, int64_t n, const void *w, size_t row_bytes, int64_t row_begin,
                         int64_t row_end, void *packed) {
    const int64_t nb = n / HK_QK_K;
    for (int64_t row = row_begin; row < row_end; row += 16) {
        if (weight_type == HK_Q4_K) pack_q4_K(nb, w, row_bytes, row, (hk_block_q4_Kx16 *)packed + (size_t)(row / 16) * (size_t)nb);
        else pack_q6_K(nb, w, row_bytes, row, (hk_block_q6_Kx16 *)packed + (size_t)(row / 16) * (size_t)nb);
    }
}

void hk_kquant_packed_row(uint32_t weight_type, int64_t n, const void *packed, int64_t row, void *out) {
    const int64_t nb = n / HK_QK_K;
    if (weight_type == HK_Q4_K) packed_row_q4_K(nb, (const hk_block_q4_Kx16 *)packed + (size_t)(row / 16) * (size_t)nb, (int)(row % 16), out);
    else packed_row_q6_K(nb, (const hk_block_q6_Kx16 *)packed + (size_t)(row / 16) * (size_t)nb, (int)(row % 16), out);
}

#pragma clang attribute pop
#endif
