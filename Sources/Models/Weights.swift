import GGUF
import Kernels

/// One transformer block's tensors: matrices stay in their quantized blocks inside the memory map
/// (Q5_0, Q8_0, Q4_K and Q6_K ones packed at load beside it, `TransformerWeights.packMatrices`); the small
/// vectors (norm weights, biases) are copied out as Float32.
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

extension LayerWeights {
    /// Calls `body` on each of the block's matrices, always in the same order.
    mutating func forEachMatrix(_ body: (inout WeightMatrix) -> Void) {
        body(&query)
        body(&key)
        body(&value)
        body(&attentionOutput)
        switch feedForward {
        case var .dense(gated):
            gated.forEachMatrix(body)
            feedForward = .dense(gated)
        case .experts(var router, var experts):
            body(&router)
            for index in experts.indices { experts[index].forEachMatrix(body) }
            feedForward = .experts(router: router, experts: experts)
        }
    }
}

extension FeedForwardWeights.Gated {
    mutating func forEachMatrix(_ body: (inout WeightMatrix) -> Void) {
        body(&gate)
        body(&up)
        body(&down)
    }
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
    /// The memory of the matrices' packed copies (`WeightMatrix.packed`).
    let packedWeights = PackedWeights()

    /// Loads the tensors `config.block` names for every block, and the model's own; a tensor in the
    /// file that none of them names is refused.
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
        // Read with the hyperparameters (Architectures.commonConfig).
        loader.markRead("rope_freqs.weight")
        layers = try (0..<config.blockCount).map { try Self.layer($0, loader, config: config) }
        try loader.refuseUnread(architecture: config.architecture)
        packMatrices(handingBackOriginals: file.isMemoryMapped)
    }

    /// Gives every matrix that products read (not the embeddings, looked up row by row, unless they
    /// are the output matrix too) its packed copy where it has a packed layout.
    private mutating func packMatrices(handingBackOriginals: Bool) {
        var matrices = [output]
        for index in layers.indices { layers[index].forEachMatrix { matrices.append($0) } }
        let packed = packedWeights.pack(matrices, handingBackOriginals: handingBackOriginals)
        output = packed[0]
        // Tied: lookups read the packed copy too, or they would bring the original's pages back
        // (each with its neighbours, the kernel's fault-around) beside it.
        embeddings = embeddings.sharingPackedCopy(of: output)
        var next = 1
        for index in layers.indices {
            layers[index].forEachMatrix {
                $0 = packed[next]
                next += 1
            }
        }
    }

    static func layer(_ index: Int, _ loader: TensorLoader, config c: ModelConfig) throws -> LayerWeights {
        let p = "blk.\(index).", e = c.embeddingLength
        let attention = c.block.attention, feedForward = c.block.feedForward
        func bias(_ name: String, count: Int) throws -> [Float]? {
            switch attention.biases {
            case .absent: return nil
            case .required: return try loader.vector(p + name + ".bias", count: count)
            case .optional: return try loader.optionalVector(p + name + ".bias", count: count)
            }
        }
        func norm(_ name: String?, count: Int) throws -> [Float]? {
            try name.map { try loader.vector(p + $0 + ".weight", count: count) }
        }
        return LayerWeights(
            attentionNorm: try loader.vector(p + attention.norm + ".weight", count: e),
            query: try loader.matrix(p + attention.query + ".weight", rows: c.queryDimension, columns: e),
            key: try loader.matrix(p + attention.key + ".weight", rows: c.keyValueDimension, columns: e),
            value: try loader.matrix(p + attention.value + ".weight", rows: c.valueDimension, columns: e),
            attentionOutput: try loader.matrix(p + attention.output + ".weight", rows: e, columns: c.headCount * c.valueHeadSize),
            queryBias: try bias(attention.query, count: c.queryDimension),
            keyBias: try bias(attention.key, count: c.keyValueDimension),
            valueBias: try bias(attention.value, count: c.valueDimension),
            queryNorm: try norm(attention.headNorms?.query, count: c.headSize),
            keyNorm: try norm(attention.headNorms?.key, count: c.headSize),
            postAttentionNorm: try norm(attention.postNorm, count: e),
            feedForwardNorm: try loader.vector(p + feedForward.norm + ".weight", count: e),
            feedForward: try network(feedForward.network, loader, prefix: p, config: c),
            postFeedForwardNorm: try norm(feedForward.postNorm, count: e)
        )
    }

    static func network(_ network: BlockRecipe.Network, _ loader: TensorLoader, prefix p: String,
                        config: ModelConfig) throws -> FeedForwardWeights {
        let e = config.embeddingLength
        switch network {
        case let .dense(gate, up, down):
            let f = config.feedForwardLength
            return .dense(.init(gate: try loader.matrix(p + gate + ".weight", rows: f, columns: e),
                                up: try loader.matrix(p + up + ".weight", rows: f, columns: e),
                                down: try loader.matrix(p + down + ".weight", rows: e, columns: f)))
        case let .experts(experts, router, gate, up, down):
            let f = experts.feedForwardLength, n = experts.count
            let gates = try loader.stacked(p + gate + ".weight", count: n, rows: f, columns: e)
            let ups = try loader.stacked(p + up + ".weight", count: n, rows: f, columns: e)
            let downs = try loader.stacked(p + down + ".weight", count: n, rows: e, columns: f)
            return .experts(router: try loader.matrix(p + router + ".weight", rows: n, columns: e),
                            experts: (0..<n).map { .init(gate: gates[$0], up: ups[$0], down: downs[$0]) })
        }
    }
}

/// Looks tensors up by name and checks their shapes, so a malformed file fails at load with the
/// tensor's name rather than deep inside a forward pass; remembers what was read, so that a tensor
/// nobody reads is refused rather than silently left out of the arithmetic.
final class TensorLoader {
    let file: GGUFFile
    private var read: Set<String> = []

    init(file: GGUFFile) { self.file = file }

    func markRead(_ name: String) { read.insert(name) }

    /// Throws for the first tensor in the file that was not read, naming it and how many others.
    func refuseUnread(architecture: String) throws {
        let unread = file.tensors.map(\.name).filter { !read.contains($0) }
        if let first = unread.first {
            throw ModelError.unexpectedTensor(first, architecture: architecture, others: unread.count - 1)
        }
    }

    func info(_ name: String, dimensions: [Int]) throws -> GGUFTensorInfo {
        guard let info = file.tensor(named: name) else { throw ModelError.missingTensor(name) }
        read.insert(name)
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

    /// The vector when the file has it; nil when it does not.
    func optionalVector(_ name: String, count: Int) throws -> [Float]? {
        file.tensor(named: name) == nil ? nil : try vector(name, count: count)
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
