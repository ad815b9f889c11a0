import Foundation
import Models
import Tokenizers

/// The per-sequence half of generation, apart from the forward pass: given the logits after the
/// prompt or after the last token, chooses the next token (sampler, constraint), decides whether
/// generation ends (end of generation, stop strings, maximum tokens, a finished constraint) and
/// says which text is now safe to show. `Generator` drives one with its own context; the server's
/// batch executor drives many, one pass for all.
public final class SequenceGeneration {
    /// What one step produced: events to report in order, then either the token to feed next or
    /// the reason generation ended.
    public struct Step {
        public var events: [GeneratedToken] = []
        /// The token to feed to the model for the next step; nil once generation has ended.
        public var nextToken: Int32?
        public var finishReason: FinishReason?
    }

    public let prompt: [Int32]
    public let options: GenerationOptions
    public private(set) var produced = 0
    /// Set once generation has ended.
    public private(set) var finishReason: FinishReason?

    private let tokenizer: Tokenizer
    private let constraint: TokenConstraint?
    private var sampler: TokenSampler
    private var decoder: StreamingDecoder
    private var stops: StopSequenceMatcher
    private var mask: [Bool]?
    private var reasoning: ReasoningTracker?
    /// While a constrained answer's model is thinking: every token but the end of generation
    /// (the answer must still come).
    private lazy var thinkingMask: [Bool] = {
        var mask = [Bool](repeating: true, count: self.mask?.count ?? 0)
        for token in tokenizer.endOfGenerationTokens where Int(token) < mask.count { mask[Int(token)] = false }
        return mask
    }()

    /// Validates the request (sampling parameters, maximum tokens, a prompt of known tokens that
    /// leaves room in the context) and prepares the sampler.
    public init(prompt: [Int32], options: GenerationOptions, constraint: TokenConstraint? = nil,
                model: LanguageModel, contextLength: Int) throws {
        try options.sampling.validate(vocabularySize: model.config.vocabularySize)
        guard options.maxTokens >= 0 else { throw GenerationError.invalidMaxTokens(options.maxTokens) }
        guard !prompt.isEmpty else { throw GenerationError.emptyPrompt }
        guard prompt.count < contextLength else {
            throw GenerationError.promptTooLong(tokens: prompt.count, context: contextLength)
        }
        if let bad = model.config.firstInvalidToken(in: prompt) {
            throw ModelError.invalidToken(bad, vocabularySize: model.config.vocabularySize)
        }
        self.prompt = prompt
        self.options = options
        self.constraint = constraint
        tokenizer = model.tokenizer
        sampler = TokenSampler(parameters: options.sampling)
        sampler.acceptPrompt(prompt)
        decoder = StreamingDecoder(tokenizer: tokenizer)
        stops = StopSequenceMatcher(options.stop)
        mask = constraint == nil ? nil : [Bool](repeating: false, count: model.config.vocabularySize)
        reasoning = options.reasoning.map { ReasoningTracker(control: $0, tokenizer: tokenizer) }
    }

    /// Tokens generated inside the reasoning block so far (0 without reasoning).
    public var thoughtTokens: Int { reasoning?.thoughtTokens ?? 0 }

    /// The stop string that ended generation, if one did.
    public var matchedStop: String? { stops.matched }

    /// Chooses the next token from `logits` (the model's output after the last token fed).
    /// `roomForMore` is whether the context can take the chosen token: if not, generation ends
    /// with `.contextFull` after reporting it.
    public func step(logits: [Float], roomForMore: Bool) throws -> Step {
        precondition(finishReason == nil, "step after the generation ended")
        if let constraint, constraint.isComplete { return end(.constraintSatisfied) }
        if produced == options.maxTokens { return end(.maxTokens) }
        // A constraint governs the answer, after any thoughts: while the model thinks it is free
        // (but may not end), and at the start it may either open a block or begin the answer.
        let phase = reasoning?.phase ?? .answering
        if let constraint {
            if phase == .thinking {
                mask = thinkingMask
            } else {
                for i in mask!.indices { mask![i] = false }
                constraint.allowedTokens(into: &mask!)
                if phase == .start, let opening = reasoning?.openingToken { mask![Int(opening)] = true }
            }
        }
        // The closing Hearth writes for the model when its budget is spent is outside the answer:
        // the constraint neither masks nor sees it.
        let forced = reasoning?.forcedToken()
        let token = try forced ?? sampler.sample(logits: logits, allowed: mask)
        let logprobs = options.logprobs.map { TokenLogprobs(logits: logits, token: token, topCount: $0) }
        if tokenizer.isEndOfGeneration(token) && (options.stopAtEndOfGeneration || constraint != nil) {
            var ending = end(.endOfGeneration)
            // With log-probabilities asked for, the token that ended generation is reported, with no
            // text, as OpenAI and vLLM report it: scorers that echo a prompt and slice off the one
            // generated token (lm-evaluation-harness, `token_logprobs[ctxlen:-1]`) count on it.
            if let logprobs { ending.events.append(GeneratedToken(token: token, text: "", logprobs: logprobs)) }
            return ending
        }
        if forced == nil && (phase == .answering || (phase == .start && token != reasoning?.openingToken)) {
            try constraint?.accept(token)
        }
        reasoning?.accept(token)
        sampler.accept(token)
        produced += 1
        var step = Step(events: [GeneratedToken(token: token, text: stops.append(decoder.append(token)), logprobs: logprobs)])
        // A stop string ends generation where it starts: nothing after it is shown.
        if stops.matched != nil {
            finishReason = .stopSequence
            step.finishReason = .stopSequence
            return step
        }
        let reason: FinishReason?
        // A constrained value finished on the last allowed token is finished, not cut off.
        if let constraint, constraint.isComplete {
            reason = .constraintSatisfied
        } else if produced == options.maxTokens {
            reason = .maxTokens
        } else if !roomForMore {
            reason = .contextFull
        } else {
            reason = nil
        }
        if let reason {
            let ending = end(reason)
            step.events += ending.events
            step.finishReason = ending.finishReason
        } else {
            step.nextToken = token
        }
        return step
    }

    /// Ends generation: releases text held back for a split character or a possible stop string.
    private func end(_ reason: FinishReason) -> Step {
        let rest = stops.append(decoder.finish()) + stops.finish()
        let final = stops.matched != nil ? FinishReason.stopSequence : reason
        finishReason = final
        var step = Step(finishReason: final)
        if !rest.isEmpty { step.events.append(GeneratedToken(token: nil, text: rest, logprobs: nil)) }
        return step
    }

    /// The summary of the generation: `.cancelled` when the consumer stopped it, or it has not ended.
    public func summary(reusedPromptTokens: Int, cancelled: Bool = false) -> GenerationSummary {
        GenerationSummary(finishReason: cancelled ? .cancelled : finishReason ?? .cancelled, promptTokens: prompt.count, completionTokens: produced,
                          reusedPromptTokens: reusedPromptTokens, matchedStop: stops.matched, reasoningTokens: thoughtTokens)
    }
}
