/// Every knob of the sampler chain. The chain runs in llama.cpp's order: logit bias, penalties,
/// (constraint mask), top-k, top-p, min-p, temperature, then a draw from the seeded generator;
/// top-p and min-p see the untempered distribution, as in llama.cpp. Temperature 0 is greedy
/// decoding, its own path: the most likely token after bias, penalties and mask.
public struct SamplingParameters: Sendable, Equatable {
    public var temperature: Float
    /// Keep only the k most likely tokens; 0 keeps all.
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all.
    public var topP: Float
    /// Drop tokens less likely than minP times the most likely one; 0 keeps all.
    public var minP: Float
    /// llama.cpp's repetition penalty over the last `penaltyWindow` tokens (prompt included):
    /// positive logits are divided by it, negative ones multiplied. 1 is off.
    public var repetitionPenalty: Float
    /// OpenAI's presence penalty: subtracted once from every token already generated.
    public var presencePenalty: Float
    /// OpenAI's frequency penalty: subtracted per time a token was already generated.
    public var frequencyPenalty: Float
    /// How many recent tokens the repetition penalty looks at (llama.cpp's `repeat_last_n`);
    /// -1 means all, 0 turns it off.
    public var penaltyWindow: Int
    /// Added to a token's logit before anything else; -infinity bans it.
    public var logitBias: [Int32: Float]
    public var seed: UInt64

    public init(temperature: Float = 0.8, topK: Int = 40, topP: Float = 0.95, minP: Float = 0.05,
                repetitionPenalty: Float = 1, presencePenalty: Float = 0, frequencyPenalty: Float = 0,
                penaltyWindow: Int = 64, logitBias: [Int32: Float] = [:], seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.penaltyWindow = penaltyWindow
        self.logitBias = logitBias
        self.seed = seed
    }

    /// Always the most likely token.
    public static let greedy = SamplingParameters(temperature: 0, topK: 0, topP: 1, minP: 0)

    /// llama.cpp's command-line defaults (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05).
    public static let llamaCppDefaults = SamplingParameters()

    /// The OpenAI API's defaults: temperature 1 over the whole distribution.
    public static let openAIDefaults = SamplingParameters(temperature: 1, topK: 0, topP: 1, minP: 0)

    public var isGreedy: Bool { temperature == 0 }

    var usesPenalties: Bool {
        repetitionPenalty != 1 || presencePenalty != 0 || frequencyPenalty != 0
    }

    /// Refuses values that have no meaning, naming the field.
    public func validate(vocabularySize: Int) throws {
        func fail(_ message: String) -> SamplingError { SamplingError.invalidParameter(message) }
        guard temperature.isFinite, temperature >= 0 else { throw fail("temperature must be a finite number >= 0, got \(temperature)") }
        guard topK >= 0 else { throw fail("top_k must be >= 0, got \(topK)") }
        guard topP.isFinite, topP > 0, topP <= 1 else { throw fail("top_p must be in (0, 1], got \(topP)") }
        guard minP.isFinite, minP >= 0, minP <= 1 else { throw fail("min_p must be in [0, 1], got \(minP)") }
        guard repetitionPenalty.isFinite, repetitionPenalty > 0 else {
            throw fail("repetition penalty must be a finite number > 0, got \(repetitionPenalty)")
        }
        guard presencePenalty.isFinite, abs(presencePenalty) <= 100 else { throw fail("presence_penalty must be in [-100, 100], got \(presencePenalty)") }
        guard frequencyPenalty.isFinite, abs(frequencyPenalty) <= 100 else { throw fail("frequency_penalty must be in [-100, 100], got \(frequencyPenalty)") }
        guard penaltyWindow >= -1 else { throw fail("the penalty window must be >= -1, got \(penaltyWindow)") }
        for (token, bias) in logitBias {
            guard token >= 0, Int(token) < vocabularySize else {
                throw fail("logit_bias names token \(token), outside the vocabulary of \(vocabularySize)")
            }
            guard !bias.isNaN, bias != .infinity else { throw fail("logit_bias for token \(token) must be a number, got \(bias)") }
        }
    }
}

public enum SamplingError: Error, Equatable, CustomStringConvertible {
    case invalidParameter(String)
    /// Bias, penalties or the constraint left no token that can be chosen.
    case noCandidates

    public var description: String {
        switch self {
        case .invalidParameter(let message): return message
        case .noCandidates: return "no token can be sampled: every token is banned by the logit bias or the output constraint"
        }
    }
}
