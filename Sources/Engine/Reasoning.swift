import Foundation
import Tokenizers

/// How a model thinks aloud before it answers: `<think>…</think>`, as DeepSeek-R1 and its distilled
/// models, Qwen3 and QwQ write it. Some templates open the block in the generation prompt (the
/// R1 distills end it with `<think>\n`), so the model's output starts inside its thoughts and only
/// the closing tag shows; others (Qwen3) leave the model to write the opening tag itself.
public struct ReasoningSyntax: Sendable, Equatable {
    public let opening: String
    public let closing: String

    public static let think = ReasoningSyntax(opening: "<think>", closing: "</think>")

    /// The syntax a model uses, judged from its chat template and vocabulary: a template that
    /// writes or strips `</think>`, or a vocabulary with both tags as single tokens (a reasoning
    /// model whose template does not mention them). nil: the model does not reason in tags.
    ///
    /// A false positive costs nothing: output that does not begin with the opening tag, in a
    /// prompt that did not open one, is all answer.
    public static func detect(templateSource: String?, tokenizer: Tokenizer) -> ReasoningSyntax? {
        if let templateSource, templateSource.contains(think.closing) { return think }
        let single = [think.opening, think.closing].allSatisfy {
            tokenizer.encode($0, addSpecial: false, parseSpecial: true).count == 1
        }
        return single ? think : nil
    }

    /// Whether a rendered prompt leaves the model inside a reasoning block: the template's last
    /// opening tag is not followed by a closing one. (Qwen3 with `enable_thinking: false` ends its
    /// prompt with an empty block, `<think>\n\n</think>\n\n`: closed.)
    public func opensReasoning(_ renderedPrompt: String) -> Bool {
        guard let open = renderedPrompt.range(of: opening, options: .backwards) else { return false }
        return renderedPrompt.range(of: closing, range: open.upperBound..<renderedPrompt.endIndex) == nil
    }
}

/// What to do with a reasoning model's thoughts in a response.
public enum ReasoningFormat: String, Sendable, CaseIterable {
    /// Thoughts apart from the answer: `reasoning_content` and `content`, as DeepSeek's API and
    /// vLLM return them.
    case deepseek
    /// The raw text, tags and all, in `content`.
    case none

    /// By name, as `--reasoning-format` and a request's `reasoning_format` give it; "auto" is
    /// llama.cpp's name for the default.
    public init?(name: String) {
        if name == "auto" { self = .deepseek } else { self.init(rawValue: name) }
    }

    public static let names = "deepseek, none (auto: deepseek)"
}

/// Splits generated text into thoughts and answer as it streams. Text is released as soon as it
/// cannot be part of a tag; whitespace between a tag and the text beside it is dropped (the
/// `\n` after `<think>`, the `\n\n` after `</think>`), so neither part starts or ends with it.
/// A block that never closes (the model ran out of tokens while thinking) is all thoughts.
public struct ReasoningSplitter: Sendable {
    public struct Parts: Sendable, Equatable {
        public var reasoning = ""
        public var answer = ""

        public init(reasoning: String = "", answer: String = "") {
            self.reasoning = reasoning
            self.answer = answer
        }

        public static func + (a: Parts, b: Parts) -> Parts {
            Parts(reasoning: a.reasoning + b.reasoning, answer: a.answer + b.answer)
        }
    }

    enum State: Sendable {
        /// Nothing but whitespace yet; the output may still open a block.
        case start
        case reasoning
        case answer
    }

    public let syntax: ReasoningSyntax
    private var state: State
    /// Text not yet released: the possible start of a tag, or whitespace that may turn out to
    /// stand before a tag (or at the start of a part).
    private var held = ""
    /// Whether the current part has released any text (leading whitespace is dropped before that).
    private var partStarted = false

    /// `startsInside`: the prompt opened the block (see `ReasoningSyntax.opensReasoning`).
    public init(syntax: ReasoningSyntax, startsInside: Bool) {
        self.syntax = syntax
        state = startsInside ? .reasoning : .start
    }

    /// Thoughts and answer of a whole text that holds both (an endpoint that returned them
    /// together): one that opens with the tag, or one that closes a block it never opened (its
    /// template opened it in the prompt). nil when the text has no block.
    public static func split(_ text: String, syntax: ReasoningSyntax = .think) -> Parts? {
        let opens = text.drop { $0.isWhitespace }.hasPrefix(syntax.opening)
        guard opens || text.contains(syntax.closing) else { return nil }
        var splitter = ReasoningSplitter(syntax: syntax, startsInside: !opens)
        return splitter.append(text) + splitter.finish()
    }

    /// Whether the thoughts are over (the block closed, or the output did not open one).
    public var isAnswering: Bool { state == .answer }

    public mutating func append(_ text: String) -> Parts {
        held += text
        var parts = Parts()
        while true {
            switch state {
            case .start:
                let rest = held.drop { $0.isWhitespace }
                if rest.hasPrefix(syntax.opening) {
                    held = String(rest.dropFirst(syntax.opening.count))
                    enter(.reasoning)
                    continue
                }
                if rest.isEmpty || syntax.opening.hasPrefix(rest) { return parts }
                enter(.answer)
                continue
            case .reasoning:
                if let close = held.range(of: syntax.closing) {
                    let (before, after) = (String(held[..<close.lowerBound]), String(held[close.upperBound...]))
                    parts.reasoning += release(before, final: true)
                    held = after
                    enter(.answer)
                    continue
                }
                parts.reasoning += releaseHoldingTag(syntax.closing)
                return parts
            case .answer:
                parts.answer += release(held, final: false)
                return parts
            }
        }
    }

    /// Whatever is held back, at the end of the output.
    public mutating func finish() -> Parts {
        defer { held = "" }
        switch state {
        case .start: return Parts(answer: held.trimmingCharacters(in: .whitespacesAndNewlines))
        case .reasoning: return Parts(reasoning: release(held, final: true))
        case .answer: return Parts(answer: release(held, final: true))
        }
    }

    private mutating func enter(_ next: State) {
        state = next
        partStarted = false
    }

    /// Releases `text` of the current part: leading whitespace of the part dropped, trailing
    /// whitespace held (or, when `final`, dropped) since a tag or the end may follow it.
    private mutating func release(_ text: String, final: Bool) -> String {
        var text = Substring(text)
        if !partStarted { text = text.drop { $0.isWhitespace } }
        let body = text.reversed().drop { $0.isWhitespace }
        let trailing = text.count - body.count
        held = final ? "" : String(text.suffix(trailing))
        let shown = String(text.dropLast(trailing))
        if !shown.isEmpty { partStarted = true }
        return shown
    }

    /// Releases the held text of the reasoning part except its longest end that could begin `tag`.
    private mutating func releaseHoldingTag(_ tag: String) -> String {
        var keep = min(tag.count - 1, held.count)
        while keep > 0 && !tag.hasPrefix(String(held.suffix(keep))) { keep -= 1 }
        let tail = String(held.suffix(keep))
        let shown = release(String(held.dropLast(keep)), final: false)
        held += tail
        return shown
    }
}

/// Reasoning as one generation handles it: where the block starts, and how many tokens of thought
/// it may take before Hearth closes it for the model.
public struct ReasoningControl: Sendable, Equatable {
    public var syntax: ReasoningSyntax
    /// The prompt opened the block: the first generated token is already a thought.
    public var startsInside: Bool
    /// Tokens of thought before the block is closed (`\n</think>\n\n` is written in the model's
    /// place); nil: as many as the model likes.
    public var budget: Int?

    public init(syntax: ReasoningSyntax, startsInside: Bool, budget: Int? = nil) {
        self.syntax = syntax
        self.startsInside = startsInside
        self.budget = budget
    }

    /// The text written for the model when its budget is spent.
    public var forcedClosing: String { "\n" + syntax.closing + "\n\n" }

    /// Tokens the thoughts may take: the budget, the opening tag when the model has to write it,
    /// and the closing Hearth writes. 0 without a budget.
    public func reservedTokens(_ tokenizer: Tokenizer) -> Int {
        guard let budget else { return 0 }
        let closing = tokenizer.encode(forcedClosing, addSpecial: false, parseSpecial: true).count
        let opening = startsInside ? 0 : tokenizer.encode(syntax.opening, addSpecial: false, parseSpecial: true).count
        return budget + closing + opening
    }

    /// A constrained answer (a JSON schema) comes after the thoughts and must have room to finish:
    /// without a budget the thoughts get half of `room`. Returns the room left for the answer.
    public mutating func reserveRoomForConstrainedAnswer(_ room: Int, tokenizer: Tokenizer) -> Int {
        if budget == nil { budget = room / 2 }
        return room - reservedTokens(tokenizer)
    }
}

/// Follows the block through the tokens of one generation, by their bytes (a tag may arrive as one
/// special token or as several ordinary ones): whether the model is thinking, how many tokens it
/// has thought, and which tokens to write for it once its budget is spent.
struct ReasoningTracker {
    enum Phase: Equatable {
        /// Only whitespace so far: the model may open a block.
        case start
        case thinking
        case answering
    }

    let control: ReasoningControl
    private(set) var phase: Phase
    /// Tokens generated inside the block.
    private(set) var thoughtTokens = 0
    /// The opening tag when it is one token (a constrained answer may begin with it).
    let openingToken: Int32?
    private let closingTokens: [Int32]
    private var forced: ArraySlice<Int32> = []
    private var lead: [UInt8] = []
    private var tail: [UInt8] = []
    private let opening: [UInt8]
    private let closing: [UInt8]
    private let tokenizer: Tokenizer

    init(control: ReasoningControl, tokenizer: Tokenizer) {
        self.control = control
        self.tokenizer = tokenizer
        phase = control.startsInside ? .thinking : .start
        opening = Array(control.syntax.opening.utf8)
        closing = Array(control.syntax.closing.utf8)
        let openingTokens = tokenizer.encode(control.syntax.opening, addSpecial: false, parseSpecial: true)
        openingToken = openingTokens.count == 1 ? openingTokens[0] : nil
        closingTokens = tokenizer.encode(control.forcedClosing, addSpecial: false, parseSpecial: true)
    }

    /// The token to write in the model's place, if the budget is spent.
    /// The closing is written to its end, past the token that completes the tag.
    mutating func forcedToken() -> Int32? {
        if let next = forced.popFirst() { return next }
        if phase == .thinking, let budget = control.budget, thoughtTokens >= budget {
            forced = closingTokens[...]
        }
        return forced.popFirst()
    }

    mutating func accept(_ token: Int32) {
        let bytes = tokenizer.piece(token)
        switch phase {
        case .start:
            lead += bytes
            let rest = lead.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
            if rest.starts(with: opening) {
                phase = .thinking
                tail = Array(rest.dropFirst(opening.count))
                checkClosed()
            } else if !rest.isEmpty && !opening.starts(with: rest) {
                phase = .answering
            }
        case .thinking:
            thoughtTokens += 1
            tail += bytes
            checkClosed()
        case .answering:
            break
        }
    }

    private mutating func checkClosed() {
        if tail.firstRange(of: closing) != nil {
            phase = .answering
            tail = []
        } else if tail.count > closing.count {
            tail.removeFirst(tail.count - closing.count)
        }
    }
}
