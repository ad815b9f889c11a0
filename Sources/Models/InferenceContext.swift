import Foundation
import Kernels

/// The mutable half of a model: one sequence's KV cache, its position, and scratch buffers.
///
/// The fast path. Matrices are multiplied in their quantized blocks with activations quantized to
/// 8 bits (Kernels.MatVec), compensated for the down and output projections; a prompt is processed
/// in chunks as matrix-matrix products; keys and values are cached in Float32 (llama.cpp uses f16,
/// one of its error sources against the fp64 reference) and attended to by Kernels.Attention, one
/// task per token and KV head.
/// Not thread-safe: one context per sequence, used from one task at a time; its thread pool does the
/// parallel work.
public final class InferenceContext {
    public let model: LanguageModel
    public let contextLength: Int
    /// Tokens per chunk of a prompt.
    public let batchSize: Int
    public private(set) var position = 0
    let pool: ThreadPool

    private var config: ModelConfig { model.config }
    private let keys: [UnsafeMutablePointer<Float>]       // per layer (contextLength × keyValueDimension)
    private let values: [UnsafeMutablePointer<Float>]     // per layer (contextLength × valueDimension)
    private let scratch: Scratch
    /// The down and output projections run with compensated activations (see CompensatedMatVec):
    /// together they carried most of the 8-bit error against the fp64 reference.
    private let compensated = CompensatedMatVec()
    private let ropeGlobal: RopeTable
    private let ropeSliding: RopeTable?

    public init(model: LanguageModel, contextLength: Int, threads: Int = 1, batchSize: Int = 64) {
        self.model = model
        let config = model.config
        let length = max(1, contextLength)
        self.contextLength = length
        self.batchSize = max(1, batchSize)
        pool = ThreadPool(threadCount: threads)
        keys = (0..<config.blockCount).map { _ in .allocate(capacity: length * config.keyValueDimension) }
        values = (0..<config.blockCount).map { _ in .allocate(capacity: length * config.valueDimension) }
        scratch = Scratch(config: config, batch: self.batchSize)
        ropeGlobal = RopeTable(dimensions: config.ropeDimensions, base: config.ropeFrequencyBase,
                               scale: config.ropeScale, factors: config.ropeFrequencyFactors)
        ropeSliding = config.slidingRopeFrequencyBase.map { RopeTable(dimensions: config.ropeDimensions, base: $0) }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }

    public var threadCount: Int { pool.threadCount }

    /// Forgets the sequence; the next token is at position 0.
    public func reset() { position = 0 }

    /// Drops cached positions from `newPosition` on (for reusing a shared prefix).
    public func truncate(to newPosition: Int) {
        position = min(max(0, newPosition), position)
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
        guard position + tokens.count <= contextLength else {
            throw ModelError.contextExceeded(tokens: position + tokens.count, context: contextLength)
        }
        for token in tokens where token < 0 || Int(token) >= config.vocabularySize {
            throw ModelError.invalidToken(token, vocabularySize: config.vocabularySize)
        }
        let vocabulary = config.vocabularySize
        var logits = [Float](repeating: 0, count: allLogits ? tokens.count * vocabulary : vocabulary)
        var start = 0
        while start < tokens.count {
            let chunk = Array(tokens[start..<min(start + batchSize, tokens.count)])
            let isLast = start + chunk.count == tokens.count
            forwardChunk(chunk)
            if allLogits {
                logits.withUnsafeMutableBufferPointer { out in
                    computeLogits(rows: 0..<chunk.count, into: out.baseAddress! + start * vocabulary)
                }
            } else if isLast {
                logits.withUnsafeMutableBufferPointer { out in
                    computeLogits(rows: (chunk.count - 1)..<chunk.count, into: out.baseAddress!)
                }
            }
            start += chunk.count
        }
        return logits
    }

    // MARK: - The forward pass

    /// Runs the layers over one chunk; the final hidden states stay in scratch.hidden.
    private func forwardChunk(_ tokens: [Int32]) {
        let n = tokens.count
        let e = config.embeddingLength
        let s = scratch
        let weights = model.weights
        let half = config.ropeDimensions / 2
        // Every per-token step runs on the pool, one task per token: on one thread alone they
        // would be a serial share of the chunk's time.
        pool.parallelFor(n) { t in
            self.model.embed(tokens[t], into: s.hidden + t * e)
            // The rotation angles of the chunk's positions, once for all layers.
            self.ropeGlobal.angles(at: self.position + t, cosines: s.ropeCosines + t * half, sines: s.ropeSines + t * half)
            self.ropeSliding?.angles(at: self.position + t, cosines: s.slidingCosines + t * half, sines: s.slidingSines + t * half)
        }
        for layer in 0..<config.blockCount {
            let w = weights.layers[layer]
            // h = x + attn(norm(x))
            pool.parallelFor(n) { t in
                Ops.rmsNorm(s.hidden + t * e, weight: w.attentionNorm, count: e, epsilon: self.config.normEpsilon, into: s.normed + t * e)
            }
            attention(layer: layer, weights: w, count: n)
            project(w.attentionOutput, s.attention, n, into: s.branch)
            addResidual(count: n, postNorm: w.postAttentionNorm)
            // out = h + ffn(norm(h))
            pool.parallelFor(n) { t in
                Ops.rmsNorm(s.hidden + t * e, weight: w.feedForwardNorm, count: e, epsilon: self.config.normEpsilon, into: s.normed + t * e)
            }
            project(w.gate, s.normed, n, into: s.gate)
            project(w.up, s.normed, n, into: s.up)
            let f = config.feedForwardLength
            pool.parallelFor(n) { t in
                switch self.config.feedForward {
                case .swiGLU: Ops.swiGLU(gate: s.gate + t * f, up: s.up + t * f, count: f)
                case .geluTanhGated: Ops.geluTanhGated(gate: s.gate + t * f, up: s.up + t * f, count: f)
                }
            }
            compensated.multiply(w.down, x: s.gate, count: n, into: s.branch, pool: pool)
            addResidual(count: n, postNorm: w.postFeedForwardNorm)
        }
        position += n
    }

    private func project(_ w: WeightMatrix, _ x: UnsafeMutablePointer<Float>, _ n: Int, into y: UnsafeMutablePointer<Float>) {
        if n == 1 {
            MatVec.multiply(w, x: x, into: y, pool: pool)
        } else {
            MatVec.multiplyBatch(w, x: x, count: n, into: y, pool: pool)
        }
    }

    /// hidden += postNorm(branch), row by row.
    private func addResidual(count n: Int, postNorm: [Float]?) {
        let e = config.embeddingLength
        let s = scratch
        let epsilon = config.normEpsilon
        pool.parallelFor(n) { t in
            let branch = s.branch + t * e
            if let postNorm {
                Ops.rmsNorm(branch, weight: postNorm, count: e, epsilon: epsilon, into: branch)
            }
            let hidden = s.hidden + t * e
            for i in 0..<e { hidden[i] += branch[i] }
        }
    }

    private func attention(layer: Int, weights w: LayerWeights, count n: Int) {
        let s = scratch
        let c = config
        project(w.query, s.normed, n, into: s.query)
        project(w.key, s.normed, n, into: s.key)
        project(w.value, s.normed, n, into: s.value)

        let sliding = c.slidingLayers[layer]
        let qd = c.queryDimension, kd = c.keyValueDimension, vd = c.valueDimension
        let cachedKeys = keys[layer], cachedValues = values[layer]
        let start = position
        let half = c.ropeDimensions / 2
        let (cosines, sines) = sliding && ropeSliding != nil ? (s.slidingCosines, s.slidingSines) : (s.ropeCosines, s.ropeSines)
        pool.parallelFor(n) { t in
            let q = s.query + t * qd, k = s.key + t * kd, v = s.value + t * vd
            if let b = w.queryBias { for i in 0..<qd { q[i] += b[i] } }
            if let b = w.keyBias { for i in 0..<kd { k[i] += b[i] } }
            if let b = w.valueBias { for i in 0..<vd { v[i] += b[i] } }
            if let qn = w.queryNorm, let kn = w.keyNorm {
                for h in 0..<c.headCount {
                    Ops.rmsNorm(q + h * c.headSize, weight: qn, count: c.headSize, epsilon: c.normEpsilon, into: q + h * c.headSize)
                }
                for h in 0..<c.headCountKV {
                    Ops.rmsNorm(k + h * c.headSize, weight: kn, count: c.headSize, epsilon: c.normEpsilon, into: k + h * c.headSize)
                }
            }
            RopeTable.rotate(q, heads: c.headCount, headSize: c.headSize, style: c.ropeStyle, dimensions: c.ropeDimensions,
                             cosines: cosines + t * half, sines: sines + t * half)
            RopeTable.rotate(k, heads: c.headCountKV, headSize: c.headSize, style: c.ropeStyle, dimensions: c.ropeDimensions,
                             cosines: cosines + t * half, sines: sines + t * half)
            let pos = start + t
            (cachedKeys + pos * kd).update(from: k, count: kd)
            (cachedValues + pos * vd).update(from: v, count: vd)
        }

        let window = sliding ? c.slidingWindow : nil
        let groupSize = c.headCount / c.headCountKV
        let out = s.attention
        let hs = c.headSize, vs = c.valueHeadSize
        let outDim = c.headCount * vs
        let scale = c.attentionScale
        // One task per token and KV head (its query heads together, so each key and value row is
        // read once for all of them); later tokens see more positions, and the pool hands tasks out
        // one at a time, so the threads stay even. With fewer tasks than threads (generation: one
        // token), one task per query head instead: each head's result is the same either way.
        let headsPerTask = n * c.headCountKV >= pool.threadCount ? groupSize : 1
        let tasksPerToken = c.headCount / headsPerTask
        pool.parallelFor(n * tasksPerToken) { task in
            let t = task / tasksPerToken, head = (task % tasksPerToken) * headsPerTask
            let kvHead = head / groupSize
            let pos = start + t
            let first = window.map { max(0, pos - $0 + 1) } ?? 0
            Attention.attend(query: s.query + t * qd + head * hs, group: headsPerTask, headSize: hs,
                             keys: cachedKeys + kvHead * hs, keyStride: kd,
                             values: cachedValues + kvHead * vs, valueStride: vd, valueSize: vs,
                             positions: first...pos, scale: scale, into: out + t * outDim + head * vs)
        }
    }

    /// Final norm and output projection for the given rows of the last chunk.
    private func computeLogits(rows: Range<Int>, into logits: UnsafeMutablePointer<Float>) {
        let e = config.embeddingLength
        let s = scratch
        for (i, t) in rows.enumerated() {
            Ops.rmsNorm(s.hidden + t * e, weight: model.weights.outputNorm, count: e, epsilon: config.normEpsilon, into: s.normed + i * e)
        }
        compensated.multiply(model.weights.output, x: s.normed, count: rows.count, into: logits, pool: pool)
        if let cap = config.finalLogitSoftcap {
            for i in 0..<(rows.count * config.vocabularySize) { logits[i] = cap * tanhf(logits[i] / cap) }
        }
    }
}

/// Activation buffers for one chunk of up to `batch` tokens, allocated once per context.
private final class Scratch {
    let hidden, normed, branch, query, key, value, attention, gate, up: UnsafeMutablePointer<Float>
    let ropeCosines, ropeSines, slidingCosines, slidingSines: UnsafeMutablePointer<Float>

    init(config c: ModelConfig, batch n: Int) {
        hidden = .allocate(capacity: n * c.embeddingLength)          // (batch, embedding)
        normed = .allocate(capacity: n * c.embeddingLength)          // (batch, embedding)
        branch = .allocate(capacity: n * c.embeddingLength)          // (batch, embedding)
        query = .allocate(capacity: n * c.queryDimension)            // (batch, heads·headSize)
        key = .allocate(capacity: n * c.keyValueDimension)           // (batch, kvHeads·headSize)
        value = .allocate(capacity: n * c.valueDimension)            // (batch, kvHeads·valueHeadSize)
        attention = .allocate(capacity: n * c.headCount * c.valueHeadSize) // (batch, heads·valueHeadSize)
        gate = .allocate(capacity: n * c.feedForwardLength)          // (batch, feedForward)
        up = .allocate(capacity: n * c.feedForwardLength)            // (batch, feedForward)
        let angles = max(1, n * (c.ropeDimensions / 2))
        ropeCosines = .allocate(capacity: angles)                    // (batch, ropeDimensions / 2)
        ropeSines = .allocate(capacity: angles)                      // (batch, ropeDimensions / 2)
        slidingCosines = .allocate(capacity: angles)                 // (batch, ropeDimensions / 2)
        slidingSines = .allocate(capacity: angles)                   // (batch, ropeDimensions / 2)
    }

    deinit {
        for buffer in [hidden, normed, branch, query, key, value, attention, gate, up,
                       ropeCosines, ropeSines, slidingCosines, slidingSines] { buffer.deallocate() }
    }
}
