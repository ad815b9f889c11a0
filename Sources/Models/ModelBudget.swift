import Foundation
import Kernels

/// What one token costs a model, counted from its weights as they are stored: the bytes a generated
/// token reads and the multiply-adds a prompt token needs. Set against the machine's ceilings
/// (`MachineCeilings`), these say how far a measured speed is from what the hardware allows.
public struct ModelBudget: Sendable {
    /// Bytes of the block matrices one token reads (a mixture: the router and `used` experts).
    public let blockMatrixBytes: Int
    /// Multiply-adds of the block matrices per token.
    public let blockMatrixMultiplyAdds: Int
    /// The output matrix (vocabulary × embedding), read by every token that needs logits.
    public let outputBytes: Int
    public let outputMultiplyAdds: Int
    /// Bytes of one token's keys and values over all layers, in a Float32 cache.
    public let keyValueBytesPerPosition: Int
    private let config: ModelConfig
    private let embeddingRowBytes: Int

    public init(model: LanguageModel) {
        config = model.config
        let weights = model.weights
        var bytes = 0, multiplyAdds = 0
        func add(_ w: WeightMatrix, times: Int = 1) {
            bytes += times * w.rows * w.rowBytes
            multiplyAdds += times * w.rows * w.columns
        }
        for layer in weights.layers {
            for w in [layer.query, layer.key, layer.value, layer.attentionOutput] { add(w) }
            switch layer.feedForward {
            case .dense(let network):
                for w in [network.gate, network.up, network.down] { add(w) }
            case .experts(let router, let experts):
                add(router)
                // Every token reads `used` of the experts, each as large as the first.
                let used = config.experts?.used ?? experts.count
                if let expert = experts.first { for w in [expert.gate, expert.up, expert.down] { add(w, times: used) } }
            }
        }
        blockMatrixBytes = bytes
        blockMatrixMultiplyAdds = multiplyAdds
        outputBytes = weights.output.rows * weights.output.rowBytes
        outputMultiplyAdds = weights.output.rows * weights.output.columns
        keyValueBytesPerPosition = KVCacheType.f32.bytesPerPosition(config)
        embeddingRowBytes = weights.embeddings.rowBytes
    }

    /// Bytes a step of `sequences` sequences reads per generated token, when each sequence holds
    /// `context` positions on average: the weights once per step, shared by the sequences, and
    /// each sequence's own cache and embedding row.
    public func bytesPerGeneratedToken(context: Double, sequences: Int = 1, cacheType: KVCacheType = .f32) -> Double {
        let shared = Double(blockMatrixBytes + outputBytes)
        let cachePerPosition = Double(cacheType.bytesPerPosition(config))
        let own = cachePerPosition * context + Double(embeddingRowBytes)
        return shared / Double(max(1, sequences)) + own
    }

    /// Multiply-adds per generated token when its sequence holds `context` positions on average:
    /// the block matrices, attention over the visible positions (windows included), and the output
    /// matrix, which every generated token multiplies (a prompt token but the last does not).
    public func multiplyAddsPerGeneratedToken(context: Double) -> Double {
        var attended = 0.0
        for layer in 0..<config.blockCount {
            let window = config.slidingLayers[layer] ? config.slidingWindow : nil
            attended += window.map { min(Double($0), context) } ?? context
        }
        let perPosition = Double(config.headCount * (config.headSize + config.valueHeadSize))
        return Double(blockMatrixMultiplyAdds + outputMultiplyAdds) + attended * perPosition
    }

    /// Multiply-adds per token of an `n`-token prompt after `depth` cached positions: the block
    /// matrices, attention (q·k and p·v over each token's visible positions, windows included),
    /// and the output matrix once, for the last token's logits.
    public func multiplyAddsPerPromptToken(_ n: Int, depth: Int) -> Double {
        guard n > 0 else { return 0 }
        var attended = 0.0
        for layer in 0..<config.blockCount {
            let window = config.slidingLayers[layer] ? config.slidingWindow : nil
            for t in 0..<n {
                let visible = depth + t + 1
                attended += Double(window.map { min($0, visible) } ?? visible)
            }
        }
        let perPosition = Double(config.headCount * (config.headSize + config.valueHeadSize))
        return Double(blockMatrixMultiplyAdds) + attended * perPosition / Double(n) + Double(outputMultiplyAdds) / Double(n)
    }
}
