// The synchronisation core of the thread pool, and per-thread scratch memory.
//
// Work is handed out index by index through one 64-bit cursor, (generation << 32) | next index,
// taken by compare-and-swap. The caller takes indices too, so a run finishes even when no worker
// gets scheduled (more threads than cores, or a busy machine), and the caller never waits for a
// worker that has not started: it waits only for tasks already taken. A worker that wakes late
// sees a newer generation in the cursor and takes nothing from the wrong run.
//
// Idle workers spin for a short while (a model runs hundreds of these per token, a few
// microseconds apart), then sleep on a condition variable.
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include "hk_internal.h"

#if HK_X86
#include <immintrin.h>
#define HK_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define HK_CPU_RELAX() __asm__ __volatile__("yield")
#else
#define HK_CPU_RELAX() ((void)0)
#endif

enum {
    SPIN_NANOSECONDS = 100000, // how long an idle thread polls before it sleeps or yields
    MAX_RUN_COUNT = 0x7fffffff, // indices per run fit the cursor's low 32 bits
};

struct hk_pool {
    int thread_count; // workers + the caller
    int worker_count;
    pthread_t *workers;

    // The current run. Written by the caller only between runs (see hk_pool_run for the order).
    _Atomic uint64_t cursor;
    _Atomic int64_t count;
    _Atomic(hk_task_fn) fn;
    _Atomic(void *) context;
    _Atomic int64_t completed;

    _Atomic uint32_t generation; // bumped to start a run; what idle workers watch
    _Atomic int stopping;
    _Atomic int sleepers;
    pthread_mutex_t sleep_lock;
    pthread_cond_t wake;

    pthread_mutex_t run_lock; // one caller at a time
};

// The pool whose tasks this thread is running now (a worker: its own pool, always).
static _Thread_local hk_pool *running_pool = NULL;

static uint64_t now_nanoseconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// Takes indices of run `generation` until none are left; returns how many this thread ran.
static void work_on(hk_pool *pool, uint32_t generation) {
    const hk_task_fn fn = atomic_load(&pool->fn);
    void *const context = atomic_load(&pool->context);
    const int64_t count = atomic_load(&pool->count);
    uint64_t cursor = atomic_load(&pool->cursor);
    for (;;) {
        if ((uint32_t)(cursor >> 32) != generation || (int64_t)(cursor & 0xffffffffu) >= count) return;
        if (!atomic_compare_exchange_weak(&pool->cursor, &cursor, cursor + 1)) continue;
        fn(context, (int64_t)(cursor & 0xffffffffu));
        atomic_fetch_add_explicit(&pool->completed, 1, memory_order_release);
        cursor = atomic_load(&pool->cursor);
    }
}

// Waits until the generation differs from `seen` (returns it) or the pool stops.
static uint32_t wait_for_run(hk_pool *pool, uint32_t seen) {
    const uint64_t start = now_nanoseconds();
    for (unsigned spins = 1;; ++spins) {
        const uint32_t generation = atomic_load(&pool->generation);
        if (generation != seen || atomic_load(&pool->stopping)) return generation;
        HK_CPU_RELAX();
        if ((spins & 63) == 0 && now_nanoseconds() - start > SPIN_NANOSECONDS) break;
    }
    pthread_mutex_lock(&pool->sleep_lock);
    atomic_fetch_add(&pool->sleepers, 1);
    uint32_t generation;
    while ((generation = atomic_load(&pool->generation)) == seen && !atomic_load(&pool->stopping)) {
        pthread_cond_wait(&pool->wake, &pool->sleep_lock);
    }
    atomic_fetch_sub(&pool->sleepers, 1);
    pthread_mutex_unlock(&pool->sleep_lock);
    return generation;
}

static void *worker_main(void *argument) {
    hk_pool *pool = argument;
    running_pool = pool;
    uint32_t seen = atomic_load(&pool->generation);
    for (;;) {
        seen = wait_for_run(pool, seen);
        if (atomic_load(&pool->stopping)) break;
        work_on(pool, seen);
    }
    return NULL;
}

hk_pool *hk_pool_create(int thread_count) {
    if (thread_count < 1) thread_count = 1;
    if (thread_count > 1024) thread_count = 1024;
    hk_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->workers = calloc((size_t)thread_count, sizeof(pthread_t));
    if (!pool->workers) { free(pool); return NULL; }
    pthread_mutex_init(&pool->sleep_lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pthread_mutex_init(&pool->run_lock, NULL);
    atomic_init(&pool->cursor, 0);
    atomic_init(&pool->count, 0);
    atomic_init(&pool->fn, NULL);
    atomic_init(&pool->context, NULL);
    atomic_init(&pool->completed, 0);
    atomic_init(&pool->generation, 0);
    atomic_init(&pool->stopping, 0);
    atomic_init(&pool->sleepers, 0);
    for (int i = 0; i < thread_count - 1; ++i) {
        if (pthread_create(&pool->workers[pool->worker_count], NULL, worker_main, pool) != 0) break;
        pool->worker_count += 1;
    }
    pool->thread_count = pool->worker_count + 1;
    return pool;
}

void hk_pool_destroy(hk_pool *pool) {
    if (!pool) return;
    atomic_store(&pool->stopping, 1);
    pthread_mutex_lock(&pool->sleep_lock);
    atomic_fetch_add(&pool->generation, 1);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->sleep_lock);
    for (int i = 0; i < pool->worker_count; ++i) pthread_join(pool->workers[i], NULL);
    pthread_mutex_destroy(&pool->sleep_lock);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->run_lock);
    free(pool->workers);
    free(pool);
}

int hk_pool_thread_count(const hk_pool *pool) { return pool ? pool->thread_count : 1; }

static void run_inline(int64_t first, int64_t count, hk_task_fn fn, void *context) {
    for (int64_t i = first; i < count; ++i) fn(context, i);
}

// One run of at most MAX_RUN_COUNT indices, offset by `base`.
typedef struct { hk_task_fn fn; void *context; int64_t base; } offset_task;
static void run_offset(void *argument, int64_t index) {
    const offset_task *task = argument;
    task->fn(task->context, task->base + index);
}

static void run_once(hk_pool *pool, int64_t count, hk_task_fn fn, void *context) {
    const uint32_t generation = atomic_load(&pool->generation) + 1;
    // Order matters: first the cursor moves to the new generation (a late worker of the previous
    // run can then take nothing), then the run's fields, then the generation that workers watch.
    atomic_store(&pool->cursor, (uint64_t)generation << 32);
    atomic_store(&pool->completed, 0);
    atomic_store(&pool->fn, fn);
    atomic_store(&pool->context, context);
    atomic_store(&pool->count, count);
    atomic_store(&pool->generation, generation);
    if (atomic_load(&pool->sleepers) > 0) {
        pthread_mutex_lock(&pool->sleep_lock);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->sleep_lock);
    }
    work_on(pool, generation);
    // Everything is taken; wait for tasks still running on workers.
    const uint64_t start = now_nanoseconds();
    for (unsigned spins = 1; atomic_load_explicit(&pool->completed, memory_order_acquire) < count; ++spins) {
        HK_CPU_RELAX();
        if ((spins & 63) == 0 && now_nanoseconds() - start > SPIN_NANOSECONDS) sched_yield();
    }
}

void hk_pool_run(hk_pool *pool, int64_t count, hk_task_fn fn, void *context) {
    if (count <= 0 || !fn) return;
    if (!pool || pool->worker_count == 0 || count == 1 || running_pool == pool) {
        run_inline(0, count, fn, context); // nothing to share, or nested inside our own task
        return;
    }
    pthread_mutex_lock(&pool->run_lock);
    hk_pool *const outer = running_pool;
    running_pool = pool;
    for (int64_t base = 0; base < count; base += MAX_RUN_COUNT) {
        const int64_t chunk = count - base < MAX_RUN_COUNT ? count - base : MAX_RUN_COUNT;
        if (base == 0 && chunk == count) {
            run_once(pool, count, fn, context);
        } else {
            offset_task task = {fn, context, base};
            run_once(pool, chunk, run_offset, &task);
        }
    }
    running_pool = outer;
    pthread_mutex_unlock(&pool->run_lock);
}

// MARK: - Scratch

enum { SCRATCH_SLOTS = 5 };
typedef struct { void *bytes; size_t capacity; } scratch_slot;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void free_scratch(void *value) {
    scratch_slot *slots = value;
    for (int i = 0; i < SCRATCH_SLOTS; ++i) free(slots[i].bytes);
    free(slots);
}

static void make_scratch_key(void) { pthread_key_create(&scratch_key, free_scratch); }

void *hk_thread_scratch(int slot, size_t bytes) {
    if (slot < 0 || slot >= SCRATCH_SLOTS) return NULL;
    pthread_once(&scratch_once, make_scratch_key);
    scratch_slot *slots = pthread_getspecific(scratch_key);
    if (!slots) {
        slots = calloc(SCRATCH_SLOTS, sizeof *slots);
        if (!slots || pthread_setspecific(scratch_key, slots) != 0) { free(slots); return NULL; }
    }
    scratch_slot *s = &slots[slot];
    if (s->capacity < bytes || !s->bytes) {
        // Grow geometrically so a slowly growing batch does not reallocate every call.
        size_t capacity = s->capacity * 2 > bytes ? s->capacity * 2 : bytes;
        if (capacity < 4096) capacity = 4096;
        void *fresh = NULL;
        if (posix_memalign(&fresh, 64, capacity) != 0) return NULL;
        free(s->bytes);
        s->bytes = fresh;
        s->capacity = capacity;
    }
    return s->bytes;
}
