import GGUF

/// Qwen3 (dense): Qwen2's layout without the Q/K/V biases, with a per-head RMSNorm of queries and keys
/// before RoPE (`attn_q_norm`, `attn_k_norm`), RoPE on rotated halves, and a head size given by
/// `attention.key_length` that need not equal width / heads (128 against 1024 / 16 in Qwen3-0.6B).
public struct Qwen3: Architecture {
    public static let name = "qwen3"

    public static func config(from file: GGUFFile) throws -> ModelConfig {
        try config(from: file, architecture: name)
    }

    /// Qwen3's choices under the metadata prefix of `architecture` (its mixture of experts shares them).
    static func config(from file: GGUFFile, architecture: String) throws -> ModelConfig {
        var config = try Architectures.commonConfig(file, architecture: architecture)
        config.ropeStyle = .halves
        config.block.attention.headNorms = BlockRecipe.HeadNorms()
        return config
    }
}
