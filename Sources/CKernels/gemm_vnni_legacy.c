// Q4_0, Q4_1, Q5_0 and Q8_0 rows through the row-interleaved kernels: see gemm_vnni.h.
#include "gemm_vnni.h"

#if HK_X86
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512vnni"))), apply_to = function)

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

// Sixteen rows of one block for the 512-bit panel: two groups of eight side by side, dword k of row
// r at q[64k + 4r] (the first group's rows in the low half), then the sixteen rows' scales (and Q4_1's
// mins). One 512-bit vpdpbusd then multiplies four elements of sixteen rows: half the instructions
// and the activation broadcasts of two 256-bit ones, and both of the cores' 512-bit ports busy. Each
// lane's arithmetic is the 256-bit tile's, so the outputs are unchanged bit for bit.
typedef struct { uint8_t q[512]; float d[16]; float m[16]; } legacy_block16;

// One token's term for block b of sixteen rows (q, dw and Q4_1's mw unpacked), its activation
// bytes at xq: (dw·dy)·isum (+ mw·sy). The one statement of the 512-bit tiles' arithmetic, which
// the bitwise tests pin.
static inline __attribute__((always_inline)) __m512 wide_block_term(
    const int type, const __m512i q[8], __m512 dw, __m512 mw, const uint8_t *xq, const legacy_activation a) {
    __m512i s0 = _mm512_set1_epi32(a.minus_offset_sum), s1 = _mm512_setzero_si512();
    HK_UNROLL for (int k = 0; k < 4; ++k) {
        s0 = _mm512_dpbusd_epi32(s0, q[2 * k], broadcast_dword512(xq + 8 * k));
        s1 = _mm512_dpbusd_epi32(s1, q[2 * k + 1], broadcast_dword512(xq + 8 * k + 4));
    }
    const __m512i isum = _mm512_add_epi32(s0, s1);
    const __m512 scale = _mm512_mul_ps(dw, _mm512_set1_ps(a.d));
    __m512 term = _mm512_mul_ps(scale, _mm512_cvtepi32_ps(isum));
    if (type == HK_Q4_1) term = _mm512_add_ps(term, _mm512_mul_ps(mw, _mm512_set1_ps(a.s)));
    return term;
}

// TOKENS tokens against sixteen rows of the panel, over nb blocks; all sixteen outputs are stored.
static inline __attribute__((always_inline)) void legacy_tile16(
    const int type, const legacy_block16 *panel, int64_t nb, const uint8_t *x, size_t x_stride,
    const legacy_activation *act, float *y, size_t y_stride, const int TOKENS) {
    __m512 acc[WIDE_TILE];
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        __m512i q[8];
        HK_UNROLL for (int k = 0; k < 8; ++k) q[k] = _mm512_load_si512((const void *)(panel[b].q + 64 * k));
        const __m512 dw = _mm512_load_ps(panel[b].d);
        const __m512 mw = type == HK_Q4_1 ? _mm512_load_ps(panel[b].m) : _mm512_setzero_ps();
        HK_UNROLL for (int t = 0; t < TOKENS; ++t) {
            const uint8_t *xq = x + (size_t)t * x_stride + (size_t)b * activation_bytes(type) + activation_qs(type);
            acc[t] = _mm512_add_ps(acc[t], wide_block_term(type, q, dw, mw, xq, act[(size_t)t * (size_t)nb + (size_t)b]));
        }
    }
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) _mm512_storeu_ps(y + (size_t)t * y_stride, acc[t]);
}

// Every token against the sixteen rows of a filled panel, eight at a time; y at the first row.
static inline __attribute__((always_inline)) void panel_tokens(
    const int type, const legacy_block16 *panel, int64_t nb, const uint8_t *x, size_t x_row_bytes,
    const legacy_activation *act, int64_t tokens, float *y, size_t y_stride) {
    int64_t t = 0;
    for (; t + WIDE_TILE <= tokens; t += WIDE_TILE)
        legacy_tile16(type, panel, nb, x + (size_t)t * x_row_bytes, x_row_bytes, act + t * nb, y + (size_t)t * y_stride, y_stride, WIDE_TILE);
    const uint8_t *xt = x + (size_t)t * x_row_bytes;
    float *yt = y + (size_t)t * y_stride;
    switch (tokens - t) {
    case 1: legacy_tile16(type, panel, nb, xt, x_row_bytes, act + t * nb, yt, y_stride, 1); break;
    case 2: legacy_tile16(type, panel, nb, xt, x_row_bytes, act + t * nb, yt, y_stride, 2); break;
    case 3: legacy_tile16(type, panel, nb, xt, x_row_bytes, act + t * nb, yt, y_stride, 3); break;
    case 4: legacy_tile16(type, panel, nb, xt, x_row_bytes, act + t * nb, yt, y_stride, 4); break;
    case 5: legacy_tile16(type, panel, nb, xt, x_row_bytes, act + t * nb, yt, y_stride, 5); break;
    case 6: legacy_tile16(type, panel, nb, xt, x_row_bytes, act + t * nb, yt, y_stride, 6); break;
    case 7: legacy_tile16(type, panel, nb, xt, x_row_bytes, act + t * nb, yt, y_stride, 7); break;
    default: break;
    }
}

// Sixteen rows (two full groups at `row`) against every token, through the 512-bit panel.
static inline __attribute__((always_inline)) void legacy_rows16(
    const int type, const uint8_t *w, size_t row_bytes, int64_t row, int64_t nb, legacy_block16 *panel,
    const uint8_t *x, size_t x_row_bytes, const legacy_activation *act, int64_t tokens, float *y, size_t y_stride) {
    for (int half = 0; half < 2; ++half) {
        const uint8_t *rows[GROUP_ROWS];
        group_rows(w, row_bytes, row + GROUP_ROWS * half, row + 2 * GROUP_ROWS, rows);
        for (int64_t b = 0; b < nb; ++b) {
            __m256i q[8];
            __m256 m = _mm256_setzero_ps();
            prefetch_next_group(rows[0], 2 * GROUP_ROWS * row_bytes, b, legacy_bytes(type));
            _mm256_store_ps(panel[b].d + GROUP_ROWS * half, unpack_legacy(type, rows, b, q, &m, 1));
            _mm256_store_ps(panel[b].m + GROUP_ROWS * half, m);
            HK_UNROLL for (int k = 0; k < 8; ++k) _mm256_store_si256((__m256i *)(panel[b].q + 64 * k + 32 * half), q[k]);
        }
    }
    panel_tokens(type, panel, nb, x, x_row_bytes, act, tokens, y + row, y_stride);
}

// Each activation block's scale, −o·Σy and (Q8_1) stored sum, token after token.
static inline __attribute__((always_inline)) void legacy_activations(
    const int type, const uint8_t *activations, size_t x_row_bytes, int64_t tokens, int64_t nb, legacy_activation *act) {
    const int offset = legacy_offset(type);
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
}

// Inlined into each type's entry point, so that `type` is a constant and every branch on it folds.
static inline __attribute__((always_inline)) void rows_legacy(const int type, int64_t n, const void *w, size_t row_bytes, int64_t row_begin,
                        int64_t row_end, const void *x, size_t x_row_bytes, int64_t tokens, float *y,
                        size_t y_stride) {
    const int64_t nb = n / HK_QK;
    const uint8_t *activations = x;
    legacy_activation *act = hk_thread_scratch(2, (size_t)(tokens * nb) * sizeof(legacy_activation) + 1);
    // One scratch holds either panel: the 16-row one for full pairs of groups, the 8-row one for a
    // last group.
    void *panel_memory = tokens > TOKEN_TILE ? hk_thread_scratch(1, (size_t)nb * sizeof(legacy_block16) + 1) : NULL;
    legacy_block *panel = panel_memory;
    if (!act || (tokens > TOKEN_TILE && !panel)) {
        hk_rows_fallback(type, n, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y, y_stride);
        return;
    }
    const size_t ahead = GROUP_ROWS * row_bytes;
    legacy_activations(type, activations, x_row_bytes, tokens, nb, act);
    for (int64_t row = row_begin; row < row_end; row += GROUP_ROWS) {
        if (tokens > TOKEN_TILE && row_end - row >= 2 * GROUP_ROWS) {
            legacy_rows16(type, w, row_bytes, row, nb, panel_memory, activations, x_row_bytes, act, tokens, y, y_stride);
            row += GROUP_ROWS;
            continue;
        }
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
            prefetch_next_group(rows[0], ahead, b, legacy_bytes(type));
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

// MARK: - Q5_0 and Q8_0 packed at load
//
// Unpacking eight rows costs the panel a transpose (24 shuffles) per block, and the shuffles share
// the port that 512-bit vpdpbusd uses: at sixteen tokens that was about half of Q5_0's kernel time.
// Packed at load (hk_block_q5_0x16, hk_block_q8_0x16), sixteen rows' bytes already lie as the
// vpdpbusd reads them: Q8_0 needs no unpacking at all, Q5_0 two masks and a shift per 64 bytes.
// The integer sums and the float steps are the panel's, so every output is unchanged bit for bit.

static inline size_t packed_block_bytes(int type) {
    return type == HK_Q5_0 ? sizeof(hk_block_q5_0x16) : sizeof(hk_block_q8_0x16);
}

// Block b of a packed group of sixteen rows as unsigned bytes (q[k] lane r: elements 4k..4k+3 of
// row r, u = q + o) and the rows' scales.
static inline __attribute__((always_inline)) __m512 unpack_packed(const int type, const uint8_t *group, int64_t b, __m512i q[8]) {
    const uint8_t *block = group + (size_t)b * packed_block_bytes(type);
    if (type == HK_Q8_0) {
        const hk_block_q8_0x16 *p = (const hk_block_q8_0x16 *)block;
        HK_UNROLL for (int k = 0; k < 8; ++k) q[k] = _mm512_loadu_si512((const void *)(p->qs + 64 * k));
        return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p->d));
    }
    const hk_block_q5_0x16 *p = (const hk_block_q5_0x16 *)block;
    const __m512i low = _mm512_set1_epi8(0x0f), fifth = _mm512_set1_epi8(0x10);
    HK_UNROLL for (int c = 0; c < 4; ++c) {
        const __m512i v = _mm512_loadu_si512((const void *)(p->qs + 64 * c));
        q[c] = _mm512_and_si512(v, low);
        q[c + 4] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low);
    }
    HK_UNROLL for (int k = 0; k < 8; ++k) q[k] = _mm512_mask_add_epi8(q[k], _cvtu64_mask64(p->qh[k]), q[k], fifth);
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p->d));
}

// TOKENS (at most eight) tokens against a packed group, unpacking each block as it goes: the
// arithmetic of legacy_tile16 (wide_block_term), lane for lane. With `ahead`, the same block of the group that far
// on is prefetched, as the unpacked path does: one token's arithmetic outruns the prefetchers.
static inline __attribute__((always_inline)) void packed_tile(
    const int type, const uint8_t *group, int64_t nb, const uint8_t *x, size_t x_stride,
    const legacy_activation *act, float *y, size_t y_stride, size_t ahead, const int TOKENS) {
    __m512 acc[WIDE_TILE];
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        if (ahead) {
            const uint8_t *next = group + ahead + (size_t)b * packed_block_bytes(type);
            for (size_t offset = 0; offset < packed_block_bytes(type); offset += 64) _mm_prefetch((const char *)(next + offset), _MM_HINT_T0);
        }
        __m512i q[8];
        const __m512 dw = unpack_packed(type, group, b, q);
        HK_UNROLL for (int t = 0; t < TOKENS; ++t) {
            const uint8_t *xq = x + (size_t)t * x_stride + (size_t)b * activation_bytes(type) + activation_qs(type);
            acc[t] = _mm512_add_ps(acc[t], wide_block_term(type, q, dw, _mm512_setzero_ps(), xq, act[(size_t)t * (size_t)nb + (size_t)b]));
        }
    }
    HK_UNROLL for (int t = 0; t < TOKENS; ++t) _mm512_storeu_ps(y + (size_t)t * y_stride, acc[t]);
}

static inline __attribute__((always_inline)) void rows_packed(const int type, int64_t n, const uint8_t *packed, const void *w,
                        size_t row_bytes, int64_t row_begin, int64_t row_end, const uint8_t *x, size_t x_row_bytes,
                        int64_t tokens, float *y, size_t y_stride) {
    const int64_t nb = n / HK_QK;
    legacy_activation *act = hk_thread_scratch(2, (size_t)(tokens * nb) * sizeof(legacy_activation) + 1);
    // More than one tile of tokens: each Q5_0 block is unpacked once into the panel, as unpacked
    // rows are, and every tile reads it from there. Q8_0's packed blocks are a panel already.
    const int paneled = type == HK_Q5_0 && tokens > WIDE_TILE;
    legacy_block16 *panel = paneled ? hk_thread_scratch(1, (size_t)nb * sizeof(legacy_block16) + 1) : NULL;
    if (!act || (paneled && !panel)) {
        hk_rows_fallback(type, n, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y, y_stride);
        return;
    }
    legacy_activations(type, x, x_row_bytes, tokens, nb, act);
    for (int64_t row = row_begin; row < row_end; row += 16) {
        const uint8_t *group = packed + (size_t)(row / 16) * (size_t)nb * packed_block_bytes(type);
        float *out = y + row;
        if (panel) {
            const uint8_t *next = group + (size_t)nb * packed_block_bytes(type);
            for (int64_t b = 0; b < nb; ++b) {
                for (size_t offset = 0; offset < packed_block_bytes(type); offset += 64)
                    _mm_prefetch((const char *)(next + (size_t)b * packed_block_bytes(type) + offset), _MM_HINT_T0);
                __m512i q[8];
                _mm512_store_ps(panel[b].d, unpack_packed(type, group, b, q));
                HK_UNROLL for (int k = 0; k < 8; ++k) _mm512_store_si512((void *)(panel[b].q + 64 * k), q[k]);
            }
            panel_tokens(type, panel, nb, x, x_row_bytes, act, tokens, out, y_stride);
            continue;
        }
        for (int64_t t = 0; t < tokens; t += WIDE_TILE) {
            const uint8_t *xt = x + (size_t)t * x_row_bytes;
            const legacy_activation *at = act + t * nb;
            float *yt = out + (size_t)t * y_stride;
            const size_t ahead = t == 0 ? (size_t)nb * packed_block_bytes(type) : 0;
            switch (tokens - t) {
            case 1: packed_tile(type, group, nb, xt, x_row_bytes, at, yt, y_stride, ahead, 1); break;
            case 2: packed_tile(type, group, nb, xt, x_row_bytes, at, yt, y_stride, ahead, 2); break;
            case 3: packed_tile(type, group, nb, xt, x_row_bytes, at, yt, y_stride, ahead, 3); break;
            case 4: packed_tile(type, group, nb, xt, x_row_bytes, at, yt, y_stride, ahead, 4); break;
            case 5: packed_tile(type, group, nb, xt, x_row_bytes, at, yt, y_stride, ahead, 5); break;
            case 6: packed_tile(type, group, nb, xt, x_row_bytes, at, yt, y_stride, ahead, 6); break;
            case 7: packed_tile(type, group, nb, xt, x_row_bytes, at, yt, y_stride, ahead, 7); break;
            default: packed_tile(type, group, nb, xt, x_row_bytes, at, yt, y_stride, ahead, 8); break;
            }
        }
    }
}

static void pack_rows(const int type, int64_t n, const uint8_t *w, size_t row_bytes, int64_t row_begin, int64_t row_end,
                      uint8_t *packed) {
    const int64_t nb = n / HK_QK;
    for (int64_t row = row_begin; row < row_end; row += 16)
        for (int64_t b = 0; b < nb; ++b) {
            uint8_t *out = packed + ((size_t)(row / 16) * (size_t)nb + (size_t)b) * packed_block_bytes(type);
            if (type == HK_Q5_0) memset(((hk_block_q5_0x16 *)out)->qh, 0, sizeof(((hk_block_q5_0x16 *)out)->qh));
            for (int r = 0; r < 16; ++r) {
                const uint8_t *block = w + (size_t)(row + r) * row_bytes + (size_t)b * legacy_bytes(type);
                // Four elements (one dword) at a time: dword k of row r goes to bytes 4r..4r+3 of
                // vector k.
                if (type == HK_Q8_0) {
                    const hk_block_q8_0 *src = (const hk_block_q8_0 *)block;
                    hk_block_q8_0x16 *dst = (hk_block_q8_0x16 *)out;
                    memcpy(&dst->d[r], &src->d, 2);
                    for (int k = 0; k < 8; ++k) {
                        uint32_t four;
                        memcpy(&four, src->qs + 4 * k, 4);
                        four ^= 0x80808080u; // u = q + 128, byte by byte
                        memcpy(dst->qs + 64 * k + 4 * r, &four, 4);
                    }
                } else {
                    const hk_block_q5_0 *src = (const hk_block_q5_0 *)block;
                    hk_block_q5_0x16 *dst = (hk_block_q5_0x16 *)out;
                    memcpy(&dst->d[r], &src->d, 2);
                    uint32_t high;
                    memcpy(&high, src->qh, 4);
                    for (int k = 0; k < 8; ++k) dst->qh[k] |= (uint64_t)((high >> (4 * k)) & 0xfu) << (4 * r);
                    for (int c = 0; c < 4; ++c) memcpy(dst->qs + 64 * c + 4 * r, src->qs + 4 * c, 4);
                }
            }
        }
}

// Row `row` of a packed matrix back in its stored blocks: the inverse of pack_rows.
static void packed_row(const int type, int64_t n, const uint8_t *packed, int64_t row, uint8_t *out) {
    const int64_t nb = n / HK_QK;
    const int r = (int)(row % 16);
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t *block = packed + ((size_t)(row / 16) * (size_t)nb + (size_t)b) * packed_block_bytes(type);
        uint8_t *dst = out + (size_t)b * legacy_bytes(type);
        if (type == HK_Q8_0) {
            const hk_block_q8_0x16 *src = (const hk_block_q8_0x16 *)block;
            memcpy(dst, &src->d[r], 2);
            for (int k = 0; k < 8; ++k) {
                uint32_t four;
                memcpy(&four, src->qs + 64 * k + 4 * r, 4);
                four ^= 0x80808080u;
                memcpy(((hk_block_q8_0 *)dst)->qs + 4 * k, &four, 4);
            }
        } else {
            const hk_block_q5_0x16 *src = (const hk_block_q5_0x16 *)block;
            memcpy(dst, &src->d[r], 2);
            uint32_t high = 0;
            for (int k = 0; k < 8; ++k) high |= (uint32_t)((src->qh[k] >> (4 * r)) & 0xfu) << (4 * k);
            memcpy(((hk_block_q5_0 *)dst)->qh, &high, 4);
            for (int c = 0; c < 4; ++c) memcpy(((hk_block_q5_0 *)dst)->qs + 4 * c, src->qs + 64 * c + 4 * r, 4);
        }
    }
}

void hk_legacy_packed_row(uint32_t weight_type, int64_t n, const void *packed, int64_t row, void *out) {
    if (weight_type == HK_Q5_0) packed_row(HK_Q5_0, n, packed, row, out);
    else packed_row(HK_Q8_0, n, packed, row, out);
}

void hk_legacy_pack_rows(uint32_t weight_type, int64_t n, const void *w, size_t row_bytes, int64_t row_begin,
                         int64_t row_end, void *packed) {
    if (weight_type == HK_Q5_0) pack_rows(HK_Q5_0, n, w, row_bytes, row_begin, row_end, packed);
    else pack_rows(HK_Q8_0, n, w, row_bytes, row_begin, row_end, packed);
}

void hk_legacy_gemm_packed(uint32_t weight_type, int64_t n, const void *packed, const void *w, size_t row_bytes,
                           int64_t row_begin, int64_t row_end, const void *x, size_t x_row_bytes, int64_t tokens,
                           float *y, size_t y_stride) {
    if (weight_type == HK_Q5_0) rows_packed(HK_Q5_0, n, packed, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y, y_stride);
    else rows_packed(HK_Q8_0, n, packed, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y, y_stride);
}

#pragma clang attribute pop
#endif
