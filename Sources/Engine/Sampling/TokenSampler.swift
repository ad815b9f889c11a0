import Foundation

/// The sampler of one sequence: its parameters, its seeded generator, and the token history the
/// penalties look at. The same parameters, seed and logits give the same tokens on every run, on
/// any thread, whatever else the process is doing.
public struct TokenSampler: Sendable {
    public let parameters: SamplingParameters
    private var generator: SeededGenerator
    /// The most recent tokens (prompt and generated), at most `penaltyWindow` of them.
    private var recent: [Int32] = []
    /// How often each token was generated (not the prompt): OpenAI's presence and frequency
    /// penalties count the whole completion. Bounded by the vocabulary.
    private var generatedCounts: [Int32: Int] = [:]

    public init(parameters: SamplingParameters) {
        self.parameters = parameters
        self.generator = SeededGenerator(seed: parameters.seed)
    }

    /// Feeds the prompt to the repetition penalty's window.
    public mutating func acceptPrompt(_ tokens: [Int32]) {
        for token in tokens { remember(token) }
    }

    /// Records a token the sequence produced.
    public mutating func accept(_ token: Int32) {
        remember(token)
        generatedCounts[token, default: 0] += 1
    }

    private mutating func remember(_ token: Int32) {
        guard parameters.repetitionPenalty != 1, parameters.penaltyWindow != 0 else { return }
        recent.append(token)
        if parameters.penaltyWindow > 0, recent.count > parameters.penaltyWindow * 2 {
            recent.removeFirst(recent.count - parameters.penaltyWindow)
        }
    }

    /// Chooses the next token. `allowed`, when given, masks out tokens an output constraint
    /// forbids (false = banned). Throws `SamplingError.noCandidates` when nothing is left.
    public mutating func sample(logits: [Float], allowed: [Bool]? = nil) throws -> Int32 {
        var adjusted = logits
        applyBiasAndPenalties(to: &adjusted)
        if let allowed {
            precondition(allowed.count == adjusted.count, "the mask must cover the vocabulary")
            for i in adjusted.indices where !allowed[i] { adjusted[i] = -.infinity }
        }
        if parameters.isGreedy {
            guard let token = TokenSampler.argmax(adjusted) else { throw SamplingError.noCandidates }
            return token
        }
        if parameters.topK <= 0 && parameters.topP >= 1 && parameters.minP <= 0 {
            // No filter narrows the vocabulary (OpenAI's defaults): draw over the logits as they
            // are, without building the candidate list (two vocabulary-sized arrays per token).
            guard let token = drawFromAll(adjusted) else { throw SamplingError.noCandidates }
            return token
        }
        var candidates = Candidates(logits: adjusted)
        guard !candidates.isEmpty else { throw SamplingError.noCandidates }
        if parameters.topK > 0 { TopK(parameters.topK).apply(to: &candidates) }
        TopP(parameters.topP).apply(to: &candidates)
        MinP(parameters.minP).apply(to: &candidates)
        return draw(from: candidates)
    }

    /// Softmax at the temperature, then one uniform draw: the token where the running sum of
    /// probabilities passes it.
    mutating func draw(from candidates: Candidates) -> Int32 {
        let inverse = 1 / Double(parameters.temperature)
        let top = Double(candidates.maxLogit)
        var weights = candidates.logits.map { exp((Double($0) - top) * inverse) }
        let total = weights.reduce(0, +)
        var threshold = generator.nextUnit() * total
        for i in weights.indices {
            threshold -= weights[i]
            if threshold < 0 { return candidates.tokens[i] }
        }
        weights.removeAll()
        // Rounding left the threshold a hair above the sum: the last candidate with weight.
        return candidates.tokens[candidates.count - 1]
    }

    /// `draw(from: Candidates(logits: logits))` without the candidate list, token for token the
    /// same: a token at -infinity weighs exactly 0, so it neither moves the sum nor is chosen
    /// (the threshold only crosses zero at a positive weight). nil when every logit is -infinity.
    mutating func drawFromAll(_ logits: [Float]) -> Int32? {
        var best = -Float.infinity, last = -1
        for (i, value) in logits.enumerated() where value > -.infinity {
            best = max(best, value)
            last = i
        }
        guard last >= 0 else { return nil }
        let inverse = 1 / Double(parameters.temperature)
        let top = Double(best)
        var weights = [Double](repeating: 0, count: logits.count)
        var total = 0.0
        for i in logits.indices where logits[i] > -.infinity {
            weights[i] = exp((Double(logits[i]) - top) * inverse)
            total += weights[i]
        }
        var threshold = generator.nextUnit() * total
        for i in weights.indices {
            threshold -= weights[i]
            if threshold < 0 { return Int32(i) }
        }
        // Rounding left the threshold a hair above the sum: the last token with weight.
        return Int32(last)
    }

    private func applyBiasAndPenalties(to logits: inout [Float]) {
        for (token, bias) in parameters.logitBias where Int(token) < logits.count {
            logits[Int(token)] += bias
        }
        guard parameters.usesPenalties else { return }
        if parameters.repetitionPenalty != 1 {
            let window = parameters.penaltyWindow < 0 ? recent[...] : recent.suffix(parameters.penaltyWindow)
            for token in Set(window) where Int(token) < logits.count {
                let i = Int(token)
                logits[i] = logits[i] > 0 ? logits[i] / parameters.repetitionPenalty : logits[i] * parameters.repetitionPenalty
            }
        }
        if parameters.presencePenalty != 0 || parameters.frequencyPenalty != 0 {
            for (token, count) in generatedCounts where Int(token) < logits.count {
                logits[Int(token)] -= Float(count) * parameters.frequencyPenalty + parameters.presencePenalty
            }
        }
    }

    /// The largest finite-or-infinite logit above -infinity, lowest id on ties (as llama.cpp).
    public static func argmax(_ logits: [Float]) -> Int32? {
        var best = -1
        var bestValue = -Float.infinity
        for (i, value) in logits.enumerated() where value > bestValue {
            best = i
            bestValue = value
        }
        return best < 0 ? nil : Int32(best)
    }
}
