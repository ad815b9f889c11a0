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

static void attend_portable(const float *q, int group, int64_t head_size, const float *keys, const float *values,
                            size_t key_stride, size_t value_stride, int64_t value_size, int64_t first, int64_t last, float scale,
                            float *scores, float *out) {
    const int64_t span = last - first + 1;
    for (int g = 0; g < group; ++g) {
        float *s = scores + (size_t)g * (size_t)span;
        const float *qg = q + (size_t)g * (size_t)head_size;
        for (int64_t j = first; j <= last; ++j) {
            const float *k = keys + (size_t)j * key_stride;
            float dot = 0;
            for (int64_t i = 0; i < head_size; ++i) dot += qg[i] * k[i];
            s[j - first] = dot * scale;
        }
        softmax_in_place(s, span);
        float *o = out + (size_t)g * (size_t)value_size;
        for (int64_t i = 0; i < value_size; ++i) o[i] = 0;
        for (int64_t j = first; j <= last; ++j) {
            const float *v = values + (size_t)j * value_stride;
            const float p = s[j - first];
            for (int64_t i = 0; i < value_size; ++i) o[i] += p * v[i];
        }
    }
}

#if HK_X86
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

#include "hk_exp.h"

static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
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

// Up to four heads (G) at a time: each key and value row is loaded once for all of them.
static inline __attribute__((always_inline)) void attend_heads(
    const float *q, int64_t head_size, const float *keys, const float *values, size_t key_stride, size_t value_stride,
    int64_t value_size, int64_t first, int64_t last, float scale, float *scores, size_t span, float *out,
    const int G) {
    // Two positions at a time: eight independent sums hide the FMA latency (four would not).
    int64_t j = first;
    for (; j + 1 <= last; j += 2) {
        const float *k0 = keys + (size_t)j * key_stride, *k1 = k0 + key_stride;
        __m256 acc0[4], acc1[4];
        for (int g = 0; g < G; ++g) acc0[g] = acc1[g] = _mm256_setzero_ps();
        int64_t i = 0;
        for (; i + 8 <= head_size; i += 8) {
            const __m256 a = _mm256_loadu_ps(k0 + i), b = _mm256_loadu_ps(k1 + i);
            for (int g = 0; g < G; ++g) {
                const __m256 qv = _mm256_loadu_ps(q + (size_t)g * (size_t)head_size + i);
                acc0[g] = _mm256_fmadd_ps(qv, a, acc0[g]);
                acc1[g] = _mm256_fmadd_ps(qv, b, acc1[g]);
            }
        }
        for (int g = 0; g < G; ++g) {
            float dot0 = hsum8(acc0[g]), dot1 = hsum8(acc1[g]);
            for (int64_t r = i; r < head_size; ++r) {
                dot0 += q[(size_t)g * (size_t)head_size + r] * k0[r];
                dot1 += q[(size_t)g * (size_t)head_size + r] * k1[r];
            }
            scores[(size_t)g * span + (size_t)(j - first)] = dot0 * scale;
            scores[(size_t)g * span + (size_t)(j + 1 - first)] = dot1 * scale;
        }
    }
    for (; j <= last; ++j) {
        const float *k = keys + (size_t)j * key_stride;
        __m256 acc[4];
        for (int g = 0; g < G; ++g) acc[g] = _mm256_setzero_ps();
        int64_t i = 0;
        for (; i + 8 <= head_size; i += 8) {
            const __m256 kv = _mm256_loadu_ps(k + i);
            for (int g = 0; g < G; ++g) acc[g] = _mm256_fmadd_ps(_mm256_loadu_ps(q + (size_t)g * (size_t)head_size + i), kv, acc[g]);
        }
        for (int g = 0; g < G; ++g) {
            float dot = hsum8(acc[g]);
            for (int64_t r = i; r < head_size; ++r) dot += q[(size_t)g * (size_t)head_size + r] * k[r];
            scores[(size_t)g * span + (size_t)(j - first)] = dot * scale;
        }
    }
    for (int g = 0; g < G; ++g) softmax_avx2(scores + (size_t)g * span, (int64_t)span);
    // Sixteen output values of each head at a time, in registers over all positions.
    int64_t i = 0;
    for (; i + 16 <= value_size; i += 16) {
        __m256 lo[4], hi[4];
        for (int g = 0; g < G; ++g) lo[g] = hi[g] = _mm256_setzero_ps();
        for (int64_t j = first; j <= last; ++j) {
            const float *v = values + (size_t)j * value_stride + i;
            const __m256 v0 = _mm256_loadu_ps(v), v1 = _mm256_loadu_ps(v + 8);
            for (int g = 0; g < G; ++g) {
                const __m256 p = _mm256_broadcast_ss(scores + (size_t)g * span + (size_t)(j - first));
                lo[g] = _mm256_fmadd_ps(p, v0, lo[g]);
                hi[g] = _mm256_fmadd_ps(p, v1, hi[g]);
            }
        }
        for (int g = 0; g < G; ++g) {
            _mm256_storeu_ps(out + (size_t)g * (size_t)value_size + i, lo[g]);
            _mm256_storeu_ps(out + (size_t)g * (size_t)value_size + i + 8, hi[g]);
        }
    }
    for (; i < value_size; ++i)
        for (int g = 0; g < G; ++g) {
            float o = 0;
            for (int64_t j = first; j <= last; ++j)
                o += scores[(size_t)g * span + (size_t)(j - first)] * values[(size_t)j * value_stride + (size_t)i];
            out[(size_t)g * (size_t)value_size + (size_t)i] = o;
        }
}

static void attend_avx2(const float *q, int group, int64_t head_size, const float *keys, const float *values,
                        size_t key_stride, size_t value_stride, int64_t value_size, int64_t first, int64_t last, float scale,
                        float *scores, float *out) {
    const size_t span = (size_t)(last - first + 1);
    for (int g = 0; g < group; g += 4) {
        const float *qg = q + (size_t)g * (size_t)head_size;
        float *sg = scores + (size_t)g * span;
        float *og = out + (size_t)g * (size_t)value_size;
        switch (group - g < 4 ? group - g : 4) {
        case 1: attend_heads(qg, head_size, keys, values, key_stride, value_stride, value_size, first, last, scale, sg, span, og, 1); break;
        case 2: attend_heads(qg, head_size, keys, values, key_stride, value_stride, value_size, first, last, scale, sg, span, og, 2); break;
        case 3: attend_heads(qg, head_size, keys, values, key_stride, value_stride, value_size, first, last, scale, sg, span, og, 3); break;
        default: attend_heads(qg, head_size, keys, values, key_stride, value_stride, value_size, first, last, scale, sg, span, og, 4); break;
        }
    }
}

#pragma clang attribute pop
#endif

int hk_attend(const float *q, int group, int64_t head_size, const float *keys, const float *values,
              size_t key_stride, size_t value_stride, int64_t value_size, int64_t first, int64_t last, float scale, float *out) {
    if (group <= 0 || first < 0 || last < first) return 0;
    const size_t span = (size_t)(last - first + 1);
    float *scores = hk_thread_scratch(3, (size_t)group * span * sizeof(float));
    if (!scores) return 0;
#if HK_X86
    if (hk_active_level() >= HK_LEVEL_AVX2) {
        attend_avx2(q, group, head_size, keys, values, key_stride, value_stride, value_size, first, last, scale, scores, out);
        return 1;
    }
#endif
    attend_portable(q, group, head_size, keys, values, key_stride, value_stride, value_size, first, last, scale, scores, out);
    return 1;
}
