import Foundation
import Models
import Tokenizers

public struct GenerationOptions: Sendable {
    /// Tokens to generate at most.
    public var maxTokens: Int
    public var sampling: SamplingParameters
    /// Generation ends before any of these strings; they are never emitted, even when they span tokens.
    public var stop: [String]
    /// Stop at the model's end-of-generation tokens (eos, eot, <|im_end|>, ...).
    public var stopAtEndOfGeneration: Bool
    /// Report log-probabilities of each chosen token and this many alternatives; nil reports none.
    public var logprobs: Int?
    /// The model thinks in a tagged block first: a constraint applies after it, and a budget may
    /// close it. nil: no reasoning handling (the text is generated as it comes).
    public var reasoning: ReasoningControl?

    public init(maxTokens: Int = 128, sampling: SamplingParameters = .greedy, stop: [String] = [],
                stopAtEndOfGeneration: Bool = true, logprobs: Int? = nil, reasoning: ReasoningControl? = nil) {
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stop = stop
        self.stopAtEndOfGeneration = stopAtEndOfGeneration
        self.logprobs = logprobs
        self.reasoning = reasoning
    }

    /// Plain temperature sampling over the whole distribution (greedy at 0).
    public init(maxTokens: Int = 128, temperature: Float, seed: UInt64 = 0, stopAtEndOfGeneration: Bool = true) {
        var sampling = SamplingParameters(temperature: temperature, topK: 0, topP: 1, minP: 0)
        sampling.seed = seed
        self.init(maxTokens: maxTokens, sampling: sampling, stopAtEndOfGeneration: stopAtEndOfGeneration)
    }
}

/// Restricts which tokens may come next (structured output). The generator asks for the mask
/// before each token and reports the token it chose.
public protocol TokenConstraint: AnyObject {
    /// Sets `mask[t]` to whether token t may come next; the mask has one entry per vocabulary token
    /// and arrives all false. End-of-generation tokens are allowed only where the output may end.
    func allowedTokens(into mask: inout [Bool])
    /// Advances past `token`, which the mask allowed.
    func accept(_ token: Int32) throws
    /// Whether the output is finished: nothing but end of generation may follow.
    var isComplete: Bool { get }
}

/// One step of generation: the token chosen, and the text now safe to show (empty while a UTF-8
/// character is split across tokens or the text might be the start of a stop string).
public struct GeneratedToken: Sendable {
    /// nil for the last event of a generation when it only releases held-back text.
    public let token: Int32?
    public let text: String
    public let logprobs: TokenLogprobs?

    public init(token: Int32?, text: String, logprobs: TokenLogprobs?) {
        self.token = token
        self.text = text
        self.logprobs = logprobs
    }
}

public enum FinishReason: String, Sendable {
    case endOfGeneration
    case stopSequence
    /// The output constraint (e.g. a JSON schema) was satisfied and allows nothing more.
    case constraintSatisfied
    case maxTokens
    case contextFull
    /// The consumer asked to stop.
    case cancelled

    /// The `finish_reason` of the OpenAI API.
    public var openAIValue: String {
        switch self {
        case .endOfGeneration, .stopSequence, .constraintSatisfied, .cancelled: return "stop"
        case .maxTokens, .contextFull: return "length"
        }
    }

    /// The `finish_reason` of a chat choice: "tool_calls" when a choice that ended by itself made
    /// calls (the server and the audit's local target both answer so).
    public func openAIValue(madeToolCalls: Bool) -> String {
        switch self {
        case .endOfGeneration, .stopSequence, .constraintSatisfied: return madeToolCalls ? "tool_calls" : openAIValue
        case .maxTokens, .contextFull, .cancelled: return openAIValue
        }
    }
}

public struct GenerationSummary: Sendable {
    public let finishReason: FinishReason
    public let promptTokens: Int
    public let completionTokens: Int
    /// Prompt tokens whose cache was kept from the previous generation (a shared prefix).
    public let reusedPromptTokens: Int
    /// The stop string that ended generation, if one did.
    public let matchedStop: String?
    /// Of the completion tokens, those inside a reasoning block.
    public var reasoningTokens = 0
}

/// Turns a prompt into a stream of tokens. Knows nothing of terminals or HTTP.
/// Keeps the tokens behind its context's cache, so a prompt that extends the last one (the next
/// turn of a chat) only evaluates what is new.
public final class Generator: @unchecked Sendable {
    public let context: InferenceContext
    public var model: LanguageModel { context.model }
    /// The tokens whose keys and values are in the context's cache, in order.
    private var cachedTokens: [Int32] = []

    public init(context: InferenceContext) {
        self.context = context
    }

    /// Forgets the cache; the next generation evaluates its whole prompt.
    public func reset() {
        context.reset()
        cachedTokens.removeAll()
    }

    /// Generates synchronously, calling `onToken` for each token; `onToken` returns false to stop.
    @discardableResult
    public func generate(prompt: [Int32], options: GenerationOptions, constraint: TokenConstraint? = nil,
                         onToken: (GeneratedToken) throws -> Bool) throws -> GenerationSummary {
        let sequence = try SequenceGeneration(prompt: prompt, options: options, constraint: constraint,
                                              model: model, contextLength: context.contextLength)
        let reused = prepareCache(for: prompt)
        var logits = try context.evaluate(Array(prompt[reused...]))
        cachedTokens = prompt
        while true {
            let step = try sequence.step(logits: logits, roomForMore: context.position < context.contextLength)
            for event in step.events {
                // Declining the text released at the end changes nothing: generation is over.
                guard try onToken(event) || event.token == nil else {
                    return sequence.summary(reusedPromptTokens: reused, cancelled: true)
                }
            }
            guard let token = step.nextToken else { return sequence.summary(reusedPromptTokens: reused) }
            logits = try context.evaluate([token])
            cachedTokens.append(token)
        }
    }

    /// Keeps the longest cached prefix shared with `prompt` (at least the last prompt token is
    /// evaluated again, for its logits) and returns its length.
    private func prepareCache(for prompt: [Int32]) -> Int {
        let shared = min(commonPrefixLength(cachedTokens, prompt), prompt.count - 1, context.position)
        context.truncate(to: shared)
        cachedTokens.removeLast(cachedTokens.count - shared)
        return shared
    }

    /// The same generation as an asynchronous sequence, computed on its own thread; ending the
    /// consumer's iteration stops the generation.
    public func stream(prompt: [Int32], options: GenerationOptions) -> AsyncThrowingStream<GeneratedToken, Error> {
        AsyncThrowingStream { continuation in
            let thread = Thread {
                do {
                    try self.generate(prompt: prompt, options: options) { token in
                        if case .terminated = continuation.yield(token) { return false }
                        return true
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

public enum GenerationError: Error, CustomStringConvertible, Equatable {
    case emptyPrompt
    case promptTooLong(tokens: Int, context: Int)
    case invalidMaxTokens(Int)

    public var description: String {
        switch self {
        case .emptyPrompt:
            return "the prompt is empty and the model adds no beginning-of-sequence token"
        case let .promptTooLong(tokens, context):
            return "the prompt is \(tokens) tokens long, which leaves no room in the context of \(context) tokens"
        case .invalidMaxTokens(let count):
            return "the maximum number of tokens must be zero or more, got \(count)"
        }
    }
}

/// How many leading tokens `a` and `b` share: the one definition of a reusable cached prefix, for
/// a generator's next turn and for the batch executor's slots.
public func commonPrefixLength(_ a: [Int32], _ b: [Int32]) -> Int {
    var shared = 0
    let limit = min(a.count, b.count)
    while shared < limit && a[shared] == b[shared] { shared += 1 }
    return shared
}
