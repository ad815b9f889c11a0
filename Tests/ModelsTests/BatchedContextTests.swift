import Foundation
import GGUF
import Models
import XCTest

/// Several sequences in shared forward passes (continuous batching) compute exactly what each
/// computes alone: the property the server's determinism under load rests on.
final class BatchedContextTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-batched-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func model(_ architecture: String) throws -> LanguageModel {
        var tiny = TinyModel()
        tiny.architecture = architecture
        tiny.matrixType = .q8_0
        tiny.tiedOutput = architecture != "qwen2"
        if architecture == "gemma3" { tiny.slidingWindow = 4 }
        let url = directory.appendingPathComponent("\(architecture).gguf")
        try tiny.write(to: url)
        return try LanguageModel(url: url)
    }

    private let prompts: [[Int32]] = [
        [1, 259, 260, 261, 262, 263, 100, 101, 102, 7, 8],
        [1, 7, 8, 9],
        [1, 263, 262, 261, 260, 259, 100, 100, 101, 102, 103, 104, 105, 9],
    ]
    private let continuations: [[Int32]] = [[9, 10, 11, 12], [260, 261, 262, 263, 7, 8], [6, 5]]

    /// The logits each sequence gets alone: its prompt in one call, then one token at a time.
    private func alone(_ model: LanguageModel, _ index: Int, cacheType: KVCacheType = .f32) throws -> [[Float]] {
        let context = model.makeContext(contextLength: 32, threads: 1, batchSize: 64, cacheType: cacheType)
        var logits = [try context.evaluate(prompts[index])]
        for token in continuations[index] { logits.append(try context.evaluate([token])) }
        return logits
    }

    /// Three sequences start at different steps, feed their prompts in pieces that share passes
    /// with the others' generated tokens, then generate side by side; passes are also split
    /// (batch size 5). Every logit equals the lone run's, bit for bit, on every architecture and
    /// with either cache type.
    func testSequencesInSharedPassesComputeWhatEachComputesAlone() throws {
        for architecture in ["llama", "qwen2", "qwen3", "gemma3"] {
          for cacheType in KVCacheType.allCases {
            let model = try model(architecture)
            let expected = try (0..<3).map { try alone(model, $0, cacheType: cacheType) }
            let batch = BatchedContext(model: model, sequences: 3, contextLength: 32, threads: 2, batchSize: 5, cacheType: cacheType)
            var got: [[[Float]]] = [[], [], []]
            var fedPrompt = [0, 0, 0], fedContinuation = [0, 0, 0]
            // Sequence i joins at step i; prompts go in pieces of 3 tokens.
            for step in 0..<20 {
                var inputs: [BatchedContext.Input] = []
                for i in 0..<3 where step >= i {
                    if fedPrompt[i] < prompts[i].count {
                        let end = min(fedPrompt[i] + 3, prompts[i].count)
                        inputs.append(.init(sequence: i, tokens: Array(prompts[i][fedPrompt[i]..<end]),
                                            logits: end == prompts[i].count ? .last : .none))
                        fedPrompt[i] = end
                    } else if fedContinuation[i] < continuations[i].count {
                        inputs.append(.init(sequence: i, tokens: [continuations[i][fedContinuation[i]]], logits: .last))
                        fedContinuation[i] += 1
                    }
                }
                if inputs.isEmpty { break }
                // The order of inputs within a step does not matter either.
                if step % 2 == 1 { inputs.reverse() }
                for (input, logits) in zip(inputs, try batch.evaluate(inputs)) where input.logits != .none {
                    got[input.sequence].append(logits)
                }
            }
            for i in 0..<3 {
                XCTAssertEqual(got[i].count, expected[i].count, "\(architecture) \(cacheType) sequence \(i)")
                XCTAssertTrue(got[i] == expected[i], "\(architecture) \(cacheType) sequence \(i) differs from its lone run")
                XCTAssertEqual(batch.position(of: i), prompts[i].count + continuations[i].count)
            }
          }
        }
    }

    /// Half and Q8_0 caches are wired through: the logits move (keys and values are rounded), and
    /// stay near the Float32 cache's. A sanity bound only: the tiny model's random weights amplify
    /// small changes far more than a trained model's, and the exact property (attention over a
    /// narrow cache is attention over its rounded values) is `AttentionTests`'. Fidelity on the real models
    /// is in docs/ACCURACY.md.
    func testNarrowCachesRoundKeysAndValuesOnly() throws {
        for architecture in ["llama", "gemma3"] {
          for cacheType in [KVCacheType.f16, .q8_0] {
            let model = try model(architecture)
            let float = try alone(model, 2), narrow = try alone(model, 2, cacheType: cacheType)
            XCTAssertEqual(model.makeContext(contextLength: 8, cacheType: cacheType).cacheType, cacheType)
            var largest: Float = 0, scale: Float = 0
            for (a, b) in zip(float.joined(), narrow.joined()) {
                largest = max(largest, abs(a - b))
                scale = max(scale, abs(a))
            }
            print("\(architecture) \(cacheType): largest logit change \(largest) of \(scale)")
            XCTAssertGreaterThan(largest, 0, "\(architecture): the \(cacheType) cache changed nothing")
            XCTAssertLessThan(largest, 0.05 * max(1, scale), "\(architecture) \(cacheType)")
          }
        }
    }

    /// `.all` returns a row per token, equal to a lone context's `evaluateAll`.
    func testAllLogitsMatchEvaluateAll() throws {
        let model = try model("llama")
        let expected = try model.makeContext(contextLength: 32).evaluateAll(prompts[0])
        let batch = BatchedContext(model: model, sequences: 2, contextLength: 32, threads: 2, batchSize: 4)
        let logits = try batch.evaluate([.init(sequence: 1, tokens: prompts[1], logits: .none),
                                         .init(sequence: 0, tokens: prompts[0], logits: .all)])
        XCTAssertEqual(logits[0], [])
        XCTAssertTrue(logits[1] == expected)
        // Some rows only: the same rows of the same computation.
        let vocabulary = model.config.vocabularySize
        let batch2 = BatchedContext(model: model, sequences: 1, contextLength: 32, threads: 2, batchSize: 4)
        let some = try batch2.evaluate([.init(sequence: 0, tokens: prompts[0], logits: .rows(2..<5))])
        XCTAssertTrue(some[0] == Array(expected[(2 * vocabulary)..<(5 * vocabulary)]))
    }

    /// A sequence that copies another's prompt prefix continues exactly as if it had computed it.
    func testCopiedPrefixContinuesAsIfComputed() throws {
      for cacheType in KVCacheType.allCases {
        let model = try model("gemma3")
        let shared = Array(prompts[2][0..<9])
        let tail: [Int32] = [50, 51, 52]
        let expected = try model.makeContext(contextLength: 32, cacheType: cacheType).evaluate(shared + tail)
        let batch = BatchedContext(model: model, sequences: 2, contextLength: 32, threads: 1, cacheType: cacheType)
        try batch.evaluate([.init(sequence: 0, tokens: prompts[2], logits: .last)])
        batch.copyPrefix(from: 0, to: 1, length: shared.count)
        XCTAssertEqual(batch.position(of: 1), shared.count)
        let logits = try batch.evaluate([.init(sequence: 1, tokens: tail, logits: .last)])
        XCTAssertTrue(logits[0] == expected)
        // Truncating and refeeding gives the same again.
        batch.truncate(sequence: 1, to: shared.count)
        XCTAssertTrue(try batch.evaluate([.init(sequence: 1, tokens: tail, logits: .last)])[0] == expected, "\(cacheType)")
      }
    }

    /// Bad steps are errors that change nothing: a sequence named twice or out of range, a step
    /// past the context, a token outside the vocabulary.
    func testBadStepsAreErrorsAndChangeNothing() throws {
        let model = try model("llama")
        let batch = BatchedContext(model: model, sequences: 2, contextLength: 8, threads: 1)
        try batch.evaluate([.init(sequence: 0, tokens: [1, 7], logits: .none)])
        let good = BatchedContext.Input(sequence: 1, tokens: [1], logits: .last)
        XCTAssertThrowsError(try batch.evaluate([good, .init(sequence: 1, tokens: [2], logits: .last)])) { error in
            XCTAssertEqual(error as? BatchError, .invalidSequence(1, sequences: 2))
        }
        XCTAssertThrowsError(try batch.evaluate([good, .init(sequence: 2, tokens: [2], logits: .last)]))
        XCTAssertThrowsError(try batch.evaluate([.init(sequence: -1, tokens: [2], logits: .last)]))
        XCTAssertThrowsError(try batch.evaluate([good, .init(sequence: 0, tokens: Array(repeating: 7, count: 7), logits: .last)])) { error in
            XCTAssertEqual(error as? ModelError, .contextExceeded(tokens: 9, context: 8))
        }
        XCTAssertThrowsError(try batch.evaluate([good, .init(sequence: 0, tokens: [99_999], logits: .last)])) { error in
            XCTAssertEqual(error as? ModelError, .invalidToken(99_999, vocabularySize: model.config.vocabularySize))
        }
        XCTAssertEqual(batch.position(of: 0), 2)
        XCTAssertEqual(batch.position(of: 1), 0)
    }
}
