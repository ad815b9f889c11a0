import Foundation

/// The natural-log probability of a token under the model's own distribution (the raw logits at
/// temperature 1, before bias, penalties, truncation or constraints — what OpenAI and vLLM report),
/// and the most likely alternatives at that step.
public struct TokenLogprobs: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let token: Int32
        public let logprob: Float
    }

    public let token: Int32
    public let logprob: Float
    /// The `count` most likely tokens, most likely first (ties to the lower id).
    public let top: [Entry]

    /// Log-softmax of `logits` at `token`, with the `count` best alternatives.
    public init(logits: [Float], token: Int32, topCount: Int) {
        let logNormalizer = TokenLogprobs.logSumExp(logits)
        self.token = token
        self.logprob = Float(Double(logits[Int(token)]) - logNormalizer)
        if topCount > 0 {
            var candidates = Candidates(logits: logits)
            TopK(topCount).apply(to: &candidates)
            top = zip(candidates.tokens, candidates.logits).map {
                Entry(token: $0.0, logprob: Float(Double($0.1) - logNormalizer))
            }
        } else {
            top = []
        }
    }

    /// log(sum(exp(x))) in Double, shifted by the maximum so nothing overflows.
    public static func logSumExp(_ logits: [Float]) -> Double {
        let top = Double(logits.max() ?? 0)
        guard top > -.infinity else { return -.infinity }
        var sum = 0.0
        for value in logits { sum += exp(Double(value) - top) }
        return top + log(sum)
    }
}
