import Engine
import Foundation
import Hummingbird
import JSON
import Models
import NIOCore
import Tokenizers

/// `POST /v1/completions` and `POST /v1/chat/completions`: decode and check the request, turn it
/// into one job per choice on the model's executor, and adapt the events to OpenAI's JSON or
/// server-sent events. Knows nothing of how the executor runs the model.
struct CompletionsController: Sendable {
    let models: ModelRegistry
    let limits: RequestLimits
    let metrics: ServerMetrics
    let constraints: (any OutputConstraintFactory)?
    let reasoningFormat: ReasoningFormat
    let reasoningBudget: Int?

    func addRoutes(to router: Router<HearthRequestContext>) {
        router.post("/v1/completions") { request, context in try await completions(request, context) }
        router.post("/v1/chat/completions") { request, context in try await chatCompletions(request, context) }
    }

    // MARK: - /v1/completions

    func completions(_ request: Request, _ context: HearthRequestContext) async throws -> Response {
        let arrival = Date()
        let parsed = try CompletionRequest(try await FieldReader.body(of: request, limits: limits), limits: limits)
        let served = try models.model(named: parsed.settings.model)
        context.record.model = served.id
        let tokenizer = served.model.tokenizer
        let vocabulary = served.model.config.vocabularySize

        var tokenized: [(tokens: [Int32], text: String)] = []
        for prompt in parsed.prompts {
            switch prompt {
            case .text(let text):
                tokenized.append((tokenizer.encode(text, addSpecial: true, parseSpecial: true), text))
            case .tokens(let tokens):
                if let bad = served.model.config.firstInvalidToken(in: tokens) {
                    throw APIError.invalidRequest("'prompt' names token \(bad), outside the vocabulary of \(vocabulary)", param: "prompt")
                }
                tokenized.append((tokens, tokenizer.decode(tokens)))
            }
        }
        for prompt in tokenized {
            guard !prompt.tokens.isEmpty else {
                throw APIError.invalidRequest("the prompt is empty and the model adds no beginning-of-sequence token", param: "prompt")
            }
            try checkFits(prompt.tokens.count, served, param: "prompt")
        }
        let settings = parsed.settings
        let prompts = tokenized
        let maxTokens = settings.maxTokens ?? 16
        let echoLogprobs = parsed.echo ? parsed.logprobs : nil
        let longestPrompt = prompts.map { $0.tokens.count }.max() ?? 0
        let makeConstraint = try constraintMaker(settings.responseFormat, served,
                                                 maxTokens: min(maxTokens, served.contextLength - longestPrompt))
        try validate(settings, served)

        var plans: [ChoicePlan] = []
        for prompt in prompts {
            for choice in 0..<settings.choices {
                plans.append(ChoicePlan(prompt: prompt.tokens,
                                        options: settings.options(choice: choice, maxTokens: maxTokens, logprobs: parsed.logprobs),
                                        makeConstraint: makeConstraint,
                                        promptLogprobs: choice == 0 ? echoLogprobs : nil))
            }
        }
        let run = try GenerationRun.start(plans, on: served)
        context.onDisconnect { [weak run] in run?.cancel() }
        let json = ResponseJSON(kind: .completion, model: served.id, tokenizer: tokenizer)
        var statistics = RunStatistics(arrival: arrival)
        statistics.promptTokens = prompts.reduce(0) { $0 + $1.tokens.count }
        let n = settings.choices

        if settings.stream {
            return stream(run, statistics: statistics, context: context, served: served, settings: settings, choices: plans.count) { item, state in
                let promptIndex = item.choice / n
                let prompt = prompts[promptIndex]
                switch item.event {
                case .started where parsed.echo && parsed.logprobs == nil:
                    return [json.completionChoice(index: item.choice, text: prompt.text, logprobs: .null, finishReason: nil)]
                case .promptLogprobs(let logprobs):
                    let steps = zip(prompt.tokens, logprobs).map { (token: $0.0, logprobs: $0.1) }
                    state.offsets[item.choice] = prompt.text.unicodeScalars.count
                    return [json.completionChoice(index: item.choice, text: prompt.text,
                                                  logprobs: json.completionLogprobs(tokens: steps, startOffset: 0), finishReason: nil)]
                case .token(let token):
                    var logprobs = JSONValue.null
                    if parsed.logprobs != nil, let id = token.token {
                        logprobs = json.completionLogprobs(tokens: [(id, token.logprobs)], startOffset: state.offsets[item.choice, default: 0])
                    }
                    state.offsets[item.choice, default: 0] += token.text.unicodeScalars.count
                    guard !token.text.isEmpty || logprobs != .null else { return [] }
                    return [json.completionChoice(index: item.choice, text: token.text, logprobs: logprobs, finishReason: nil)]
                case .finished(let outcome):
                    return [json.completionChoice(index: item.choice, text: "", logprobs: .null, finishReason: Self.finishReason(outcome))]
                default:
                    return []
                }
            } envelope: { choices, usage in
                json.envelope(object: ResponseJSON.Kind.completion.chunkObject, choices: choices, usage: usage)
            }
        }

        let results = try await collect(run, statistics: &statistics, context: context, served: served, choices: plans.count)
        var choices: [JSONValue] = []
        for (index, result) in results.enumerated() {
            let prompt = prompts[index / n]
            let echoed = parsed.echo ? prompt.text : ""
            var logprobs = JSONValue.null
            if parsed.logprobs != nil {
                var steps: [(token: Int32, logprobs: TokenLogprobs?)] = []
                if parsed.echo {
                    let promptLogprobs = results[index - index % n].promptLogprobs ?? []
                    steps += zip(prompt.tokens, promptLogprobs).map { (token: $0.0, logprobs: $0.1) }
                }
                steps += result.tokens.compactMap { step in step.token.map { (token: $0, logprobs: step.logprobs) } }
                logprobs = json.completionLogprobs(tokens: steps, startOffset: 0)
            }
            choices.append(json.completionChoice(index: index, text: echoed + result.text, logprobs: logprobs,
                                                 finishReason: Self.finishReason(result.outcome)))
        }
        let usage = ResponseJSON.usage(prompt: statistics.promptTokens, completion: statistics.completionTokens,
                                       cached: statistics.reusedPromptTokens, reasoning: statistics.reasoningTokens)
        return Self.jsonResponse(json.envelope(object: ResponseJSON.Kind.completion.object, choices: choices, usage: usage))
    }

    // MARK: - /v1/chat/completions

    func chatCompletions(_ request: Request, _ context: HearthRequestContext) async throws -> Response {
        let arrival = Date()
        let parsed = try ChatCompletionRequest(try await FieldReader.body(of: request, limits: limits), limits: limits)
        let served = try models.model(named: parsed.settings.model)
        context.record.model = served.id
        guard let chat = served.chat else {
            throw APIError.invalidRequest("the model '\(served.id)' has no chat template; use /v1/completions for raw completion",
                                          param: "model", code: "no_chat_template")
        }
        let chatPrompt: ChatPrompt
        do {
            chatPrompt = try chat.chatPrompt(messages: parsed.messages, tools: parsed.tools, templateArguments: parsed.templateArguments)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.invalidRequest("the model's chat template rejected the conversation: \(error)", param: "messages")
        }
        let prompt = chatPrompt.tokens
        try checkFits(prompt.count, served, param: "messages")
        let settings = parsed.settings
        let maxTokens = settings.maxTokens ?? served.contextLength
        let room = min(maxTokens, served.contextLength - prompt.count)
        let reasoning = try reasoningControl(chat.reasoningSyntax, prompt: chatPrompt, request: parsed, room: room,
                                             constrained: settings.responseFormat != .text, tokenizer: served.model.tokenizer)
        // A constrained answer comes after the thoughts: it gets the room they leave.
        let answerRoom = room - (reasoning?.reservedTokens(served.model.tokenizer) ?? 0)
        let makeConstraint = try constraintMaker(settings.responseFormat, served, maxTokens: answerRoom)
        try validate(settings, served)

        let plans = (0..<settings.choices).map { choice in
            var options = settings.options(choice: choice, maxTokens: maxTokens, logprobs: parsed.logprobs)
            options.reasoning = reasoning
            return ChoicePlan(prompt: prompt, options: options, makeConstraint: makeConstraint, promptLogprobs: nil)
        }
        let run = try GenerationRun.start(plans, on: served)
        context.onDisconnect { [weak run] in run?.cancel() }
        let json = ResponseJSON(kind: .chat, model: served.id, tokenizer: served.model.tokenizer)
        var statistics = RunStatistics(arrival: arrival)
        statistics.promptTokens = prompt.count
        // Thoughts come back apart as `reasoning_content` unless the request or the server asks for
        // the raw text. Tool calls come back as `tool_calls` when the request offers tools and the
        // template taught the model a syntax Hearth reads; otherwise they stay in the text.
        let splitsReasoning = (parsed.reasoningFormat ?? reasoningFormat) == .deepseek ? reasoning : nil
        let toolSyntax = parsed.tools == nil ? nil : chat.toolCallSyntax
        let toolNames = Set((parsed.tools ?? []).compactMap { $0["function"]?["name"]?.stringValue })
        let tokenizer = served.model.tokenizer
        let wantsLogprobs = parsed.logprobs != nil
        let assembler = {
            ChatChoiceAssembler(reasoning: splitsReasoning.map { ReasoningSplitter(syntax: $0.syntax, startsInside: $0.startsInside) },
                                toolCalls: toolSyntax.map { ToolCallExtractor(syntax: $0, toolNames: toolNames) },
                                wantsLogprobs: wantsLogprobs, tokenizer: tokenizer)
        }

        if settings.stream {
            return stream(run, statistics: statistics, context: context, served: served, settings: settings, choices: plans.count) { item, state in
                if case .started = item.event {
                    state.assemblers[item.choice] = assembler()
                    return [json.chatChunkChoice(index: item.choice, delta: [("role", "assistant"), ("content", "")],
                                                 logprobs: .null, finishReason: nil)]
                }
                guard let delta = state.assemblers[item.choice]?.take(item.event) else { return [] }
                return json.chatChunkChoices(index: item.choice, delta: delta)
            } envelope: { choices, usage in
                json.envelope(object: ResponseJSON.Kind.chat.chunkObject, choices: choices, usage: usage)
            }
        }

        let results = try await collect(run, statistics: &statistics, context: context, served: served, choices: plans.count)
        let choices = results.enumerated().map { index, result in
            var choice = assembler()
            // `collect` returns once every choice has its outcome; a missing one was stopped early.
            let outcome = result.outcome ?? GenerationOutcome(finishReason: .cancelled, promptTokens: prompt.count,
                                                              completionTokens: result.tokens.count, reusedPromptTokens: 0)
            let message = choice.message(tokens: result.tokens, outcome: outcome)
            return json.chatChoice(index: index, message: message, showsReasoning: splitsReasoning != nil,
                                   logprobs: wantsLogprobs ? json.chatLogprobs(message.logprobs) : .null)
        }
        let usage = ResponseJSON.usage(prompt: statistics.promptTokens, completion: statistics.completionTokens,
                                       cached: statistics.reusedPromptTokens, reasoning: statistics.reasoningTokens)
        return Self.jsonResponse(json.envelope(object: ResponseJSON.Kind.chat.object, choices: choices, usage: usage))
    }

    /// How the request's generations handle a reasoning model's thoughts; nil for a model that
    /// does not reason. The budget is the request's, else the server's; a constrained answer on a
    /// model without one gets half the room for thoughts, so the value has room to finish.
    func reasoningControl(_ syntax: ReasoningSyntax?, prompt: ChatPrompt, request: ChatCompletionRequest, room: Int,
                          constrained: Bool, tokenizer: Tokenizer) throws -> ReasoningControl? {
        guard let syntax else {
            if request.reasoningBudget != nil {
                throw APIError.invalidRequest("'reasoning_budget' applies to reasoning models; this model's template opens no reasoning block",
                                              param: "reasoning_budget")
            }
            return nil
        }
        var control = ReasoningControl(syntax: syntax, startsInside: prompt.opensReasoning,
                                       budget: request.reasoningBudget ?? reasoningBudget)
        if constrained, control.reserveRoomForConstrainedAnswer(room, tokenizer: tokenizer) < 1 {
            throw APIError.invalidRequest("with a reasoning budget of \(control.budget ?? 0) tokens, 'max_tokens' (\(room) here) leaves no room for the structured answer",
                                          param: "max_tokens")
        }
        return control
    }

    /// OpenAI's `finish_reason` for a choice, the one place the engine's reason becomes a string:
    /// "tool_calls" when a choice that ended by itself made calls.
    static func finishReason(_ outcome: GenerationOutcome?, calls: [ToolCall] = []) -> String {
        // `collect` returns only once every choice has an outcome; a missing one was stopped early.
        (outcome?.finishReason ?? .cancelled).openAIValue(madeToolCalls: !calls.isEmpty)
    }

    // MARK: - Shared

    func checkFits(_ count: Int, _ served: ServedModel, param: String) throws {
        guard count < served.contextLength else {
            var error = APIError.contextLengthExceeded(promptTokens: count, contextLength: served.contextLength)
            error = APIError(status: error.status, message: error.message, type: error.type, param: param, code: error.code)
            throw error
        }
    }

    func validate(_ settings: GenerationSettings, _ served: ServedModel) throws {
        do {
            try settings.sampling.validate(vocabularySize: served.model.config.vocabularySize)
        } catch let error as SamplingError {
            throw APIError.invalidRequest(error.description)
        }
    }

    /// `maxTokens`: the most tokens a choice can generate (the request's limit, or the context's
    /// room when that is less); the constraint closes its value within them.
    func constraintMaker(_ format: ResponseFormat, _ served: ServedModel, maxTokens: Int) throws -> (@Sendable () throws -> TokenConstraint)? {
        if format == .text { return nil }
        guard let constraints else {
            throw APIError.invalidRequest("structured output (response_format json_object or json_schema) is not available in this build",
                                          param: "response_format")
        }
        do {
            return try constraints.prepare(format, for: served.model, maxTokens: maxTokens)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.invalidRequest("'response_format' is not usable: \(error)", param: "response_format")
        }
    }

    func collect(_ run: GenerationRun, statistics: inout RunStatistics, context: HearthRequestContext,
                 served: ServedModel, choices: Int) async throws -> [ChoiceResult] {
        let results = try await run.collect(choices: choices, statistics: &statistics)
        statistics.record(in: metrics, model: served.id)
        context.record.setTokens(prompt: statistics.promptTokens, completion: statistics.completionTokens)
        return results
    }

    static func jsonResponse(_ value: JSONValue) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: value.serialized(.compact))))
    }

    /// Per-stream state the chunk renderer keeps: character offsets for completion logprobs, each
    /// chat choice's assembler.
    struct StreamState {
        var offsets: [Int: Int] = [:]
        var assemblers: [Int: ChatChoiceAssembler] = [:]
    }

    /// A server-sent event stream: one chunk per event that shows something, then the usage chunk
    /// when asked for, then `[DONE]`. A write that fails (the client left) cancels the run.
    func stream(_ run: GenerationRun, statistics: RunStatistics, context: HearthRequestContext, served: ServedModel,
                settings: GenerationSettings, choices: Int,
                render: @escaping @Sendable (GenerationRun.Event, inout StreamState) -> [JSONValue],
                envelope: @escaping @Sendable ([JSONValue], JSONValue?) -> JSONValue) -> Response {
        let record = context.record
        record.isStreaming = true
        let metrics = self.metrics
        let includeUsage = settings.includeUsage
        let body = ResponseBody { writer in
            var statistics = statistics
            var state = StreamState()
            var status = 200
            defer {
                run.cancel()
                statistics.record(in: metrics, model: served.id)
                record.setTokens(prompt: statistics.promptTokens, completion: statistics.completionTokens)
                record.complete(status: status)
            }
            do {
                for await item in run.events {
                    statistics.take(item.event)
                    if case .failed(let error) = item.event {
                        let apiError = GenerationRun.apiError(for: error)
                        status = Int(apiError.status.code)
                        try await writer.write(ByteBuffer(string: ResponseJSON.event(apiError.json) + ResponseJSON.done))
                        try await writer.finish(nil)
                        return
                    }
                    for choice in render(item, &state) {
                        let usage: JSONValue? = includeUsage ? .null : nil
                        try await writer.write(ByteBuffer(string: ResponseJSON.event(envelope([choice], usage))))
                    }
                    if statistics.finishedChoices == choices { break }
                }
                guard statistics.finishedChoices == choices else {
                    // The run was cancelled: the client left, or the server is shutting down.
                    status = 499
                    return
                }
                var tail = ""
                if includeUsage {
                    tail += ResponseJSON.event(envelope([], ResponseJSON.usage(
                        prompt: statistics.promptTokens, completion: statistics.completionTokens,
                        cached: statistics.reusedPromptTokens, reasoning: statistics.reasoningTokens)))
                }
                tail += ResponseJSON.done
                try await writer.write(ByteBuffer(string: tail))
                try await writer.finish(nil)
            } catch {
                status = 499
                throw error
            }
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}
