import Foundation
import JSON
import Tokenizers

/// How a model writes the tool calls it decides to make, as its chat template teaches it.
public enum ToolCallSyntax: String, Sendable {
    /// `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`, one block per call (Hermes,
    /// Qwen 2.5 and 3, and the many templates that copied them).
    case hermes

    /// The syntax a chat template teaches, judged from its source; nil when it teaches none Hearth reads.
    public static func taught(by templateSource: String) -> ToolCallSyntax? {
        templateSource.contains("<tool_call>") ? .hermes : nil
    }

    var opening: String { "<tool_call>" }
    var closing: String { "</tool_call>" }
}

/// One call the model asked for: the function's name and its arguments as JSON text.
public struct ToolCall: Sendable, Equatable {
    public let name: String
    /// The arguments object as compact JSON (OpenAI's `function.arguments` is a string).
    public let arguments: String

    public init(name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }
}

/// Splits generated text into what the user should see and the tool calls, as it streams: text
/// before the first call goes out at once (holding back only what could be the start of an
/// opening tag), everything from the first call on is kept until `finish` parses it. Calls that do
/// not parse are not lost: their text is returned as content instead.
///
/// Small models often drop the tags and answer with the bare JSON of a call; with `toolNames`
/// given, an output that is nothing but `{"name": N, "arguments": ...}` for one of those names is a
/// call too (such an output is held until the end, since it cannot be told from a JSON answer
/// before then).
public struct ToolCallExtractor: Sendable {
    public let syntax: ToolCallSyntax
    public let toolNames: Set<String>
    /// Text that may be the start of an opening tag (before any call), or leading whitespace.
    private var held = ""
    /// Everything from the first opening tag on, or the whole output when it may be a bare call.
    private var calls: String?
    private var shownAny = false

    public init(syntax: ToolCallSyntax, toolNames: Set<String> = []) {
        self.syntax = syntax
        self.toolNames = toolNames
    }

    /// Takes the next piece of generated text; returns the content now safe to show.
    public mutating func append(_ text: String) -> String {
        if calls != nil {
            calls! += text
            return ""
        }
        let text = held + text
        held = ""
        if !shownAny && !toolNames.isEmpty {
            let start = text.drop { $0.isWhitespace }
            if start.isEmpty {
                held = text
                return ""
            }
            if start.first == "{" {
                calls = text
                return ""
            }
        }
        if let open = text.range(of: syntax.opening) {
            calls = String(text[open.lowerBound...])
            return String(text[..<open.lowerBound])
        }
        // The longest end of the text that could still become the opening tag is held back.
        let opening = syntax.opening
        var keep = min(opening.count - 1, text.count)
        while keep > 0 && !opening.hasPrefix(String(text.suffix(keep))) { keep -= 1 }
        held = String(text.suffix(keep))
        let shown = String(text.dropLast(keep))
        if !shown.isEmpty { shownAny = true }
        return shown
    }

    /// Ends the text: returns the content not yet shown and the calls. When a call does not parse
    /// (not JSON, no name), there are no calls and all of its text is content.
    public mutating func finish() -> (content: String, calls: [ToolCall]) {
        defer {
            held = ""
            calls = nil
        }
        guard let text = calls else { return (held, []) }
        if let parsed = parse(text) { return parsed }
        if let call = Self.call(fromJSON: text), toolNames.contains(call.name) { return ("", [call]) }
        return (text, [])
    }

    /// Blocks one after another, with only whitespace between them; text after the last block is
    /// content. A block the model did not close (it stopped right after the JSON) still counts.
    private func parse(_ text: String) -> (content: String, calls: [ToolCall])? {
        var rest = Substring(text)
        var found: [ToolCall] = []
        while true {
            let trimmed = rest.drop { $0.isWhitespace }
            guard trimmed.hasPrefix(syntax.opening) else {
                return found.isEmpty ? nil : (String(rest.drop { $0.isWhitespace }), found)
            }
            let body = trimmed.dropFirst(syntax.opening.count)
            let inner: Substring
            if let close = body.range(of: syntax.closing) {
                inner = body[..<close.lowerBound]
                rest = body[close.upperBound...]
            } else {
                inner = body
                rest = ""
            }
            guard let call = Self.call(fromJSON: String(inner)) else { return nil }
            found.append(call)
            if rest.allSatisfy(\.isWhitespace) { return (String(rest.drop { $0.isWhitespace }), found) }
        }
    }

    /// `{"name": "...", "arguments": {...}}` (or `"parameters"`, or arguments already as a string).
    static func call(fromJSON text: String) -> ToolCall? {
        guard let value = try? JSONParser.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let object = value.objectValue, let name = object["name"]?.stringValue, !name.isEmpty else { return nil }
        switch object["arguments"] ?? object["parameters"] {
        case nil, .null?:
            return ToolCall(name: name, arguments: "{}")
        case .string(let encoded)?:
            return ToolCall(name: name, arguments: encoded)
        case let arguments?:
            return ToolCall(name: name, arguments: arguments.serialized(.compact))
        }
    }
}
