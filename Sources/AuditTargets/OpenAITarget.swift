import Audit
import Engine
import Foundation
import JSON

/// Any OpenAI-compatible endpoint (vLLM, SGLang, llama-server, a cloud API, another `hearth serve`),
/// written `openai:MODEL@BASE_URL`; the key comes from `$OPENAI_API_KEY` (or the variable named by
/// `--api-key-env`). Requests go through `OpenAIClient`: bounded concurrency, timeouts, retries.
public final class OpenAITarget: ModelTarget, @unchecked Sendable {
    public let identity: TargetIdentity
    public let modelID: String
    let client: OpenAIClient
    public let preferredConcurrency: Int

    /// Parses `openai:MODEL@URL` (the model id may itself contain `@` and `/`: the URL is what
    /// follows the last `@http`).
    public static func parse(_ text: String) -> (model: String, url: String)? {
        guard text.hasPrefix("openai:") else { return nil }
        let rest = String(text.dropFirst("openai:".count))
        guard let at = rest.range(of: "@http", options: .backwards) else { return nil }
        let model = String(rest[..<at.lowerBound])
        let url = String(rest[rest.index(after: at.lowerBound)...])
        guard !model.isEmpty, URL(string: url)?.host != nil else { return nil }
        return (model, url)
    }

    public init(name: String, model: String, baseURL: String, apiKey: String?, concurrency: Int, timeout: Double = 300,
                retry: RetryPolicy = RetryPolicy()) {
        modelID = model
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        identity = TargetIdentity(kind: "openai", name: name, model: model, url: url)
        var configuration = EndpointConfiguration(baseURL: url)
        configuration.apiKey = apiKey
        configuration.maxConcurrentRequests = max(1, concurrency)
        configuration.requestTimeout = timeout
        configuration.retry = retry
        client = OpenAIClient(configuration: configuration)
        preferredConcurrency = max(1, concurrency)
    }

    public func close() async {
        try? await client.shutdown()
    }

    public func generate(_ request: GenerateRequest) async throws -> GenerateResponse {
        var body = request.json.objectValue ?? JSONObject()
        body["model"] = .string(modelID)
        let start = Date()
        let response = try await client.post("chat/completions", body: .object(body))
        let json = response.json
        guard let choice = json["choices"]?.arrayValue?.first, let message = choice["message"] else {
            throw TargetError("\(identity.url ?? "")/chat/completions answered without choices[0].message: \(response.rawBody.prefix(300))")
        }
        var toolCalls: [ToolCallRecord] = []
        for (index, call) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
            toolCalls.append(try ToolCallRecord(json: call, path: "choices[0].message.tool_calls[\(index)]"))
        }
        // Thoughts as DeepSeek's API and vLLM return them (`reasoning_content`), or as newer servers
        // name them (`reasoning`). A server without a reasoning parser leaves them in the text,
        // where scorers would read them as the answer: they are split off here, as Hearth's own
        // server splits them.
        var content = message["content"]?.stringValue ?? ""
        var reasoning = message["reasoning_content"]?.stringValue ?? message["reasoning"]?.stringValue
        if reasoning == nil, let parts = ReasoningSplitter.split(content) {
            content = parts.answer
            reasoning = parts.reasoning
        }
        return GenerateResponse(
            message: ChatMessage(role: "assistant", content: content, toolCalls: toolCalls, reasoning: reasoning),
            finishReason: choice["finish_reason"]?.stringValue ?? "", promptTokens: json["usage"]?["prompt_tokens"]?.intValue ?? 0,
            completionTokens: json["usage"]?["completion_tokens"]?.intValue ?? 0, seconds: Date().timeIntervalSince(start))
    }

    /// Through `/completions` with `echo` and `logprobs`, as lm-evaluation-harness's
    /// `local-completions` does: the context alone gives its token count, then the whole text
    /// gives the log-probabilities of the tokens after it.
    public func logLikelihoods(context: String, continuations: [String]) async throws -> [ContinuationScore] {
        let contextLength = try await echo(context).count
        var scores: [ContinuationScore] = []
        for continuation in continuations {
            let tokens = try await echo(context + continuation)
            guard contextLength >= 1, tokens.count > contextLength else {
                throw TargetError("\(identity.url ?? ""): the continuation '\(continuation)' adds no token after the context")
            }
            var sum = 0.0
            var greedy = true
            for entry in tokens[contextLength...] {
                sum += entry.logprob
                if let best = entry.best, best > entry.logprob { greedy = false }
            }
            scores.append(ContinuationScore(logLikelihood: sum, tokens: tokens.count - contextLength, isGreedy: greedy))
        }
        return scores
    }

    /// The prompt's tokens with their log-probabilities (the first has none: nothing predicts it).
    func echo(_ prompt: String) async throws -> [(logprob: Double, best: Double?)] {
        let body: JSONValue = .object(JSONObject([
            ("model", .string(modelID)), ("prompt", .string(prompt)), ("max_tokens", 1), ("temperature", 0.0),
            ("echo", true), ("logprobs", 1), ("seed", 0),
        ]))
        let response = try await client.post("completions", body: body)
        guard let logprobs = response.json["choices"]?.arrayValue?.first?["logprobs"],
              let values = logprobs["token_logprobs"]?.arrayValue else {
            throw TargetError("\(identity.url ?? "")/completions gave no logprobs.token_logprobs for an echo request; the endpoint must support echo with logprobs")
        }
        // The echoed prompt's length: usage says it; without usage, all but the one generated token.
        let promptCount = min(values.count, response.json["usage"]?["prompt_tokens"]?.intValue ?? values.count - 1)
        let tops = logprobs["top_logprobs"]?.arrayValue ?? []
        return (0..<promptCount).map { index in
            let best = index < tops.count ? tops[index].objectValue?.compactMap { $0.value.doubleValue }.max() : nil
            return (values[index].doubleValue ?? 0, best)
        }
    }
}
