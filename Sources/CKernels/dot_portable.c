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

static float dot_q4_0(int64_t n, const void *w, const void *x) {
    const hk_block_q4_0 *a = w;
    const hk_block_q8_0 *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK; ++i) {
        int sumi = 0;
        for (int j = 0; j < 16; ++j) {
            sumi += ((a[i].qs[j] & 0x0f) - 8) * b[i].qs[j];
            sumi += ((a[i].qs[j] >> 4) - 8) * b[i].qs[j + 16];
        }
        sum += (hk_load_h2f(&a[i].d) * hk_load_h2f(&b[i].d)) * (float)sumi;
    }
    return sum;
}

static float dot_q4_1(int64_t n, const void *w, const void *x) {
    const hk_block_q4_1 *a = w;
    const hk_block_q8_1 *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK; ++i) {
        int sumi = 0;
        for (int j = 0; j < 16; ++j) {
            sumi += (a[i].qs[j] & 0x0f) * b[i].qs[j];
            sumi += (a[i].qs[j] >> 4) * b[i].qs[j + 16];
        }
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
        uint32_t qh;
        memcpy(&qh, a[i].qh, 4);
        int sumi = 0;
        for (int j = 0; j < 16; ++j) {
            const int low = (a[i].qs[j] & 0x0f) | (int)(((qh >> j) & 1) << 4);
            const int high = (a[i].qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
            sumi += (low - 16) * b[i].qs[j];
            sumi += (high - 16) * b[i].qs[j + 16];
        }
        sum += (hk_load_h2f(&a[i].d) * hk_load_h2f(&b[i].d)) * (float)sumi;
    }
    return sum;
}

static float dot_q5_1(int64_t n, const void *w, const void *x) {
    const hk_block_q5_1 *a = w;
    const hk_block_q8_1 *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK; ++i) {
        uint32_t qh;
        memcpy(&qh, a[i].qh, 4);
        int sumi = 0;
        for (int j = 0; j < 16; ++j) {
            const int low = (a[i].qs[j] & 0x0f) | (int)(((qh >> j) & 1) << 4);
            const int high = (a[i].qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
            sumi += low * b[i].qs[j];
            sumi += high * b[i].qs[j + 16];
        }
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
        int sumi = 0;
        for (int j = 0; j < 32; ++j) sumi += a[i].qs[j] * b[i].qs[j];
        sum += (hk_load_h2f(&a[i].d) * hk_load_h2f(&b[i].d)) * (float)sumi;
    }
    return sum;
}

// K-quants: per super-block, an exact integer sum of scale * Σ q·y over its sub-blocks, then
// sum += (d · dy) · isum − (dmin · dy) · Σ min · bsum.

static float dot_q2_K(int64_t n, const void *w, const void *x) {
    const hk_block_q2_K *a = w;
    const hk_block_q8_K *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK_K; ++i) {
        int summins = 0;
        for (int j = 0; j < 16; ++j) summins += b[i].bsums[j] * (a[i].scales[j] >> 4);
        int isum = 0;
        // Sub-block s (16 elements) of half h: bits 2·(s/2 mod 4) of qs[32h + 16·(s mod 2) + l].
        for (int s = 0; s < 16; ++s) {
            const int half = s / 8, shift = 2 * ((s / 2) % 4), offset = 32 * half + 16 * (s % 2);
            int sub = 0;
            for (int l = 0; l < 16; ++l) sub += ((a[i].qs[offset + l] >> shift) & 3) * b[i].qs[16 * s + l];
            isum += (a[i].scales[s] & 0x0f) * sub;
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
        uint8_t scales[16];
        hk_unpack_scales_q3k(a[i].scales, scales);
        int isum = 0;
        // Element e = 128·h + 32·k + l: low bits at qs[32h + l] >> 2k, high bit hmask[l] bit (4h + k).
        for (int s = 0; s < 16; ++s) {
            int sub = 0;
            for (int l = 0; l < 16; ++l) {
                const int e = 16 * s + l, h = e / 128, k = (e / 32) % 4, m = e % 32;
                const int low = (a[i].qs[32 * h + m] >> (2 * k)) & 3;
                const int high = (a[i].hmask[m] >> (4 * h + k)) & 1;
                sub += (low - (high ? 0 : 4)) * b[i].qs[e];
            }
            isum += (scales[s] - 32) * sub;
        }
        sum += (hk_load_h2f(&a[i].d) * b[i].d) * (float)isum;
    }
    return sum;
}

static float dot_q4_K(int64_t n, const void *w, const void *x) {
    const hk_block_q4_K *a = w;
    const hk_block_q8_K *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK_K; ++i) {
        uint8_t sm[16];
        hk_unpack_scales_k4(a[i].scales, sm);
        int summins = 0;
        for (int j = 0; j < 16; ++j) summins += b[i].bsums[j] * sm[8 + j / 2];
        int isum = 0;
        // Sub-block s (32 elements): nibble (s mod 2) of qs[32·(s/2) + l].
        for (int s = 0; s < 8; ++s) {
            const int shift = 4 * (s % 2), offset = 32 * (s / 2);
            int sub = 0;
            for (int l = 0; l < 32; ++l) sub += ((a[i].qs[offset + l] >> shift) & 0x0f) * b[i].qs[32 * s + l];
            isum += sm[s] * sub;
        }
        const float dy = b[i].d;
        sum += (hk_load_h2f(&a[i].d) * dy) * (float)isum - (hk_load_h2f(&a[i].dmin) * dy) * (float)summins;
    }
    return sum;
}

static float dot_q5_K(int64_t n, const void *w, const void *x) {
    const hk_block_q5_K *a = w;
    const hk_block_q8_K *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK_K; ++i) {
        uint8_t sm[16];
        hk_unpack_scales_k4(a[i].scales, sm);
        int summins = 0;
        for (int j = 0; j < 16; ++j) summins += b[i].bsums[j] * sm[8 + j / 2];
        int isum = 0;
        // As Q4_K, plus a fifth bit: bit s of qh[l].
        for (int s = 0; s < 8; ++s) {
            const int shift = 4 * (s % 2), offset = 32 * (s / 2);
            int sub = 0;
            for (int l = 0; l < 32; ++l) {
                const int q = ((a[i].qs[offset + l] >> shift) & 0x0f) | (((a[i].qh[l] >> s) & 1) << 4);
                sub += q * b[i].qs[32 * s + l];
            }
            isum += sm[s] * sub;
        }
        const float dy = b[i].d;
        sum += (hk_load_h2f(&a[i].d) * dy) * (float)isum - (hk_load_h2f(&a[i].dmin) * dy) * (float)summins;
    }
    return sum;
}

static float dot_q6_K(int64_t n, const void *w, const void *x) {
    const hk_block_q6_K *a = w;
    const hk_block_q8_K *b = x;
    float sum = 0;
    for (int64_t i = 0; i < n / HK_QK_K; ++i) {
        int isum = 0;
        // Element e = 128·h + 32·k + l: low nibble (k/2) of ql[64h + 32·(k mod 2) + l],
        // high bits 2k of qh[32h + l]; value − 32.
        for (int s = 0; s < 16; ++s) {
            int sub = 0;
            for (int l = 0; l < 16; ++l) {
                const int e = 16 * s + l, h = e / 128, k = (e / 32) % 4, m = e % 32;
                const int low = (a[i].ql[64 * h + 32 * (k % 2) + m] >> (4 * (k / 2))) & 0x0f;
                const int high = (a[i].qh[32 * h + m] >> (2 * k)) & 3;
                sub += ((low | (high << 4)) - 32) * b[i].qs[e];
            }
            isum += a[i].scales[s] * sub;
        }
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
