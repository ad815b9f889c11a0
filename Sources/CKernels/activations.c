// The element-wise work around the matrix products that is worth vectorizing: RMSNorm and the GELU
// gate of the feed-forward block.
//
// RMSNorm: out = x · (1/√(mean(x²) + eps)) · weight, the sum of squares in double (as ggml), the
// scale rounded to float once. The AVX2 level sums in four double lanes, the portable level and the
// Swift twin (Ops.rmsNormScalar) in order: the double sums differ in their last bits only.
//
// The gates, written into `gate`:
//   GELU (tanh form):  gate = x / (1 + exp(−2u)) · up,  u = √(2/π)·(x + 0.044715·x³)
//   SiLU (SwiGLU):     gate = x / (1 + exp(−x)) · up
// x·(1 + tanh u)/2 and x/(1 + e^(−2u)) are the same function; the second has no cancellation where
// tanh u nears −1, and needs one exp. The AVX2 level evaluates exp with Cephes' expf polynomial
// (within 2 ulp of expf), the portable level and the Swift twins (Ops) with expf itself.
#include <math.h>
#include "hk_internal.h"

#if HK_X86
#include <immintrin.h>
#endif

static float rms_scale(double sum, int64_t count, float epsilon) {
    return (float)(1.0 / sqrt(sum / (double)count + (double)epsilon));
}

static void rms_norm_portable(const float *x, const float *weight, int64_t count, float epsilon, float *out) {
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) sum += (double)x[i] * (double)x[i];
    const float scale = rms_scale(sum, count, epsilon);
    for (int64_t i = 0; i < count; ++i) out[i] = x[i] * scale * weight[i];
}

static const float sqrt_2_over_pi = 0.7978845608028654f;
static const float gelu_cubic = 0.044715f;

static void gelu_portable(float *gate, const float *up, int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
        const float x = gate[i];
        const float u = sqrt_2_over_pi * x * (1.0f + gelu_cubic * x * x);
        gate[i] = x / (1.0f + expf(-2.0f * u)) * up[i];
    }
}

static void silu_portable(float *gate, const float *up, int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
        const float x = gate[i];
        gate[i] = x / (1.0f + expf(-x)) * up[i];
    }
}

#if HK_X86
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#include "hk_exp.h"

static void rms_norm_avx2(const float *x, const float *weight, int64_t count, float epsilon, float *out) {
    __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m256d lo = _mm256_cvtps_pd(_mm_loadu_ps(x + i)), hi = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4));
        acc0 = _mm256_fmadd_pd(lo, lo, acc0); // exact: a float's square fits a double
        acc1 = _mm256_fmadd_pd(hi, hi, acc1);
    }
    const __m256d acc = _mm256_add_pd(acc0, acc1);
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(acc), _mm256_extractf128_pd(acc, 1));
    double sum = _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
    for (int64_t r = i; r < count; ++r) sum += (double)x[r] * (double)x[r];
    const float scale = rms_scale(sum, count, epsilon);
    const __m256 vs = _mm256_set1_ps(scale);
    for (i = 0; i + 8 <= count; i += 8)
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), vs), _mm256_loadu_ps(weight + i)));
    for (; i < count; ++i) out[i] = x[i] * scale * weight[i];
}

static void gelu_avx2(float *gate, const float *up, int64_t count) {
    int64_t i = 0;
    const __m256 one = _mm256_set1_ps(1.0f);
    for (; i + 8 <= count; i += 8) {
        const __m256 x = _mm256_loadu_ps(gate + i);
        const __m256 inner = _mm256_add_ps(one, _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(gelu_cubic), x), x));
        const __m256 u = _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(sqrt_2_over_pi), x), inner);
        const __m256 e = hk_exp8(_mm256_mul_ps(_mm256_set1_ps(-2.0f), u));
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(_mm256_div_ps(x, _mm256_add_ps(one, e)), _mm256_loadu_ps(up + i)));
    }
    gelu_portable(gate + i, up + i, count - i);
}

static void silu_avx2(float *gate, const float *up, int64_t count) {
    int64_t i = 0;
    const __m256 one = _mm256_set1_ps(1.0f);
    for (; i + 8 <= count; i += 8) {
        const __m256 x = _mm256_loadu_ps(gate + i);
        const __m256 e = hk_exp8(_mm256_sub_ps(_mm256_setzero_ps(), x));
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(_mm256_div_ps(x, _mm256_add_ps(one, e)), _mm256_loadu_ps(up + i)));
    }
    silu_portable(gate + i, up + i, count - i);
}

#pragma clang attribute pop
#endif

void hk_rms_norm(const float *x, const float *weight, int64_t count, float epsilon, float *out) {
    if (count <= 0) return;
#if HK_X86
    if (hk_active_level() >= HK_LEVEL_AVX2) return rms_norm_avx2(x, weight, count, epsilon, out);
#endif
    rms_norm_portable(x, weight, count, epsilon, out);
}

void hk_gelu_tanh_gated(float *gate, const float *up, int64_t count) {
#if HK_X86
    if (hk_active_level() >= HK_LEVEL_AVX2) return gelu_avx2(gate, up, count);
#endif
    gelu_portable(gate, up, count);
}

void hk_silu_gated(float *gate, const float *up, int64_t count) {
#if HK_X86
    if (hk_active_level() >= HK_LEVEL_AVX2) return silu_avx2(gate, up, count);
#endif
    silu_portable(gate, up, count);
}
