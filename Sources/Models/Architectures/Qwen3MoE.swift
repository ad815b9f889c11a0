import GGUF

/// Qwen3's mixture of experts (Qwen3-30B-A3B, 235B-A22B): Qwen3's attention, and in every block a
/// router over `expert_count` experts of which `expert_used_count` run per token, their weights
/// the router's softmax over all experts renormalised over the chosen ones. GGUF stores each
/// block's experts stacked in one tensor per projection (`ffn_gate_exps`: embedding × expert
/// length × experts); an expert is a slice of it, and only the chosen slices are read.
///
/// The expert length comes from `expert_feed_forward_length`; files without it get llama.cpp's
/// fallback, `feed_forward_length / expert_used_count`.
public struct Qwen3MoE: Architecture {
    public static let name = "qwen3moe"

    public static func config(from file: GGUFFile) throws -> ModelConfig {
        var config = try Qwen3.config(from: file, architecture: name)
        let meta = MetadataReader(metadata: file.metadata, architecture: name)
        let (count, used) = try Architectures.expertCounts(meta, required: true)!
        let length = try meta.int("expert_feed_forward_length", default: config.feedForwardLength / used)
        config.block.feedForward.network = .experts(BlockRecipe.Experts(count: count, used: used, feedForwardLength: length,
                                                                        normalizeWeights: true))
        return config
    }
}
