import Foundation
import JSON

/// What a run was made against: for a local model its file's SHA-256, for an endpoint its URL and
/// model id. Two targets with the same `key` compute the same thing.
public struct TargetIdentity: Sendable, Equatable {
    /// "local" or "openai".
    public var kind: String
    /// What the user wrote (`smollm2-135m-instruct`, a path, `openai:MODEL@URL`).
    public var name: String
    /// The model: a file name, or the endpoint's model id.
    public var model: String
    public var sha256: String?
    public var url: String?
    /// Anything else known (architecture, quantization, parameters, context).
    public var details: JSONObject

    public init(kind: String, name: String, model: String, sha256: String? = nil, url: String? = nil, details: JSONObject = JSONObject()) {
        self.kind = kind
        self.name = name
        self.model = model
        self.sha256 = sha256
        self.url = url
        self.details = details
    }

    /// What makes two targets the same for the response cache and for resuming a run.
    public var key: String {
        // A local model with a non-default KV cache computes different answers from the same file.
        if let sha256 {
            if case .string(let cache)? = details["kv_cache"] { return "local:\(sha256):kv-\(cache)" }
            return "local:\(sha256)"
        }
        return "\(kind):\(model)@\(url ?? "")"
    }

    public var json: JSONValue {
        var object = JSONObject([("kind", .string(kind)), ("name", .string(name)), ("model", .string(model))])
        object["sha256"] = sha256.map(JSONValue.string) ?? .null
        object["url"] = url.map(JSONValue.string) ?? .null
        object["details"] = .object(details)
        return .object(object)
    }

    public init(json value: JSONValue) {
        kind = value["kind"]?.stringValue ?? ""
        name = value["name"]?.stringValue ?? ""
        model = value["model"]?.stringValue ?? ""
        sha256 = value["sha256"]?.stringValue
        url = value["url"]?.stringValue
        details = value["details"]?.objectValue ?? JSONObject()
    }
}

/// One request for an answer: a conversation, tools to offer, sampling settings, and optionally a
/// JSON schema the answer must follow (a judge's verdict).
public struct GenerateRequest: Sendable, Equatable {
    public var messages: [ChatMessage]
    public var tools: [JSONValue]
    public var settings: GenerationSettings
    /// The sample's own seed (see `GenerationSettings.seed(forSample:)`).
    public var seed: UInt64
    public var responseSchema: JSONValue?

    public init(messages: [ChatMessage], tools: [JSONValue] = [], settings: GenerationSettings, seed: UInt64, responseSchema: JSONValue? = nil) {
        self.messages = messages
        self.tools = tools
        self.settings = settings
        self.seed = seed
        self.responseSchema = responseSchema
    }

    /// The body of the OpenAI `/v1/chat/completions` request (without `model`): what an endpoint
    /// receives, what a local target computes from, what the cache key and the record hold.
    public var json: JSONValue {
        var object = JSONObject([("messages", .array(messages.map(\.json)))])
        if !tools.isEmpty { object["tools"] = .array(tools) }
        object["temperature"] = .double(settings.temperature)
        if let topP = settings.topP { object["top_p"] = .double(topP) }
        if let topK = settings.topK { object["top_k"] = .int(topK) }
        object["max_tokens"] = .int(settings.maxTokens)
        object["seed"] = .int(Int(seed))
        if !settings.stop.isEmpty { object["stop"] = .array(settings.stop.map(JSONValue.string)) }
        if let responseSchema {
            object["response_format"] = .object(JSONObject([
                ("type", "json_schema"),
                ("json_schema", .object(JSONObject([("name", "verdict"), ("strict", true), ("schema", responseSchema)]))),
            ]))
        }
        return .object(object)
    }
}

/// A target's answer.
public struct GenerateResponse: Sendable, Equatable {
    /// The assistant message: its text and any tool calls.
    public var message: ChatMessage
    /// OpenAI's `finish_reason` ("stop", "length", "tool_calls").
    public var finishReason: String
    public var promptTokens: Int
    public var completionTokens: Int
    public var seconds: Double

    public init(message: ChatMessage, finishReason: String, promptTokens: Int, completionTokens: Int, seconds: Double) {
        self.message = message
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.seconds = seconds
    }

    /// As recorded and cached (the shape of an OpenAI choice plus usage).
    public var json: JSONValue {
        .object(JSONObject([
            ("message", message.recordJSON), ("finish_reason", .string(finishReason)),
            ("usage", .object(JSONObject([("prompt_tokens", .int(promptTokens)), ("completion_tokens", .int(completionTokens))]))),
            ("seconds", .double(seconds)),
        ]))
    }

    public init(json value: JSONValue) throws {
        guard let message = value["message"] else { throw FieldError("response.message", "is missing") }
        self.message = try ChatMessage(json: message, path: "response.message")
        finishReason = value["finish_reason"]?.stringValue ?? "stop"
        promptTokens = value["usage"]?["prompt_tokens"]?.intValue ?? 0
        completionTokens = value["usage"]?["completion_tokens"]?.intValue ?? 0
        seconds = value["seconds"]?.doubleValue ?? 0
    }
}

/// The log-likelihood of one continuation after a context (multiple choice).
public struct ContinuationScore: Sendable, Equatable {
    /// Sum of the natural-log probabilities of the continuation's tokens.
    public var logLikelihood: Double
    public var tokens: Int
    /// Whether every continuation token was the model's most likely token.
    public var isGreedy: Bool

    public init(logLikelihood: Double, tokens: Int, isGreedy: Bool) {
        self.logLikelihood = logLikelihood
        self.tokens = tokens
        self.isGreedy = isGreedy
    }

    public var json: JSONValue {
        .object(JSONObject([("loglikelihood", .double(logLikelihood)), ("tokens", .int(tokens)), ("is_greedy", .bool(isGreedy))]))
    }

    public init(json value: JSONValue) {
        logLikelihood = value["loglikelihood"]?.doubleValue ?? -.infinity
        tokens = value["tokens"]?.intValue ?? 0
        isGreedy = value["is_greedy"]?.boolValue ?? false
    }
}

/// Where samples go: the local engine in process, or an OpenAI-compatible endpoint. A failure is
/// thrown, never returned as an answer: the runner records it as the sample's error.
public protocol ModelTarget: Sendable {
    var identity: TargetIdentity { get }
    /// How many requests are worth having in flight at once (a local target's batch slots).
    var preferredConcurrency: Int { get }
    func generate(_ request: GenerateRequest) async throws -> GenerateResponse
    /// For each continuation, its log-likelihood after `context` (tokenized as lm-evaluation-harness
    /// does: the context alone, then context + continuation, the continuation being what follows).
    func logLikelihoods(context: String, continuations: [String]) async throws -> [ContinuationScore]
    func close() async
}

/// A failure of a target; the message names the endpoint or model.
public struct TargetError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
