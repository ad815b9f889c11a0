import Foundation
import Models
import Tokenizers

public struct GenerationOptions: Sendable {
    /// Tokens to generate at most.
    public var maxTokens: Int
    /// 0 means greedy: the most likely token every step.
    public var temperature: Float
    public var seed: UInt64
    /// Stop at the model's end-of-generation tokens (eos, eot, <|im_end|>, ...).
    public var stopAtEndOfGeneration: Bool

    public init(maxTokens: Int = 128, temperature: Float = 0, seed: UInt64 = 0, stopAtEndOfGeneration: Bool = true) {
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.seed = seed
        self.stopAtEndOfGeneration = stopAtEndOfGeneration
    }
}

/// One step of generation: the token, and the text it completes (empty while a UTF-8 character is
/// still split across tokens).
public struct GeneratedToken: Sendable {
    public let token: Int32
    public let text: String
}

public enum FinishReason: String, Sendable {
    case endOfGeneration = "stop"
    case maxTokens = "length"
}

/// Turns a prompt into a stream of tokens. Knows nothing of terminals or HTTP.
public final class Generator: @unchecked Sendable {
    public let context: InferenceContext
    public var model: LanguageModel { context.model }

    public init(context: InferenceContext) {
        self.context = context
    }

    /// Generates synchronously, calling `onToken` for each token; returns why it stopped.
    /// `onToken` returns false to stop early.
    @discardableResult
    public func generate(prompt: [Int32], options: GenerationOptions,
                         onToken: (GeneratedToken) throws -> Bool) throws -> FinishReason {
        context.reset()
        guard !prompt.isEmpty else {
            throw GenerationError.emptyPrompt
        }
        guard prompt.count < context.contextLength else {
            throw GenerationError.promptTooLong(tokens: prompt.count, context: context.contextLength)
        }
        var generator = SeededGenerator(seed: options.seed)
        var decoder = StreamingDecoder(tokenizer: model.tokenizer)
        var logits = try context.evaluate(prompt)
        var produced = 0
        while produced < options.maxTokens {
            let token = options.temperature > 0
                ? Sampler.sample(logits, temperature: options.temperature, generator: &generator)
                : Sampler.argmax(logits)
            if options.stopAtEndOfGeneration && model.tokenizer.isEndOfGeneration(token) {
                let rest = decoder.finish()
                if !rest.isEmpty { _ = try onToken(GeneratedToken(token: -1, text: rest)) }
                return .endOfGeneration
            }
            produced += 1
            var text = decoder.append(token)
            let last = produced == options.maxTokens || context.position + 1 > context.contextLength
            if last { text += decoder.finish() }
            guard try onToken(GeneratedToken(token: token, text: text)) else { return .endOfGeneration }
            if last { return .maxTokens }
            logits = try context.evaluate([token])
        }
        return .maxTokens
    }

    /// The same generation as an asynchronous sequence, computed on its own thread.
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

    public var description: String {
        switch self {
        case .emptyPrompt:
            return "the prompt is empty and the model adds no beginning-of-sequence token"
        case let .promptTooLong(tokens, context):
            return "the prompt is \(tokens) tokens long, which leaves no room in the context of \(context) tokens"
        }
    }
}
