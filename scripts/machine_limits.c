// The two physical limits that docs/BENCHMARKS.md compares Hearth and llama.cpp with, measured on this
// machine with 1..N threads:
//
//   read   streaming-read bandwidth from DRAM: each thread sums its own contiguous share of a buffer
//          far larger than the last-level cache with 256-bit loads into four independent
//          accumulators (no stores), best of 5 passes, GB/s = 1e9 bytes/s;
//   vnni   int8 multiply-add peak: each thread issues vpdpbusd (u8 x s8 -> s32) into 12 independent
//          accumulators, so neither latency nor memory limits it; one 256-bit vpdpbusd is 32
//          multiplies and 32 adds = 64 ops, one 512-bit vpdpbusd 128 ops; best of 5 runs; GOP/s = 1e9 ops/s.
//
// Build and run (scripts/bench_side_by_side.py does this itself):
//   cc -O2 -pthread -o /tmp/machine_limits scripts/machine_limits.c && /tmp/machine_limits 2
// Prints one JSON object. x86-64 with AVX2 only; the VNNI figures need AVX-512 VNNI (else null).
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

enum { BUFFER_BYTES = 512 << 20, PASSES = 5, VNNI_ITERATIONS = 50 * 1000 * 1000 };

typedef struct {
    const uint8_t *start;
    size_t bytes;
    int kind;               // 0 read, 1 vnni 256-bit, 2 vnni 512-bit
    pthread_barrier_t *barrier;
    double seconds;
    int64_t sink;
} Job;

__attribute__((target("avx2"))) static int64_t read_share(const uint8_t *p, size_t bytes) {
    __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
    for (size_t i = 0; i + 128 <= bytes; i += 128) {
        a = _mm256_add_epi64(a, _mm256_load_si256((const __m256i *)(p + i)));
        b = _mm256_add_epi64(b, _mm256_load_si256((const __m256i *)(p + i + 32)));
        c = _mm256_add_epi64(c, _mm256_load_si256((const __m256i *)(p + i + 64)));
        d = _mm256_add_epi64(d, _mm256_load_si256((const __m256i *)(p + i + 96)));
    }
    __m256i s = _mm256_add_epi64(_mm256_add_epi64(a, b), _mm256_add_epi64(c, d));
    int64_t lanes[4];
    _mm256_storeu_si256((__m256i *)lanes, s);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

#define TWELVE(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

__attribute__((target("avx2,avx512f,avx512vl,avx512vnni")))
static int64_t vnni256(long iterations) {
    __m256i u = _mm256_set1_epi8(3), s = _mm256_set1_epi8(-2);
#define DECLARE(i) __m256i acc##i = _mm256_set1_epi32(i);
    TWELVE(DECLARE)
    for (long n = 0; n < iterations; n++) {
#define STEP(i) acc##i = _mm256_dpbusd_epi32(acc##i, u, s);
        TWELVE(STEP)
        __asm__ volatile("" : "+x"(u));  // keep the loop from being folded into a multiplication
    }
    __m256i total = _mm256_setzero_si256();
#define SUM(i) total = _mm256_add_epi32(total, acc##i);
    TWELVE(SUM)
    int32_t lanes[8];
    _mm256_storeu_si256((__m256i *)lanes, total);
    return lanes[0];
}

__attribute__((target("avx2,avx512f,avx512vl,avx512bw,avx512vnni")))
static int64_t vnni512(long iterations) {
    __m512i u = _mm512_set1_epi8(3), s = _mm512_set1_epi8(-2);
#define DECLARE5(i) __m512i acc##i = _mm512_set1_epi32(i);
    TWELVE(DECLARE5)
    for (long n = 0; n < iterations; n++) {
#define STEP5(i) acc##i = _mm512_dpbusd_epi32(acc##i, u, s);
        TWELVE(STEP5)
        __asm__ volatile("" : "+v"(u));
    }
    __m512i total = _mm512_setzero_si512();
#define SUM5(i) total = _mm512_add_epi32(total, acc##i);
    TWELVE(SUM5)
    return _mm512_reduce_add_epi32(total);
}

static void *work(void *argument) {
    Job *job = argument;
    pthread_barrier_wait(job->barrier);
    double start = now();
    if (job->kind == 0) {
        job->sink = read_share(job->start, job->bytes);
    } else if (job->kind == 1) {
        job->sink = vnni256(VNNI_ITERATIONS);
    } else {
        job->sink = vnni512(VNNI_ITERATIONS / 2);
    }
    job->seconds = now() - start;
    pthread_barrier_wait(job->barrier);
    return NULL;
}

// Runs `kind` on `threads` threads at once; returns the slowest thread's seconds (the wall time of the
// whole) and adds the work's checksum to *sink.
static double run(int kind, int threads, const uint8_t *buffer, int64_t *sink) {
    pthread_t ids[64];
    Job jobs[64];
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, (unsigned)threads);
    size_t share = (BUFFER_BYTES / threads) & ~(size_t)127;
    for (int t = 0; t < threads; t++) {
        jobs[t] = (Job){buffer + t * share, share, kind, &barrier, 0, 0};
        pthread_create(&ids[t], NULL, work, &jobs[t]);
    }
    double slowest = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        if (jobs[t].seconds > slowest) slowest = jobs[t].seconds;
        *sink += jobs[t].sink;
    }
    pthread_barrier_destroy(&barrier);
    return slowest;
}

int main(int argc, char **argv) {
    int most = argc > 1 ? atoi(argv[1]) : 2;
    if (most < 1 || most > 64) {
        fprintf(stderr, "usage: %s [threads 1-64]\n", argv[0]);
        return 2;
    }
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2")) {
        fprintf(stderr, "needs AVX2\n");
        return 1;
    }
    int vnni = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl");
    uint8_t *buffer = aligned_alloc(4096, BUFFER_BYTES);
    if (!buffer) return 1;
    for (size_t i = 0; i < BUFFER_BYTES; i++) buffer[i] = (uint8_t)(i * 131);  // resident, not zero pages
    int64_t sink = 0;
    printf("{\"buffer_mib\": %d, \"read_gb_per_s\": {", BUFFER_BYTES >> 20);
    for (int threads = 1; threads <= most; threads++) {
        double best = 1e30;
        for (int pass = 0; pass < PASSES; pass++) {
            double seconds = run(0, threads, buffer, &sink);
            if (seconds < best) best = seconds;
        }
        size_t bytes = ((BUFFER_BYTES / threads) & ~(size_t)127) * threads;
        printf("%s\"%d\": %.2f", threads > 1 ? ", " : "", threads, bytes / best / 1e9);
    }
    printf("}");
    for (int kind = 1; kind <= 2; kind++) {
        printf(", \"vnni%d_gop_per_s\": ", kind == 1 ? 256 : 512);
        if (!vnni) {
            printf("null");
            continue;
        }
        // Both widths do the same number of multiplies: half as many 512-bit instructions.
        double ops = 64.0 * 12 * VNNI_ITERATIONS;
        for (int threads = 1; threads <= most; threads++) {
            double best = 1e30;
            for (int pass = 0; pass < PASSES; pass++) {
                double seconds = run(kind, threads, buffer, &sink);
                if (seconds < best) best = seconds;
            }
            printf("%s\"%d\": %.1f", threads > 1 ? ", " : "{", threads, ops * threads / best / 1e9);
        }
        printf("}");
    }
    printf(", \"checksum\": %lld}\n", (long long)(sink & 0xffff));
    free(buffer);
    return 0;
}
