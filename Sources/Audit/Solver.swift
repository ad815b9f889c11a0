import Foundation
import JSON

/// Everything that happened to one sample: the whole conversation, the final answer, the tool
/// calls made, or the choices' log-likelihoods.
public struct Transcript: Sendable, Equatable {
    /// The conversation as the model saw and continued it (system prompt included).
    public var messages: [ChatMessage] = []
    /// The last assistant message's answer: what scorers read.
    public var output: String = ""
    /// The last assistant message's thoughts (a reasoning model's), apart from its answer; nil
    /// when the model gave none. Scorers read it with `"reads": "reasoning"`.
    public var reasoning: String?
    /// Every tool call the model made, in order.
    public var toolCalls: [ToolCallRecord] = []
    /// Multiple choice: one score per choice, in the sample's order.
    public var choiceScores: [ContinuationScore]?
    public var finishReason: String = ""
    public var promptTokens = 0
    public var completionTokens = 0
    /// Time spent waiting for the target, summed over requests.
    public var seconds = 0.0

    public init() {}

    public var json: JSONValue {
        var object = JSONObject([("messages", .array(messages.map(\.recordJSON))), ("output", .string(output))])
        if let reasoning { object["reasoning"] = .string(reasoning) }
        object["tool_calls"] = .array(toolCalls.map(\.json))
        if let choiceScores { object["choice_scores"] = .array(choiceScores.map(\.json)) }
        object["finish_reason"] = .string(finishReason)
        object["prompt_tokens"] = .int(promptTokens)
        object["completion_tokens"] = .int(completionTokens)
        object["seconds"] = .double(seconds)
        return .object(object)
    }

    public init(json value: JSONValue) throws {
        messages = try (value["messages"]?.arrayValue ?? []).enumerated().map { try ChatMessage(json: $0.element, path: "messages[\($0.offset)]") }
        output = value["output"]?.stringValue ?? ""
        reasoning = value["reasoning"]?.stringValue
        toolCalls = try (value["tool_calls"]?.arrayValue ?? []).enumerated().map { try ToolCallRecord(json: $0.element, path: "tool_calls[\($0.offset)]") }
        choiceScores = value["choice_scores"]?.arrayValue?.map(ContinuationScore.init(json:))
        finishReason = value["finish_reason"]?.stringValue ?? ""
        promptTokens = value["prompt_tokens"]?.intValue ?? 0
        completionTokens = value["completion_tokens"]?.intValue ?? 0
        seconds = value["seconds"]?.doubleValue ?? 0
    }

    mutating func add(_ response: GenerateResponse) {
        messages.append(response.message)
        output = response.message.content
        reasoning = response.message.reasoning
        toolCalls += response.message.toolCalls
        finishReason = response.finishReason
        promptTokens += response.promptTokens
        completionTokens += response.completionTokens
        seconds += response.seconds
    }
}

/// One exchange with a target, as recorded: the request body, the response (or the error), timing,
/// and whether the cache answered it.
public struct RequestRecord: Sendable, Equatable {
    public var purpose: String
    public var request: JSONValue
    public var response: JSONValue?
    public var error: String?
    public var seconds: Double
    public var cached: Bool

    public init(purpose: String, request: JSONValue, response: JSONValue?, error: String?, seconds: Double, cached: Bool) {
        self.purpose = purpose
        self.request = request
        self.response = response
        self.error = error
        self.seconds = seconds
        self.cached = cached
    }
}

/// Collects a sample's request records while its solver and scorers run (they may run
/// concurrently with other samples', never with each other).
public final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var _records: [RequestRecord] = []

    public init() {}

    public func append(_ record: RequestRecord) {
        lock.lock()
        _records.append(record)
        lock.unlock()
    }

    public var records: [RequestRecord] {
        lock.lock()
        defer { lock.unlock() }
        return _records
    }
}

/// Runs a sample through its solver against `target`.
public struct Solver: Sendable {
    public let spec: SolverSpec
    public let settings: GenerationSettings
    public let cache: (any ResponseCache)?

    public init(spec: SolverSpec, settings: GenerationSettings, cache: (any ResponseCache)? = nil) {
        self.spec = spec
        self.settings = settings
        self.cache = cache
    }

    func ask(_ target: any ModelTarget, _ request: GenerateRequest, log: RequestLog) async throws -> GenerateResponse {
        try await Solver.ask(target, request, log: log, cache: cache, purpose: "generate")
    }

    public func solve(_ sample: Sample, target: any ModelTarget, log: RequestLog) async throws -> Transcript {
        let seed = settings.seed(forSample: sample.id)
        var transcript = Transcript()
        switch spec {
        case .generate(let system):
            transcript.messages = Self.withSystem(system, sample.input)
            let response = try await ask(target, GenerateRequest(messages: transcript.messages, settings: settings, seed: seed), log: log)
            transcript.add(response)

        case .multiTurn(let system):
            // Each user turn gets the model's own answer before the next; assistant turns written
            // in the sample stay as written.
            let input = Self.withSystem(system, sample.input)
            for (index, message) in input.enumerated() {
                transcript.messages.append(message)
                let nextIsAssistant = index + 1 < input.count && input[index + 1].role == "assistant"
                guard message.role == "user", !nextIsAssistant else { continue }
                let response = try await ask(target, GenerateRequest(messages: transcript.messages, settings: settings, seed: seed), log: log)
                transcript.add(response)
            }

        case let .toolLoop(system, maxTurns):
            transcript.messages = Self.withSystem(system, sample.input)
            var calls: [String: Int] = [:]
            for turn in 0..<maxTurns {
                let request = GenerateRequest(messages: transcript.messages, tools: sample.tools.map(\.definition), settings: settings, seed: seed &+ UInt64(turn))
                var response = try await ask(target, request, log: log)
                // Ids are ours, so a transcript reads the same whichever target made it.
                for i in response.message.toolCalls.indices {
                    response.message.toolCalls[i].id = "call_\(turn)_\(i)"
                }
                transcript.add(response)
                guard !response.message.toolCalls.isEmpty else { break }
                for call in response.message.toolCalls {
                    let result: String
                    if let tool = sample.tools.first(where: { $0.name == call.name }) {
                        let count = calls[call.name, default: 0]
                        calls[call.name] = count + 1
                        result = tool.results[min(count, tool.results.count - 1)]
                    } else {
                        result = "{\"error\": \"no tool named \(call.name)\"}"
                    }
                    transcript.messages.append(ChatMessage(role: "tool", content: result, toolCallID: call.id, name: call.name))
                }
            }

        case .choiceLikelihood(let delimiter):
            guard let choices = sample.choices else { throw TargetError("sample '\(sample.id)' has no choices") }
            let context = sample.inputText
            let continuations = choices.map { delimiter + $0 }
            let start = Date()
            let request: JSONValue = .object(JSONObject([("context", .string(context)), ("continuations", .array(continuations.map(JSONValue.string)))]))
            do {
                let key = Self.cacheKey(target, request)
                let stored = cache?.response(forKey: key)?.arrayValue?.map(ContinuationScore.init(json:))
                let scores: [ContinuationScore]
                if let stored { scores = stored } else { scores = try await target.logLikelihoods(context: context, continuations: continuations) }
                let seconds = Date().timeIntervalSince(start)
                log.append(RequestRecord(purpose: "loglikelihood", request: request, response: .array(scores.map(\.json)), error: nil,
                                         seconds: seconds, cached: stored != nil))
                if stored == nil { cache?.store(.array(scores.map(\.json)), forKey: key) }
                guard scores.count == choices.count else {
                    throw TargetError("the target returned \(scores.count) log-likelihoods for \(choices.count) choices")
                }
                transcript.messages = sample.input
                transcript.choiceScores = scores
                let best = scores.indices.max { scores[$0].logLikelihood < scores[$1].logLikelihood }
                transcript.output = best.map { choices[$0] } ?? ""
                transcript.finishReason = "loglikelihood"
                transcript.seconds = seconds
            } catch {
                log.append(RequestRecord(purpose: "loglikelihood", request: request, response: nil, error: "\(error)", seconds: Date().timeIntervalSince(start), cached: false))
                throw error
            }
        }
        return transcript
    }

    static func withSystem(_ system: String?, _ messages: [ChatMessage]) -> [ChatMessage] {
        guard let system, !system.isEmpty, messages.first?.role != "system" else { return messages }
        return [ChatMessage(role: "system", content: system)] + messages
    }

    /// Sends one request, recording it whatever happens; an identical request to the same target
    /// is answered from the cache.
    public static func ask(_ target: any ModelTarget, _ request: GenerateRequest, log: RequestLog, cache: (any ResponseCache)?,
                           purpose: String) async throws -> GenerateResponse {
        let body = request.json
        let key = cacheKey(target, body)
        if let cache, let stored = cache.response(forKey: key), let response = try? GenerateResponse(json: stored) {
            log.append(RequestRecord(purpose: purpose, request: body, response: stored, error: nil, seconds: 0, cached: true))
            return response
        }
        let start = Date()
        do {
            let response = try await target.generate(request)
            let json = response.json
            log.append(RequestRecord(purpose: purpose, request: body, response: json, error: nil,
                                     seconds: Date().timeIntervalSince(start), cached: false))
            cache?.store(json, forKey: key)
            return response
        } catch {
            log.append(RequestRecord(purpose: purpose, request: body, response: nil, error: "\(error)",
                                     seconds: Date().timeIntervalSince(start), cached: false))
            throw error
        }
    }

    /// The cache key of a request: the target's identity and the request's canonical JSON.
    static func cacheKey(_ target: any ModelTarget, _ body: JSONValue) -> String {
        (target.identity.key + "\n" + body.serialized(JSONFormat(itemSeparator: ",", keySeparator: ":", asciiOnly: false, sortKeys: true))).sha256Hex
    }
}

/// Responses already computed, by request (`Solver.cacheKey`); the run database keeps them.
public protocol ResponseCache: Sendable {
    func response(forKey key: String) -> JSONValue?
    func store(_ response: JSONValue, forKey key: String)
}
