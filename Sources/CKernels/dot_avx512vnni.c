// AVX2 kernels with AVX-512 VNNI's fused byte and word dot products, at 256-bit width
// (Ice Lake, Zen 4 and later; on Zen 4, 256-bit VNNI measured faster than 512-bit).
#include "hk_internal.h"

#if HK_X86
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512vnni"))), apply_to = function)
#define HK_USE_VNNI 1
#define HK_KERNEL_TABLE hk_kernels_avx512vnni
#include "dot_x86.inc"
#pragma clang attribute pop

#endif
