import GGUF

/// Llama and the models that share its layout (SmolLM2, Llama 2/3, Mistral without sliding windows,
/// and Mixtral, whose blocks hold a mixture of experts).
///
/// RoPE rotates adjacent pairs: llama.cpp's converter permutes the Q and K rows of Hugging Face
/// checkpoints so that its "norm" rotation equals their rotate-half; reading rotate-half here would be
/// wrong for every GGUF file.
///
/// A Mixtral file is `llama` with `expert_count` and `expert_used_count`: each expert is as wide as
/// `feed_forward_length` (not Qwen3-MoE's separate expert length), and the chosen experts' softmax
/// weights are renormalised, as Mixtral's top-k softmax and llama.cpp both do.
public struct Llama: Architecture {
    public static let name = "llama"

    public static func config(from file: GGUFFile) throws -> ModelConfig {
        var config = try Architectures.commonConfig(file, architecture: name)
        let meta = MetadataReader(metadata: file.metadata, architecture: name)
        config.ropeStyle = .adjacentPairs
        // llama.cpp reads Q/K/V biases in a Llama file when they are there (some fine-tunes carry
        // them); the rest is the default block.
        config.block.attention.biases = .optional
        if let (count, used) = try Architectures.expertCounts(meta, required: false) {
            config.block.feedForward.network = .experts(BlockRecipe.Experts(count: count, used: used, feedForwardLength: config.feedForwardLength,
                                                                            normalizeWeights: true))
        }
        return config
    }
}
