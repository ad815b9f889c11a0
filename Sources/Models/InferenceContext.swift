import Foundation
import Kernels

/// The mutable half of a model for one sequence: its KV cache, its position, and the scratch
/// buffers of the forward pass (ForwardPass has the arithmetic). A prompt is processed in chunks
/// of `batchSize` tokens as matrix-matrix products. For several sequences sharing passes, see
/// `BatchedContext`.
/// Not thread-safe: used from one task at a time; its thread pool does the parallel work.
public final class InferenceContext {
    public var model: LanguageModel { forward.model }
    public let contextLength: Int
    /// Tokens per chunk of a prompt.
    public var batchSize: Int { forward.batchSize }
    public var position: Int { cache.position }
    public var threadCount: Int { forward.pool.threadCount }

    private let forward: ForwardPass
    private let cache: KVCache

    /// How the KV cache stores keys and values.
    public var cacheType: KVCacheType { cache.type }

    public init(model: LanguageModel, contextLength: Int, threads: Int = 1, batchSize: Int = 64, cacheType: KVCacheType = .f32) {
        self.contextLength = max(1, contextLength)
        forward = ForwardPass(model: model, threads: threads, batchSize: batchSize)
        cache = KVCache(config: model.config, contextLength: self.contextLength, type: cacheType)
    }

    /// Forgets the sequence; the next token is at position 0.
    public func reset() { cache.truncate(to: 0) }

    /// Drops cached positions from `newPosition` on (for reusing a shared prefix).
    public func truncate(to newPosition: Int) {
        cache.truncate(to: newPosition)
    }

    /// Feeds `tokens` at the current position and returns the logits of the last one (vocabulary).
    @discardableResult
    public func evaluate(_ tokens: [Int32]) throws -> [Float] {
        try evaluate(tokens, allLogits: false)
    }

    /// Feeds `tokens`; returns the logits of every one of them, row after row (tokens × vocabulary).
    public func evaluateAll(_ tokens: [Int32]) throws -> [Float] {
        try evaluate(tokens, allLogits: true)
    }

    private func evaluate(_ tokens: [Int32], allLogits: Bool) throws -> [Float] {
        guard !tokens.isEmpty else { return [] }
        try model.config.validate(tokens, at: position, contextLength: contextLength)
        var rows = ForwardRows()
        for (i, token) in tokens.enumerated() {
            rows.append(token, at: position + i, in: cache, logits: allLogits || i == tokens.count - 1)
        }
        return forward.evaluate(rows)
    }
}

extension ModelConfig {
    /// Checks that `tokens` fed at `position` fit the context and are in the vocabulary.
    func validate(_ tokens: [Int32], at position: Int, contextLength: Int) throws {
        guard position + tokens.count <= contextLength else {
            throw ModelError.contextExceeded(tokens: position + tokens.count, context: contextLength)
        }
        if let token = firstInvalidToken(in: tokens) {
            throw ModelError.invalidToken(token, vocabularySize: vocabularySize)
        }
    }

    /// The first of `tokens` that is not a token of the vocabulary: the one range check that the
    /// forward pass, the generation and the server's token prompts share.
    public func firstInvalidToken(in tokens: [Int32]) -> Int32? {
        tokens.first { $0 < 0 || Int($0) >= vocabularySize }
    }
}
