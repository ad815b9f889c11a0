import CKernels

/// A persistent pool of worker threads for data-parallel loops (mat-vec rows, attention heads).
///
/// `threadCount - 1` workers are started once; the calling thread is the last worker of every
/// `parallelFor`. Work is handed out index by index, so a loop completes even when the workers
/// are not scheduled (more threads than cores, a busy machine): the caller then runs the indices
/// itself. Idle workers spin for about 100 µs, since a small model issues hundreds of loops per
/// token a few microseconds apart, then sleep until the next loop.
///
/// The synchronisation core is C (`CKernels/pool.c`): C11 atomics and a pthread condition
/// variable. (Swift's own atomics need macOS 15 or the swift-atomics package.)
public final class ThreadPool: @unchecked Sendable {
    private let handle: OpaquePointer

    /// Starts `threadCount - 1` worker threads. Values below 1 are taken as 1 (no workers: every
    /// loop runs on the caller); values above the core count work, only slower.
    public init(threadCount: Int) {
        let clamped = Int32(clamping: max(1, threadCount))
        guard let pool = hk_pool_create(clamped) else {
            fatalError("ThreadPool: cannot allocate the pool's bookkeeping (out of memory)")
        }
        handle = pool
    }

    deinit {
        hk_pool_destroy(handle)
    }

    /// Threads that run each loop: the workers actually started, plus the caller.
    public var threadCount: Int { Int(hk_pool_thread_count(handle)) }

    /// Runs `body(index)` for every index in `0..<count`, spread across the threads, and returns
    /// when all calls have returned. Calls may run in any order and concurrently, so `body` must
    /// only write state that is private to its index.
    ///
    /// Loops started from several threads at once run one after another; a loop started from
    /// inside a `body` of the same pool runs on the calling thread alone.
    public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { taskPointer in
                hk_pool_run(handle, Int64(count), { context, index in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(index))
                }, taskPointer)
            }
        }
    }
}
