// The one dispatch point: which kernel table serves every call, chosen once from CPU features
// (ggml's arch-fallback.h plays this part there), plus the row loops that walk weight matrices.
#include <stdatomic.h>
#include "hk_internal.h"

// MARK: - Levels

static int detect_level(void) {
#if HK_X86
    __builtin_cpu_init();
    // __builtin_cpu_supports also checks that the OS saves the AVX / AVX-512 register state.
    const int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
                  && __builtin_cpu_supports("f16c");
    if (!avx2) return HK_LEVEL_PORTABLE;
    const int vnni = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
                  && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni");
    return vnni ? HK_LEVEL_AVX512VNNI : HK_LEVEL_AVX2;
#else
    return HK_LEVEL_PORTABLE;
#endif
}

static const hk_kernels *table_for(int level) {
#if HK_X86
    if (level == HK_LEVEL_AVX512VNNI) return &hk_kernels_avx512vnni;
    if (level == HK_LEVEL_AVX2) return &hk_kernels_avx2;
#endif
    (void)level;
    return &hk_kernels_portable;
}

// -1 until first use. Detection is idempotent, so racing first calls agree.
static _Atomic int detected_level = -1;
static _Atomic(const hk_kernels *) active_table = NULL;
static _Atomic int active_level = -1;

int hk_detected_level(void) {
    int level = atomic_load_explicit(&detected_level, memory_order_relaxed);
    if (level < 0) {
        level = detect_level();
        atomic_store_explicit(&detected_level, level, memory_order_relaxed);
    }
    return level;
}

const hk_kernels *hk_active_kernels(void) {
    const hk_kernels *table = atomic_load_explicit(&active_table, memory_order_acquire);
    if (table) return table;
    const int level = hk_detected_level();
    table = table_for(level);
    atomic_store_explicit(&active_level, level, memory_order_relaxed);
    atomic_store_explicit(&active_table, table, memory_order_release);
    return table;
}

int hk_active_level(void) {
    hk_active_kernels();
    return atomic_load_explicit(&active_level, memory_order_relaxed);
}

int hk_force_level(int level) {
    if (level < HK_LEVEL_PORTABLE || level > hk_detected_level()) return 0;
    atomic_store_explicit(&active_level, level, memory_order_relaxed);
    atomic_store_explicit(&active_table, table_for(level), memory_order_release);
    return 1;
}

void hk_reset_level(void) { hk_force_level(hk_detected_level()); }

// MARK: - Types

int hk_activation_type(uint32_t weight_type) {
    switch (weight_type) {
    case HK_F32: case HK_F16: return HK_F32;
    case HK_Q4_0: case HK_Q5_0: case HK_Q8_0: return HK_Q8_0;
    case HK_Q4_1: case HK_Q5_1: return HK_Q8_1;
    case HK_Q2_K: case HK_Q3_K: case HK_Q4_K: case HK_Q5_K: case HK_Q6_K: return HK_Q8_K;
    default: return -1;
    }
}

int hk_supports_weight_type(uint32_t weight_type) { return hk_activation_type(weight_type) >= 0; }

size_t hk_activation_row_bytes(int activation_type, int64_t columns) {
    if (columns < 0) return 0;
    switch (activation_type) {
    case HK_F32: return (size_t)columns * sizeof(float);
    case HK_Q8_0: return (size_t)(columns / HK_QK) * sizeof(hk_block_q8_0);
    case HK_Q8_1: return (size_t)(columns / HK_QK) * sizeof(hk_block_q8_1);
    case HK_Q8_K: return (size_t)(columns / HK_QK_K) * sizeof(hk_block_q8_K);
    default: return 0;
    }
}

// MARK: - Entry points

void hk_quantize_q8_0(const float *x, void *y, int64_t k) { hk_active_kernels()->quantize_q8_0(x, y, k); }
void hk_quantize_q8_1(const float *x, void *y, int64_t k) { hk_active_kernels()->quantize_q8_1(x, y, k); }
void hk_quantize_q8_K(const float *x, void *y, int64_t k) { hk_active_kernels()->quantize_q8_K(x, y, k); }

void hk_quantize_row(int activation_type, const float *x, void *y, int64_t k) {
    const hk_kernels *kernels = hk_active_kernels();
    switch (activation_type) {
    case HK_F32: memcpy(y, x, (size_t)k * sizeof(float)); break;
    case HK_Q8_0: kernels->quantize_q8_0(x, y, k); break;
    case HK_Q8_1: kernels->quantize_q8_1(x, y, k); break;
    case HK_Q8_K: kernels->quantize_q8_K(x, y, k); break;
    default: break;
    }
}

static hk_dot_fn dot_for(uint32_t weight_type) {
    return weight_type < HK_TYPE_SLOTS ? hk_active_kernels()->dot[weight_type] : NULL;
}

float hk_vec_dot(uint32_t weight_type, int64_t n, const void *w, const void *x) {
    const hk_dot_fn dot = dot_for(weight_type);
    return dot ? dot(n, w, x) : 0.0f;
}

void hk_rows_fallback(uint32_t weight_type, int64_t n, const void *w, size_t row_bytes, int64_t row_begin,
                      int64_t row_end, const void *x, size_t x_row_bytes, int64_t tokens, float *y, size_t y_stride) {
    const hk_dot_fn dot = weight_type < HK_TYPE_SLOTS ? hk_kernels_portable.dot[weight_type] : NULL;
    if (!dot) return;
    for (int64_t r = row_begin; r < row_end; ++r)
        for (int64_t t = 0; t < tokens; ++t)
            y[(size_t)t * y_stride + (size_t)r] = dot(n, (const uint8_t *)w + (size_t)r * row_bytes,
                                                      (const uint8_t *)x + (size_t)t * x_row_bytes);
}

void hk_gemv_rows(uint32_t weight_type, int64_t n, const void *w, size_t row_bytes,
                  int64_t row_begin, int64_t row_end, const void *x, float *y) {
    if (weight_type >= HK_TYPE_SLOTS) return;
    const hk_rows_fn rows = hk_active_kernels()->rows[weight_type];
    if (rows) {
        if (row_begin < row_end) rows(n, w, row_bytes, row_begin, row_end, x, 0, 1, y, 0);
        return;
    }
    const hk_dot_fn dot = dot_for(weight_type);
    if (!dot) return;
    const uint8_t *row = (const uint8_t *)w + (size_t)row_begin * row_bytes;
    for (int64_t r = row_begin; r < row_end; ++r, row += row_bytes) y[r] = dot(n, row, x);
}

// Cache blocking for the batched product. Weight rows are taken in tiles of about 64 KiB, which
// stay in L2 while every token passes over them, so each weight byte comes from memory once per
// call; tokens go in blocks of about 16 KiB of activations, which stay in L1 while the tile's rows
// pass over them (each row, a few KiB, is reused from L1 by every token of the block).
enum { GEMM_TILE_BYTES = 64 * 1024, GEMM_TOKEN_BLOCK_BYTES = 16 * 1024, GEMM_MAX_TOKEN_BLOCK = 16 };

void hk_gemm_rows(uint32_t weight_type, int64_t n, const void *w, size_t row_bytes,
                  int64_t row_begin, int64_t row_end, const void *x, size_t x_row_bytes,
                  int64_t tokens, float *y, size_t y_stride) {
    if (weight_type >= HK_TYPE_SLOTS) return;
    const hk_kernels *kernels = hk_active_kernels();
    if (kernels->rows[weight_type]) {
        if (row_begin < row_end && tokens > 0)
            kernels->rows[weight_type](n, w, row_bytes, row_begin, row_end, x, x_row_bytes, tokens, y, y_stride);
        return;
    }
    const hk_dot_fn dot = kernels->dot[weight_type];
    const hk_tokens4_fn tokens4 = kernels->tokens4[weight_type];
    if (!dot) return;
    // (Rows of zero columns take no bytes: then every row fits in one tile and one token block.)
    const int64_t tile_rows = row_bytes >= GEMM_TILE_BYTES ? 1
                            : row_bytes == 0 ? row_end - row_begin : (int64_t)(GEMM_TILE_BYTES / row_bytes);
    int64_t token_block = x_row_bytes == 0 ? GEMM_MAX_TOKEN_BLOCK : (int64_t)(GEMM_TOKEN_BLOCK_BYTES / x_row_bytes);
    if (token_block < 4) token_block = 4;
    if (token_block > GEMM_MAX_TOKEN_BLOCK) token_block = GEMM_MAX_TOKEN_BLOCK;
    token_block -= token_block % 4;
    const uint8_t *weights = w;
    const uint8_t *activations = x;
    for (int64_t r0 = row_begin; r0 < row_end; r0 += tile_rows) {
        const int64_t r1 = r0 + tile_rows < row_end ? r0 + tile_rows : row_end;
        for (int64_t t0 = 0; t0 < tokens; t0 += token_block) {
            const int64_t t1 = t0 + token_block < tokens ? t0 + token_block : tokens;
            for (int64_t r = r0; r < r1; ++r) {
                const uint8_t *row = weights + (size_t)r * row_bytes;
                int64_t t = t0;
                if (tokens4) {
                    for (; t + 4 <= t1; t += 4) {
                        float out[4];
                        tokens4(n, row, activations + (size_t)t * x_row_bytes, x_row_bytes, out);
                        for (int k = 0; k < 4; ++k) y[(size_t)(t + k) * y_stride + (size_t)r] = out[k];
                    }
                }
                for (; t < t1; ++t) {
                    y[(size_t)t * y_stride + (size_t)r] = dot(n, row, activations + (size_t)t * x_row_bytes);
                }
            }
        }
    }
}

// MARK: - fp16

float hk_half_to_float(uint16_t h) { return hk_h2f(h); }
uint16_t hk_float_to_half(float f) { return hk_f2h(f); }
