import GGUF
import Kernels

/// One transformer block's tensors: matrices stay in their quantized blocks inside the memory map;
/// the small vectors (norm weights, biases) are copied out as Float32.
struct LayerWeights {
    var attentionNorm: [Float]               // (embedding)
    var query: WeightMatrix                  // (queryDimension × embedding)
    var key: WeightMatrix                    // (keyValueDimension × embedding)
    var value: WeightMatrix                  // (valueDimension × embedding)
    var attentionOutput: WeightMatrix        // (embedding × headCount·valueHeadSize)
    var queryBias: [Float]?
    var keyBias: [Float]?
    var valueBias: [Float]?
    var queryNorm: [Float]?                  // (headSize), shared by all heads
    var keyNorm: [Float]?
    var postAttentionNorm: [Float]?
    var feedForwardNorm: [Float]
    var feedForward: FeedForwardWeights
    var postFeedForwardNorm: [Float]?
}

/// A block's feed-forward: one gated network, or a router and its experts.
enum FeedForwardWeights {
    case dense(Gated)
    /// `router`: (experts × embedding); `experts[i]`: expert i's gated network, slices of the
    /// stacked tensors.
    case experts(router: WeightMatrix, experts: [Gated])

    struct Gated {
        var gate: WeightMatrix               // (feedForward × embedding)
        var up: WeightMatrix                 // (feedForward × embedding)
        var down: WeightMatrix               // (embedding × feedForward)
    }
}

struct TransformerWeights {
    var embeddings: WeightMatrix             // (vocabulary × embedding), one row per token
    var layers: [LayerWeights]
    var outputNorm: [Float]
    var output: WeightMatrix                 // (vocabulary × embedding); the embeddings when tied

    init(file: GGUFFile, config: ModelConfig) throws {
        let loader = TensorLoader(file: file)
        let e = config.embeddingLength
        embeddings = try loader.matrix("token_embd.weight", rows: config.vocabularySize, columns: e)
        outputNorm = try loader.vector("output_norm.weight", count: e)
        if file.tensor(named: "output.weight") != nil {
            output = try loader.matrix("output.weight", rows: config.vocabularySize, columns: e)
        } else {
            output = embeddings
        }
        layers = try (0..<config.blockCount).map { i in
            let p = "blk.\(i)."
            let headOut = config.headCount * config.valueHeadSize
            return LayerWeights(
                attentionNorm: try loader.vector(p + "attn_norm.weight", count: e),
                query: try loader.matrix(p + "attn_q.weight", rows: config.queryDimension, columns: e),
                key: try loader.matrix(p + "attn_k.weight", rows: config.keyValueDimension, columns: e),
                value: try loader.matrix(p + "attn_v.weight", rows: config.valueDimension, columns: e),
                attentionOutput: try loader.matrix(p + "attn_output.weight", rows: e, columns: headOut),
                queryBias: config.attentionBiases ? try loader.vector(p + "attn_q.bias", count: config.queryDimension) : nil,
                keyBias: config.attentionBiases ? try loader.vector(p + "attn_k.bias", count: config.keyValueDimension) : nil,
                valueBias: config.attentionBiases ? try loader.vector(p + "attn_v.bias", count: config.valueDimension) : nil,
                queryNorm: config.queryKeyNorm ? try loader.vector(p + "attn_q_norm.weight", count: config.headSize) : nil,
                keyNorm: config.queryKeyNorm ? try loader.vector(p + "attn_k_norm.weight", count: config.headSize) : nil,
                postAttentionNorm: config.postNorms ? try loader.vector(p + "post_attention_norm.weight", count: e) : nil,
                feedForwardNorm: try loader.vector(p + "ffn_norm.weight", count: e),
                feedForward: try Self.feedForward(loader, prefix: p, config: config),
                postFeedForwardNorm: config.postNorms ? try loader.vector(p + "post_ffw_norm.weight", count: e) : nil
            )
        }
    }
}

extension TransformerWeights {
    static func feedForward(_ loader: TensorLoader, prefix p: String, config: ModelConfig) throws -> FeedForwardWeights {
        let e = config.embeddingLength
        guard let experts = config.experts else {
            let f = config.feedForwardLength
            return .dense(.init(gate: try loader.matrix(p + "ffn_gate.weight", rows: f, columns: e),
                                up: try loader.matrix(p + "ffn_up.weight", rows: f, columns: e),
                                down: try loader.matrix(p + "ffn_down.weight", rows: e, columns: f)))
        }
        let f = experts.feedForwardLength, n = experts.count
        let gates = try loader.stacked(p + "ffn_gate_exps.weight", count: n, rows: f, columns: e)
        let ups = try loader.stacked(p + "ffn_up_exps.weight", count: n, rows: f, columns: e)
        let downs = try loader.stacked(p + "ffn_down_exps.weight", count: n, rows: e, columns: f)
        return .experts(router: try loader.matrix(p + "ffn_gate_inp.weight", rows: n, columns: e),
                        experts: (0..<n).map { .init(gate: gates[$0], up: ups[$0], down: downs[$0]) })
    }
}

/// Looks tensors up by name and checks their shapes, so a malformed file fails at load with the
/// tensor's name rather than deep inside a forward pass.
struct TensorLoader {
    let file: GGUFFile

    func info(_ name: String, dimensions: [Int]) throws -> GGUFTensorInfo {
        guard let info = file.tensor(named: name) else { throw ModelError.missingTensor(name) }
        // GGUF may store a vector as (n) or (n, 1); trailing ones are the same shape.
        var actual = info.dimensions
        while actual.count > dimensions.count, actual.last == 1 { actual.removeLast() }
        guard actual == dimensions else {
            throw ModelError.tensorShape(name: name, expected: dimensions, actual: info.dimensions)
        }
        return info
    }

    /// A matrix of `rows` rows of `columns` elements (GGUF dimensions [columns, rows]).
    func matrix(_ name: String, rows: Int, columns: Int) throws -> WeightMatrix {
        let info = try info(name, dimensions: [columns, rows])
        do {
            return try WeightMatrix(type: info.type, rows: rows, columns: columns,
                                    data: file.data(for: info).baseAddress!)
        } catch {
            throw ModelError.unsupportedTensorType(name: name, type: info.type.description)
        }
    }

    /// `count` matrices of `rows` × `columns` stored one after another in one tensor (GGUF
    /// dimensions [columns, rows, count]), as mixtures of experts store theirs: each a view of its
    /// slice, nothing read until it is used.
    func stacked(_ name: String, count: Int, rows: Int, columns: Int) throws -> [WeightMatrix] {
        let info = try info(name, dimensions: [columns, rows, count])
        let base = file.data(for: info).baseAddress!
        do {
            let first = try WeightMatrix(type: info.type, rows: rows, columns: columns, data: base)
            let stride = rows * first.rowBytes
            return try (0..<count).map { try WeightMatrix(type: info.type, rows: rows, columns: columns, data: base + $0 * stride) }
        } catch {
            throw ModelError.unsupportedTensorType(name: name, type: info.type.description)
        }
    }

    /// A vector copied out as Float32, whatever its stored type.
    func vector(_ name: String, count: Int) throws -> [Float] {
        let info = try info(name, dimensions: [count])
        do {
            return try Dequantizer.dequantize(info.type, bytes: file.data(for: info), count: count)
        } catch {
            throw ModelError.unsupportedTensorType(name: name, type: info.type.description)
        }
    }
}
