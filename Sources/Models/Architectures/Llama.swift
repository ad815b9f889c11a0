import GGUF

/// Llama and the models that share its layout (SmolLM2, Llama 2/3, Mistral without sliding windows).
///
/// RoPE rotates adjacent pairs: llama.cpp's converter permutes the Q and K rows of Hugging Face
/// checkpoints so that its "norm" rotation equals their rotate-half; reading rotate-half here would be
/// wrong for every GGUF file.
public struct Llama: Architecture {
    public static let name = "llama"

    public static func config(from file: GGUFFile) throws -> ModelConfig {
        var config = try Architectures.commonConfig(file, architecture: name)
        config.ropeStyle = .adjacentPairs
        // llama.cpp reads Q/K/V biases in a Llama file when they are there (some fine-tunes carry
        // them); the rest is the default block.
        config.block.attention.biases = .optional
        return config
    }
}
