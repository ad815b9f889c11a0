// Weights packed at load for the row-interleaved kernels (gemm_vnni.h): which types have a packed
// layout, and the entry points that send each type to its kernels.
#include "hk_internal.h"

// Sixteen rows' blocks of each type side by side (hk_blocks.h), or 0 where there is none.
static size_t packed_group_bytes(uint32_t weight_type) {
    switch (weight_type) {
    case HK_Q5_0: return sizeof(hk_block_q5_0x16);
    case HK_Q8_0: return sizeof(hk_block_q8_0x16);
    case HK_Q4_K: return sizeof(hk_block_q4_Kx16);
    case HK_Q6_K: return sizeof(hk_block_q6_Kx16);
    default: return 0;
    }
}

static int is_kquant(uint32_t weight_type) { return weight_type == HK_Q4_K || weight_type == HK_Q6_K; }

// Where the packed layouts apply: Q5_0, Q8_0, Q4_K and Q6_K, whole groups of sixteen rows, AVX-512 VNNI.
size_t hk_packed_bytes(uint32_t weight_type, int64_t n, int64_t rows) {
#if HK_X86
    const size_t group = packed_group_bytes(weight_type);
    const int64_t block = is_kquant(weight_type) ? HK_QK_K : HK_QK;
    if (group == 0 || hk_detected_level() < HK_LEVEL_AVX512VNNI) return 0;
    if (n <= 0 || n % block != 0 || rows <= 0 || rows % 16 != 0) return 0;
    return (size_t)(rows / 16) * (size_t)(n / block) * group;
#else
    (void)weight_type; (void)n; (void)rows; (void)packed_group_bytes; (void)is_kquant;
    return 0;
#endif
}

// Only called where hk_packed_bytes packs, that is where the CPU has AVX-512 VNNI.
void hk_pack_rows(uint32_t weight_type, int64_t n, const void *w, size_t row_bytes, int64_t row_begin, int64_t row_end,
                  void *packed) {
#if HK_X86
    if (is_kquant(weight_type)) hk_kquant_pack_rows(weight_type, n, w, row_bytes, row_begin, row_end, packed);
    else if (packed_group_bytes(weight_type)) hk_legacy_pack_rows(weight_type, n, w, row_bytes, row_begin, row_end, packed);
#else
    (void)weight_type; (void)n; (void)w; (void)row_bytes; (void)row_begin; (void)row_end; (void)packed;
#endif
}

void hk_packed_row(uint32_t weight_type, int64_t n, const void *packed, int64_t row, void *out) {
#if HK_X86
    if (is_kquant(weight_type)) hk_kquant_packed_row(weight_type, n, packed, row, out);
    else if (packed_group_bytes(weight_type)) hk_legacy_packed_row(weight_type, n, packed, row, out);
#else
    (void)weight_type; (void)n; (void)packed; (void)row; (void)out;
#endif
}

void hk_gemm_packed(uint32_t weight_type, int64_t n, const void *packed, const void *w, size_t row_bytes,
                    int64_t row_begin, int64_t row_end, const void *x, size_t x_row_bytes, int64_t tokens,
                    float *y, size_t y_stride) {
    if (row_begin >= row_end || tokens <= 0) return;
#if HK_X86
    switch (weight_type) {
    case HK_Q4_K: hk_kquant_gemm_packed_q4_K(n, packed, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y, y_stride); break;
    case HK_Q6_K: hk_kquant_gemm_packed_q6_K(n, packed, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y, y_stride); break;
    case HK_Q5_0: case HK_Q8_0:
        hk_legacy_gemm_packed(weight_type, n, packed, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y, y_stride);
        break;
    default: break;
    }
#else
    (void)weight_type; (void)n; (void)packed; (void)w; (void)row_bytes; (void)x; (void)x_row_bytes; (void)y; (void)y_stride;
#endif
}
