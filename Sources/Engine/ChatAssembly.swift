import Foundation
import JSON
import Tokenizers

/// What one event of a chat choice adds to its message.
public struct ChatDelta: Sendable {
    public var reasoning = ""
    public var content = ""
    public var logprobs: [TokenLogprobs] = []
    public var toolCalls: [ToolCall] = []
    /// OpenAI's `finish_reason`, set by the choice's last delta.
    public var finishReason: String?

    public init() {}

    /// Adds a later delta: a whole response is the sum of a choice's deltas.
    public mutating func append(_ next: ChatDelta) {
        reasoning += next.reasoning
        content += next.content
        logprobs += next.logprobs
        toolCalls += next.toolCalls
        finishReason = next.finishReason ?? finishReason
    }
}

/// Turns one chat choice's generation events into message deltas, in the order the text came:
/// thoughts apart from the answer (when the model reasons and the request wants them apart), tool
/// calls taken out of the answer (never out of the thoughts), log-probabilities of the tokens.
/// A streamed response sends each delta as a chunk; a whole response is their sum, so both say
/// the same thing by construction. The server and the audit's in-process target both assemble
/// their messages here.
public struct ChatChoiceAssembler: Sendable {
    private var reasoning: ReasoningSplitter?
    private var toolCalls: ToolCallExtractor?
    private let wantsLogprobs: Bool
    private let tokenizer: Tokenizer

    public init(reasoning: ReasoningSplitter?, toolCalls: ToolCallExtractor?, wantsLogprobs: Bool, tokenizer: Tokenizer) {
        self.reasoning = reasoning
        self.toolCalls = toolCalls
        self.wantsLogprobs = wantsLogprobs
        self.tokenizer = tokenizer
    }

    /// The delta of one event; nil for events that add nothing to the message.
    public mutating func take(_ event: GenerationEvent) -> ChatDelta? {
        switch event {
        case .token(let token):
            var delta = split(token.text)
            // The token that ended generation comes with its log-probability (completions report
            // it, as vLLM does, for scorers that slice it off); a chat message's logprobs are its
            // text's only.
            let endsGeneration = token.text.isEmpty && token.token.map(tokenizer.isEndOfGeneration) == true
            if wantsLogprobs, let step = token.logprobs, !endsGeneration { delta.logprobs = [step] }
            return delta
        case .finished(let outcome):
            var delta = ChatDelta()
            if var splitter = reasoning {
                let rest = splitter.finish()
                reasoning = splitter
                delta.reasoning = rest.reasoning
                delta.content = answer(rest.answer)
            }
            if var extractor = toolCalls {
                let (rest, calls) = extractor.finish()
                toolCalls = extractor
                delta.content += rest
                delta.toolCalls = calls
            }
            delta.finishReason = outcome.finishReason.openAIValue(madeToolCalls: !delta.toolCalls.isEmpty)
            return delta
        case .started, .promptLogprobs, .failed:
            return nil
        }
    }

    /// The whole message of a choice that has ended: the sum of its deltas.
    public mutating func message(tokens: [GeneratedToken], outcome: GenerationOutcome) -> ChatDelta {
        var message = ChatDelta()
        for event in tokens.map(GenerationEvent.token) + [.finished(outcome)] {
            if let delta = take(event) { message.append(delta) }
        }
        return message
    }

    private mutating func split(_ text: String) -> ChatDelta {
        var delta = ChatDelta()
        if var splitter = reasoning {
            let parts = splitter.append(text)
            reasoning = splitter
            delta.reasoning = parts.reasoning
            delta.content = answer(parts.answer)
        } else {
            delta.content = answer(text)
        }
        return delta
    }

    /// Answer text through the tool-call extractor, when the request offered tools.
    private mutating func answer(_ text: String) -> String {
        guard var extractor = toolCalls else { return text }
        defer { toolCalls = extractor }
        return extractor.append(text)
    }
}
