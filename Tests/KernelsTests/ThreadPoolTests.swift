import XCTest
import Foundation
@testable import Kernels

final class ThreadPoolTests: XCTestCase {
    /// Runs a loop and returns how many times each index ran.
    private static func hits(_ pool: ThreadPool, _ count: Int) -> [Int] {
        var hits = [Int](repeating: 0, count: count)
        hits.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            pool.parallelFor(count) { index in base[index] += 1 } // each index owns its slot
        }
        return hits
    }

    func testEveryIndexRunsExactlyOnce() {
        for threads in [1, 2, 3, 8] {
            let pool = ThreadPool(threadCount: threads)
            for count in [0, 1, 2, 3, 7, 64, 1000, 10_007] {
                let result = Self.hits(pool, count)
                XCTAssertEqual(result, [Int](repeating: 1, count: count), "\(threads) threads, \(count) indices")
            }
        }
    }

    func testThreadCountClampsAndReports() {
        XCTAssertEqual(ThreadPool(threadCount: 0).threadCount, 1)
        XCTAssertEqual(ThreadPool(threadCount: -5).threadCount, 1)
        XCTAssertEqual(ThreadPool(threadCount: 1).threadCount, 1)
        XCTAssertEqual(ThreadPool(threadCount: 3).threadCount, 3)
    }

    /// Many more threads than cores: every loop must still finish (the caller takes whatever the
    /// descheduled workers do not), across many short loops, some after the workers fell asleep.
    func testOversubscribedPoolKeepsWorking() {
        let pool = ThreadPool(threadCount: 4 * max(ProcessInfo.processInfo.activeProcessorCount, 2))
        for round in 0..<2_000 {
            let count = 1 + round % 37
            XCTAssertEqual(Self.hits(pool, count), [Int](repeating: 1, count: count))
            if round % 500 == 499 { usleep(2_000) } // let the workers go to sleep
        }
    }

    func testBodiesRunOnSeveralThreadsAndSeeCallerWrites() {
        let pool = ThreadPool(threadCount: 2)
        var input = (0..<4096).map { Double($0) }
        var output = [Double](repeating: 0, count: 4096)
        for _ in 0..<50 {
            input.withUnsafeMutableBufferPointer { inp in
                for i in 0..<inp.count { inp[i] += 1 }
                let source = UnsafePointer(inp.baseAddress!)
                output.withUnsafeMutableBufferPointer { out in
                    let target = out.baseAddress!
                    pool.parallelFor(64) { chunk in
                        for i in (chunk * 64)..<((chunk + 1) * 64) { target[i] = source[i] * 2 }
                    }
                }
            }
        }
        XCTAssertEqual(output, (0..<4096).map { (Double($0) + 50) * 2 })
    }

    /// A loop started inside a body of the same pool runs inline instead of deadlocking.
    func testNestedLoopRunsInline() {
        let pool = ThreadPool(threadCount: 3)
        var grid = [Int](repeating: 0, count: 8 * 8)
        grid.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            pool.parallelFor(8) { row in
                pool.parallelFor(8) { column in base[row * 8 + column] += row * 8 + column }
            }
        }
        XCTAssertEqual(grid, Array(0..<64))
    }

    /// Loops started from two threads at once on one pool both complete, each index once.
    func testConcurrentCallersAreServedOneAtATime() {
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var byCaller: [Int: [Int]] = [:]
        }
        let pool = ThreadPool(threadCount: 2)
        let results = Results()
        let group = DispatchGroup()
        for caller in 0..<2 {
            group.enter()
            Thread.detachNewThread {
                var local: [Int] = []
                for _ in 0..<200 { local = ThreadPoolTests.hits(pool, 333) }
                results.lock.lock()
                results.byCaller[caller] = local
                results.lock.unlock()
                group.leave()
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        XCTAssertEqual(results.byCaller[0], [Int](repeating: 1, count: 333))
        XCTAssertEqual(results.byCaller[1], [Int](repeating: 1, count: 333))
    }

    func testCreatingAndDestroyingPoolsJoinsWorkers() {
        for _ in 0..<50 {
            let pool = ThreadPool(threadCount: 3)
            XCTAssertEqual(Self.hits(pool, 10), [Int](repeating: 1, count: 10))
        }
    }
}
