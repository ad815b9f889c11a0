// CKernels: the innermost loops of inference, in C so that each function can carry its own CPU
// target attribute and be chosen at run time (no -march flags for the package; see KERNELS.md).
//
// Everything here is a thin shim under the Swift `Kernels` target: quantized dot products over
// ggml's block layouts, activation quantization to ggml's 8-bit partner formats, the row loops of
// mat-vec / mat-mat, and the synchronisation core of a persistent thread pool. Each computing
// function has a plain Swift twin in `Kernels` that the tests hold it to.
//
// Types are named by ggml's numbering (the raw value of Swift's `GGMLType`).
#ifndef HEARTH_CKERNELS_H
#define HEARTH_CKERNELS_H

#include <stddef.h>
#include <stdint.h>
#include "hk_blocks.h"

#ifdef __cplusplus
extern "C" {
#endif

// MARK: - Dispatch levels

/// Instruction-set levels, each a superset of the one before.
enum {
    /// Plain C compiled with the package's default flags; always available.
    HK_LEVEL_PORTABLE = 0,
    /// x86-64 with AVX2, FMA and F16C (Haswell, Zen 1 and later).
    HK_LEVEL_AVX2 = 1,
    /// AVX2 plus AVX-512 F/VL/BW/VNNI, used at 256-bit width (Ice Lake, Zen 4 and later).
    HK_LEVEL_AVX512VNNI = 2,
};

/// The best level this CPU (and OS) supports; detected once and cached.
int hk_detected_level(void);
/// The level the kernels use now: the detected one unless a test forced another.
int hk_active_level(void);
/// Makes every later kernel call use `level`. Returns 0 (and changes nothing) when the CPU lacks it.
int hk_force_level(int level);
/// Returns to the detected level.
void hk_reset_level(void);

// MARK: - Types and activation formats

/// Whether `hk_vec_dot` and the row loops handle weights of this ggml type.
int hk_supports_weight_type(uint32_t weight_type);
/// The ggml type the activations are quantized to for weights of `weight_type`:
/// 8 (Q8_0), 9 (Q8_1), 15 (Q8_K), or 0 (F32: used as is). -1 when unsupported.
int hk_activation_type(uint32_t weight_type);
/// Bytes of one quantized activation row of `columns` elements in `activation_type`.
size_t hk_activation_row_bytes(int activation_type, int64_t columns);

// MARK: - Activation quantization (identical to ggml's quantize_row_q8_0/_q8_1/_q8_K reference)

/// `k` floats to `k / 32` Q8_0 blocks (fp16 d = amax/127, qs = roundf(x / d)).
void hk_quantize_q8_0(const float *x, void *y, int64_t k);
/// `k` floats to `k / 32` Q8_1 blocks (as Q8_0, plus fp16 s = d * Σqs).
void hk_quantize_q8_1(const float *x, void *y, int64_t k);
/// `k` floats to `k / 256` Q8_K blocks (f32 d, qs = nearest_int(-127/max * x), int16 bsums).
void hk_quantize_q8_K(const float *x, void *y, int64_t k);
/// Quantizes one row to `activation_type` (a copy for F32). `k` must be a multiple of the block size.
void hk_quantize_row(int activation_type, const float *x, void *y, int64_t k);

// MARK: - Dot products and row loops

/// One weight row of `n` elements (in `weight_type` blocks) against one activation row in the
/// partner format. `n` must be a multiple of the weight's block size.
float hk_vec_dot(uint32_t weight_type, int64_t n, const void *w, const void *x);

/// y[r] = dot(W[r], x) for r in [row_begin, row_end). W rows are `row_bytes` apart.
/// At the AVX-512 VNNI level, Q4_0, Q5_0, Q8_0, Q4_K and Q6_K rows go through the row-interleaved
/// kernels (gemm_vnni.h), whose results are bitwise the portable level's; other types and levels
/// use that level's `hk_vec_dot` per row.
void hk_gemv_rows(uint32_t weight_type, int64_t n, const void *w, size_t row_bytes,
                  int64_t row_begin, int64_t row_end, const void *x, float *y);

/// Y[t * y_stride + r] = dot(W[r], X[t]) for r in [row_begin, row_end), t in [0, tokens).
/// X rows are `x_row_bytes` apart. Walks the weight rows once, each against every token, so a
/// weight row is read from memory once per call. Each output is computed with the same arithmetic
/// as `hk_gemv_rows` gives for that token, so results are bitwise those of `hk_gemv_rows` per
/// token, whatever the batch size or the row range.
void hk_gemm_rows(uint32_t weight_type, int64_t n, const void *w, size_t row_bytes,
                  int64_t row_begin, int64_t row_end, const void *x, size_t x_row_bytes,
                  int64_t tokens, float *y, size_t y_stride);

// MARK: - Weights packed at load

/// Bytes of `rows` × `n` weights of `weight_type` packed for the row-interleaved kernels (the
/// original's size for Q5_0 and Q8_0, 1-3% more for Q4_K and Q6_K, whose scales are unpacked), or
/// 0 where there is no packed layout for them: a type other than those four, rows not a multiple
/// of 16, or a CPU without AVX-512 VNNI.
size_t hk_packed_bytes(uint32_t weight_type, int64_t n, int64_t rows);

/// Packs rows [row_begin, row_end) (multiples of 16) of W (rows `row_bytes` apart) into `packed`,
/// which holds the whole matrix (`hk_packed_bytes`), each group of sixteen rows at its place, and
/// is 64-byte aligned (the K-quants' packed vectors are read with aligned loads).
void hk_pack_rows(uint32_t weight_type, int64_t n, const void *w, size_t row_bytes,
                  int64_t row_begin, int64_t row_end, void *packed);

/// Row `row` of a packed matrix back in its stored blocks (`n` elements' worth) at `out`: for
/// reading single rows (embedding lookups) without the original's pages.
void hk_packed_row(uint32_t weight_type, int64_t n, const void *packed, int64_t row, void *out);

/// `hk_gemm_rows` over a packed matrix (`row_begin` a multiple of 16): bitwise the same outputs,
/// for any number of tokens, one included. `w` and `row_bytes` are the original's, read only
/// where scratch memory cannot be had. Only where `hk_packed_bytes` is not 0.
void hk_gemm_packed(uint32_t weight_type, int64_t n, const void *packed, const void *w, size_t row_bytes,
                    int64_t row_begin, int64_t row_end, const void *x, size_t x_row_bytes, int64_t tokens,
                    float *y, size_t y_stride);

// MARK: - Attention and activations (float32)

/// One query token against positions [first, last] of one KV head, for `group` query heads that
/// share it: q holds the heads `head_size` floats apart; the key and the value of position j start
/// at keys + j·key_stride and values + j·value_stride. out[g·value_size + i] = Σ_j p_gj·v_j[i] with
/// p_g = softmax((q_g · k_j)·scale) (max subtracted, expf, the sum in double). Returns 0, writing
/// nothing, for an empty span or a zero group, or when scratch memory cannot be had.
int hk_attend(const float *q, int group, int64_t head_size, const float *keys, const float *values,
              size_t key_stride, size_t value_stride, int64_t value_size, int64_t first, int64_t last, float scale, float *out);
/// hk_attend for `rows` query rows of one sequence (row r at q + r·q_stride, positions first[r]
/// through last[r], output at out + r·out_stride), the cached keys and values read once per block
/// of rows; every row's output is exactly what hk_attend gives it alone. Returns 0, computing
/// nothing, on an empty span or when scratch memory cannot be had.
int hk_attend_rows(const float *q, size_t q_stride, int rows, int group, int64_t head_size, const float *keys,
                   const float *values, size_t key_stride, size_t value_stride, int64_t value_size,
                   const int64_t *first, const int64_t *last, float scale, float *out, size_t out_stride);
/// hk_attend_rows over a binary16 cache (strides in elements): each key and value is widened
/// exactly, so the result is bit for bit hk_attend_rows over a Float32 cache holding the same
/// rounded values.
int hk_attend_rows_f16(const float *q, size_t q_stride, int rows, int group, int64_t head_size, const uint16_t *keys,
                       const uint16_t *values, size_t key_stride, size_t value_stride, int64_t value_size,
                       const int64_t *first, const int64_t *last, float scale, float *out, size_t out_stride);
/// hk_attend_rows over a Q8_0 cache: position j's row starts at keys + j·key_row_bytes (values
/// likewise), each head's elements in ggml Q8_0 blocks from the head's first block, the last block
/// shorter where the head is not a multiple of 32. Each element is widened exactly (d·q), so the
/// result is bit for bit hk_attend_rows over a Float32 cache holding the dequantized values.
int hk_attend_rows_q8_0(const float *q, size_t q_stride, int rows, int group, int64_t head_size, const void *keys,
                        const void *values, size_t key_row_bytes, size_t value_row_bytes, int64_t value_size,
                        const int64_t *first, const int64_t *last, float scale, float *out, size_t out_stride);
/// `heads` heads of `head_size` floats to Q8_0 for a cache row: ceil(head_size / 32) blocks per
/// head, each by ggml's reference rule (fp16 d = amax/127, qs = roundf(x / d)), a shorter last
/// block over its elements only.
void hk_quantize_kv_q8_0(const float *x, int64_t heads, int64_t head_size, void *out);
/// out[i] = x[i] rounded to binary16, to nearest with ties to even (F16C's vcvtps2ph where the CPU
/// has it, the same rounding in plain C otherwise).
void hk_f32_to_f16(const float *x, uint16_t *out, int64_t n);

/// out[i] = x[i] · (1/√(mean(x²) + epsilon)) · weight[i], the sum of squares in double. `out` may
/// be `x`.
void hk_rms_norm(const float *x, const float *weight, int64_t count, float epsilon, float *out);

/// GELU (tanh approximation) of gate, times up, into gate: x / (1 + exp(−2u)) · up with
/// u = √(2/π)·(x + 0.044715·x³).
void hk_gelu_tanh_gated(float *gate, const float *up, int64_t count);

/// SiLU of gate, times up, into gate: x / (1 + exp(−x)) · up (SwiGLU).
void hk_silu_gated(float *gate, const float *up, int64_t count);

// MARK: - fp16 (IEEE binary16, round to nearest even), as the kernels use it

float hk_half_to_float(uint16_t h);
uint16_t hk_float_to_half(float f);

// MARK: - Thread pool core

typedef struct hk_pool hk_pool;
/// A task body: called once for every index of a run, from the caller's thread or a worker.
typedef void (*hk_task_fn)(void *context, int64_t index);

/// Starts `thread_count - 1` persistent worker threads (the caller is the last one).
/// Returns NULL only when memory or threads cannot be had at all; fewer workers may start than asked.
hk_pool *hk_pool_create(int thread_count);
/// Stops and joins the workers.
void hk_pool_destroy(hk_pool *pool);
/// Worker threads plus the caller.
int hk_pool_thread_count(const hk_pool *pool);
/// Calls fn(context, i) for every i in [0, count), spread over the workers and the caller, and
/// returns when all calls have returned. Calls from several threads are served one at a time;
/// a call made from inside a task body of the same pool runs inline on that thread.
void hk_pool_run(hk_pool *pool, int64_t count, hk_task_fn fn, void *context);

// MARK: - Shared memory

/// A file that lives in memory only (Linux's memfd_create, close-on-exec), for KV cache pages that
/// several sequences map copy-on-write; -1 (errno set) where the system has none, and the caches
/// then copy instead. The caller owns the descriptor.
int hk_memory_file(const char *name);

// MARK: - Scratch memory

/// A 64-byte-aligned buffer of at least `bytes`, private to the calling thread and to `slot`
/// (0..4), reused across calls and grown when asked for more; NULL when out of memory.
/// Valid until the next call with the same slot on the same thread; freed when the thread exits.
/// Slot 0 is the callers' (MatVec's quantized activations); the kernels use 1 (the interleaved
/// kernels' weight panels), 2 (their activation tables), 3 (attention scores) and 4 (a half
/// cache's tile, widened).
void *hk_thread_scratch(int slot, size_t bytes);

#ifdef __cplusplus
}
#endif

#endif
