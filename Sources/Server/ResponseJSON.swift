import Engine
import Foundation
import JSON
import Tokenizers

/// Builds the JSON objects of OpenAI's responses and stream chunks for one request.
struct ResponseJSON {
    enum Kind {
        case completion
        case chat

        var object: String { self == .completion ? "text_completion" : "chat.completion" }
        var chunkObject: String { self == .completion ? "text_completion" : "chat.completion.chunk" }
        var idPrefix: String { self == .completion ? "cmpl-" : "chatcmpl-" }
    }

    let kind: Kind
    let id: String
    let created: Int
    let model: String
    let tokenizer: Tokenizer

    init(kind: Kind, model: String, tokenizer: Tokenizer) {
        self.kind = kind
        self.model = model
        self.tokenizer = tokenizer
        created = Int(Date().timeIntervalSince1970)
        var random = SystemRandomNumberGenerator()
        id = kind.idPrefix + (0..<24).map { _ in String(UInt8.random(in: 0..<36, using: &random), radix: 36) }.joined()
    }

    static let fingerprint = "hearth"

    func envelope(object: String, choices: [JSONValue], usage: JSONValue?) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("id", .string(id)), ("object", .string(object)), ("created", .int(created)), ("model", .string(model)),
            ("system_fingerprint", .string(Self.fingerprint)), ("choices", .array(choices)),
        ]
        if let usage { fields.append(("usage", usage)) }
        return .object(JSONObject(fields))
    }

    /// `reasoning`: of the completion tokens, those the model spent thinking.
    static func usage(prompt: Int, completion: Int, cached: Int, reasoning: Int) -> JSONValue {
        .object(JSONObject([
            ("prompt_tokens", .int(prompt)), ("completion_tokens", .int(completion)),
            ("total_tokens", .int(prompt + completion)),
            ("prompt_tokens_details", .object(JSONObject([("cached_tokens", .int(cached))]))),
            ("completion_tokens_details", .object(JSONObject([("reasoning_tokens", .int(reasoning))]))),
        ]))
    }

    // MARK: - Tokens and log-probabilities

    /// What a token stands for, as text (a token holding part of a UTF-8 character shows U+FFFD,
    /// as in OpenAI's responses; `bytes` carries the exact bytes).
    func tokenString(_ token: Int32) -> String {
        String(decoding: tokenizer.piece(token), as: UTF8.self)
    }

    /// JSON has no infinities; OpenAI reports impossible tokens at -9999.
    static func logprobValue(_ value: Float) -> JSONValue {
        .double(value.isFinite ? Double(value) : -9999)
    }

    /// OpenAI's legacy completions format: parallel arrays of tokens, their log-probabilities, the
    /// alternatives (an object from token text to log-probability) and each token's character offset.
    func completionLogprobs(tokens: [(token: Int32, logprobs: TokenLogprobs?)], startOffset: Int) -> JSONValue {
        var strings: [JSONValue] = []
        var values: [JSONValue] = []
        var tops: [JSONValue] = []
        var offsets: [JSONValue] = []
        var offset = startOffset
        for (token, logprobs) in tokens {
            let text = tokenString(token)
            strings.append(.string(text))
            offsets.append(.int(offset))
            offset += text.unicodeScalars.count  // Python counts code points
            if let logprobs {
                values.append(Self.logprobValue(logprobs.logprob))
                var top = JSONObject()
                for entry in logprobs.top { top[tokenString(entry.token)] = Self.logprobValue(entry.logprob) }
                tops.append(.object(top))
            } else {
                values.append(.null)
                tops.append(.null)
            }
        }
        return .object(JSONObject([
            ("tokens", .array(strings)), ("token_logprobs", .array(values)),
            ("top_logprobs", .array(tops)), ("text_offset", .array(offsets)),
        ]))
    }

    /// The chat format: `{"content": [{"token", "logprob", "bytes", "top_logprobs": [...]}]}`.
    func chatLogprobs(_ logprobs: [TokenLogprobs]) -> JSONValue {
        func entry(_ token: Int32, _ logprob: Float) -> [(String, JSONValue)] {
            [("token", .string(tokenString(token))), ("logprob", Self.logprobValue(logprob)),
             ("bytes", .array(tokenizer.piece(token).map { .int(Int($0)) }))]
        }
        let content: [JSONValue] = logprobs.map { step in
            .object(JSONObject(entry(step.token, step.logprob) + [
                ("top_logprobs", .array(step.top.map { .object(JSONObject(entry($0.token, $0.logprob))) })),
            ]))
        }
        return .object(JSONObject([("content", .array(content))]))
    }

    // MARK: - Whole responses

    func completionChoice(index: Int, text: String, logprobs: JSONValue, finishReason: String?) -> JSONValue {
        .object(JSONObject([
            ("index", .int(index)), ("text", .string(text)), ("logprobs", logprobs),
            ("finish_reason", finishReason.map(JSONValue.string) ?? .null),
        ]))
    }

    /// A whole chat choice: the sum of its deltas. With tool calls, `content` is null when the
    /// model wrote nothing else (as OpenAI's is). `reasoning_content` is there when thoughts are
    /// returned apart, null when the model wrote none (as vLLM's is).
    func chatChoice(index: Int, message delta: ChatDelta, showsReasoning: Bool, logprobs: JSONValue) -> JSONValue {
        let content: JSONValue = delta.toolCalls.isEmpty || !delta.content.isEmpty ? .string(delta.content) : .null
        var message: [(String, JSONValue)] = [("role", "assistant")]
        if showsReasoning { message.append(("reasoning_content", delta.reasoning.isEmpty ? .null : .string(delta.reasoning))) }
        message.append(("content", content))
        if !delta.toolCalls.isEmpty { message.append(("tool_calls", Self.toolCalls(delta.toolCalls, indexed: false))) }
        return .object(JSONObject([
            ("index", .int(index)), ("message", .object(JSONObject(message))),
            ("logprobs", logprobs), ("finish_reason", delta.finishReason.map(JSONValue.string) ?? .null),
        ]))
    }

    /// The stream chunks of one delta: its text (thoughts first) with its log-probabilities, its
    /// tool calls, then the finish reason in a chunk of its own.
    func chatChunkChoices(index: Int, delta: ChatDelta) -> [JSONValue] {
        var chunks: [JSONValue] = []
        var text: [(String, JSONValue)] = []
        if !delta.reasoning.isEmpty { text.append(("reasoning_content", .string(delta.reasoning))) }
        if !delta.content.isEmpty { text.append(("content", .string(delta.content))) }
        if !text.isEmpty || !delta.logprobs.isEmpty {
            chunks.append(chatChunkChoice(index: index, delta: text, logprobs: delta.logprobs.isEmpty ? .null : chatLogprobs(delta.logprobs),
                                          finishReason: nil))
        }
        if !delta.toolCalls.isEmpty {
            chunks.append(chatChunkChoice(index: index, delta: [("tool_calls", Self.toolCalls(delta.toolCalls, indexed: true))],
                                          logprobs: .null, finishReason: nil))
        }
        if let finishReason = delta.finishReason {
            chunks.append(chatChunkChoice(index: index, delta: [], logprobs: .null, finishReason: finishReason))
        }
        return chunks
    }

    /// `tool_calls` entries: `{id, type: "function", function: {name, arguments}}`, with `index`
    /// in stream deltas.
    static func toolCalls(_ calls: [ToolCall], indexed: Bool) -> JSONValue {
        .array(calls.enumerated().map { index, call in
            var fields: [(String, JSONValue)] = indexed ? [("index", .int(index))] : []
            fields += [("id", .string(toolCallID())), ("type", "function"),
                       ("function", .object(JSONObject([("name", .string(call.name)), ("arguments", .string(call.arguments))])))]
            return .object(JSONObject(fields))
        })
    }

    /// "call_" and 24 random alphanumerics, as OpenAI's ids look.
    static func toolCallID() -> String {
        let characters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return "call_" + String((0..<24).map { _ in characters.randomElement()! })
    }

    func chatChunkChoice(index: Int, delta: [(String, JSONValue)], logprobs: JSONValue, finishReason: String?) -> JSONValue {
        .object(JSONObject([
            ("index", .int(index)), ("delta", .object(JSONObject(delta))), ("logprobs", logprobs),
            ("finish_reason", finishReason.map(JSONValue.string) ?? .null),
        ]))
    }

    /// A server-sent event carrying `value`.
    static func event(_ value: JSONValue) -> String {
        "data: " + value.serialized(.compact) + "\n\n"
    }

    static let done = "data: [DONE]\n\n"
}
