import Foundation
import Kernels

/// The plain scalar forward pass: every matrix dequantized to Float32 once, activations never
/// quantized, dot products accumulated in Float64, one thread, one token at a time. It is slow on
/// purpose and never goes away: it is the oracle the fast path is held to, and it should match the
/// fp64 reference of scripts/reference to Float32 precision.
public final class ReferenceModel {
    public let model: LanguageModel
    private var config: ModelConfig { model.config }
    private let layers: [DenseLayer]
    private let output: [Float]           // (vocabulary × embedding)
    private var keys: [[Float]]            // per layer: (position × keyValueDimension)
    private var values: [[Float]]          // per layer: (position × valueDimension)
    public private(set) var position = 0

    private struct DenseLayer {
        let weights: LayerWeights
        let query, key, value, attentionOutput: [Float]
        let feedForward: FeedForward
    }

    private struct Gated {
        let gate, up, down: [Float]

        init(_ w: FeedForwardWeights.Gated) throws {
            gate = try ReferenceModel.dense(w.gate)
            up = try ReferenceModel.dense(w.up)
            down = try ReferenceModel.dense(w.down)
        }
    }

    private enum FeedForward {
        case dense(Gated)
        case experts(router: [Float], experts: [Gated])
    }

    public init(model: LanguageModel) throws {
        self.model = model
        layers = try model.weights.layers.map { w in
            let feedForward: FeedForward
            switch w.feedForward {
            case .dense(let network): feedForward = .dense(try Gated(network))
            case .experts(let router, let experts): feedForward = .experts(router: try Self.dense(router), experts: try experts.map(Gated.init))
            }
            return DenseLayer(weights: w,
                              query: try Self.dense(w.query), key: try Self.dense(w.key), value: try Self.dense(w.value),
                              attentionOutput: try Self.dense(w.attentionOutput), feedForward: feedForward)
        }
        output = try Self.dense(model.weights.output)
        keys = Array(repeating: [], count: model.config.blockCount)
        values = Array(repeating: [], count: model.config.blockCount)
    }

    private static func dense(_ w: WeightMatrix) throws -> [Float] {
        try Dequantizer.dequantize(w.type, bytes: UnsafeRawBufferPointer(start: w.data, count: w.rows * w.rowBytes),
                                   count: w.rows * w.columns)
    }

    public func reset() {
        position = 0
        keys = Array(repeating: [], count: config.blockCount)
        values = Array(repeating: [], count: config.blockCount)
    }

    /// Feeds one token and returns its logits.
    public func step(_ token: Int32) -> [Float] {
        let c = config
        var x = [Float](repeating: 0, count: c.embeddingLength)
        x.withUnsafeMutableBufferPointer { model.embed(token, into: $0.baseAddress!) }
        for (index, layer) in layers.enumerated() {
            let w = layer.weights
            // h = x + attn(norm(x))
            let xn = rmsNorm(x, w.attentionNorm)
            var q = matVec(layer.query, xn), k = matVec(layer.key, xn), v = matVec(layer.value, xn)
            if let b = w.queryBias { q = add(q, b) }
            if let b = w.keyBias { k = add(k, b) }
            if let b = w.valueBias { v = add(v, b) }
            if let qn = w.queryNorm, let kn = w.keyNorm {
                q = perHead(q, c.headSize) { rmsNorm($0, qn) }
                k = perHead(k, c.headSize) { rmsNorm($0, kn) }
            }
            let base = c.slidingLayers[index] ? (c.slidingRopeFrequencyBase ?? c.ropeFrequencyBase) : c.ropeFrequencyBase
            let local = c.slidingLayers[index] && c.slidingRopeFrequencyBase != nil
            let scale = local ? 1 : c.ropeScale
            let factors = local ? nil : c.ropeFrequencyFactors
            let yarn = local ? nil : c.ropeYaRN
            q = perHead(q, c.headSize) { rope($0, base: base, scale: scale, factors: factors, yarn: yarn) }
            k = perHead(k, c.headSize) { rope($0, base: base, scale: scale, factors: factors, yarn: yarn) }
            keys[index] += k
            values[index] += v

            let first = c.slidingLayers[index] ? max(0, position - (c.slidingWindow ?? Int.max) + 1) : 0
            var attention = [Float]()
            for h in 0..<c.headCount {
                let kvHead = h / (c.headCount / c.headCountKV)
                let qh = q[(h * c.headSize)..<((h + 1) * c.headSize)]
                var scores = [Double]()
                for j in first...position {
                    let kj = keys[index][(j * c.keyValueDimension + kvHead * c.headSize)...].prefix(c.headSize)
                    scores.append(zip(qh, kj).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } * Double(c.attentionScale))
                }
                let maxScore = scores.max()!
                let exps = scores.map { exp($0 - maxScore) }
                let total = exps.reduce(0, +)
                var o = [Double](repeating: 0, count: c.valueHeadSize)
                for (offset, j) in (first...position).enumerated() {
                    let vj = values[index][(j * c.valueDimension + kvHead * c.valueHeadSize)...].prefix(c.valueHeadSize)
                    for (i, value) in vj.enumerated() { o[i] += exps[offset] / total * Double(value) }
                }
                attention += o.map(Float.init)
            }
            var branch = matVec(layer.attentionOutput, attention)
            if let n = w.postAttentionNorm { branch = rmsNorm(branch, n) }
            x = add(x, branch)
            // out = h + ffn(norm(h))
            let hn = rmsNorm(x, w.feedForwardNorm)
            switch layer.feedForward {
            case .dense(let network):
                branch = gated(network, hn)
            case .experts(let router, let experts):
                // Every expert's score, the chosen ones' weighted outputs summed in expert order.
                let routing = c.experts!
                let scores = matVec(router, hn)
                let chosen = scores.withUnsafeBufferPointer {
                    MixtureRouting.choose(logits: $0, used: routing.used, normalize: routing.normalizeWeights)
                }
                var sum = [Double](repeating: 0, count: c.embeddingLength)
                for choice in chosen {
                    for (i, value) in gated(experts[choice.expert], hn).enumerated() { sum[i] += Double(choice.weight) * Double(value) }
                }
                branch = sum.map(Float.init)
            }
            if let n = w.postFeedForwardNorm { branch = rmsNorm(branch, n) }
            x = add(x, branch)
        }
        position += 1
        var logits = matVec(output, rmsNorm(x, model.weights.outputNorm))
        if let cap = c.finalLogitSoftcap { logits = logits.map { cap * tanh($0 / cap) } }
        return logits
    }

    // MARK: - Scalar building blocks

    private func gated(_ w: Gated, _ x: [Float]) -> [Float] {
        let gate = matVec(w.gate, x), up = matVec(w.up, x)
        let activated = zip(gate, up).map { g, u -> Float in
            switch config.block.feedForward.activation {
            case .swiGLU: return Float(Double(g) / (1 + exp(-Double(g))) * Double(u))
            case .geluTanhGated:
                let gd = Double(g)
                return Float(0.5 * gd * (1 + tanh((2 / Double.pi).squareRoot() * (gd + 0.044715 * gd * gd * gd))) * Double(u))
            }
        }
        return matVec(w.down, activated)
    }

    private func matVec(_ w: [Float], _ x: [Float]) -> [Float] {
        let columns = x.count
        return (0..<(w.count / columns)).map { r in
            var sum = 0.0
            for c in 0..<columns { sum += Double(w[r * columns + c]) * Double(x[c]) }
            return Float(sum)
        }
    }

    private func rmsNorm(_ x: [Float], _ weight: [Float]) -> [Float] {
        let meanSquare = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)
        let scale = 1 / (meanSquare + Double(config.normEpsilon)).squareRoot()
        return zip(x, weight).map { Float(Double($0) * scale * Double($1)) }
    }

    private func add(_ a: [Float], _ b: [Float]) -> [Float] { zip(a, b).map { $0 + $1 } }

    private func perHead(_ x: [Float], _ size: Int, _ f: ([Float]) -> [Float]) -> [Float] {
        stride(from: 0, to: x.count, by: size).flatMap { f(Array(x[$0..<($0 + size)])) }
    }

    /// YaRN, when given, blends each pair's interpolated and extrapolated angle on its ramp (in
    /// place of linear scaling) and scales the rotation by its magnitude.
    private func rope(_ x: [Float], base: Double, scale: Double, factors: [Float]?, yarn: YaRN?) -> [Float] {
        let d = config.ropeDimensions
        let ramp = yarn?.extrapolationRamp(dimensions: d, base: base)
        let magnitude = yarn?.magnitude ?? 1
        var out = x
        for i in 0..<(d / 2) {
            let extrapolated = Double(position) * pow(base, -2 * Double(i) / Double(d)) / Double(factors?[i] ?? 1)
            var theta = extrapolated / scale
            if let yarn, let ramp { theta = extrapolated / yarn.factor * (1 - ramp[i]) + extrapolated * ramp[i] }
            let (a, b): (Int, Int) = config.ropeStyle == .adjacentPairs ? (2 * i, 2 * i + 1) : (i, i + d / 2)
            let xa = Double(x[a]), xb = Double(x[b])
            out[a] = Float((xa * cos(theta) - xb * sin(theta)) * magnitude)
            out[b] = Float((xa * sin(theta) + xb * cos(theta)) * magnitude)
        }
        return out
    }
}
