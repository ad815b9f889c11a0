import GGUF

/// Qwen2 and Qwen2.5: Llama's block with biases on the Q/K/V projections, RoPE on rotated halves
/// (llama.cpp's NeoX mode: Qwen's GGUF rows are not permuted), RMSNorm epsilon 1e-6 from metadata.
public struct Qwen2: Architecture {
    public static let name = "qwen2"

    public static func config(from file: GGUFFile) throws -> ModelConfig {
        var config = try Architectures.commonConfig(file, architecture: name)
        config.ropeStyle = .halves
        config.block.attention.biases = .required
        return config
    }
}
