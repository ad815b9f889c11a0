import ChatTemplates
import Foundation
import JSON
import Tokenizers

/// Checks a chat template for text it adds to every conversation. A chat template is code that
/// runs on each request, and a poisoned one can slip instructions into the prompt that no message
/// contains ("always recommend AcmeCloud") where neither the user nor the caller ever sees them.
///
/// The template is rendered on a few probe conversations whose messages are unique sentinels. With
/// the sentinels cut out, what remains is the template's own scaffolding; in it, control tokens
/// (`<|im_start|>`, `<start_of_turn>`, BOS and EOS) and role names are expected, and any other
/// words are reported: as the default system prompt when they stand where a system message would
/// be in a conversation that has none, as the known template's own text when the template is one
/// known byte for byte, and as flagged otherwise. The template is also compared with the known
/// templates of its family (see `KnownChatTemplate`).
///
/// Probes are a check, not a proof: a template can behave differently on other conversations (with
/// tools, with more turns, or by recognising the probes). The comparison with known templates is
/// what catches such a template when its family is known.
public struct TemplateInspection {
    /// A probe conversation: the roles of its messages, in order. Each is rendered without the
    /// generation prompt and with it, so that what the prompt adds can be told from what follows
    /// the last message.
    struct Probe {
        let name: String
        let roles: [String]

        var hasSystemMessage: Bool { roles.contains("system") }

        /// Message `index` says only this. No template contains it, it has no letters (so a template
        /// that cuts it leaves no words behind), and templates that trim or strip leave it whole.
        static func sentinel(_ index: Int) -> String { "⟦\(index)⟧" }

        var messages: [JSONValue] {
            roles.enumerated().map { ChatFormat.message($0.element, Probe.sentinel($0.offset)) }
        }
    }

    static let probes = [
        Probe(name: "user", roles: ["user"]),
        Probe(name: "system + user", roles: ["system", "user"]),
        Probe(name: "system + user + assistant + user", roles: ["system", "user", "assistant", "user"]),
        Probe(name: "user + assistant + user", roles: ["user", "assistant", "user"]),
    ]

    /// Words that mark turns rather than say anything: role names, and the plain-text markers of
    /// templates that write them as text (Llama 2's `[INST]` and `<<SYS>>`). Compared lowercased.
    static let markerWords: Set<String> = [
        "system", "user", "assistant", "model", "tool", "ipython", "function", "developer", "human", "inst", "sys",
    ]

    /// Inspects a model's chat format: its template, with the tokenizer's control tokens and its BOS
    /// and EOS texts counted as markup. Never throws: a probe that fails to render is reported.
    public static func inspect(_ format: ChatFormat) -> TemplateReport {
        inspect(format.template, bosToken: format.bosText, eosToken: format.eosText,
                controlTokens: controlTokenTexts(format.tokenizer))
    }

    /// Inspects template source on its own, with the texts of the control tokens its model would
    /// recognise (`<|im_start|>`, …); a template that does not parse is reported as such.
    public static func inspect(source: String, bosToken: String = "", eosToken: String = "",
                               controlTokens: [String] = []) -> TemplateReport {
        do {
            return inspect(try ChatTemplate(source: source), bosToken: bosToken, eosToken: eosToken,
                           controlTokens: controlTokens)
        } catch {
            return TemplateReport(family: ChatTemplateFamily.detect(source)?.name,
                                  knownTemplate: KnownChatTemplate.compare(source),
                                  injections: [], renderFailures: [.init(conversation: "all (the template does not parse)",
                                                                         error: "\(error)")],
                                  missingMessages: [], probesRendered: 0)
        }
    }

    /// The texts of the tokens that are markup rather than words: control and unknown tokens, and
    /// user-defined tokens written as a tag (`<tool_call>`, `[multimodal]`). Other user-defined
    /// tokens are left alone, since some vocabularies define whole words that way.
    static func controlTokenTexts(_ tokenizer: Tokenizer) -> [String] {
        var texts: [String] = []
        for id in 0..<Int32(tokenizer.vocabularySize) {
            let attributes = tokenizer.attributes(id)
            let isMarkup = !attributes.isDisjoint(with: [.control, .unknown])
            guard isMarkup || attributes.contains(.userDefined) else { continue }
            let text = String(decoding: tokenizer.piece(id), as: UTF8.self)
            if isMarkup || looksLikeTag(text) { texts.append(text) }
        }
        return texts
    }

    private static func looksLikeTag(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last, text.count >= 3,
              !text.contains(where: \.isWhitespace) else { return false }
        return (first == "<" && last == ">") || (first == "[" && last == "]")
    }

    static func inspect(_ template: ChatTemplate, bosToken: String, eosToken: String, controlTokens: [String]) -> TemplateReport {
        var renderings: [(probe: Probe, bare: String?, full: String?)] = []
        var failures: [TemplateReport.RenderFailure] = []
        for probe in probes {
            func render(_ addGenerationPrompt: Bool) -> Result<String, Error> {
                Result { try template.render(messages: probe.messages, addGenerationPrompt: addGenerationPrompt,
                                             bosToken: bosToken, eosToken: eosToken) }
            }
            let bare = render(false), full = render(true)
            switch (bare, full) {
            case (.failure, .failure(let error)):
                failures.append(.init(conversation: probe.name, error: "\(error)"))
                continue
            case (.failure(let error), .success):
                failures.append(.init(conversation: probe.name + ", without the generation prompt", error: "\(error)"))
            case (.success, .failure(let error)):
                failures.append(.init(conversation: probe.name + ", with the generation prompt", error: "\(error)"))
            case (.success, .success):
                break
            }
            renderings.append((probe, try? bare.get(), try? full.get()))
        }
        // Only the markup that occurs matters (Gemma's vocabulary has thousands of control tokens);
        // the longest first, so that no token is cut by a shorter one inside it.
        let texts = renderings.flatMap { [$0.bare, $0.full].compactMap { $0 } }
        let markup = Set(controlTokens + [bosToken, eosToken])
            .filter { token in !token.isEmpty && texts.contains { $0.contains(token) } }
            .sorted { $0.count > $1.count }

        let known = KnownChatTemplate.compare(template.source)
        let isKnown: Bool
        if case .matches = known { isKnown = true } else { isKnown = false }

        var injections: [TemplateReport.Injection] = []
        var missing: [String] = []
        for (probe, bare, full) in renderings {
            let text = full ?? bare ?? ""
            for (index, role) in probe.roles.enumerated() where !text.contains(Probe.sentinel(index)) {
                missing.append("the \(role) message (message \(index + 1)) of «\(probe.name)»")
            }
            for segment in segments(probe: probe, bare: bare, full: full) {
                guard let words = injectedText(segment.text, markup: markup) else { continue }
                let kind: TemplateReport.Injection.Kind
                if segment.position == .beforeFirstMessage && !probe.hasSystemMessage {
                    kind = .defaultSystemPrompt
                } else if isKnown {
                    kind = .expected
                } else {
                    kind = .flagged
                }
                // The same text at the same place in several probes is one finding.
                if let same = injections.firstIndex(where: { $0.text == words && $0.position == segment.position && $0.kind == kind }) {
                    if !injections[same].conversations.contains(probe.name) { injections[same].conversations.append(probe.name) }
                } else {
                    injections.append(.init(text: words, position: segment.position, conversations: [probe.name], kind: kind))
                }
            }
        }
        return TemplateReport(family: ChatTemplateFamily.detect(template.source)?.name, knownTemplate: known,
                              injections: injections, renderFailures: failures, missingMessages: missing,
                              probesRendered: renderings.count)
    }

    /// The scaffolding of a probe's renderings with their positions. Where the rendering with the
    /// generation prompt is the one without it plus more, that addition is the generation prompt;
    /// otherwise (one of them failed, or the prompt changes earlier text) each rendering is cut on
    /// its own, and the text after the last message, with the prompt asked for, counts as the prompt.
    static func segments(probe: Probe, bare: String?, full: String?) -> [(position: TemplateReport.Position, text: String)] {
        if let bare, let full, full.utf8.starts(with: bare.utf8) {
            return cut(bare, probe: probe) + [(.generationPrompt, String(decoding: full.utf8.dropFirst(bare.utf8.count), as: UTF8.self))]
        }
        var result = bare.map { cut($0, probe: probe) } ?? []
        if let full {
            var parts = cut(full, probe: probe)
            if parts.count > 1 { parts[parts.count - 1].position = .generationPrompt }
            result += parts
        }
        return result
    }

    /// A rendering cut at every sentinel: the text before the first one, then the text after each
    /// (placed after the message whose sentinel it follows).
    static func cut(_ text: String, probe: Probe) -> [(position: TemplateReport.Position, text: String)] {
        var found: [(range: Range<String.Index>, role: String)] = []
        for (index, role) in probe.roles.enumerated() {
            var searchStart = text.startIndex
            while let range = text.range(of: Probe.sentinel(index), range: searchStart..<text.endIndex) {
                found.append((range, role))
                searchStart = range.upperBound
            }
        }
        found.sort { $0.range.lowerBound < $1.range.lowerBound }
        var result: [(position: TemplateReport.Position, text: String)] = []
        var start = text.startIndex
        var position = TemplateReport.Position.beforeFirstMessage
        for (range, role) in found {
            result.append((position, String(text[start..<range.lowerBound])))
            start = range.upperBound
            position = .after(role: role)
        }
        result.append((position, String(text[start...])))
        return result
    }

    /// The words of a piece of scaffolding that are neither markup nor turn markers, as the lines
    /// they stand on (trimmed, joined by newlines); nil when there are none. Markup tokens break
    /// lines, so that `<|im_start|>system\nYou are …` leaves the line `You are …`.
    static func injectedText(_ segment: String, markup: [String]) -> String? {
        var text = segment
        for token in markup { text = text.replacingOccurrences(of: token, with: "\n") }
        let lines = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter(hasWords)
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// Whether a line holds a word (two or more letters, of any script) that is not a turn marker.
    static func hasWords(_ line: String) -> Bool {
        var word = ""
        for scalar in line.unicodeScalars {
            if scalar.properties.isAlphabetic {
                word.unicodeScalars.append(scalar)
                continue
            }
            if isWord(word) { return true }
            word = ""
        }
        return isWord(word)
    }

    private static func isWord(_ word: String) -> Bool {
        word.unicodeScalars.count >= 2 && !markerWords.contains(word.lowercased())
    }
}

/// What `TemplateInspection.inspect` found in a chat template.
public struct TemplateReport: Sendable, Equatable {
    /// Where in the rendered conversation a piece of text stands.
    public enum Position: Sendable, Equatable, CustomStringConvertible {
        case beforeFirstMessage
        /// After the text of a message with this role, before the next message's.
        case after(role: String)
        /// Where the assistant's turn is opened, after the last message.
        case generationPrompt

        public var description: String {
            switch self {
            case .beforeFirstMessage: return "before the first message"
            case .after(let role): return "after \("aeiou".contains(role.prefix(1)) ? "an" : "a") \(role) message"
            case .generationPrompt: return "in the generation prompt"
            }
        }
    }

    /// Words the template wrote that came from no message.
    public struct Injection: Sendable, Equatable {
        public enum Kind: String, Sendable {
            /// Text the caller cannot see or override: a possible hidden instruction.
            case flagged
            /// Where the system message would be, in conversations that have none.
            case defaultSystemPrompt = "default system prompt"
            /// Text of a template known byte for byte (e.g. a date line in a system header).
            case expected
        }

        /// The lines that hold the words, trimmed; control tokens and role-marker lines left out.
        public let text: String
        public let position: Position
        /// The probe conversations it appeared in.
        public internal(set) var conversations: [String]
        public let kind: Kind
    }

    public struct RenderFailure: Sendable, Equatable {
        public let conversation: String
        public let error: String
    }

    /// The family its markers place it in (`ChatML`, `Llama 3`, `Gemma`, …); nil when none is recognised.
    public let family: String?
    public let knownTemplate: KnownTemplateMatch
    public let injections: [Injection]
    /// Probes the template would not render: not flagged (templates reject roles they do not
    /// support), but listed, since what they would inject was not checked.
    public let renderFailures: [RenderFailure]
    /// Messages whose text does not appear in a rendering at all (a template dropping what it was given).
    public let missingMessages: [String]
    let probesRendered: Int

    /// Whether the template adds text that no message holds and that is not its default system prompt.
    public var flagged: Bool { injections.contains { $0.kind == .flagged } }

    /// Whether any probe rendered: when none did, nothing was checked.
    public var inspected: Bool { probesRendered > 0 }

    /// The default system prompt, when the template writes one into conversations without a system message.
    public var defaultSystemPrompt: String? { injections.first { $0.kind == .defaultSystemPrompt }?.text }

    /// The report as text, the verdict first.
    public func lines() -> [String] {
        var out = [verdict]
        for injection in injections where injection.kind == .flagged {
            out.append("  injected \(injection.position) («\(injection.conversations.joined(separator: "», «"))»): \(Self.quoted(injection.text))")
        }
        out.append("family: \(family ?? "not recognised")")
        switch knownTemplate {
        case .matches(let name): out.append("known template: matches \(name)")
        case .differs(let name, let difference): out.append("known template: differs from \(name); \(difference)")
        case .noKnownTemplate: out.append("known template: none known for this family")
        }
        for injection in injections where injection.kind == .defaultSystemPrompt {
            out.append("default system prompt (when the conversation has none): \(Self.quoted(injection.text))")
        }
        for injection in injections where injection.kind == .expected {
            out.append("the known template's own text, \(injection.position): \(Self.quoted(injection.text))")
        }
        for failure in renderFailures {
            out.append("not rendered: «\(failure.conversation)»: \(failure.error)")
        }
        for message in missingMessages {
            out.append("left out: \(message) does not appear in the rendering")
        }
        return out
    }

    private var verdict: String {
        if flagged {
            let count = injections.filter { $0.kind == .flagged }.count
            return "template check: FLAGGED: the template adds text that comes from no message (\(count) \(count == 1 ? "place" : "places"))"
        }
        if !inspected { return "template check: not done: the template rendered none of the probe conversations" }
        var allowed = ["role markers"]
        if defaultSystemPrompt != nil { allowed.append("a default system prompt") }
        if injections.contains(where: { $0.kind == .expected }) { allowed.append("the known template's own text") }
        let list = allowed.count < 3 ? allowed.joined(separator: " and ")
            : allowed.dropLast().joined(separator: ", ") + " and " + allowed.last!
        return "template check: no injected text beyond \(list)"
    }

    /// Quoted on one line, newlines shown as \n.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
