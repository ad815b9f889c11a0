// Activation quantization to ggml's 8-bit partner formats, bit for bit as ggml's reference
// quantize_row_q8_0_ref / _q8_1_ref / _q8_K_ref (ggml-quants.c): Q8_0 and Q8_1 round with roundf
// (half away from zero) and store d (and s) as fp16; Q8_K rounds with nearest_int (the
// 1.5·2^23 trick: half to even) and stores d as f32.
//
// (ggml's own AVX2 quantize_row_q8_0 differs slightly from its reference: it multiplies by
// 127/amax and rounds half to even. The reference is the one specified and tested here.)
//
// Non-finite inputs give deterministic but meaningless blocks, never undefined behaviour.
#include <math.h>
#include "hk_internal.h"

#if HK_X86
#include <immintrin.h>
#endif

// roundf to int8 without undefined behaviour: NaN and out-of-range values become 0.
static inline int8_t round_to_int8(float v) {
    const float r = roundf(v);
    return (r >= -128.0f && r <= 127.0f) ? (int8_t)r : 0;
}

// ggml's nearest_int: exact for |v| < 2^22, pure bit arithmetic otherwise.
static inline int nearest_int(float v) {
    const uint32_t bits = hk_bits_of(v + 12582912.0f);
    return (int)(bits & 0x007fffffu) - 0x00400000;
}

static inline float block_absmax(const float *x, int count) {
    float amax = 0.0f;
    for (int j = 0; j < count; ++j) {
        const float v = fabsf(x[j]);
        amax = amax > v ? amax : v; // ggml's MAX(amax, v)
    }
    return amax;
}

void hk_quantize_q8_0_portable(const float *x, void *vy, int64_t k) {
    hk_block_q8_0 *y = vy;
    for (int64_t i = 0; i < k / HK_QK; ++i, x += HK_QK) {
        const float d = block_absmax(x, HK_QK) / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        const hk_half dh = hk_f2h(d);
        memcpy(&y[i].d, &dh, 2);
        for (int j = 0; j < HK_QK; ++j) y[i].qs[j] = round_to_int8(x[j] * id);
    }
}

void hk_quantize_q8_1_portable(const float *x, void *vy, int64_t k) {
    hk_block_q8_1 *y = vy;
    for (int64_t i = 0; i < k / HK_QK; ++i, x += HK_QK) {
        const float d = block_absmax(x, HK_QK) / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        int sum = 0;
        for (int j = 0; j < HK_QK; ++j) {
            y[i].qs[j] = round_to_int8(x[j] * id);
            sum += y[i].qs[j];
        }
        const hk_half dh = hk_f2h(d), sh = hk_f2h((float)sum * d);
        memcpy(&y[i].d, &dh, 2);
        memcpy(&y[i].s, &sh, 2);
    }
}

void hk_quantize_q8_K_portable(const float *x, void *vy, int64_t k) {
    hk_block_q8_K *y = vy;
    for (int64_t i = 0; i < k / HK_QK_K; ++i, x += HK_QK_K) {
        // The element of largest magnitude (the first, on ties) sets the sign of the scale.
        float max = 0, amax = 0;
        for (int j = 0; j < HK_QK_K; ++j) {
            const float ax = fabsf(x[j]);
            if (ax > amax) { amax = ax; max = x[j]; }
        }
        if (amax == 0.0f) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        const float iscale = -127.0f / max;
        for (int j = 0; j < HK_QK_K; ++j) {
            const int v = nearest_int(iscale * x[j]);
            y[i].qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        for (int j = 0; j < 16; ++j) {
            int sum = 0;
            for (int l = 0; l < 16; ++l) sum += y[i].qs[16 * j + l];
            y[i].bsums[j] = (int16_t)sum;
        }
        y[i].d = 1.0f / iscale;
    }
}

#if HK_X86

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

// Horizontal max of |v| over 32 floats, as the sequential MAX would give for finite input.
static inline float absmax32(const float *x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_andnot_ps(sign, _mm256_loadu_ps(x));
    m = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + 8)), m);
    m = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + 16)), m);
    m = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + 24)), m);
    __m128 h = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

// roundf on 8 lanes, exactly: truncate, then step away from zero when the dropped part is >= 1/2
// (v − trunc(v) is exact in binary32).
static inline __m256i round_away_epi32(__m256 v) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256 frac = _mm256_andnot_ps(sign, _mm256_sub_ps(v, t));
    const __m256 step = _mm256_or_ps(_mm256_and_ps(v, sign), _mm256_set1_ps(1.0f));
    const __m256 up = _mm256_cmp_ps(frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ);
    return _mm256_cvttps_epi32(_mm256_add_ps(t, _mm256_and_ps(up, step)));
}

// 4 × 8 int32 (each in int8 range for finite input) to 32 int8 in order.
static inline __m256i pack_epi32_to_epi8(__m256i a, __m256i b, __m256i c, __m256i d) {
    const __m256i ab = _mm256_packs_epi32(a, b);
    const __m256i cd = _mm256_packs_epi32(c, d);
    const __m256i bytes = _mm256_packs_epi16(ab, cd);
    return _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

static inline int hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
    return _mm_cvtsi128_si32(s);
}

// Quantizes one block of 32; returns Σ qs.
static inline int quantize_block32(const float *x, float id, int8_t *qs) {
    const __m256 scale = _mm256_set1_ps(id);
    const __m256i q0 = round_away_epi32(_mm256_mul_ps(_mm256_loadu_ps(x), scale));
    const __m256i q1 = round_away_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8), scale));
    const __m256i q2 = round_away_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 16), scale));
    const __m256i q3 = round_away_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 24), scale));
    _mm256_storeu_si256((__m256i *)qs, pack_epi32_to_epi8(q0, q1, q2, q3));
    return hsum_epi32(_mm256_add_epi32(_mm256_add_epi32(q0, q1), _mm256_add_epi32(q2, q3)));
}

void hk_quantize_q8_0_avx2(const float *x, void *vy, int64_t k) {
    hk_block_q8_0 *y = vy;
    for (int64_t i = 0; i < k / HK_QK; ++i, x += HK_QK) {
        const float d = absmax32(x) / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        const hk_half dh = (hk_half)_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
        memcpy(&y[i].d, &dh, 2);
        quantize_block32(x, id, y[i].qs);
    }
}

void hk_quantize_q8_1_avx2(const float *x, void *vy, int64_t k) {
    hk_block_q8_1 *y = vy;
    for (int64_t i = 0; i < k / HK_QK; ++i, x += HK_QK) {
        const float d = absmax32(x) / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        const int sum = quantize_block32(x, id, y[i].qs);
        const hk_half dh = (hk_half)_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
        const hk_half sh = (hk_half)_cvtss_sh((float)sum * d, _MM_FROUND_TO_NEAREST_INT);
        memcpy(&y[i].d, &dh, 2);
        memcpy(&y[i].s, &sh, 2);
    }
}

void hk_quantize_q8_K_avx2(const float *x, void *vy, int64_t k) {
    hk_block_q8_K *y = vy;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t i = 0; i < k / HK_QK_K; ++i, x += HK_QK_K) {
        // max(|x|, m) keeps m where x is NaN, as the sequential "ax > amax" test does.
        __m256 m = _mm256_setzero_ps();
        for (int j = 0; j < HK_QK_K; j += 8) m = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + j)), m);
        __m128 h = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        h = _mm_max_ss(h, _mm_movehdup_ps(h));
        const float amax = _mm_cvtss_f32(h);
        if (amax == 0.0f) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        int first = 0;
        while (fabsf(x[first]) != amax) ++first;
        const float iscale = -127.0f / x[first];

        const __m256 vscale = _mm256_set1_ps(iscale);
        const __m256 magic = _mm256_set1_ps(12582912.0f);
        const __m256i mantissa = _mm256_set1_epi32(0x007fffff), bias = _mm256_set1_epi32(0x00400000);
        const __m256i limit = _mm256_set1_epi32(127), ones = _mm256_set1_epi16(1);
        for (int j = 0; j < HK_QK_K; j += 32) {
            __m256i q[4];
            for (int l = 0; l < 4; ++l) {
                const __m256 v = _mm256_add_ps(_mm256_mul_ps(vscale, _mm256_loadu_ps(x + j + 8 * l)), magic);
                const __m256i n = _mm256_sub_epi32(_mm256_and_si256(_mm256_castps_si256(v), mantissa), bias);
                q[l] = _mm256_min_epi32(n, limit);
            }
            const __m256i bytes = pack_epi32_to_epi8(q[0], q[1], q[2], q[3]);
            _mm256_storeu_si256((__m256i *)(y[i].qs + j), bytes);
            // Two bsums: the 16-bit pairwise sums of each 16-byte half, summed.
            const __m256i pairs = _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm256_castsi256_si128(bytes)), ones);
            const __m256i pairs2 = _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm256_extracti128_si256(bytes, 1)), ones);
            y[i].bsums[j / 16] = (int16_t)hsum_epi32(pairs);
            y[i].bsums[j / 16 + 1] = (int16_t)hsum_epi32(pairs2);
        }
        y[i].d = 1.0f / iscale;
    }
}

#pragma clang attribute pop

#endif
