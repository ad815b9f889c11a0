import Foundation
import GGUF

/// Builds small synthetic GGUF models with the GGUF writer, so the forward code can be tested with no
/// model file: random weights (fixed seed), a SentencePiece-style vocabulary of byte tokens.
struct TinyModel {
    var architecture = "llama"
    var embedding = 32
    var heads = 4
    var kvHeads = 2
    var headSize = 8
    var feedForward = 64
    var layers = 2
    var context = 64
    var matrixType: GGMLType = .f32
    var tiedOutput = true
    var slidingWindow = 4
    /// Llama 3.1-style per-pair frequency divisors, written as `rope_freqs.weight`.
    var ropeFactors: [Float]?
    /// `qwen3moe`: experts per block, how many each token uses, and each one's feed-forward length.
    var experts = (count: 8, used: 2, length: 32)
    /// `llama` with experts, as Mixtral: each expert as wide as `feedForward`.
    var llamaMixture = false
    /// Q/K/V biases in every block (always for `qwen2`).
    var attentionBiases = false
    /// Further vectors written after the blocks, name → length: tensors an architecture may not read.
    var extraVectors: [String: Int] = [:]

    var vocabulary: [String] {
        ["<unk>", "<s>", "</s>"] + (0..<256).map { String(format: "<0x%02X>", $0) } + ["▁", "▁a", "b", "▁ab", "c"]
    }

    func write(to url: URL, seed: UInt64 = 42, dropping dropped: String? = nil,
               overrides: [String: GGUFValue] = [:]) throws {
        var rng = SplitMix(state: seed)
        var w = GGUFWriter()
        let a = architecture
        w.set("general.architecture", .string(a))
        w.set("general.name", .string("tiny \(a)"))
        w.set("\(a).context_length", .uint32(UInt32(context)))
        w.set("\(a).embedding_length", .uint32(UInt32(embedding)))
        w.set("\(a).block_count", .uint32(UInt32(layers)))
        w.set("\(a).feed_forward_length", .uint32(UInt32(feedForward)))
        w.set("\(a).attention.head_count", .uint32(UInt32(heads)))
        w.set("\(a).attention.head_count_kv", .uint32(UInt32(kvHeads)))
        w.set("\(a).attention.key_length", .uint32(UInt32(headSize)))
        w.set("\(a).attention.value_length", .uint32(UInt32(headSize)))
        w.set("\(a).attention.layer_norm_rms_epsilon", .float32(1e-5))
        w.set("\(a).rope.freq_base", .float32(10_000))
        if a == "gemma3" { w.set("\(a).attention.sliding_window", .uint32(UInt32(slidingWindow))) }
        if a == "qwen3moe" {
            w.set("\(a).expert_feed_forward_length", .uint32(UInt32(experts.length)))
        }
        let mixture = a == "qwen3moe" || llamaMixture
        let expertLength = a == "qwen3moe" ? experts.length : feedForward
        if mixture {
            w.set("\(a).expert_count", .uint32(UInt32(experts.count)))
            w.set("\(a).expert_used_count", .uint32(UInt32(experts.used)))
        }
        let tokens = vocabulary
        w.set("tokenizer.ggml.model", .string("llama"))
        w.set("tokenizer.ggml.tokens", .array(.string(tokens)))
        w.set("tokenizer.ggml.scores", .array(.float32(tokens.indices.map { -Float($0) })))
        w.set("tokenizer.ggml.token_type", .array(.int32(tokens.indices.map { i in
            i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1
        })))
        w.set("tokenizer.ggml.bos_token_id", .uint32(1))
        w.set("tokenizer.ggml.eos_token_id", .uint32(2))
        for (key, value) in overrides { w.set(key, value) }

        let v = tokens.count, e = embedding
        /// `stacked` matrices one after another (GGUF dimensions [columns, rows, stacked]), as experts are stored.
        func matrix(_ name: String, rows: Int, columns: Int, stacked: Int? = nil) throws {
            guard name != dropped else { return }
            let values = (0..<(rows * columns * (stacked ?? 1))).map { _ in rng.nextSigned() * 0.5 }
            let dimensions = [columns, rows] + (stacked.map { [$0] } ?? [])
            if matrixType == .q8_0 {
                try w.addTensor(name: name, type: .q8_0, dimensions: dimensions, bytes: Self.quantizeQ8_0(values))
            } else {
                try w.addTensor(name: name, dimensions: dimensions, floats: values)
            }
        }
        func vector(_ name: String, count: Int, around center: Float = 1) throws {
            guard name != dropped else { return }
            try w.addTensor(name: name, dimensions: [count], floats: (0..<count).map { _ in center + rng.nextSigned() * 0.1 })
        }
        try matrix("token_embd.weight", rows: v, columns: e)
        if !tiedOutput { try matrix("output.weight", rows: v, columns: e) }
        try vector("output_norm.weight", count: e)
        if let ropeFactors { try w.addTensor(name: "rope_freqs.weight", dimensions: [ropeFactors.count], floats: ropeFactors) }
        for i in 0..<layers {
            let p = "blk.\(i)."
            try vector(p + "attn_norm.weight", count: e)
            try matrix(p + "attn_q.weight", rows: heads * headSize, columns: e)
            try matrix(p + "attn_k.weight", rows: kvHeads * headSize, columns: e)
            try matrix(p + "attn_v.weight", rows: kvHeads * headSize, columns: e)
            try matrix(p + "attn_output.weight", rows: e, columns: heads * headSize)
            if a == "qwen2" || attentionBiases {
                try vector(p + "attn_q.bias", count: heads * headSize, around: 0)
                try vector(p + "attn_k.bias", count: kvHeads * headSize, around: 0)
                try vector(p + "attn_v.bias", count: kvHeads * headSize, around: 0)
            }
            if a == "gemma3" || a == "qwen3" || a == "qwen3moe" {
                try vector(p + "attn_q_norm.weight", count: headSize)
                try vector(p + "attn_k_norm.weight", count: headSize)
            }
            if a == "gemma3" {
                try vector(p + "post_attention_norm.weight", count: e)
                try vector(p + "post_ffw_norm.weight", count: e)
            }
            try vector(p + "ffn_norm.weight", count: e)
            if mixture {
                // The router in F32, as the converter stores it.
                if p + "ffn_gate_inp.weight" != dropped {
                    try w.addTensor(name: p + "ffn_gate_inp.weight", dimensions: [e, experts.count],
                                    floats: (0..<(e * experts.count)).map { _ in rng.nextSigned() })
                }
                try matrix(p + "ffn_gate_exps.weight", rows: expertLength, columns: e, stacked: experts.count)
                try matrix(p + "ffn_up_exps.weight", rows: expertLength, columns: e, stacked: experts.count)
                try matrix(p + "ffn_down_exps.weight", rows: e, columns: expertLength, stacked: experts.count)
            } else {
                try matrix(p + "ffn_gate.weight", rows: feedForward, columns: e)
                try matrix(p + "ffn_up.weight", rows: feedForward, columns: e)
                try matrix(p + "ffn_down.weight", rows: e, columns: feedForward)
            }
        }
        for (name, count) in extraVectors.sorted(by: { $0.key < $1.key }) { try vector(name, count: count) }
        try w.write(to: url)
    }

    /// ggml's reference Q8_0 quantization: blocks of 32, scale max|x|/127 stored as f16.
    static func quantizeQ8_0(_ values: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        for start in stride(from: 0, to: values.count, by: 32) {
            let block = values[start..<(start + 32)]
            let amax = block.map(abs).max()!
            let d = amax / 127
            let id: Float = d == 0 ? 0 : 1 / d
            let bits = Float16(d).bitPattern
            out += [UInt8(bits & 0xff), UInt8(bits >> 8)]
            out += block.map { UInt8(bitPattern: Int8(($0 * id).rounded())) }
        }
        return out
    }
}

struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func nextSigned() -> Float { Float(Double(next() >> 11) * 0x1.0p-53 * 2 - 1) }
}
