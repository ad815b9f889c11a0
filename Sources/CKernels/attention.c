// Attention of one query token over the cached keys and values of one KV head, for the group of
// query heads that share it (grouped-query attention), in float32; and the gated activations of
// the feed-forward block. Plain C for every level, and AVX2 + FMA where the CPU has it.
//
// Per token and head: s_j = (q · k_j) · scale for the positions j of the span, p = softmax(s)
// (max subtracted, expf, the sum in double, one multiply by the float reciprocal, as Ops.softmax
// does), o = Σ_j p_j · v_j in position order. The AVX2 level keys each key and value row once
// for up to four heads, sums the dot products in eight lanes, and takes the exponentials eight at
// a time (hk_exp8, within 2 ulp of expf: at long contexts, one expf per score and head was the
// largest cost of a generated token); the Swift twin (Kernels/Attention.swift) sums in order and
// calls expf, so they agree to rounding.
#include <math.h>
#include "hk_internal.h"

#if HK_X86
#include <immintrin.h>
#endif

// Softmax of `count` scores in place: the part both levels share.
static void softmax_in_place(float *s, int64_t count) {
    float max = -INFINITY;
    for (int64_t j = 0; j < count; ++j) max = s[j] > max ? s[j] : max;
    double sum = 0;
    for (int64_t j = 0; j < count; ++j) {
        s[j] = expf(s[j] - max);
        sum += (double)s[j];
    }
    const float inverse = (float)(1.0 / sum);
    for (int64_t j = 0; j < count; ++j) s[j] *= inverse;
}

// How the cache holds keys and values. Float32 and binary16 rows are `stride` elements apart;
// Q8_0 rows are `stride` bytes apart, each head's elements in blocks of 32 (the last one shorter
// when the head is: only in tests' tiny models), starting at the head's first block.
typedef enum { KV_F32 = 0, KV_F16 = 1, KV_Q8_0 = 2 } kv_format;

// Element i of position j's cached row, widened exactly: binary16 to float, Q8_0 as d·q (an
// 11-bit d times a 7-bit q is exact in float).
static inline float kv_at(const void *base, size_t stride, int64_t j, int64_t i, const kv_format format) {
    switch (format) {
    case KV_F32: return ((const float *)base)[(size_t)j * stride + (size_t)i];
    case KV_F16: return hk_h2f(((const hk_half *)base)[(size_t)j * stride + (size_t)i]);
    default: {
        const hk_block_q8_0 *block = (const hk_block_q8_0 *)((const uint8_t *)base + (size_t)j * stride) + i / HK_QK;
        return hk_load_h2f(&block->d) * (float)block->qs[i % HK_QK];
    }
    }
}

static void attend_portable(const float *q, int group, int64_t head_size, const void *keys, const void *values, const kv_format format,
                            size_t key_stride, size_t value_stride, int64_t value_size, int64_t first, int64_t last, float scale,
                            float *scores, float *out) {
    const int64_t span = last - first + 1;
    for (int g = 0; g < group; ++g) {
        float *s = scores + (size_t)g * (size_t)span;
        const float *qg = q + (size_t)g * (size_t)head_size;
        for (int64_t j = first; j <= last; ++j) {
            float dot = 0;
            for (int64_t i = 0; i < head_size; ++i) dot += qg[i] * kv_at(keys, key_stride, j, i, format);
            s[j - first] = dot * scale;
        }
        softmax_in_place(s, span);
        float *o = out + (size_t)g * (size_t)value_size;
        for (int64_t i = 0; i < value_size; ++i) o[i] = 0;
        for (int64_t j = first; j <= last; ++j) {
            const float p = s[j - first];
            for (int64_t i = 0; i < value_size; ++i) o[i] += p * kv_at(values, value_stride, j, i, format);
        }
    }
}

#if HK_X86
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

#include "hk_exp.h"

// The eight sums of eight vectors, as one vector: [Σ a[0], Σ a[1], ..., Σ a[7]].
static inline __m256 dots8(const __m256 a[8]) {
    const __m256 t0 = _mm256_hadd_ps(a[0], a[1]), t1 = _mm256_hadd_ps(a[2], a[3]);
    const __m256 t2 = _mm256_hadd_ps(a[4], a[5]), t3 = _mm256_hadd_ps(a[6], a[7]);
    const __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
    // u0: sums of a[0..3] over lanes 0-3 (low half) and 4-7 (high half); u1 the same for a[4..7].
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

static inline float hmax8(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

// softmax_in_place's steps eight scores at a time: the maximum, e^(s − max) by hk_exp8 with the
// sum in double (two accumulators of four), then one multiply by the float reciprocal.
static void softmax_avx2(float *s, int64_t count) {
    __m256 vmax = _mm256_set1_ps(-INFINITY);
    int64_t j = 0;
    for (; j + 8 <= count; j += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(s + j));
    float max = hmax8(vmax);
    for (; j < count; ++j) max = s[j] > max ? s[j] : max;
    const __m256 vm = _mm256_set1_ps(max);
    __m256d sum0 = _mm256_setzero_pd(), sum1 = _mm256_setzero_pd();
    for (j = 0; j + 8 <= count; j += 8) {
        const __m256 e = hk_exp8(_mm256_sub_ps(_mm256_loadu_ps(s + j), vm));
        _mm256_storeu_ps(s + j, e);
        sum0 = _mm256_add_pd(sum0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        sum1 = _mm256_add_pd(sum1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
    const __m256d both = _mm256_add_pd(sum0, sum1);
    __m128d half = _mm_add_pd(_mm256_castpd256_pd128(both), _mm256_extractf128_pd(both, 1));
    double sum = _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)));
    for (; j < count; ++j) {
        s[j] = expf(s[j] - max);
        sum += (double)s[j];
    }
    const __m256 inverse = _mm256_set1_ps((float)(1.0 / sum));
    for (j = 0; j + 8 <= count; j += 8) _mm256_storeu_ps(s + j, _mm256_mul_ps(_mm256_loadu_ps(s + j), inverse));
    const float scalar = (float)(1.0 / sum);
    for (; j < count; ++j) s[j] *= scalar;
}

// The sum of one vector's eight lanes in the order dots8 sums each of its eight:
// ((v0 + v1) + (v2 + v3)) + ((v4 + v5) + (v6 + v7)), so that a score is the same float whichever
// of the two computes it.
static inline float sum8_pairwise(__m256 v) {
    const __m256 t = _mm256_hadd_ps(v, v);
    const __m256 u = _mm256_hadd_ps(t, t);
    return _mm_cvtss_f32(_mm_add_ss(_mm256_castps256_ps128(u), _mm256_extractf128_ps(u, 1)));
}

// Scaled dots of one query head with the keys of positions from...to, into s[0...to − from].
// Eight positions at a time: one accumulator per position (eight independent sums hide the FMA
// latency), each eight-float chunk of the query loaded once for the eight keys, the eight sums
// reduced together (dots8), not one horizontal sum per dot, which cost as much as the dot itself
// at a head size of 64. Every position's score is the same float in either loop.
static inline void score_span(const float *qh, int64_t head_size, const float *keys, size_t key_stride,
                              int64_t from, int64_t to, float scale, float *s) {
    const __m256 vscale = _mm256_set1_ps(scale);
    int64_t j = from;
    for (; j + 7 <= to; j += 8) {
        const float *k0 = keys + (size_t)j * key_stride;
        __m256 acc[8];
        for (int p = 0; p < 8; ++p) acc[p] = _mm256_setzero_ps();
        int64_t i = 0;
        for (; i + 8 <= head_size; i += 8) {
            const __m256 qv = _mm256_loadu_ps(qh + i);
            for (int p = 0; p < 8; ++p)
                acc[p] = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k0 + (size_t)p * key_stride + (size_t)i), acc[p]);
        }
        __m256 dots = dots8(acc);
        if (i < head_size) {
            float partial[8];
            _mm256_storeu_ps(partial, dots);
            for (int p = 0; p < 8; ++p)
                for (int64_t r = i; r < head_size; ++r) partial[p] += qh[r] * k0[(size_t)p * key_stride + (size_t)r];
            dots = _mm256_loadu_ps(partial);
        }
        _mm256_storeu_ps(s + (j - from), _mm256_mul_ps(dots, vscale));
    }
    for (; j <= to; ++j) {
        const float *k = keys + (size_t)j * key_stride;
        __m256 acc = _mm256_setzero_ps();
        int64_t i = 0;
        for (; i + 8 <= head_size; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(qh + i), _mm256_loadu_ps(k + i), acc);
        float dot = sum8_pairwise(acc);
        for (int64_t r = i; r < head_size; ++r) dot += qh[r] * k[r];
        s[j - from] = dot * scale;
    }
}

// o += Σ_{j = from...to} p[j − from] · v_j, each output value summed in position order with fused
// multiply-adds, except the values past the last multiple of 16 (a multiply and an add), as before
// the values were split into tiles, so tiles change nothing. Sixty-four values at a time where
// they fit: eight independent sums per position (two alone waited on the FMA latency).
static inline void accumulate_span(const float *p, const float *values, size_t value_stride, int64_t value_size,
                                   int64_t from, int64_t to, float *o) {
    int64_t i = 0;
    for (; i + 64 <= value_size; i += 64) {
        __m256 acc[8];
        for (int k = 0; k < 8; ++k) acc[k] = _mm256_loadu_ps(o + i + 8 * k);
        for (int64_t j = from; j <= to; ++j) {
            const float *v = values + (size_t)j * value_stride + (size_t)i;
            const __m256 w = _mm256_broadcast_ss(p + (j - from));
            for (int k = 0; k < 8; ++k) acc[k] = _mm256_fmadd_ps(w, _mm256_loadu_ps(v + 8 * k), acc[k]);
        }
        for (int k = 0; k < 8; ++k) _mm256_storeu_ps(o + i + 8 * k, acc[k]);
    }
    for (; i + 16 <= value_size; i += 16) {
        __m256 lo = _mm256_loadu_ps(o + i), hi = _mm256_loadu_ps(o + i + 8);
        for (int64_t j = from; j <= to; ++j) {
            const float *v = values + (size_t)j * value_stride + (size_t)i;
            const __m256 w = _mm256_broadcast_ss(p + (j - from));
            lo = _mm256_fmadd_ps(w, _mm256_loadu_ps(v), lo);
            hi = _mm256_fmadd_ps(w, _mm256_loadu_ps(v + 8), hi);
        }
        _mm256_storeu_ps(o + i, lo);
        _mm256_storeu_ps(o + i + 8, hi);
    }
    for (; i < value_size; ++i) {
        float acc = o[i];
        for (int64_t j = from; j <= to; ++j) acc += p[j - from] * values[(size_t)j * value_stride + (size_t)i];
        o[i] = acc;
    }
}

// Positions per tile: about 16 KiB of keys (or values), so a tile stays in L1 while every row and
// head of the block uses it; a multiple of 8.
static inline int64_t tile_positions(int64_t row_floats) {
    int64_t n = 16384 / (4 * (row_floats > 0 ? row_floats : 1));
    n -= n % 8;
    return n < 8 ? 8 : n;
}

// A half or Q8_0 cache's tile, positions t0...t1 of rows `size` elements long (`stride` apart),
// widened exactly into `out` (`size` floats apart): converted once per tile, then read by every row
// and head of the block as a Float32 tile would be.
static void widen_tile(const void *base, const kv_format format, size_t stride, int64_t size, int64_t t0, int64_t t1, float *out) {
    for (int64_t j = t0; j <= t1; ++j) {
        float *o = out + (size_t)(j - t0) * (size_t)size;
        if (format == KV_F16) {
            const hk_half *row = (const hk_half *)base + (size_t)j * stride;
            int64_t i = 0;
            for (; i + 8 <= size; i += 8) _mm256_storeu_ps(o + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + i))));
            for (; i < size; ++i) o[i] = hk_h2f(row[i]);
            continue;
        }
        const hk_block_q8_0 *blocks = (const hk_block_q8_0 *)((const uint8_t *)base + (size_t)j * stride);
        int64_t b = 0;
        // Whole blocks: d widened by F16C (exact, as hk_h2f), 32 bytes in two loads, 4 × 8 products.
        for (; (b + 1) * HK_QK <= size; ++b) {
            uint16_t dh;
            memcpy(&dh, &blocks[b].d, sizeof dh);
            const __m256 d8 = _mm256_set1_ps(_cvtsh_ss(dh));
            const __m128i lo = _mm_loadu_si128((const __m128i *)blocks[b].qs);
            const __m128i hi = _mm_loadu_si128((const __m128i *)(blocks[b].qs + 16));
            float *ob = o + b * HK_QK;
            _mm256_storeu_ps(ob, _mm256_mul_ps(d8, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo))));
            _mm256_storeu_ps(ob + 8, _mm256_mul_ps(d8, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8)))));
            _mm256_storeu_ps(ob + 16, _mm256_mul_ps(d8, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi))));
            _mm256_storeu_ps(ob + 24, _mm256_mul_ps(d8, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8)))));
        }
        // A shorter last block (heads that are not a multiple of 32: tests' tiny models).
        if (b * HK_QK < size) {
            const float d = hk_load_h2f(&blocks[b].d);
            for (int64_t i = 0; b * HK_QK + i < size; ++i) o[b * HK_QK + i] = d * (float)blocks[b].qs[i];
        }
    }
}

// The part of tile t0...t1 inside row r's span, in *from...*to; false where they do not meet.
static inline int clip_to_row(int64_t t0, int64_t t1, int64_t first, int64_t last, int64_t *from, int64_t *to) {
    *from = t0 > first ? t0 : first;
    *to = t1 < last ? t1 : last;
    return *from <= *to;
}

// Attention of `rows` query rows (consecutive tokens of one sequence) for `group` heads over one
// key/value head, row r over positions first[r]...last[r]. Keys and values are read in tiles, each
// tile once for all rows and heads of the block (a row alone read every cached key and value
// once per row, from L3 at long contexts: a 512-token prompt after 4,096 cached tokens moved some
// 100 GB). Each row's result is the same float for float as with rows = 1. With a half or Q8_0
// cache (`widened` not NULL, room for a tile of keys or of values), each tile is widened into it first.
static void attend_rows_avx2(const float *q, size_t q_stride, int rows, int group, int64_t head_size,
                             const void *keys, const void *values, const kv_format format, float *widened,
                             size_t key_stride, size_t value_stride,
                             int64_t value_size, const int64_t *first, const int64_t *last, float scale,
                             float *scores, size_t span_capacity, float *out, size_t out_stride) {
    int64_t low = first[0], high = last[0];
    for (int r = 1; r < rows; ++r) {
        low = first[r] < low ? first[r] : low;
        high = last[r] > high ? last[r] : high;
    }
    // Scores, key tile by key tile.
    const int64_t key_tile = tile_positions(head_size);
    for (int64_t t0 = low; t0 <= high; t0 += key_tile) {
        const int64_t t1 = t0 + key_tile - 1 < high ? t0 + key_tile - 1 : high;
        // The tile's keys, and where position t0 sits in them.
        const float *tile = widened ? widened : (const float *)keys + (size_t)t0 * key_stride;
        const size_t stride = widened ? (size_t)head_size : key_stride;
        if (widened) widen_tile(keys, format, key_stride, head_size, t0, t1, widened);
        for (int r = 0; r < rows; ++r) {
            int64_t from, to;
            if (!clip_to_row(t0, t1, first[r], last[r], &from, &to)) continue;
            for (int g = 0; g < group; ++g)
                score_span(q + (size_t)r * q_stride + (size_t)g * (size_t)head_size, head_size, tile, stride,
                           from - t0, to - t0, scale, scores + ((size_t)r * (size_t)group + (size_t)g) * span_capacity + (size_t)(from - first[r]));
        }
    }
    for (int r = 0; r < rows; ++r)
        for (int g = 0; g < group; ++g) {
            softmax_avx2(scores + ((size_t)r * (size_t)group + (size_t)g) * span_capacity, last[r] - first[r] + 1);
            float *o = out + (size_t)r * out_stride + (size_t)g * (size_t)value_size;
            for (int64_t i = 0; i < value_size; ++i) o[i] = 0;
        }
    // Weighted values, value tile by value tile.
    const int64_t value_tile = tile_positions(value_size);
    for (int64_t t0 = low; t0 <= high; t0 += value_tile) {
        const int64_t t1 = t0 + value_tile - 1 < high ? t0 + value_tile - 1 : high;
        const float *tile = widened ? widened : (const float *)values + (size_t)t0 * value_stride;
        const size_t stride = widened ? (size_t)value_size : value_stride;
        if (widened) widen_tile(values, format, value_stride, value_size, t0, t1, widened);
        for (int r = 0; r < rows; ++r) {
            int64_t from, to;
            if (!clip_to_row(t0, t1, first[r], last[r], &from, &to)) continue;
            for (int g = 0; g < group; ++g)
                accumulate_span(scores + ((size_t)r * (size_t)group + (size_t)g) * span_capacity + (size_t)(from - first[r]),
                                tile, stride, value_size, from - t0, to - t0,
                                out + (size_t)r * out_stride + (size_t)g * (size_t)value_size);
        }
    }
}

static void f32_to_f16_avx2(const float *x, hk_half *out, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(out + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    for (; i < n; ++i) out[i] = hk_f2h(x[i]);
}

#pragma clang attribute pop
#endif

static int attend_rows(const float *q, size_t q_stride, int rows, int group, int64_t head_size, const void *keys,
                       const void *values, const kv_format format, size_t key_stride, size_t value_stride, int64_t value_size,
                       const int64_t *first, const int64_t *last, float scale, float *out, size_t out_stride) {
    if (rows <= 0 || group <= 0) return 0;
    size_t span_capacity = 0;
    for (int r = 0; r < rows; ++r) {
        if (first[r] < 0 || last[r] < first[r]) return 0;
        const size_t span = (size_t)(last[r] - first[r] + 1);
        span_capacity = span > span_capacity ? span : span_capacity;
    }
    float *scores = hk_thread_scratch(3, (size_t)rows * (size_t)group * span_capacity * sizeof(float));
    if (!scores) return 0;
#if HK_X86
    if (hk_active_level() >= HK_LEVEL_AVX2) {
        float *widened = NULL;
        if (format != KV_F32) {
            const int64_t key_floats = tile_positions(head_size) * head_size, value_floats = tile_positions(value_size) * value_size;
            widened = hk_thread_scratch(4, (size_t)(key_floats > value_floats ? key_floats : value_floats) * sizeof(float));
            if (!widened) return 0;
        }
        attend_rows_avx2(q, q_stride, rows, group, head_size, keys, values, format, widened, key_stride, value_stride, value_size,
                         first, last, scale, scores, span_capacity, out, out_stride);
        return 1;
    }
#endif
    for (int r = 0; r < rows; ++r)
        attend_portable(q + (size_t)r * q_stride, group, head_size, keys, values, format, key_stride, value_stride, value_size,
                        first[r], last[r], scale, scores, out + (size_t)r * out_stride);
    return 1;
}

int hk_attend_rows(const float *q, size_t q_stride, int rows, int group, int64_t head_size, const float *keys,
                   const float *values, size_t key_stride, size_t value_stride, int64_t value_size,
                   const int64_t *first, const int64_t *last, float scale, float *out, size_t out_stride) {
    return attend_rows(q, q_stride, rows, group, head_size, keys, values, KV_F32, key_stride, value_stride, value_size,
                       first, last, scale, out, out_stride);
}

int hk_attend_rows_f16(const float *q, size_t q_stride, int rows, int group, int64_t head_size, const uint16_t *keys,
                       const uint16_t *values, size_t key_stride, size_t value_stride, int64_t value_size,
                       const int64_t *first, const int64_t *last, float scale, float *out, size_t out_stride) {
    return attend_rows(q, q_stride, rows, group, head_size, keys, values, KV_F16, key_stride, value_stride, value_size,
                       first, last, scale, out, out_stride);
}

int hk_attend_rows_q8_0(const float *q, size_t q_stride, int rows, int group, int64_t head_size, const void *keys,
                        const void *values, size_t key_row_bytes, size_t value_row_bytes, int64_t value_size,
                        const int64_t *first, const int64_t *last, float scale, float *out, size_t out_stride) {
    return attend_rows(q, q_stride, rows, group, head_size, keys, values, KV_Q8_0, key_row_bytes, value_row_bytes, value_size,
                       first, last, scale, out, out_stride);
}

void hk_quantize_kv_q8_0(const float *x, int64_t heads, int64_t head_size, void *out) {
    const int64_t whole = head_size / HK_QK, blocks = (head_size + HK_QK - 1) / HK_QK;
    hk_block_q8_0 *y = out;
    for (int64_t h = 0; h < heads; ++h, x += head_size, y += blocks) {
        if (whole > 0) hk_quantize_q8_0(x, y, whole * HK_QK);
        const int64_t tail = head_size - whole * HK_QK;
        if (tail == 0) continue;
        // A head shorter than a block, or not a multiple of one: the last block's rule over its
        // `tail` elements (the rest of its qs zero).
        const float *t = x + whole * HK_QK;
        float amax = 0.0f;
        for (int64_t i = 0; i < tail; ++i) amax = fabsf(t[i]) > amax ? fabsf(t[i]) : amax;
        const float d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
        hk_block_q8_0 *b = y + whole;
        const hk_half dh = hk_f2h(d);
        memcpy(&b->d, &dh, sizeof dh);
        for (int64_t i = 0; i < HK_QK; ++i) {
            const float r = i < tail ? roundf(t[i] * id) : 0.0f;
            b->qs[i] = (r >= -128.0f && r <= 127.0f) ? (int8_t)r : 0;
        }
    }
}

void hk_f32_to_f16(const float *x, uint16_t *out, int64_t n) {
#if HK_X86
    if (hk_active_level() >= HK_LEVEL_AVX2) {
        f32_to_f16_avx2(x, out, n);
        return;
    }
#endif
    for (int64_t i = 0; i < n; ++i) out[i] = hk_f2h(x[i]);
}

int hk_attend(const float *q, int group, int64_t head_size, const float *keys, const float *values,
              size_t key_stride, size_t value_stride, int64_t value_size, int64_t first, int64_t last, float scale, float *out) {
    return hk_attend_rows(q, 0, 1, group, head_size, keys, values, key_stride, value_stride, value_size,
                          &first, &last, scale, out, 0);
}
