import Audit
import Engine
import Foundation
import JSON
import Models
import StructuredOutput

/// A model run in process: requests become jobs on the engine's batch executor, so concurrent
/// samples share forward passes. A request is turned into tokens and sampling options exactly as
/// `hearth serve` turns the same OpenAI request (chat template with the tools, OpenAI's sampling
/// defaults, the request's seed), so a sample computes the same here and behind the server.
public final class LocalTarget: ModelTarget, @unchecked Sendable {
    public let identity: TargetIdentity
    public let model: LanguageModel
    public let executor: BatchExecutor
    let chat: ChatFormat?

    /// - Parameters:
    ///   - slots: sequences decoded together (the run's concurrency).
    ///   - cacheType: how the slots' KV caches store keys and values.
    public init(model: LanguageModel, identity: TargetIdentity, slots: Int, contextLength: Int? = nil, threads: Int,
                cacheType: KVCacheType = .f32) throws {
        self.model = model
        self.identity = identity
        chat = try ChatFormat(model: model)
        let length = min(contextLength ?? model.defaultContextLength, model.config.contextLength)
        // Every sample gets a slot; nothing waits beyond them but the runner's own queue.
        executor = BatchExecutor(model: model, slots: max(1, slots), contextLength: length, threads: threads,
                                 cacheType: cacheType, queueCapacity: max(1, slots) * 4)
    }

    public var preferredConcurrency: Int { executor.slotCount }

    public func close() async {
        await executor.shutdown(deadline: Date())
    }

    public func generate(_ request: GenerateRequest) async throws -> GenerateResponse {
        guard let chat else {
            throw TargetError("\(identity.name) has no chat template; use a task whose solver is choice, or an instruct model")
        }
        let body = request.json
        let messages = body["messages"]?.arrayValue ?? []
        let tools = body["tools"]?.arrayValue
        let chatPrompt: ChatPrompt
        do {
            chatPrompt = try chat.prompt(messages: messages, tools: tools)
        } catch {
            throw TargetError("the chat template of \(identity.name) rejected the conversation: \(error)")
        }
        let prompt = chatPrompt.tokens
        guard prompt.count < executor.contextLength else {
            throw TargetError("the prompt is \(prompt.count) tokens, beyond the context of \(executor.contextLength)")
        }
        var options = Self.options(request)
        let room = min(request.settings.maxTokens, executor.contextLength - prompt.count)
        options.reasoning = chat.reasoningSyntax.map { ReasoningControl(syntax: $0, startsInside: chatPrompt.opensReasoning) }
        var constraint: TokenConstraint?
        if let schema = request.responseSchema {
            // The verdict comes after any thoughts, which get half the room; the budget makes the
            // value close within the rest: a judge always gives a verdict.
            let answerRoom = options.reasoning?.reserveRoomForConstrainedAnswer(room, tokenizer: model.tokenizer) ?? room
            constraint = try JSONConstraint(schema: try JSONSchema(schema), tokenizer: model.tokenizer, tokenBudget: max(1, answerRoom))
        }
        let start = Date()
        let result = try await run(GenerationJob(prompt: prompt, options: options, constraint: constraint) { _ in true })
        // The message is assembled as the server assembles it: thoughts apart, tool calls out of the answer.
        let toolNames = Set((tools ?? []).compactMap { $0["function"]?["name"]?.stringValue })
        var assembler = ChatChoiceAssembler(
            reasoning: options.reasoning.map { ReasoningSplitter(syntax: $0.syntax, startsInside: $0.startsInside) },
            toolCalls: tools?.isEmpty == false ? chat.toolCallSyntax.map { ToolCallExtractor(syntax: $0, toolNames: toolNames) } : nil,
            wantsLogprobs: false, tokenizer: model.tokenizer)
        let message = assembler.message(tokens: result.tokens, outcome: result.outcome)
        let records = message.toolCalls.enumerated().map { ToolCallRecord(id: "call_\($0.offset)", name: $0.element.name, arguments: $0.element.arguments) }
        return GenerateResponse(message: ChatMessage(role: "assistant", content: message.content, toolCalls: records,
                                                     reasoning: options.reasoning == nil ? nil : message.reasoning),
                                finishReason: message.finishReason ?? "stop",
                                promptTokens: result.outcome.promptTokens, completionTokens: result.outcome.completionTokens,
                                seconds: Date().timeIntervalSince(start))
    }

    /// OpenAI's sampling defaults with the request's values, as the server decodes them.
    static func options(_ request: GenerateRequest) -> GenerationOptions {
        var sampling = SamplingParameters.openAIDefaults
        sampling.temperature = Float(request.settings.temperature)
        if let topP = request.settings.topP { sampling.topP = Float(topP) }
        if let topK = request.settings.topK { sampling.topK = topK }
        sampling.seed = request.seed
        return GenerationOptions(maxTokens: request.settings.maxTokens, sampling: sampling, stop: request.settings.stop)
    }

    public func logLikelihoods(context: String, continuations: [String]) async throws -> [ContinuationScore] {
        let tokenizer = model.tokenizer
        // As lm-evaluation-harness splits a pair: the context's own tokens, then whatever the
        // whole text adds after them.
        let contextTokens = tokenizer.encode(context, addSpecial: true, parseSpecial: true)
        let wholes = continuations.map { tokenizer.encode(context + $0, addSpecial: true, parseSpecial: true) }
        // Each choice is scored from its first token after the context's; it needs one before it.
        let firsts = wholes.map { min(contextTokens.count, $0.count - 1) }
        for (whole, first) in zip(wholes, firsts) where first < 1 || whole.count >= executor.contextLength {
            throw TargetError("the choice does not fit: \(whole.count) tokens, context \(executor.contextLength)")
        }
        // All choices at once: the executor computes the question once, in the first choice's
        // slot, and the others copy it and feed only their own tokens, in shared passes.
        return try await withThrowingTaskGroup(of: (Int, ContinuationScore).self) { group in
            for (index, (whole, first)) in zip(wholes, firsts).enumerated() {
                group.addTask { (index, try await self.score(whole, from: first)) }
            }
            var scores = [ContinuationScore?](repeating: nil, count: wholes.count)
            for try await (index, score) in group { scores[index] = score }
            return scores.map { $0! }
        }
    }

    /// The log-likelihood of `tokens[first...]` after the tokens before them.
    private func score(_ tokens: [Int32], from first: Int) async throws -> ContinuationScore {
        var options = GenerationOptions(maxTokens: 0)
        options.sampling = .greedy
        let job = GenerationJob(prompt: tokens, options: options, promptLogprobs: 1, promptLogprobsFrom: first) { _ in true }
        let logprobs = try await run(job).promptLogprobs
        guard logprobs.count == tokens.count else { throw TargetError("the engine returned no prompt log-probabilities") }
        var sum = 0.0
        var greedy = true
        for index in first..<tokens.count {
            guard let entry = logprobs[index] else { throw TargetError("the engine did not score token \(index) of the choice") }
            sum += Double(entry.logprob)
            if let best = entry.top.first, best.logprob > entry.logprob { greedy = false }
        }
        return ContinuationScore(logLikelihood: sum, tokens: tokens.count - first, isGreedy: greedy)
    }

    /// Submits one job and waits for its end: the tokens it produced and its outcome.
    func run(_ job: GenerationJob) async throws -> JobResult {
        let collector = JobCollector()
        let wrapped = GenerationJob(prompt: job.prompt, options: job.options, constraint: job.constraint,
                                    promptLogprobs: job.promptLogprobs) { event in
            _ = job.sink(event)
            return collector.receive(event)
        }
        while true {
            do {
                _ = try executor.submit([wrapped])
                break
            } catch SubmissionError.queueFull {
                // The runner bounds its requests to the slots; a full queue only means others are finishing.
                try await Task.sleep(nanoseconds: 5_000_000)
            }
        }
        return try await collector.result()
    }
}

/// What one job produced.
struct JobResult {
    var tokens: [GeneratedToken] = []
    var promptLogprobs: [TokenLogprobs?] = []
    var outcome = GenerationOutcome(finishReason: .cancelled, promptTokens: 0, completionTokens: 0, reusedPromptTokens: 0)
}

/// Gathers one job's events from the executor's thread and hands the end to an async waiter.
final class JobCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var collected = JobResult()
    private var ending: Result<JobResult, Error>?
    private var waiter: CheckedContinuation<JobResult, Error>?

    func receive(_ event: GenerationEvent) -> Bool {
        lock.lock()
        switch event {
        case .token(let token): collected.tokens.append(token)
        case .promptLogprobs(let values): collected.promptLogprobs = values
        case .finished(let outcome):
            collected.outcome = outcome
            ending = .success(collected)
        case .failed(let error): ending = .failure(error)
        case .started: break
        }
        let resume = ending != nil ? waiter : nil
        if resume != nil { waiter = nil }
        let result = ending
        lock.unlock()
        if let resume, let result { resume.resume(with: result) }
        return true
    }

    func result() async throws -> JobResult {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            if let ending {
                lock.unlock()
                continuation.resume(with: ending)
            } else {
                waiter = continuation
                lock.unlock()
            }
        }
    }
}
