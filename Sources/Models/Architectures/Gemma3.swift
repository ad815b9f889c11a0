import GGUF

/// Gemma 3 (text): every detail below differs from Llama and each one matters for the logits.
/// - Embeddings are scaled by sqrt(width) after lookup.
/// - RMSNorm weights in GGUF already carry Gemma's "+1" (the converter adds it); nothing is added here.
/// - Per-head RMSNorm of Q and K before RoPE; RMSNorm of the attention and feed-forward outputs
///   before each residual add.
/// - Gated GELU (tanh approximation) in the feed-forward.
/// - Five sliding-window layers to one global layer: layer i is global when (i + 1) % 6 == 0, as
///   llama.cpp's `set_swa_pattern(6)` decides; sliding layers use RoPE base 10,000 and see the last
///   `attention.sliding_window` positions (the query's own included), global ones the metadata's base.
/// - Queries are scaled by 1/sqrt(head size) (query_pre_attn_scalar = 256 for 270M; the head size is
///   256 while width / heads is 160).
public struct Gemma3: Architecture {
    public static let name = "gemma3"

    /// One global layer after every five sliding ones.
    static let slidingWindowPattern = 6
    static let slidingRopeBase = 10_000.0

    public static func config(from file: GGUFFile) throws -> ModelConfig {
        var config = try Architectures.commonConfig(file, architecture: name)
        let meta = MetadataReader(metadata: file.metadata, architecture: name)
        // Which of the sliding and global layers llama.cpp extends with YaRN is not pinned down here.
        guard config.ropeYaRN == nil else {
            throw ModelError.invalidMetadata(key: meta.key("rope.scaling.type"), reason: "YaRN is not supported for gemma3")
        }
        config.ropeStyle = .halves
        config.embeddingScale = Float(config.embeddingLength).squareRoot()
        config.block.attention.headNorms = BlockRecipe.HeadNorms()
        config.block.attention.postNorm = "post_attention_norm"
        config.block.feedForward.postNorm = "post_ffw_norm"
        config.block.feedForward.activation = .geluTanhGated
        config.slidingWindow = try meta.int("attention.sliding_window")
        config.slidingLayers = (0..<config.blockCount).map { ($0 + 1) % slidingWindowPattern != 0 }
        config.slidingRopeFrequencyBase = slidingRopeBase
        config.attentionScale = 1 / Float(config.headSize).squareRoot()
        if let cap = try meta.optionalDouble("final_logit_softcapping"), cap > 0 {
            config.finalLogitSoftcap = Float(cap)
        }
        return config
    }
}
