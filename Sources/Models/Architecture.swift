import GGUF
import Kernels

/// One model family: how its hyperparameters are spelled in GGUF metadata, the model-wide choices it
/// makes (RoPE layout, sliding windows, scales) and its block (`BlockRecipe`: the tensors each block
/// reads and the steps it runs). Each lives in its own file under `Architectures/` and is found
/// through `Architectures.registry`; the forward passes and the weight loader read only the config.
public protocol Architecture: Sendable {
    /// The value of `general.architecture`.
    static var name: String { get }
    static func config(from file: GGUFFile) throws -> ModelConfig
}

public enum Architectures {
    /// `general.architecture` → its definition. Adding a family means adding a file and a line here.
    public static let registry: [String: any Architecture.Type] = Dictionary(
        uniqueKeysWithValues: [Llama.self, Qwen2.self, Qwen3.self, Qwen3MoE.self, Gemma3.self].map { ($0.name, $0) }
    )

    public static var supported: [String] { registry.keys.sorted() }

    public static func config(for file: GGUFFile) throws -> ModelConfig {
        guard let name = file.metadata.string("general.architecture") else {
            throw ModelError.missingMetadata("general.architecture")
        }
        guard let architecture = registry[name] else {
            throw ModelError.unsupportedArchitecture(name, supported: supported)
        }
        return try architecture.config(from: file)
    }

    /// `expert_count` and `expert_used_count`, checked. When not `required`, a file without experts
    /// (no key, or a count of 0, as some dense files write) gives nil.
    static func expertCounts(_ meta: MetadataReader, required: Bool) throws -> (count: Int, used: Int)? {
        if !required, meta.metadata[meta.key("expert_count")]?.intValue ?? 0 == 0 { return nil }
        let count = try meta.int("expert_count"), used = try meta.int("expert_used_count")
        guard used <= count else {
            throw ModelError.invalidMetadata(key: meta.key("expert_used_count"), reason: "\(used) exceeds the \(count) experts")
        }
        return (count, used)
    }

    /// YaRN as llama.cpp reads it: the factor (`rope.scaling.factor`, more than 1), the original
    /// context (`rope.scaling.original_context_length`, else the trained context), β fast and slow
    /// (32 and 1 unless the file says) and the attention factor (1 unless it says). The variants
    /// Hearth does not compute (DeepSeek's log multiplier, another extrapolation mix) are refused.
    static func yarnScaling(_ meta: MetadataReader, file: GGUFFile) throws -> YaRN {
        let factor = try meta.double("rope.scaling.factor")
        guard factor > 1 else {
            throw ModelError.invalidMetadata(key: meta.key("rope.scaling.factor"), reason: "YaRN needs a factor above 1, got \(factor)")
        }
        for unsupported in ["rope.scaling.yarn_log_multiplier", "rope.scaling.yarn_ext_factor"] where file.metadata[meta.key(unsupported)] != nil {
            throw ModelError.invalidMetadata(key: meta.key(unsupported), reason: "this YaRN variant is not supported")
        }
        let yarn = YaRN(factor: factor,
                        originalContext: try meta.int("rope.scaling.original_context_length", default: try meta.int("context_length")),
                        betaFast: try meta.double("rope.scaling.yarn_beta_fast", default: 32),
                        betaSlow: try meta.double("rope.scaling.yarn_beta_slow", default: 1),
                        attentionFactor: try meta.double("rope.scaling.yarn_attn_factor", default: 1))
        guard yarn.betaFast > yarn.betaSlow, yarn.betaSlow > 0, yarn.attentionFactor > 0 else {
            throw ModelError.invalidMetadata(key: meta.key("rope.scaling.yarn_beta_fast"), reason: "β fast must exceed β slow, both and the attention factor positive")
        }
        return yarn
    }

    /// The hyperparameters every decoder-only family spells the same way; each architecture starts
    /// from these and states its own choices.
    static func commonConfig(_ file: GGUFFile, architecture: String) throws -> ModelConfig {
        let meta = MetadataReader(metadata: file.metadata, architecture: architecture)
        let embedding = try meta.int("embedding_length")
        let heads = try meta.int("attention.head_count")
        let kvHeads = try meta.int("attention.head_count_kv", default: heads)
        guard heads % kvHeads == 0 else {
            throw ModelError.invalidMetadata(key: meta.key("attention.head_count_kv"),
                                             reason: "\(kvHeads) does not divide the \(heads) query heads")
        }
        let headSize = try meta.int("attention.key_length", default: embedding / heads)
        let valueHeadSize = try meta.int("attention.value_length", default: headSize)
        let ropeDimensions = try meta.int("rope.dimension_count", default: headSize)
        guard ropeDimensions <= headSize, ropeDimensions % 2 == 0 else {
            throw ModelError.invalidMetadata(key: meta.key("rope.dimension_count"),
                                             reason: "\(ropeDimensions) must be even and at most the head size \(headSize)")
        }
        guard let embeddings = file.tensor(named: "token_embd.weight"), embeddings.dimensions.count == 2 else {
            throw ModelError.missingTensor("token_embd.weight")
        }
        let blocks = try meta.int("block_count")
        // Linear position scaling as llama.cpp decodes it: an absent `rope.scaling.type` means "linear",
        // whose factor (or the older key `rope.scale_linear`) divides positions, 0 or absent meaning
        // none; type "none" never scales whatever the factor says.
        var ropeScale = 1.0
        var yarn: YaRN?
        let scalingType = file.metadata.string(meta.key("rope.scaling.type")) ?? "linear"
        guard ["linear", "none", "yarn"].contains(scalingType) else {
            // LongRoPE and the others change the rotation in ways Hearth does not implement; running
            // the model without them would give silently wrong logits past the original context.
            throw ModelError.invalidMetadata(key: meta.key("rope.scaling.type"),
                                             reason: "RoPE scaling '\(scalingType)' is not supported (supported: linear, none, yarn)")
        }
        if scalingType == "yarn" {
            yarn = try yarnScaling(meta, file: file)
        }
        if scalingType == "linear" {
            let factorKey = file.metadata[meta.key("rope.scaling.factor")] == nil ? "rope.scale_linear" : "rope.scaling.factor"
            ropeScale = try meta.double(factorKey, default: 0)
            guard ropeScale >= 0 else {
                throw ModelError.invalidMetadata(key: meta.key(factorKey), reason: "must not be negative")
            }
            if ropeScale == 0 { ropeScale = 1 }
        }
        var frequencyFactors: [Float]?
        if let info = file.tensor(named: "rope_freqs.weight") {
            guard info.type == .f32, info.elementCount == ropeDimensions / 2 else {
                throw ModelError.tensorShape(name: "rope_freqs.weight", expected: [ropeDimensions / 2], actual: info.dimensions)
            }
            let raw = file.data(for: info)
            frequencyFactors = (0..<(ropeDimensions / 2)).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
            guard frequencyFactors!.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw ModelError.invalidMetadata(key: "rope_freqs.weight", reason: "frequency factors must be positive")
            }
        }
        return ModelConfig(
            architecture: architecture,
            vocabularySize: embeddings.dimensions[1],
            embeddingLength: embedding,
            blockCount: blocks,
            headCount: heads,
            headCountKV: kvHeads,
            headSize: headSize,
            valueHeadSize: valueHeadSize,
            feedForwardLength: try meta.int("feed_forward_length"),
            contextLength: try meta.int("context_length"),
            normEpsilon: Float(try meta.double("attention.layer_norm_rms_epsilon", default: 1e-5)),
            ropeStyle: .adjacentPairs,
            ropeDimensions: ropeDimensions,
            ropeFrequencyBase: try meta.double("rope.freq_base", default: 10_000),
            ropeScale: ropeScale,
            ropeYaRN: yarn,
            ropeFrequencyFactors: frequencyFactors,
            slidingRopeFrequencyBase: nil,
            attentionScale: 1 / Float(headSize).squareRoot(),
            slidingWindow: nil,
            slidingLayers: Array(repeating: false, count: blocks),
            embeddingScale: nil,
            finalLogitSoftcap: nil,
            block: BlockRecipe()
        )
    }
}
