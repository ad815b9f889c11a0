// AVX2 + FMA + F16C dot products (Haswell, Zen 1 and later), chosen at run time.
#include "hk_internal.h"

#if HK_X86
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#define HK_USE_VNNI 0
#define HK_KERNEL_TABLE hk_kernels_avx2
#include "dot_x86.inc"
#pragma clang attribute pop

#endif
