import JSON

/// One message of a conversation, in OpenAI's shape (what every target speaks).
public struct ChatMessage: Sendable, Equatable {
    public var role: String
    public var content: String
    /// Calls the assistant made (tool loop); empty otherwise.
    public var toolCalls: [ToolCallRecord]
    /// For a `tool` message: the call it answers.
    public var toolCallID: String?
    /// For a `tool` message: the tool's name.
    public var name: String?
    /// An assistant message's thoughts, apart from its answer (`reasoning_content`); nil when the
    /// model does not reason (or the endpoint returned none), "" when it thought nothing.
    public var reasoning: String?

    public init(role: String, content: String, toolCalls: [ToolCallRecord] = [], toolCallID: String? = nil, name: String? = nil,
                reasoning: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.name = name
        self.reasoning = reasoning
    }

    /// The message as an OpenAI request sends it (tool-call arguments as a JSON string). Thoughts
    /// are not sent back: templates drop them from earlier turns, and DeepSeek's API refuses them.
    public var json: JSONValue {
        var object = JSONObject([("role", .string(role)), ("content", .string(content))])
        if !toolCalls.isEmpty { object["tool_calls"] = .array(toolCalls.map(\.json)) }
        if let toolCallID { object["tool_call_id"] = .string(toolCallID) }
        if let name { object["name"] = .string(name) }
        return .object(object)
    }

    /// The message as records keep it: as sent, plus its thoughts.
    public var recordJSON: JSONValue {
        guard let reasoning, case .object(var object) = json else { return json }
        object["reasoning_content"] = .string(reasoning)
        return .object(object)
    }

    static let roles: Set<String> = ["system", "user", "assistant", "tool"]

    /// Reads a message of a dataset or a stored transcript; `path` names it in errors.
    public init(json value: JSONValue, path: String) throws {
        guard let object = value.objectValue else { throw FieldError(path, "must be an object, got \(value.typeName)") }
        guard let role = object["role"]?.stringValue, Self.roles.contains(role) else {
            throw FieldError("\(path).role", "must be one of system, user, assistant, tool")
        }
        self.role = role
        switch object["content"] {
        case .string(let text)?: content = text
        case nil, .null?: content = ""
        case let other?: throw FieldError("\(path).content", "must be a string, got \(other.typeName)")
        }
        toolCalls = try (object["tool_calls"]?.arrayValue ?? []).enumerated().map {
            try ToolCallRecord(json: $0.element, path: "\(path).tool_calls[\($0.offset)]")
        }
        toolCallID = object["tool_call_id"]?.stringValue
        name = object["name"]?.stringValue
        // DeepSeek's and vLLM's name, and the newer `reasoning` of some servers.
        reasoning = object["reasoning_content"]?.stringValue ?? object["reasoning"]?.stringValue
    }
}

/// A tool call as the OpenAI API writes it; `arguments` is the JSON text the model produced.
public struct ToolCallRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("type", "function"),
            ("function", .object(JSONObject([("name", .string(name)), ("arguments", .string(arguments))]))),
        ]))
    }

    public init(json value: JSONValue, path: String) throws {
        guard let function = value["function"]?.objectValue, let name = function["name"]?.stringValue else {
            throw FieldError(path, "must be {\"id\", \"type\": \"function\", \"function\": {\"name\", \"arguments\"}}")
        }
        self.name = name
        id = value["id"]?.stringValue ?? ""
        switch function["arguments"] {
        case .string(let text)?: arguments = text
        case nil, .null?: arguments = "{}"
        case let other?: arguments = other.serialized(.compact)
        }
    }

    /// The arguments as an object; nil when the model wrote something that is not a JSON object.
    public var parsedArguments: JSONObject? {
        (try? JSONParser.parse(arguments))?.objectValue
    }
}

/// A simulated tool of a sample: its OpenAI definition and the results it returns, scripted.
public struct SimulatedTool: Sendable, Equatable {
    /// The OpenAI tool definition offered to the model (`{"type": "function", "function": {...}}`).
    public var definition: JSONValue
    public var name: String
    /// Returned for each call in turn; the last one repeats once they run out.
    public var results: [String]

    public init(json value: JSONValue, path: String) throws {
        guard let object = value.objectValue else { throw FieldError(path, "must be an object") }
        guard let name = object["function"]?["name"]?.stringValue, !name.isEmpty else {
            throw FieldError("\(path).function.name", "is required (a tool is {\"type\": \"function\", \"function\": {\"name\", \"description\", \"parameters\"}, \"results\": [...]})")
        }
        self.name = name
        switch object["results"] ?? object["result"] {
        case .string(let text)?: results = [text]
        case .array(let items)?:
            results = try items.enumerated().map { index, item in
                if let text = item.stringValue { return text }
                if item.objectValue != nil || item.arrayValue != nil { return item.serialized(.compact) }
                throw FieldError("\(path).results[\(index)]", "must be a string or JSON value")
            }
        case .object(let object)?: results = [JSONValue.object(object).serialized(.compact)]
        case nil: results = ["{\"status\": \"ok\"}"]
        case let other?: throw FieldError("\(path).results", "must be a string or an array, got \(other.typeName)")
        }
        // The definition sent to the model carries no scripted results.
        var definition = object
        definition["results"] = nil
        definition["result"] = nil
        if definition["type"] == nil { definition["type"] = "function" }
        self.definition = .object(definition)
    }
}

/// A sample of a dataset, with Inspect's field names: `id`, `input` (a string or messages),
/// `target`, `choices`, `metadata`; and Hearth's `tools` for the tool loop.
public struct Sample: Sendable, Equatable {
    public var id: String
    /// The conversation so far; a string input is one user message.
    public var input: [ChatMessage]
    /// Whether `input` was a plain string (the log-likelihood pass reads it as raw text).
    public var inputIsText: Bool
    public var target: [String]
    public var choices: [String]?
    public var metadata: JSONObject
    public var tools: [SimulatedTool]

    public init(id: String, input: [ChatMessage], inputIsText: Bool = false, target: [String] = [], choices: [String]? = nil,
                metadata: JSONObject = JSONObject(), tools: [SimulatedTool] = []) {
        self.id = id
        self.input = input
        self.inputIsText = inputIsText
        self.target = target
        self.choices = choices
        self.metadata = metadata
        self.tools = tools
    }

    /// The input as one text: a string input as is, messages as "role: content" lines.
    public var inputText: String {
        if inputIsText, let first = input.first { return first.content }
        return input.map { "\($0.role): \($0.content)" }.joined(separator: "\n")
    }

    /// A metadata field as text, for grouping (numbers and booleans as JSON writes them).
    public func metadataText(_ key: String) -> String? {
        switch metadata[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: return other.serialized(.compact)
        }
    }

    /// Reads one dataset line; `index` numbers samples without an id (1-based, as lines are).
    public init(json value: JSONValue, index: Int) throws {
        guard let object = value.objectValue else { throw FieldError("sample", "must be a JSON object, got \(value.typeName)") }
        let known: Set<String> = ["id", "input", "target", "choices", "metadata", "tools", "files", "setup", "sandbox"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw FieldError(unknown, "is not a sample field (id, input, target, choices, metadata, tools)")
        }
        switch object["id"] {
        case .string(let text)?:
            guard !text.isEmpty else { throw FieldError("id", "must not be empty") }
            id = text
        case .int(let number)?: id = String(number)
        case nil, .null?: id = String(index)
        case let other?: throw FieldError("id", "must be a string or an integer, got \(other.typeName)")
        }
        switch object["input"] {
        case .string(let text)?:
            input = [ChatMessage(role: "user", content: text)]
            inputIsText = true
        case .array(let items)?:
            guard !items.isEmpty else { throw FieldError("input", "must not be an empty list of messages") }
            input = try items.enumerated().map { try ChatMessage(json: $0.element, path: "input[\($0.offset)]") }
            inputIsText = false
        case nil: throw FieldError("input", "is required")
        case let other?: throw FieldError("input", "must be a string or a list of messages, got \(other.typeName)")
        }
        switch object["target"] {
        case nil, .null?: target = []
        case .string(let text)?: target = [text]
        case .array(let items)?:
            target = try items.enumerated().map {
                guard let text = $0.element.stringValue else { throw FieldError("target[\($0.offset)]", "must be a string") }
                return text
            }
        case .int(let number)?: target = [String(number)]
        case let other?: throw FieldError("target", "must be a string or a list of strings, got \(other.typeName)")
        }
        switch object["choices"] {
        case nil, .null?: choices = nil
        case .array(let items)?:
            guard items.count >= 2 else { throw FieldError("choices", "needs at least two choices") }
            choices = try items.enumerated().map {
                guard let text = $0.element.stringValue else { throw FieldError("choices[\($0.offset)]", "must be a string") }
                return text
            }
        case let other?: throw FieldError("choices", "must be a list of strings, got \(other.typeName)")
        }
        switch object["metadata"] {
        case nil, .null?: metadata = JSONObject()
        case .object(let fields)?: metadata = fields
        case let other?: throw FieldError("metadata", "must be an object, got \(other.typeName)")
        }
        switch object["tools"] {
        case nil, .null?: tools = []
        case .array(let items)?: tools = try items.enumerated().map { try SimulatedTool(json: $0.element, path: "tools[\($0.offset)]") }
        case let other?: throw FieldError("tools", "must be a list of tools, got \(other.typeName)")
        }
    }

    /// The sample as a dataset line writes it (what the run records as its input).
    public var json: JSONValue {
        var object = JSONObject([("id", .string(id))])
        object["input"] = inputIsText ? .string(input.first?.content ?? "") : .array(input.map(\.json))
        if !target.isEmpty { object["target"] = target.count == 1 ? .string(target[0]) : .array(target.map(JSONValue.string)) }
        if let choices { object["choices"] = .array(choices.map(JSONValue.string)) }
        if !metadata.isEmpty { object["metadata"] = .object(metadata) }
        if !tools.isEmpty {
            object["tools"] = .array(tools.map { tool in
                var definition = tool.definition.objectValue ?? JSONObject()
                definition["results"] = .array(tool.results.map(JSONValue.string))
                return .object(definition)
            })
        }
        return .object(object)
    }
}

/// A field of a sample, task or record that is not what it must be; the caller adds the file and line.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "'\(field)' \(message)" }
}
