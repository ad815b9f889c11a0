// ggml's quantized block layouts (`ggml-common.h`), the one definition of each in Hearth: the C
// kernels read blocks through these structs, and the Swift `BlockLayout` takes its byte sizes and
// field offsets from them (MemoryLayout), so the two cannot drift apart. Each size is checked
// against ggml's here.
#ifndef HEARTH_HK_BLOCKS_H
#define HEARTH_HK_BLOCKS_H

#include <stdint.h>

// Blocks are read straight out of a memory-mapped file: packed, so no alignment is assumed.
typedef uint16_t hk_half;
typedef struct __attribute__((packed)) { hk_half d; uint8_t qs[16]; } hk_block_q4_0;
typedef struct __attribute__((packed)) { hk_half d, m; uint8_t qs[16]; } hk_block_q4_1;
typedef struct __attribute__((packed)) { hk_half d; uint8_t qh[4]; uint8_t qs[16]; } hk_block_q5_0;
typedef struct __attribute__((packed)) { hk_half d, m; uint8_t qh[4]; uint8_t qs[16]; } hk_block_q5_1;
typedef struct __attribute__((packed)) { hk_half d; int8_t qs[32]; } hk_block_q8_0;
typedef struct __attribute__((packed)) { hk_half d, s; int8_t qs[32]; } hk_block_q8_1;
typedef struct __attribute__((packed)) {
    uint8_t scales[16]; // low nibble: scale, high nibble: min, per 16 elements
    uint8_t qs[64];     // 2-bit quants
    hk_half d, dmin;
} hk_block_q2_K;
typedef struct __attribute__((packed)) {
    uint8_t hmask[32];  // third bit of each quant
    uint8_t qs[64];     // low 2 bits
    uint8_t scales[12]; // 16 six-bit scales, offset by 32
    hk_half d;
} hk_block_q3_K;
typedef struct __attribute__((packed)) {
    hk_half d, dmin;
    uint8_t scales[12]; // 8 six-bit scales and 8 six-bit mins
    uint8_t qs[128];
} hk_block_q4_K;
typedef struct __attribute__((packed)) {
    hk_half d, dmin;
    uint8_t scales[12];
    uint8_t qh[32];     // fifth bit of each quant
    uint8_t qs[128];
} hk_block_q5_K;
typedef struct __attribute__((packed)) {
    uint8_t ql[128];    // low 4 bits
    uint8_t qh[64];     // high 2 bits
    int8_t scales[16];
    hk_half d;
} hk_block_q6_K;
typedef struct __attribute__((packed)) { float d; int8_t qs[256]; int16_t bsums[16]; } hk_block_q8_K;

// Sixteen rows' blocks repacked at load for the row-interleaved kernels (gemm_vnni_legacy.c), the
// rows side by side as one 512-bit vpdpbusd reads them: byte 4r + j of each 64-byte vector is
// element 4k + j of row r (k the vector's index). The same bytes as the sixteen blocks they come
// from, so a packed matrix is the size of the original.
//   Q8_0: qs[64k + 4r + j] = q + 128, unsigned (the kernels' u = q + o).
//   Q5_0: qs[64c + 4r + j] = byte 4c + j of row r's qs (low nibble: element 4c + j, high nibble:
//         element 16 + 4c + j), and bit 4r + j of qh[k] is the fifth bit of element 4k + j.
typedef struct { hk_half d[16]; uint8_t qs[512]; } hk_block_q8_0x16;
typedef struct { hk_half d[16]; uint64_t qh[8]; uint8_t qs[256]; } hk_block_q5_0x16;
// The K-quants (gemm_vnni_kquants.c), one super-block of sixteen rows. Their sub-block scales are
// stored one byte each, already out of the six-bit packing (a product would otherwise unpack
// them per row and call), so these are a little larger than the blocks they come from.
//   Q4_K: scales[j][r] and mins[j][r] are sub-block j's of row r; qs[j][64k + 4r + i] = row r's
//         qs[32j + 4k + i] (low nibble: element 4k + i of sub-block 2j, high: of sub-block 2j + 1).
//   Q6_K: scales[s][r] is sub-block s's of row r; ql[2h + m][64k + 4r + i] = row r's
//         ql[64h + 32m + 4k + i], qh[h][64k + 4r + i] = row r's qh[32h + 4k + i]. `pad` (zeros)
//         keeps every vector on a cache line.
typedef struct { hk_half d[16], dmin[16]; uint8_t scales[8][16], mins[8][16]; uint8_t qs[4][512]; } hk_block_q4_Kx16;
typedef struct { hk_half d[16], pad[16]; int8_t scales[16][16]; uint8_t ql[4][512], qh[2][512]; } hk_block_q6_Kx16;

_Static_assert(sizeof(hk_block_q4_0) == 18, "Q4_0 block");
_Static_assert(sizeof(hk_block_q4_1) == 20, "Q4_1 block");
_Static_assert(sizeof(hk_block_q5_0) == 22, "Q5_0 block");
_Static_assert(sizeof(hk_block_q5_1) == 24, "Q5_1 block");
_Static_assert(sizeof(hk_block_q8_0) == 34, "Q8_0 block");
_Static_assert(sizeof(hk_block_q8_1) == 36, "Q8_1 block");
_Static_assert(sizeof(hk_block_q2_K) == 84, "Q2_K block");
_Static_assert(sizeof(hk_block_q3_K) == 110, "Q3_K block");
_Static_assert(sizeof(hk_block_q4_K) == 144, "Q4_K block");
_Static_assert(sizeof(hk_block_q5_K) == 176, "Q5_K block");
_Static_assert(sizeof(hk_block_q6_K) == 210, "Q6_K block");
_Static_assert(sizeof(hk_block_q8_K) == 292, "Q8_K block");
_Static_assert(sizeof(hk_block_q8_0x16) == 16 * sizeof(hk_block_q8_0), "packed Q8_0");
_Static_assert(sizeof(hk_block_q5_0x16) == 16 * sizeof(hk_block_q5_0), "packed Q5_0");
_Static_assert(sizeof(hk_block_q4_Kx16) == 16 * sizeof(hk_block_q4_K) + 64 && sizeof(hk_block_q4_Kx16) % 64 == 0, "packed Q4_K");
_Static_assert(sizeof(hk_block_q6_Kx16) == 16 * sizeof(hk_block_q6_K) + 32 && sizeof(hk_block_q6_Kx16) % 64 == 0, "packed Q6_K");

#endif
