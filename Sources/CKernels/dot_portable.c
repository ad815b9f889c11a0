// Portable dot products: plain C, no target attributes. The integer arithmetic is ggml's
// (ggml-cpu/quants.c, *_generic); the float order is one scale-multiply-add per block, exactly
// as the Swift twins in Kernels/VecDot*.swift do it.
#include "hk_internal.h"

// Weight rows come from a file: read them without assuming alignment (memcpy becomes a load).
static inline float load_f32(const void *p, int64_t i) {
    float v;
    memcpy(&v, (const uint8_t *)p + 4 * i, 4);
    return v;
}

static float dot_f32(int64_t n, const void *w, const void *x) {
    float sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += load_f32(w, i) * load_f32(x, i);
    return sum;
}

static float dot_f16(int64_t n, const void *w, const void *x) {
    const hk_half *a = w;
    float sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += hk_load_h2f(a + i) * load_f32(x, i);
    return sum;
}

// Weights are first unpacked to int8, then multiplied in plain loops of 16 or 32 that a compiler
// vectorizes for whatever the baseline target offers (SSE2, NEON); integer sums are exact in any
// order, so only the float steps below fix the result.
static inline int dot_i8(const int8_t *a, const int8_t *b, int count) {
    int sum = 0;
    for (int j = 0; j < count; ++j) sum += a[j] * b[j];
    return sum;
}

// 16 bytes of nibbles to 32 values: low nibbles are elements 0..15, high nibbles 16..31.
static inline void unpack_nibbles(const uint8_t *qs, int offset, int8_t *out) {
    for (int j = 0; j < 16; ++j) {
        out[j] = (int8_t)((qs[j] & 0x0f) - offset);
        out[j + 16] = (int8_t)((qs[j] >> 4) - offset);
    }
}

// Adds the fifth bits (bit j of qh for element j) as 16.
static inline void add_fifth_bits(const uint8_t *qh_bytes, int8_t *q) {
    uint32_t qh;
    memcpy(&qh, qh_bytes, 4);
    for (int j = 0; j < 32; ++j) q[j] = (int8_t)(q[j] + (int)(((qh >> j) & 1) << 4));
}

static float dot_q4_0(int64_t n, const void *w, const void *x) {
    const hk_block_q4_0 *a = w;
    const hk_block_q8_0 *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK; ++i) {
        int8_t q[32];
        unpack_nibbles(a[i].qs, 8, q);
        const int sumi = dot_i8(q, b[i].qs, 32);
        sum += (hk_load_h2f(&a[i].d) * hk_load_h2f(&b[i].d)) * (float)sumi;
    }
    return sum;
}

static float dot_q4_1(int64_t n, const void *w, const void *x) {
    const hk_block_q4_1 *a = w;
    const hk_block_q8_1 *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK; ++i) {
        int8_t q[32];
        unpack_nibbles(a[i].qs, 0, q);
        const int sumi = dot_i8(q, b[i].qs, 32);
        sum += (hk_load_h2f(&a[i].d) * hk_load_h2f(&b[i].d)) * (float)sumi
             + hk_load_h2f(&a[i].m) * hk_load_h2f(&b[i].s);
    }
    return sum;
}

static float dot_q5_0(int64_t n, const void *w, const void *x) {
    const hk_block_q5_0 *a = w;
    const hk_block_q8_0 *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK; ++i) {
        int8_t q[32];
        unpack_nibbles(a[i].qs, 16, q);
        add_fifth_bits(a[i].qh, q);
        const int sumi = dot_i8(q, b[i].qs, 32);
        sum += (hk_load_h2f(&a[i].d) * hk_load_h2f(&b[i].d)) * (float)sumi;
    }
    return sum;
}

static float dot_q5_1(int64_t n, const void *w, const void *x) {
    const hk_block_q5_1 *a = w;
    const hk_block_q8_1 *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK; ++i) {
        int8_t q[32];
        unpack_nibbles(a[i].qs, 0, q);
        add_fifth_bits(a[i].qh, q);
        const int sumi = dot_i8(q, b[i].qs, 32);
        sum += (hk_load_h2f(&a[i].d) * hk_load_h2f(&b[i].d)) * (float)sumi
             + hk_load_h2f(&a[i].m) * hk_load_h2f(&b[i].s);
    }
    return sum;
}

static float dot_q8_0(int64_t n, const void *w, const void *x) {
    const hk_block_q8_0 *a = w;
    const hk_block_q8_0 *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK; ++i) {
        const int sumi = dot_i8(a[i].qs, b[i].qs, 32);
        sum += (hk_load_h2f(&a[i].d) * hk_load_h2f(&b[i].d)) * (float)sumi;
    }
    return sum;
}

// K-quants: per super-block, an exact integer sum of scale · Σ q·y over its sub-blocks, then
// sum += (d · dy) · isum − (dmin · dy) · Σ min · bsum. Elements are unpacked in ggml's order.

static float dot_q2_K(int64_t n, const void *w, const void *x) {
    const hk_block_q2_K *a = w;
    const hk_block_q8_K *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK_K; ++i) {
        // Element 128h + 32j + l is bits 2j of qs[32h + l].
        int8_t q[256];
        for (int h = 0; h < 2; ++h)
            for (int j = 0; j < 4; ++j)
                for (int l = 0; l < 32; ++l) q[128 * h + 32 * j + l] = (int8_t)((a[i].qs[32 * h + l] >> (2 * j)) & 3);
        int summins = 0, isum = 0;
        for (int s = 0; s < 16; ++s) {
            summins += b[i].bsums[s] * (a[i].scales[s] >> 4);
            isum += (a[i].scales[s] & 0x0f) * dot_i8(q + 16 * s, b[i].qs + 16 * s, 16);
        }
        const float dy = b[i].d;
        sum += (hk_load_h2f(&a[i].d) * dy) * (float)isum - (hk_load_h2f(&a[i].dmin) * dy) * (float)summins;
    }
    return sum;
}

static float dot_q3_K(int64_t n, const void *w, const void *x) {
    const hk_block_q3_K *a = w;
    const hk_block_q8_K *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK_K; ++i) {
        // Element 128h + 32k + l: low bits (qs[32h + l] >> 2k) & 3, minus 4 unless bit 4h + k of
        // hmask[l] is set.
        int8_t q[256];
        for (int h = 0; h < 2; ++h)
            for (int k = 0; k < 4; ++k)
                for (int l = 0; l < 32; ++l) {
                    const int low = (a[i].qs[32 * h + l] >> (2 * k)) & 3;
                    const int high = (a[i].hmask[l] >> (4 * h + k)) & 1;
                    q[128 * h + 32 * k + l] = (int8_t)(low - 4 + 4 * high);
                }
        uint8_t scales[16];
        hk_unpack_scales_q3k(a[i].scales, scales);
        int isum = 0;
        for (int s = 0; s < 16; ++s) isum += (scales[s] - 32) * dot_i8(q + 16 * s, b[i].qs + 16 * s, 16);
        sum += (hk_load_h2f(&a[i].d) * b[i].d) * (float)isum;
    }
    return sum;
}

// Q4_K / Q5_K elements: sub-block s is nibble (s mod 2) of qs[32·(s/2) + l] (+ 16 · bit s of qh[l]).
static inline float dot_k4(const uint8_t *qs, const uint8_t *qh, const uint8_t *packed_scales,
                           const hk_half *d, const hk_half *dmin, const hk_block_q8_K *b) {
    int8_t q[256];
    for (int j = 0; j < 4; ++j)
        for (int l = 0; l < 32; ++l) {
            q[64 * j + l] = (int8_t)(qs[32 * j + l] & 0x0f);
            q[64 * j + 32 + l] = (int8_t)(qs[32 * j + l] >> 4);
        }
    if (qh) {
        for (int s = 0; s < 8; ++s)
            for (int l = 0; l < 32; ++l) q[32 * s + l] = (int8_t)(q[32 * s + l] + (((qh[l] >> s) & 1) << 4));
    }
    uint8_t sm[16];
    hk_unpack_scales_k4(packed_scales, sm);
    int summins = 0, isum = 0;
    for (int j = 0; j < 16; ++j) summins += b->bsums[j] * sm[8 + j / 2];
    for (int s = 0; s < 8; ++s) isum += sm[s] * dot_i8(q + 32 * s, b->qs + 32 * s, 32);
    const float dy = b->d;
    return (hk_load_h2f(d) * dy) * (float)isum - (hk_load_h2f(dmin) * dy) * (float)summins;
}

static float dot_q4_K(int64_t n, const void *w, const void *x) {
    const hk_block_q4_K *a = w;
    const hk_block_q8_K *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK_K; ++i) sum += dot_k4(a[i].qs, NULL, a[i].scales, &a[i].d, &a[i].dmin, &b[i]);
    return sum;
}

static float dot_q5_K(int64_t n, const void *w, const void *x) {
    const hk_block_q5_K *a = w;
    const hk_block_q8_K *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK_K; ++i) sum += dot_k4(a[i].qs, a[i].qh, a[i].scales, &a[i].d, &a[i].dmin, &b[i]);
    return sum;
}

static float dot_q6_K(int64_t n, const void *w, const void *x) {
    const hk_block_q6_K *a = w;
    const hk_block_q8_K *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK_K; ++i) {
        // Element 128h + 32k + l: nibble (k/2) of ql[64h + 32·(k mod 2) + l] | bits 2k of
        // qh[32h + l] << 4, minus 32.
        int8_t q[256];
        for (int h = 0; h < 2; ++h)
            for (int l = 0; l < 32; ++l) {
                const uint8_t *ql = a[i].ql + 64 * h;
                const int high = a[i].qh[32 * h + l];
                q[128 * h + l] = (int8_t)(((ql[l] & 0x0f) | ((high & 3) << 4)) - 32);
                q[128 * h + 32 + l] = (int8_t)(((ql[l + 32] & 0x0f) | (((high >> 2) & 3) << 4)) - 32);
                q[128 * h + 64 + l] = (int8_t)(((ql[l] >> 4) | (((high >> 4) & 3) << 4)) - 32);
                q[128 * h + 96 + l] = (int8_t)(((ql[l + 32] >> 4) | (((high >> 6) & 3) << 4)) - 32);
            }
        int isum = 0;
        for (int s = 0; s < 16; ++s) isum += a[i].scales[s] * dot_i8(q + 16 * s, b[i].qs + 16 * s, 16);
        sum += (hk_load_h2f(&a[i].d) * b[i].d) * (float)isum;
    }
    return sum;
}

const hk_kernels hk_kernels_portable = {
    .dot = {
        [HK_F32] = dot_f32, [HK_F16] = dot_f16,
        [HK_Q4_0] = dot_q4_0, [HK_Q4_1] = dot_q4_1, [HK_Q5_0] = dot_q5_0, [HK_Q5_1] = dot_q5_1,
        [HK_Q8_0] = dot_q8_0,
        [HK_Q2_K] = dot_q2_K, [HK_Q3_K] = dot_q3_K, [HK_Q4_K] = dot_q4_K, [HK_Q5_K] = dot_q5_K,
        [HK_Q6_K] = dot_q6_K,
    },
    .quantize_q8_0 = hk_quantize_q8_0_portable,
    .quantize_q8_1 = hk_quantize_q8_1_portable,
    .quantize_q8_K = hk_quantize_q8_K_portable,
};
