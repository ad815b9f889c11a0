import Foundation
import GGUF
import Kernels
@testable import Models
import XCTest

/// The KV cache takes memory by the token: pages are backed as positions are written and handed
/// back when a sequence is truncated, and what is computed after that is unchanged.
final class KVCacheTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-kvcache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func model() throws -> LanguageModel {
        var tiny = TinyModel()
        tiny.context = 4096
        tiny.matrixType = .q8_0
        let url = directory.appendingPathComponent("tiny.gguf")
        try tiny.write(to: url)
        return try LanguageModel(url: url)
    }

    private func tokens(_ count: Int, seed: Int32) -> [Int32] {
        (0..<Int32(count)).map { 3 + ($0 &* 37 &+ seed) % 256 }
    }

    func testMemoryFollowsThePositionsHeldAndIsHandedBackOnTruncation() throws {
        let model = try model()
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let buffers = 2 * model.config.blockCount   // keys and values per layer
        for cacheType in KVCacheType.allCases {
            // Bytes one position takes in all buffers together.
            let perPosition = cacheType.bytesPerPosition(model.config)
            let context = BatchedContext(model: model, sequences: 2, contextLength: 4096, threads: 1, cacheType: cacheType)
            XCTAssertEqual(context.residentCacheBytes, 0, "\(cacheType): a new context holds no memory for its caches")

            let prompt = tokens(1000, seed: 5)
            try context.evaluate([.init(sequence: 0, tokens: prompt, logits: .none)])
            XCTAssertGreaterThanOrEqual(context.residentCacheBytes, 1000 * perPosition, "\(cacheType)")
            XCTAssertLessThanOrEqual(context.residentCacheBytes, 1000 * perPosition + buffers * page, "\(cacheType)")

            // A sequence that takes a shorter prefix from another hands back what it held past it.
            try context.evaluate([.init(sequence: 1, tokens: tokens(800, seed: 7), logits: .none)])
            XCTAssertGreaterThanOrEqual(context.residentCacheBytes, 1800 * perPosition, "\(cacheType)")
            context.copyPrefix(from: 0, to: 1, length: 10)
            XCTAssertLessThanOrEqual(context.residentCacheBytes, 1000 * perPosition + 2 * buffers * page, "\(cacheType)")
            context.truncate(sequence: 1, to: 0)

            context.truncate(sequence: 0, to: 10)
            XCTAssertLessThanOrEqual(context.residentCacheBytes, buffers * page,
                                     "\(cacheType): the pages past position 10 were not handed back")

            // The released pages are written again before they are read: the sequence continues
            // exactly as a fresh one holding the same ten positions.
            let tail = tokens(300, seed: 11)
            let continued = try context.evaluate([.init(sequence: 0, tokens: tail, logits: .all)])[0]
            let fresh = model.makeContext(contextLength: 4096, cacheType: cacheType)
            try fresh.evaluate(Array(prompt.prefix(10)))
            let expected = try fresh.evaluateAll(tail)
            XCTAssertTrue(continued == expected, "\(cacheType): logits after a truncation differ from a fresh run's")
        }
    }

    // MARK: - A shared prefix

    /// A prompt prefix that several sequences start with is held once: its whole pages are a
    /// snapshot that each sequence maps copy-on-write (PrefixSnapshot), and what each computes is
    /// unchanged.
    func testSharersContinueAsIfTheyHadComputedThePrefix() throws {
        guard let file = MemoryFile.create(name: "probe") else { throw XCTSkip("no memory files on this system: prefixes are copied") }
        close(file)
        let model = try model()
        for cacheType in KVCacheType.allCases {
            let prefix = tokens(600, seed: 5), tail = tokens(4, seed: 11)
            let expected = try model.makeContext(contextLength: 4096, cacheType: cacheType).evaluate(prefix + tail)
            let context = BatchedContext(model: model, sequences: 4, contextLength: 4096, threads: 2, cacheType: cacheType)
            try context.evaluate([.init(sequence: 0, tokens: prefix + tokens(5, seed: 9), logits: .none)])
            context.copyPrefix(from: 0, to: 1, length: prefix.count)
            context.copyPrefix(from: 0, to: 2, length: prefix.count)

            // One snapshot, taken once, mapped by both and by the source, holding all but the last
            // page's positions.
            var snapshot: PrefixSnapshot! = try XCTUnwrap(context.cache(1).snapshot, "\(cacheType)")
            XCTAssertTrue(context.cache(2).snapshot === snapshot, "\(cacheType): the second copy took another snapshot")
            XCTAssertTrue(context.cache(0).snapshot === snapshot, "\(cacheType): the source keeps its own pages")
            XCTAssertNil(context.cache(0).origin)
            XCTAssertGreaterThan(context.cache(1).sharedKeyBytes, 0)
            XCTAssertEqual(context.cache(0).sharedKeyBytes, snapshot.keyBytes)
            // The source, which now reads the snapshot's pages, continues as it would have.
            let sourceTail = tokens(3, seed: 17)
            let sourceExpected = try model.makeContext(contextLength: 4096, cacheType: cacheType).evaluate(prefix + tokens(5, seed: 9) + sourceTail)
            XCTAssertTrue(try context.evaluate([.init(sequence: 0, tokens: sourceTail, logits: .last)])[0] == sourceExpected,
                          "\(cacheType): the source's logits changed when it came to map its snapshot")
            let perPage = CachePages.pageSize / min(context.cache(0).keyRowBytes, context.cache(0).valueRowBytes)
            XCTAssertGreaterThanOrEqual(snapshot.positions, prefix.count - 2 * perPage - 1, "\(cacheType)")
            XCTAssertEqual(context.position(of: 1), prefix.count)

            // The source rewrites positions inside the shared prefix: the sharers do not see it.
            context.truncate(sequence: 0, to: 10)
            try context.evaluate([.init(sequence: 0, tokens: tokens(700, seed: 13), logits: .none)])
            XCTAssertNil(context.cache(0).intactSnapshot)

            let logits = try context.evaluate([.init(sequence: 1, tokens: tail, logits: .last)])
            XCTAssertTrue(logits[0] == expected, "\(cacheType): a sharer's logits differ from a lone run's")
            // A sharer truncated inside the shared pages and fed the rest again: the same.
            context.truncate(sequence: 2, to: 300)
            XCTAssertTrue(try context.evaluate([.init(sequence: 2, tokens: Array(prefix[300...]) + tail, logits: .last)])[0] == expected,
                          "\(cacheType): after a truncation inside the shared pages")
            // A copy from a sharer maps the same snapshot.
            context.copyPrefix(from: 1, to: 3, length: prefix.count)
            XCTAssertTrue(context.cache(3).snapshot === snapshot, "\(cacheType)")
            XCTAssertTrue(try context.evaluate([.init(sequence: 3, tokens: tail, logits: .last)])[0] == expected, "\(cacheType)")

            // Once no cache maps it, the snapshot is let go.
            weak var released = snapshot
            for sequence in 0...3 { context.truncate(sequence: sequence, to: 0) }
            XCTAssertTrue((0..<4).allSatisfy { context.cache($0).snapshot == nil && context.cache($0).origin == nil }, "\(cacheType)")
            _ = snapshot.positions
            snapshot = nil
            XCTAssertNil(released, "\(cacheType): the snapshot outlived every cache that used it")
        }
    }

    /// A source that maps an old snapshot and then holds a longer prefix of other tokens takes a
    /// new snapshot of it and maps that: the next copy from it maps the same one, not a third.
    func testASourceMapsTheSnapshotItWasLastTakenFrom() throws {
        guard let file = MemoryFile.create(name: "probe") else { throw XCTSkip("no memory files on this system: prefixes are copied") }
        close(file)
        let model = try model()
        let first = tokens(600, seed: 5), second = Array(first.prefix(300)) + tokens(500, seed: 21), tail = tokens(4, seed: 11)
        let context = BatchedContext(model: model, sequences: 3, contextLength: 4096, threads: 2)
        try context.evaluate([.init(sequence: 0, tokens: first, logits: .none)])
        context.copyPrefix(from: 0, to: 1, length: first.count)
        let old = try XCTUnwrap(context.cache(0).snapshot)
        context.truncate(sequence: 0, to: 300)
        try context.evaluate([.init(sequence: 0, tokens: Array(second[300...]), logits: .none)])
        context.copyPrefix(from: 0, to: 2, length: second.count)
        let new = try XCTUnwrap(context.cache(2).snapshot)
        XCTAssertFalse(new === old)
        XCTAssertTrue(context.cache(0).snapshot === new, "the source still maps the old snapshot")
        XCTAssertTrue(context.cache(1).snapshot === old, "the first sharer keeps the old one")
        context.copyPrefix(from: 0, to: 1, length: second.count)
        XCTAssertTrue(context.cache(1).snapshot === new, "a second copy from the source took another snapshot")
        let expected = try model.makeContext(contextLength: 4096).evaluate(second + tail)
        for sequence in 0...2 {
            XCTAssertTrue(try context.evaluate([.init(sequence: sequence, tokens: tail, logits: .last)])[0] == expected, "sequence \(sequence)")
        }
    }

    /// Proportional set size (the kernel's count of this process's memory, each page shared by n
    /// mappings counted 1/n), in bytes; nil where /proc/self/smaps_rollup cannot be read.
    private func proportionalSetSize() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/smaps_rollup", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("Pss:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }

    func testASharedPrefixOccupiesMemoryOnce() throws {
        guard let file = MemoryFile.create(name: "probe") else { throw XCTSkip("no memory files on this system: prefixes are copied") }
        close(file)
        let model = try model()
        let page = CachePages.pageSize
        let buffers = 2 * model.config.blockCount
        let length = 3000, sequences = 8
        let copy = length * KVCacheType.f32.bytesPerPosition(model.config)
        let context = BatchedContext(model: model, sequences: sequences, contextLength: 4096, threads: 2)
        try context.evaluate([.init(sequence: 0, tokens: tokens(length, seed: 3), logits: .none)])
        let before = proportionalSetSize()
        for sequence in 1..<sequences { context.copyPrefix(from: 0, to: sequence, length: length) }
        for sequence in 1..<sequences { XCTAssertEqual(context.position(of: sequence), length) }
        // One more token each: attention reads every position, so every shared page is in use.
        try context.evaluate((1..<sequences).map { .init(sequence: $0, tokens: [7], logits: .none) })
        let after = proportionalSetSize()

        // Copied, the prefix would take seven more copies; shared beside the source's own, one.
        // Held once: the snapshot in place of the source's pages, and a page or so per buffer of
        // each sequence (the rest of the last shared page, the positions past it).
        let bound = sequences * buffers * 3 * page
        XCTAssertLessThan(bound + 256 * 1024, copy, "the test's prefix is too short to tell one copy from two")
        XCTAssertLessThanOrEqual(context.residentCacheBytes, copy + bound, "the caches' gauge")
        guard let before, let after else { throw XCTSkip("no /proc/self/smaps_rollup here") }
        print("shared prefix: \(sequences - 1) sequences of \(length) positions, PSS +\(after - before) bytes; one copy \(copy)")
        XCTAssertLessThan(after - before, bound + 256 * 1024, "the process's own count (PSS)")
    }
}

/// How attention splits a group's query heads over tasks when a pass has few rows.
final class AttentionTaskTests: XCTestCase {
    func testHeadsPerTaskKeepsThreadsBusyWithTheFewestTasks() {
        // Gemma 3 (4 query heads to one KV head), one generated token, two threads: 2 tasks of 2.
        XCTAssertEqual(ForwardPass.headsPerTask(groupSize: 4, kvTasks: 1, threads: 2), 2)
        // Qwen2.5 (7 to one, two KV heads): one task per KV head already keeps two threads busy.
        XCTAssertEqual(ForwardPass.headsPerTask(groupSize: 7, kvTasks: 2, threads: 2), 7)
        // More threads than heads can fill: one head per task.
        XCTAssertEqual(ForwardPass.headsPerTask(groupSize: 4, kvTasks: 1, threads: 3), 1)
        XCTAssertEqual(ForwardPass.headsPerTask(groupSize: 3, kvTasks: 3, threads: 16), 1)
        // Many row blocks: the whole group in each task.
        XCTAssertEqual(ForwardPass.headsPerTask(groupSize: 4, kvTasks: 64, threads: 2), 4)
        XCTAssertEqual(ForwardPass.headsPerTask(groupSize: 1, kvTasks: 1, threads: 2), 1)
    }
}
