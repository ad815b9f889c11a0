import Foundation
import GGUF
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
