import Foundation
import JSON

/// A chat template (the Jinja source in a GGUF's `tokenizer.chat_template`), parsed once and
/// rendered per conversation exactly as Hugging Face transformers' `apply_chat_template` renders
/// it with jinja2: an immutable sandbox with `trim_blocks` and `lstrip_blocks`, the loop controls
/// `break`/`continue`, the globals `raise_exception` and `strftime_now`, and a `tojson` filter that
/// is `json.dumps(x, ensure_ascii=False, ...)`.
///
/// The template sees `messages`, `tools` (None when not given, as transformers passes it),
/// `documents` (None), `add_generation_prompt`, `bos_token`, `eos_token`, and any `extra` variables.
public struct ChatTemplate: @unchecked Sendable {  // the syntax tree is immutable after parsing
    public let source: String
    public let limits: RenderLimits
    private let body: [Statement]
    private let lexer: Lexer

    /// Parses the template; a malformed one throws a `.syntax` error naming the line and column.
    public init(source: String, limits: RenderLimits = .standard) throws {
        self.source = source
        self.limits = limits
        var parser = try Parser(source: source, maximumDepth: limits.maximumNesting, maximumStackBytes: limits.maximumStackBytes)
        body = try parser.parseTemplate()
        lexer = parser.lexerForPositions
    }

    public func render(messages: [JSONValue], tools: [JSONValue]? = nil, addGenerationPrompt: Bool,
                       bosToken: String = "", eosToken: String = "", extra: JSONObject = JSONObject()) throws -> String {
        var context: [String: TemplateValue] = [
            "messages": .list(messages.map(TemplateValue.init(json:))),
            "tools": tools.map { .list($0.map(TemplateValue.init(json:))) } ?? .none,
            "documents": .none,
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
        ]
        for (key, value) in extra { context[key] = TemplateValue(json: value) }
        let globals = Scope(parent: nil)
        globals.variables = ChatTemplate.builtinGlobals()
        let contextScope = Scope(parent: globals)
        contextScope.variables = context
        let interpreter = Interpreter(limits: limits, lexer: lexer)
        return try interpreter.render(body, globals: contextScope)
    }

    public func render(_ conversation: Conversation, addGenerationPrompt: Bool, bosToken: String = "",
                       eosToken: String = "", extra: JSONObject = JSONObject()) throws -> String {
        try render(messages: conversation.messages, tools: conversation.tools, addGenerationPrompt: addGenerationPrompt,
                   bosToken: bosToken, eosToken: eosToken, extra: extra)
    }

    /// jinja2's default globals that matter to chat templates, plus Hugging Face's two.
    static func builtinGlobals() -> [String: TemplateValue] {
        [
            "range": .function(TemplateFunction("range") { args, interpreter in
                let bounds = try args.positional.map { value -> Int in
                    guard let i = value.asInt else { throw TemplateError(.runtime, "'\(value.pythonTypeName)' object cannot be interpreted as an integer") }
                    return i
                }
                guard (1...3).contains(bounds.count), args.keywords.isEmpty else { throw TemplateError(.runtime, "range expected 1 to 3 integer arguments") }
                let start = bounds.count == 1 ? 0 : bounds[0]
                let stop = bounds.count == 1 ? bounds[0] : bounds[1]
                let step = bounds.count == 3 ? bounds[2] : 1
                guard step != 0 else { throw TemplateError(.runtime, "range() arg 3 must not be zero") }
                let length = step > 0 ? (stop > start ? (stop - start - 1) / step + 1 : 0)
                                      : (start > stop ? (start - stop - 1) / -step + 1 : 0)
                // The sandbox's MAX_RANGE.
                guard length <= 100_000 else {
                    throw TemplateError(.limitExceeded, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).")
                }
                try interpreter.chargeAllocation(length)
                return .list((0..<length).map { .int(start + $0 * step) })
            }),
            "dict": .function(TemplateFunction("dict") { args, _ in
                var dict = TemplateDict()
                if let first = args.positional.first {
                    guard case .dict(let d) = first, args.positional.count == 1 else { throw TemplateError(.unsupported, "dict() from anything but a mapping or keywords") }
                    dict = d
                }
                for (key, value) in args.keywords { dict[key] = value }
                return .dict(dict)
            }),
            "namespace": .function(TemplateFunction("namespace") { args, _ in
                let namespace = Namespace()
                if let first = args.positional.first {
                    guard case .dict(let d) = first, args.positional.count == 1 else { throw TemplateError(.runtime, "namespace() takes a mapping or keywords") }
                    namespace.attributes = d
                }
                for (key, value) in args.keywords { namespace.attributes[key] = value }
                return .object(namespace)
            }),
            "joiner": .function(TemplateFunction("joiner") { args, _ in
                let separator = args.argument(0, "sep")?.pythonString ?? ", "
                let used = Namespace()
                return .function(TemplateFunction("joiner") { _, _ in
                    if used.attributes["used"] == nil { used.attributes["used"] = .bool(true); return .string("") }
                    return .string(separator)
                })
            }),
            "raise_exception": .function(TemplateFunction("raise_exception") { args, _ in
                throw TemplateError(.raised, args.argument(0, "message")?.pythonString ?? "")
            }),
            "strftime_now": .function(TemplateFunction("strftime_now") { args, _ in
                guard let format = args.argument(0, "format"), case .string(let text) = format else {
                    throw TemplateError(.runtime, "strftime_now() needs a format string")
                }
                return .string(ChatTemplate.strftimeNow(text))
            }),
        ]
    }

    /// `datetime.now().strftime(format)`: local time, C library formatting.
    static func strftimeNow(_ format: String) -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 1024)
        let count = strftime(&buffer, buffer.count, format, &parts)
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Why a request's conversation could not be read.
public struct ConversationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "invalid conversation: \(message)" }
}

/// The messages (and tool definitions) of an OpenAI-style chat request, as the template sees them.
///
/// Messages stay JSON objects with every field the client sent (role, content, name, tool_calls,
/// tool_call_id...), so templates see exactly what clients send, with two normalizations:
/// - `content` given as an array of parts (`[{"type": "text", "text": ...}]`) is flattened to one
///   string, the text parts joined with "\n" (as llama.cpp's server does); other part types
///   (images, audio) are an error, since no supported model takes them;
/// - a tool call's `function.arguments` given as a JSON string (as the OpenAI API sends it) is
///   parsed into an object, which is what chat templates expect (they print it with `tojson`).
public struct Conversation: Sendable, Equatable {
    public var messages: [JSONValue]
    public var tools: [JSONValue]?

    public init(messages: [JSONValue], tools: [JSONValue]? = nil) {
        self.messages = messages
        self.tools = tools
    }

    /// From a request body: an array of messages, or an object with "messages" and optional "tools".
    public init(json: JSONValue) throws {
        let rawMessages: [JSONValue]
        var rawTools: [JSONValue]? = nil
        switch json {
        case .array(let items):
            rawMessages = items
        case .object(let object):
            guard case .array(let items)? = object["messages"] else { throw ConversationError("\"messages\" must be an array") }
            rawMessages = items
            switch object["tools"] {
            case nil, .null?: break
            case .array(let tools)?:
                guard tools.allSatisfy({ $0.objectValue != nil }) else { throw ConversationError("each tool must be an object") }
                rawTools = tools
            default: throw ConversationError("\"tools\" must be an array")
            }
        default:
            throw ConversationError("expected an array of messages or an object with \"messages\"")
        }
        messages = try rawMessages.enumerated().map { try Conversation.normalize(message: $0.element, index: $0.offset) }
        tools = rawTools
    }

    public init(jsonText: String) throws {
        try self.init(json: try JSONParser.parse(jsonText))
    }

    private static func normalize(message: JSONValue, index: Int) throws -> JSONValue {
        guard var object = message.objectValue else { throw ConversationError("message \(index) is not an object") }
        guard case .string? = object["role"] else { throw ConversationError("message \(index) has no string \"role\"") }
        if case .array(let parts)? = object["content"] {
            var texts: [String] = []
            for part in parts {
                guard part["type"]?.stringValue == "text", let text = part["text"]?.stringValue else {
                    let type = part["type"]?.stringValue ?? "unknown"
                    throw ConversationError("message \(index) has a content part of type \"\(type)\"; only text parts are supported")
                }
                texts.append(text)
            }
            object["content"] = .string(texts.joined(separator: "\n"))
        }
        if case .array(var calls)? = object["tool_calls"] {
            for i in calls.indices {
                guard var call = calls[i].objectValue, var function = call["function"]?.objectValue,
                      case .string(let arguments)? = function["arguments"],
                      let parsed = try? JSONParser.parse(arguments), parsed.objectValue != nil else { continue }
                function["arguments"] = parsed
                call["function"] = .object(function)
                calls[i] = .object(call)
            }
            object["tool_calls"] = .array(calls)
        }
        return .object(object)
    }
}
