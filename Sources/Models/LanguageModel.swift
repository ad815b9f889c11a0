import Foundation
import GGUF
import Kernels
import Tokenizers

/// A loaded model: the memory-mapped file, its decoded configuration, tokenizer and weights.
/// Immutable and shareable; each sequence gets its own `InferenceContext`.
public final class LanguageModel: @unchecked Sendable {
    public let url: URL
    public let file: GGUFFile
    public let config: ModelConfig
    public let tokenizer: Tokenizer
    let weights: TransformerWeights

    public convenience init(url: URL) throws {
        try self.init(file: GGUFFile(url: url), url: url)
    }

    public init(file: GGUFFile, url: URL) throws {
        self.url = url
        self.file = file
        config = try Architectures.config(for: file)
        tokenizer = try Tokenizer(metadata: file.metadata)
        weights = try TransformerWeights(file: file, config: config)
    }

    /// The context a sequence gets unless asked otherwise: the trained context, capped at 4,096 so
    /// a small model's KV cache stays small (one slot of a 32k-context model would hold 32k positions).
    public var defaultContextLength: Int { min(config.contextLength, 4096) }

    /// A context for one sequence: `contextLength` (default `defaultContextLength`), at most the
    /// trained context.
    public func makeContext(contextLength: Int? = nil, threads: Int = 1, batchSize: Int = 64,
                            cacheType: KVCacheType = .f32) -> InferenceContext {
        let length = min(contextLength ?? defaultContextLength, config.contextLength)
        return InferenceContext(model: self, contextLength: length, threads: threads, batchSize: batchSize, cacheType: cacheType)
    }

    /// Looks up a token's embedding row (dequantizing just that row) and applies the family's scale.
    func embed(_ token: Int32, into x: UnsafeMutablePointer<Float>) {
        let e = config.embeddingLength
        // The type was accepted by Dequantizer when the matrix was loaded, so this cannot fail.
        weights.embeddings.withRow(Int(token)) { row in
            try! Dequantizer.dequantize(weights.embeddings.type, from: row, count: e, into: x)
        }
        if let scale = config.embeddingScale {
            for i in 0..<e { x[i] *= scale }
        }
    }
}
