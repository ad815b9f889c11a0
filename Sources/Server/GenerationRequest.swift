import Engine
import Foundation
import JSON

/// Bounds on what one request may ask for, so a hostile request cannot make the server allocate
/// or compute without limit. Prompt length is bounded by each model's context.
public struct RequestLimits: Sendable {
    public var maximumBodyBytes = 8 << 20
    public var maximumJSONDepth = 64
    /// `n`: choices per prompt.
    public var maximumChoices = 16
    /// Prompts in one `/v1/completions` request (a list of prompts).
    public var maximumPrompts = 64
    public var maximumStopSequences = 16
    public var maximumStopLength = 512
    public var maximumTopLogprobs = 20
    public var maximumLogitBiasEntries = 1024
    public var maximumMessages = 4096

    public init() {}
}

/// The requested output format (`response_format`).
public enum ResponseFormat: Sendable, Equatable {
    case text
    /// Any JSON object.
    case jsonObject
    /// JSON valid against a schema.
    case jsonSchema(name: String?, schema: JSONValue)
}

/// The settings `/v1/completions` and `/v1/chat/completions` share, decoded and checked.
struct GenerationSettings {
    var model: String
    /// nil: until the end of generation or the context's end.
    var maxTokens: Int?
    var sampling: SamplingParameters
    /// Whether the client chose the seed (a seeded request is reproducible).
    var seeded: Bool
    var stop: [String]
    var choices: Int
    var stream: Bool
    var includeUsage: Bool
    var responseFormat: ResponseFormat

    /// The options for choice `index`: each choice draws from its own seed (seed + index), so the
    /// choices differ while the request as a whole stays reproducible.
    func options(choice index: Int, maxTokens: Int, logprobs: Int?) -> GenerationOptions {
        var sampling = self.sampling
        sampling.seed = sampling.seed &+ UInt64(index)
        return GenerationOptions(maxTokens: maxTokens, sampling: sampling, stop: stop, logprobs: logprobs)
    }

    /// Decodes the fields both endpoints take. `maxTokensKeys` lists the accepted spellings, first wins.
    init(_ fields: FieldReader, limits: RequestLimits, maxTokensKeys: [String]) throws {
        model = try fields.requiredString("model")
        maxTokens = nil
        for key in maxTokensKeys {
            if let value = try fields.int(key, in: 0...Int(Int32.max)) {
                maxTokens = value
                break
            }
        }
        choices = try fields.int("n", in: 1...limits.maximumChoices) ?? 1
        if let bestOf = try fields.int("best_of", in: 1...limits.maximumChoices), bestOf != choices {
            throw APIError.invalidRequest("'best_of' other than 'n' is not supported", param: "best_of")
        }
        stream = try fields.bool("stream") ?? false
        includeUsage = try fields.object("stream_options")?.bool("include_usage") ?? false

        var sampling = SamplingParameters.openAIDefaults
        if let value = try fields.number("temperature", in: 0...2) { sampling.temperature = value }
        if let value = try fields.number("top_p", in: 0...1) {
            guard value > 0 else { throw fields.rangeError("top_p", "greater than 0", got: value) }
            sampling.topP = value
        }
        if let value = try fields.int("top_k", in: 0...Int(Int32.max)) { sampling.topK = value }
        if let value = try fields.number("min_p", in: 0...1) { sampling.minP = value }
        if let value = try fields.number("presence_penalty", in: -2...2) { sampling.presencePenalty = value }
        if let value = try fields.number("frequency_penalty", in: -2...2) { sampling.frequencyPenalty = value }
        for key in ["repetition_penalty", "repeat_penalty"] {
            if let value = try fields.number(key, in: 0...10) {
                guard value > 0 else { throw fields.rangeError(key, "greater than 0", got: value) }
                sampling.repetitionPenalty = value
            }
        }
        if let bias = try fields.object("logit_bias") {
            guard bias.object.count <= limits.maximumLogitBiasEntries else {
                throw APIError.invalidRequest("'logit_bias' has more than \(limits.maximumLogitBiasEntries) entries", param: "logit_bias")
            }
            for (key, value) in bias.object {
                guard let token = Int32(key), token >= 0 else {
                    throw APIError.invalidRequest("'logit_bias' keys must be token ids, got '\(key)'", param: "logit_bias")
                }
                guard let number = value.doubleValue, number.isFinite, (-100...100).contains(number) else {
                    throw APIError.invalidRequest("'logit_bias' values must be numbers between -100 and 100", param: "logit_bias")
                }
                // OpenAI's -100 bans the token outright.
                sampling.logitBias[token] = number <= -100 ? -.infinity : Float(number)
            }
        }
        if let seed = try fields.seed("seed") {
            sampling.seed = seed
            seeded = true
        } else {
            sampling.seed = UInt64.random(in: 0...UInt64.max)
            seeded = false
        }
        self.sampling = sampling

        stop = []
        if let value = fields.value("stop") {
            switch value {
            case .string(let text): stop = [text]
            case .array(let items):
                guard items.count <= limits.maximumStopSequences else {
                    throw APIError.invalidRequest("'stop' has more than \(limits.maximumStopSequences) sequences", param: "stop")
                }
                stop = try items.map {
                    guard let text = $0.stringValue else { throw fields.typeError("stop", expected: "a string or an array of strings", got: $0) }
                    return text
                }
            default:
                throw fields.typeError("stop", expected: "a string or an array of strings", got: value)
            }
            stop.removeAll { $0.isEmpty }
            if let long = stop.first(where: { $0.utf8.count > limits.maximumStopLength }) {
                throw APIError.invalidRequest("a 'stop' sequence is longer than \(limits.maximumStopLength) bytes (\(long.utf8.count))", param: "stop")
            }
        }
        responseFormat = try Self.responseFormat(fields)
    }

    static func responseFormat(_ fields: FieldReader) throws -> ResponseFormat {
        guard let format = try fields.object("response_format") else { return .text }
        switch try format.requiredString("type") {
        case "text":
            return .text
        case "json_object":
            return .jsonObject
        case "json_schema":
            guard let spec = try format.object("json_schema") else {
                throw APIError.invalidRequest("'response_format.json_schema' is required when the type is json_schema",
                                              param: "response_format.json_schema")
            }
            guard let schema = spec.value("schema") else {
                throw APIError.invalidRequest("'response_format.json_schema.schema' is required",
                                              param: "response_format.json_schema.schema")
            }
            return .jsonSchema(name: try spec.string("name"), schema: schema)
        case let other:
            throw APIError.invalidRequest("'response_format.type' must be text, json_object or json_schema, got '\(other)'",
                                          param: "response_format.type")
        }
    }
}

/// A `/v1/completions` request.
struct CompletionRequest {
    enum Prompt {
        case text(String)
        /// Token ids given by the client, used exactly (no beginning-of-sequence token added).
        case tokens([Int32])
    }

    var settings: GenerationSettings
    var prompts: [Prompt]
    var echo: Bool
    /// Alternatives per token (OpenAI's `logprobs` integer); nil: no log-probabilities.
    var logprobs: Int?

    init(_ fields: FieldReader, limits: RequestLimits) throws {
        settings = try GenerationSettings(fields, limits: limits, maxTokensKeys: ["max_tokens", "max_completion_tokens"])
        echo = try fields.bool("echo") ?? false
        logprobs = try fields.int("logprobs", in: 0...limits.maximumTopLogprobs)
        if let suffix = try fields.string("suffix"), !suffix.isEmpty {
            throw APIError.invalidRequest("'suffix' (fill-in-the-middle) is not supported", param: "suffix")
        }
        guard let value = fields.value("prompt") else {
            throw APIError.invalidRequest("'prompt' is required", param: "prompt")
        }
        prompts = try Self.prompts(value, fields: fields, limits: limits)
    }

    /// OpenAI accepts a string, a list of strings, a list of token ids, or a list of such lists.
    static func prompts(_ value: JSONValue, fields: FieldReader, limits: RequestLimits) throws -> [Prompt] {
        let expected = "a string, an array of strings, an array of token ids or an array of arrays of token ids"
        func tokens(_ items: [JSONValue]) throws -> [Int32] {
            try items.map {
                guard let id = $0.intValue, id >= 0, id <= Int(Int32.max) else {
                    throw APIError.invalidRequest("'prompt' token ids must be non-negative integers", param: "prompt")
                }
                return Int32(id)
            }
        }
        let prompts: [Prompt]
        switch value {
        case .string(let text):
            prompts = [.text(text)]
        case .array(let items) where items.isEmpty:
            throw APIError.invalidRequest("'prompt' must not be empty", param: "prompt")
        case .array(let items):
            switch items[0] {
            case .string:
                prompts = try items.map {
                    guard let text = $0.stringValue else { throw fields.typeError("prompt", expected: expected, got: $0) }
                    return .text(text)
                }
            case .int, .double:
                prompts = [.tokens(try tokens(items))]
            case .array:
                prompts = try items.map {
                    guard let inner = $0.arrayValue else { throw fields.typeError("prompt", expected: expected, got: $0) }
                    return .tokens(try tokens(inner))
                }
            default:
                throw fields.typeError("prompt", expected: expected, got: items[0])
            }
        default:
            throw fields.typeError("prompt", expected: expected, got: value)
        }
        guard prompts.count <= limits.maximumPrompts else {
            throw APIError.invalidRequest("'prompt' holds more than \(limits.maximumPrompts) prompts", param: "prompt")
        }
        return prompts
    }
}

/// A `/v1/chat/completions` request.
struct ChatCompletionRequest {
    var settings: GenerationSettings
    /// The messages as the chat template sees them: text content parts joined into one string.
    var messages: [JSONValue]
    var tools: [JSONValue]?
    /// Alternatives per token when log-probabilities are asked for; nil: none.
    var logprobs: Int?
    /// `chat_template_kwargs`: further variables for the chat template (Qwen3's `enable_thinking`).
    var templateArguments: JSONObject
    /// `reasoning_format`; nil: the server's.
    var reasoningFormat: ReasoningFormat?
    /// `reasoning_budget`: tokens of thought before the block is closed; nil: the server's.
    var reasoningBudget: Int?

    init(_ fields: FieldReader, limits: RequestLimits) throws {
        settings = try GenerationSettings(fields, limits: limits, maxTokensKeys: ["max_completion_tokens", "max_tokens"])
        templateArguments = try fields.object("chat_template_kwargs")?.object ?? JSONObject()
        if let name = try fields.string("reasoning_format") {
            guard let format = ReasoningFormat(name: name) else {
                throw APIError.invalidRequest("'reasoning_format' must be one of \(ReasoningFormat.names), got '\(name)'",
                                              param: "reasoning_format")
            }
            reasoningFormat = format
        }
        reasoningBudget = try fields.int("reasoning_budget", in: 0...Int(Int32.max))
        let wantsLogprobs = try fields.bool("logprobs") ?? false
        let top = try fields.int("top_logprobs", in: 0...limits.maximumTopLogprobs)
        if top != nil && !wantsLogprobs {
            throw APIError.invalidRequest("'top_logprobs' needs 'logprobs' set to true", param: "top_logprobs")
        }
        logprobs = wantsLogprobs ? (top ?? 0) : nil
        guard let items = try fields.array("messages") else {
            throw APIError.invalidRequest("'messages' is required", param: "messages")
        }
        guard !items.isEmpty else { throw APIError.invalidRequest("'messages' must not be empty", param: "messages") }
        guard items.count <= limits.maximumMessages else {
            throw APIError.invalidRequest("'messages' holds more than \(limits.maximumMessages) messages", param: "messages")
        }
        messages = try items.enumerated().map { try Self.message($0.element, index: $0.offset) }
        tools = try fields.array("tools")
        switch fields.value("tool_choice") {
        case nil, .null?, .string("auto")?:
            break
        case .string("none")?:
            // The model is not to call tools: it is not told of them either.
            tools = nil
        case .string("required")?, .object?:
            throw APIError.invalidRequest("'tool_choice' \"required\" or a named function is not supported; use \"auto\" or \"none\"",
                                          param: "tool_choice")
        case let other?:
            throw APIError.invalidRequest("'tool_choice' must be \"auto\" or \"none\", got \(other.serialized(.compact))",
                                          param: "tool_choice")
        }
        if tools?.isEmpty == true { tools = nil }
    }

    static func message(_ value: JSONValue, index: Int) throws -> JSONValue {
        let param = "messages[\(index)]"
        guard var object = value.objectValue else {
            throw APIError.invalidRequest("'\(param)' must be an object, got \(value.typeName)", param: param)
        }
        guard let role = object["role"]?.stringValue else {
            throw APIError.invalidRequest("'\(param).role' must be a string", param: "\(param).role")
        }
        guard ["system", "developer", "user", "assistant", "tool"].contains(role) else {
            throw APIError.invalidRequest("'\(param).role' must be system, developer, user, assistant or tool, got '\(role)'",
                                          param: "\(param).role")
        }
        // OpenAI's newer name for the system role; chat templates know only "system".
        if role == "developer" { object["role"] = .string("system") }
        switch object["content"] {
        case nil, .null?, .string?:
            break
        case .array(let parts)?:
            // Text parts joined as llama.cpp's server joins them; templates expect a string.
            let texts = try parts.enumerated().map { (offset, part) -> String in
                let partParam = "\(param).content[\(offset)]"
                guard let part = part.objectValue, part["type"]?.stringValue == "text",
                      let text = part["text"]?.stringValue else {
                    throw APIError.invalidRequest("'\(partParam)' must be a text part {\"type\": \"text\", \"text\": ...}; other content is not supported",
                                                  param: partParam)
                }
                return text
            }
            object["content"] = .string(texts.joined(separator: "\n"))
        case let other?:
            throw APIError.invalidRequest("'\(param).content' must be a string or an array of text parts, got \(other.typeName)",
                                          param: "\(param).content")
        }
        return .object(object)
    }
}
