import Kernels

/// One transformer block as its architecture declares it: the tensors it reads, by their GGUF names
/// under `blk.N.`, and the steps it runs, always in this order:
///
///     h   = x + postNorm?(attention(norm(x)))        attention: q, k, v (+ biases?),
///                                                    per-head norms?, RoPE, softmax(qk)·v, output
///     out = h + postNorm?(feedForward(norm(h)))      feed-forward: one gated network, or a router
///                                                    over gated experts
///
/// It is the one place where a family's block is stated. `TransformerWeights` loads exactly the
/// tensors named here, shape-checked; both forward passes (`ForwardPass`, `ReferenceModel`) run a
/// step only where its tensors were loaded, and read the activation and the experts from here. A
/// block tensor in the file that the recipe does not name is refused at load: computing the block
/// without it would be silently wrong. A family that needs a step not listed here adds it to this
/// type and to both passes, and is held to `transformers` by its tests.
public struct BlockRecipe: Sendable, Equatable {
    /// Whether a block's optional tensors must be, may be, or must not be in the file.
    public enum Presence: Sendable, Equatable {
        case absent, optional, required
    }

    public struct HeadNorms: Sendable, Equatable {
        public var query = "attn_q_norm"
        public var key = "attn_k_norm"
    }

    public struct Attention: Sendable, Equatable {
        public var norm = "attn_norm"
        public var query = "attn_q"
        public var key = "attn_k"
        public var value = "attn_v"
        public var output = "attn_output"
        /// Biases of the query, key and value projections (`attn_q.bias`, …), each added after its
        /// product.
        public var biases = Presence.absent
        /// RMSNorm of each query and key head before RoPE, one weight vector shared by all heads.
        public var headNorms: HeadNorms?
        /// RMSNorm of the attention output before the residual add.
        public var postNorm: String?
    }

    /// The gate's nonlinearity in act(gate·x) ⊙ up·x.
    public enum Activation: String, Sendable, Equatable {
        /// SiLU (Llama, Qwen).
        case swiGLU = "SwiGLU"
        /// GELU, tanh approximation (Gemma).
        case geluTanhGated = "GELU-tanh gated"
    }

    /// A mixture of experts in the place of the dense network: a router scores every expert for
    /// each token, and only the `used` best, each a gated network of `feedForwardLength`, are
    /// computed; their outputs are summed with the router's softmax weights.
    public struct Experts: Sendable, Equatable {
        public var count: Int
        public var used: Int
        public var feedForwardLength: Int
        /// The chosen experts' weights are renormalised to sum to 1 (Qwen3-MoE's `norm_topk_prob`).
        public var normalizeWeights: Bool

        public init(count: Int, used: Int, feedForwardLength: Int, normalizeWeights: Bool) {
            self.count = count
            self.used = used
            self.feedForwardLength = feedForwardLength
            self.normalizeWeights = normalizeWeights
        }
    }

    public enum Network: Sendable, Equatable {
        /// gate, up: (feed-forward length × embedding); down: (embedding × feed-forward length).
        case dense(gate: String = "ffn_gate", up: String = "ffn_up", down: String = "ffn_down")
        /// router: (experts × embedding); gate, up and down stacked, one expert's matrix after
        /// another, as GGUF stores them.
        case experts(Experts, router: String = "ffn_gate_inp", gate: String = "ffn_gate_exps",
                     up: String = "ffn_up_exps", down: String = "ffn_down_exps")
    }

    public struct FeedForward: Sendable, Equatable {
        public var norm = "ffn_norm"
        public var network = Network.dense()
        public var activation = Activation.swiGLU
        /// RMSNorm of the feed-forward output before the residual add.
        public var postNorm: String?
    }

    public var attention = Attention()
    public var feedForward = FeedForward()

    /// Llama's block: pre-norms, attention without biases or head norms, a SiLU-gated network.
    public init() {}

    /// The experts, when the feed-forward is a mixture.
    public var experts: Experts? {
        if case .experts(let experts, _, _, _, _) = feedForward.network { return experts }
        return nil
    }
}

extension BlockRecipe: CustomStringConvertible {
    /// The block in a line, for `hearth show`.
    public var description: String {
        var attentionParts: [String] = []
        switch attention.biases {
        case .absent: break
        case .optional: attentionParts.append("Q/K/V biases when present")
        case .required: attentionParts.append("Q/K/V biases")
        }
        if attention.headNorms != nil { attentionParts.append("per-head Q/K norms") }
        if attention.postNorm != nil { attentionParts.append("post-norm") }
        var networkParts: [String] = []
        if let experts {
            networkParts.append("\(experts.count) experts, \(experts.used) per token, each \(experts.feedForwardLength) wide")
        }
        if feedForward.postNorm != nil { networkParts.append("post-norm") }
        func list(_ parts: [String]) -> String { parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))" }
        return "attention\(list(attentionParts)), \(feedForward.activation.rawValue) feed-forward\(list(networkParts))"
    }
}
